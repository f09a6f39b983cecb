"""The timescale policy's version, moved by triggers on every policy table (issue 13 §2).

Pages that show deadlines read the authority's policy (its profile, rules, overrides and
closure days). Each process keeps what it read with this version
(deadlines.selectors.policy_snapshot) and reads the policy again when the version has moved.
Statement-level triggers move it in the writing transaction, whatever writes (forms, the
admin, QuerySet.update(), bulk loads, other processes), ENABLE ALWAYS so that a bulk load in
replica mode does too. Each move takes the next number of a sequence, which a rolled-back
transaction never gives back: a number stands for one state of the policy only. The table is
not a model, so a test database flush leaves it (and its one row) in place.
"""

from django.db import migrations

TABLES = ("deadlines_policyprofile", "deadlines_policyrule", "deadlines_authoritypolicy",
          "deadlines_ruleoverride", "deadlines_closureday")

SQL = """
CREATE SEQUENCE deadlines_policy_version_seq;
CREATE TABLE deadlines_policy_version (
    id smallint PRIMARY KEY CHECK (id = 1),
    version bigint NOT NULL
);
INSERT INTO deadlines_policy_version (id, version)
VALUES (1, nextval('deadlines_policy_version_seq'));

CREATE FUNCTION deadlines_policy_version_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO deadlines_policy_version (id, version)
    VALUES (1, nextval('deadlines_policy_version_seq'))
    ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version;
    RETURN NULL;
END $$;
""" + "".join(f"""
CREATE TRIGGER policy_version_move AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION deadlines_policy_version_move();
ALTER TABLE {table} ENABLE ALWAYS TRIGGER policy_version_move;
""" for table in TABLES)

REVERSE = "".join(f"DROP TRIGGER policy_version_move ON {table};\n" for table in TABLES) + """
DROP FUNCTION deadlines_policy_version_move();
DROP TABLE deadlines_policy_version;
DROP SEQUENCE deadlines_policy_version_seq;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('deadlines', '0016_sweep_queue_table'),
    ]

    operations = [
        migrations.RunSQL(SQL, reverse_sql=REVERSE),
    ]
