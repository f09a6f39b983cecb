"""The Celery app. The beat schedule is declared in one place: cpcases/beat.py."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpcases.settings.dev")

app = Celery("cpcases")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
