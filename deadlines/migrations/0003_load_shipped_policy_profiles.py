"""Every database has the national default profile and the procedures' example profiles."""

from django.db import migrations


def load(apps, schema_editor):
    from deadlines.policy import load_shipped_profiles

    load_shipped_profiles(apps.get_model("deadlines", "PolicyProfile"),
                          apps.get_model("deadlines", "PolicyRule"))


class Migration(migrations.Migration):

    dependencies = [("deadlines", "0002_policy_deadlines_notifications")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
