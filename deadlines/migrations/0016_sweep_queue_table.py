"""The sweep's queue as a narrow table kept by triggers; room in the deadline table's pages
for HOT updates (issue 13 §4, decisions §43).

The triggers are statement-level (one set-based statement per UPDATE, however many rows) and
ENABLE ALWAYS: they fire in replica mode too (bulk loads with session_replication_role =
replica, logical replication), so the queue never drifts from deadlines_deadline. Their
statements probe the queue by key whatever the statistics (planner settings on the function).
"""

import django.db.models.deletion
from django.db import migrations, models


_BY_KEY = "SET enable_seqscan = off SET enable_bitmapscan = off SET jit = off"
_QUEUED = "n.status = 'open' AND n.next_action_at IS NOT NULL"

SQL = f"""
-- Room in each page for the new version of a row: the sweep's advance stays on its page (HOT).
ALTER TABLE deadlines_deadline SET (fillfactor = 85);

CREATE FUNCTION deadline_sweep_queue_insert() RETURNS trigger LANGUAGE plpgsql {_BY_KEY} AS $$
BEGIN
    INSERT INTO deadlines_sweepqueue (deadline_id, next_action_at)
    SELECT n.id, n.next_action_at FROM new_rows AS n WHERE {_QUEUED};
    RETURN NULL;
END $$;

CREATE FUNCTION deadline_sweep_queue_update() RETURNS trigger LANGUAGE plpgsql {_BY_KEY} AS $$
BEGIN
    DELETE FROM deadlines_sweepqueue AS q USING new_rows AS n
    WHERE q.deadline_id = n.id AND NOT ({_QUEUED});
    -- A plain UPDATE of the rows queued already (an upsert costs twice as much a row), then
    -- the rows newly queued.
    UPDATE deadlines_sweepqueue AS q SET next_action_at = n.next_action_at
    FROM new_rows AS n
    WHERE q.deadline_id = n.id AND {_QUEUED} AND q.next_action_at <> n.next_action_at;
    INSERT INTO deadlines_sweepqueue (deadline_id, next_action_at)
    SELECT n.id, n.next_action_at FROM new_rows AS n WHERE {_QUEUED}
    ON CONFLICT (deadline_id) DO NOTHING;
    RETURN NULL;
END $$;

CREATE FUNCTION deadline_sweep_queue_delete() RETURNS trigger LANGUAGE plpgsql {_BY_KEY} AS $$
BEGIN
    DELETE FROM deadlines_sweepqueue AS q USING old_rows AS o WHERE q.deadline_id = o.id;
    RETURN NULL;
END $$;

CREATE TRIGGER deadline_sweep_queue_insert AFTER INSERT ON deadlines_deadline
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION deadline_sweep_queue_insert();
CREATE TRIGGER deadline_sweep_queue_update AFTER UPDATE ON deadlines_deadline
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION deadline_sweep_queue_update();
CREATE TRIGGER deadline_sweep_queue_delete AFTER DELETE ON deadlines_deadline
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION deadline_sweep_queue_delete();
ALTER TABLE deadlines_deadline ENABLE ALWAYS TRIGGER deadline_sweep_queue_insert;
ALTER TABLE deadlines_deadline ENABLE ALWAYS TRIGGER deadline_sweep_queue_update;
ALTER TABLE deadlines_deadline ENABLE ALWAYS TRIGGER deadline_sweep_queue_delete;

INSERT INTO deadlines_sweepqueue (deadline_id, next_action_at)
SELECT n.id, n.next_action_at FROM deadlines_deadline AS n WHERE {_QUEUED};
"""

REVERSE = """
DROP TRIGGER deadline_sweep_queue_insert ON deadlines_deadline;
DROP TRIGGER deadline_sweep_queue_update ON deadlines_deadline;
DROP TRIGGER deadline_sweep_queue_delete ON deadlines_deadline;
DROP FUNCTION deadline_sweep_queue_insert();
DROP FUNCTION deadline_sweep_queue_update();
DROP FUNCTION deadline_sweep_queue_delete();
ALTER TABLE deadlines_deadline RESET (fillfactor);
"""


class Migration(migrations.Migration):

    dependencies = [
        ('deadlines', '0015_sweep_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='SweepQueue',
            fields=[
                ('deadline', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='deadlines.deadline')),
                ('next_action_at', models.DateTimeField()),
            ],
        ),
        migrations.RemoveIndex(
            model_name='deadline',
            name='deadline_sweep_queue',
        ),
        migrations.AddIndex(
            model_name='sweepqueue',
            index=models.Index(fields=['next_action_at', 'deadline'], name='deadline_sweep_queue'),
        ),
        migrations.RunSQL(SQL, reverse_sql=REVERSE),
    ]
