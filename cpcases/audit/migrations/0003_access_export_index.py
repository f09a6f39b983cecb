"""A return export's access-log rows indexed by the export they name (its download reads
them): built CONCURRENTLY, so a large production trail keeps taking inserts while it is made
(non-atomic: PostgreSQL cannot build an index concurrently inside a transaction)."""

import django.db.models.fields.json
from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('audit', '0002_access_child_at'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='accessevent',
            index=models.Index(django.db.models.fields.json.KeyTransform('export', 'detail'), condition=models.Q(('action', 'export')), name='audit_access_export'),
        ),
    ]
