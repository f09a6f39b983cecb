"""Reload the shipped profiles: adds the transfer-in `originating_report` rule (003)."""

from django.db import migrations


def load(apps, schema_editor):
    from deadlines.policy import load_shipped_profiles

    load_shipped_profiles(apps.get_model("deadlines", "PolicyProfile"),
                          apps.get_model("deadlines", "PolicyRule"))


class Migration(migrations.Migration):

    dependencies = [("deadlines", "0003_load_shipped_policy_profiles")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
