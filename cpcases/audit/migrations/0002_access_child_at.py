"""A child's accesses indexed with their time (issue 13 §2): the audit tab reads a child's
latest accesses in the index's order instead of sorting all of them. The new index is built
before the child_id index it replaces is dropped, so a child's accesses are never unindexed.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="accessevent",
            index=models.Index(fields=["child_id", "at", "id"], name="audit_access_child_at"),
        ),
        migrations.AlterField(
            model_name="accessevent",
            name="child_id",
            field=models.BigIntegerField(null=True),
        ),
    ]
