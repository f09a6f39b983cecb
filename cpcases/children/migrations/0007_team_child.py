"""Each team's children by allocation kept in their own narrow table by triggers (issue 13
§2, decision 88; cpcases.children.models.TeamChild).

A child's row is worked out afresh from the base rows whenever its allocations change or its
restricted flag, merge or authority changes: present when it has a current allocation and is
neither restricted nor merged. The triggers are statement-level and ENABLE ALWAYS, so they fire
in replica mode too (bulk loads with session_replication_role = replica), as the deadlines'
sweep queue's do (deadlines 0016). Before working a child out, its row is locked (in id order):
a change of its allocation and a change of its flags made at once by two transactions are then
worked out one after the other, the second from what the first committed (each statement of the
function reads afresh under READ COMMITTED), so the table cannot keep a stale answer.
"""

import django.db.models.deletion
from django.db import migrations, models


_REFRESH = """
CREATE FUNCTION children_teamchild_refresh(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM children_child WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM children_teamchild WHERE child_id = ANY(ids);
    INSERT INTO children_teamchild (child_id, team_id, authority_id)
    SELECT c.id, a.team_id, c.authority_id
    FROM children_child AS c
    JOIN children_allocation AS a ON a.child_id = c.id AND a.ended_on IS NULL
    WHERE c.id = ANY(ids) AND NOT c.is_restricted AND c.merged_into_id IS NULL;
END $$;

CREATE FUNCTION children_teamchild_allocation_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM children_teamchild_refresh(ARRAY(SELECT DISTINCT child_id FROM new_rows));
    RETURN NULL;
END $$;

CREATE FUNCTION children_teamchild_allocation_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM children_teamchild_refresh(ARRAY(
        SELECT child_id FROM new_rows UNION SELECT child_id FROM old_rows));
    RETURN NULL;
END $$;

CREATE FUNCTION children_teamchild_allocation_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM children_teamchild_refresh(ARRAY(SELECT DISTINCT child_id FROM old_rows));
    RETURN NULL;
END $$;

-- Only the children whose flags that decide it changed: a child's other edits cost nothing.
CREATE FUNCTION children_teamchild_child_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM children_teamchild_refresh(ARRAY(
        SELECT n.id FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id
        WHERE n.is_restricted IS DISTINCT FROM o.is_restricted
           OR n.merged_into_id IS DISTINCT FROM o.merged_into_id
           OR n.authority_id IS DISTINCT FROM o.authority_id));
    RETURN NULL;
END $$;

CREATE FUNCTION children_teamchild_child_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM children_teamchild AS t USING old_rows AS o WHERE t.child_id = o.id;
    RETURN NULL;
END $$;

CREATE TRIGGER children_teamchild_allocation_new AFTER INSERT ON children_allocation
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION children_teamchild_allocation_new();
CREATE TRIGGER children_teamchild_allocation_changed AFTER UPDATE ON children_allocation
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION children_teamchild_allocation_changed();
CREATE TRIGGER children_teamchild_allocation_gone AFTER DELETE ON children_allocation
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION children_teamchild_allocation_gone();
CREATE TRIGGER children_teamchild_child_changed AFTER UPDATE ON children_child
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION children_teamchild_child_changed();
CREATE TRIGGER children_teamchild_child_gone AFTER DELETE ON children_child
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION children_teamchild_child_gone();
ALTER TABLE children_allocation ENABLE ALWAYS TRIGGER children_teamchild_allocation_new;
ALTER TABLE children_allocation ENABLE ALWAYS TRIGGER children_teamchild_allocation_changed;
ALTER TABLE children_allocation ENABLE ALWAYS TRIGGER children_teamchild_allocation_gone;
ALTER TABLE children_child ENABLE ALWAYS TRIGGER children_teamchild_child_changed;
ALTER TABLE children_child ENABLE ALWAYS TRIGGER children_teamchild_child_gone;

INSERT INTO children_teamchild (child_id, team_id, authority_id)
SELECT c.id, a.team_id, c.authority_id
FROM children_child AS c
JOIN children_allocation AS a ON a.child_id = c.id AND a.ended_on IS NULL
WHERE NOT c.is_restricted AND c.merged_into_id IS NULL;
"""

_REVERSE = """
DROP TRIGGER children_teamchild_allocation_new ON children_allocation;
DROP TRIGGER children_teamchild_allocation_changed ON children_allocation;
DROP TRIGGER children_teamchild_allocation_gone ON children_allocation;
DROP TRIGGER children_teamchild_child_changed ON children_child;
DROP TRIGGER children_teamchild_child_gone ON children_child;
DROP FUNCTION children_teamchild_allocation_new();
DROP FUNCTION children_teamchild_allocation_changed();
DROP FUNCTION children_teamchild_allocation_gone();
DROP FUNCTION children_teamchild_child_changed();
DROP FUNCTION children_teamchild_child_gone();
DROP FUNCTION children_teamchild_refresh(bigint[]);
"""


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_alter_user_role_alter_userevent_role'),
        ('children', '0006_allocation_current_by_team_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='TeamChild',
            fields=[
                ('child', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='+', serialize=False, to='children.child')),
                ('authority_id', models.BigIntegerField()),
                ('team', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.team')),
            ],
            options={
                'indexes': [models.Index(fields=['team', 'authority_id', 'child'], name='teamchild_by_team')],
            },
        ),
        migrations.RunSQL(_REFRESH, reverse_sql=_REVERSE),
    ]
