"""Settings for a real Celery worker started by a test (tests/outbox): the test settings,
sending through the SMTP relay the test names and queueing deliveries through Celery."""

import os

from cpcases.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ["TEST_SMTP_PORT"])
EMAIL_TIMEOUT = 10
OUTBOX_DELIVERY = "celery"
