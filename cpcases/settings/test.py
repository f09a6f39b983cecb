"""The test suite: real PostgreSQL and Redis (the machine's in CI, embedded otherwise)."""

from cpcases.core.env import env_str
from cpcases.settings._services import database_config, database_url, redis_url
from cpcases.settings.base import *  # noqa: F403

DATABASES = {"default": database_config(database_url(embedded_allowed=True))}
DATABASES["default"]["CONN_MAX_AGE"] = 0
# Each concurrent run (a developer, CI, a helper) may name its own test database.
DATABASES["default"]["TEST"] = {"NAME": env_str("CPCASES_TEST_DB", "cpcases_test")}
REDIS_URL = redis_url(embedded_allowed=True)
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                      "LOCATION": REDIS_URL, "KEY_PREFIX": "cpcases-test"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
OUTBOX_DELIVERY = "inline"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
AXES_FAILURE_LIMIT = 3
