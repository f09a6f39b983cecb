"""The test suite: real PostgreSQL and Redis (the machine's in CI, embedded otherwise)."""

import os

from cpcases.core.env import env_str
from cpcases.settings._services import database_config, database_url, redis_url
from cpcases.settings.base import *  # noqa: F403

DATABASES = {"default": database_config(database_url(embedded_allowed=True))}
DATABASES["default"]["CONN_MAX_AGE"] = 0
# Each concurrent run (a developer, CI, a helper) may name its own test database.
DATABASES["default"]["TEST"] = {"NAME": env_str("CPCASES_TEST_DB", "cpcases_test")}
REDIS_URL = redis_url(embedded_allowed=True)
# Under pytest-xdist each worker gets its own Redis database (as pytest-django gives it its own
# test database), so one worker's Celery tests never consume another's tasks or cache keys.
# The chosen URL is put back in the environment, marked, so a worker or beat a test starts
# as a subprocess (inheriting the environment) uses the same database and does not shift again.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _XDIST_WORKER.startswith("gw") and not os.environ.get("CPCASES_XDIST_REDIS"):
    _base, _, _db = REDIS_URL.rpartition("/")
    _index = (int(_db) if _db.isdigit() else 0) + 10 + int(_XDIST_WORKER[2:])
    REDIS_URL = f"{_base}/{_index % 16}"
    os.environ["REDIS_URL"] = REDIS_URL
    os.environ["CPCASES_XDIST_REDIS"] = "1"
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                      "LOCATION": REDIS_URL, "KEY_PREFIX": "cpcases-test"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests write through factories inside a transaction that never commits, so the on-commit
# invalidation of the navigation's kept counts never runs: counted on every page here, kept
# only in tests/foundation/test_navigation_counts.py.
NAV_COUNTS_CACHE_SECONDS = 0
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
OUTBOX_DELIVERY = "inline"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
AXES_FAILURE_LIMIT = 3
# Every request stores the last activity, so two reads of a page in a test make the same
# queries whenever they fall (tests/foundation/test_security.py turns the resolution on).
SESSION_ACTIVITY_RESOLUTION_SECONDS = 0
