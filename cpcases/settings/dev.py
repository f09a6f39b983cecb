"""A developer's machine: `make run`. Embedded PostgreSQL and Redis when no server is set."""

from cpcases.settings._services import database_config, database_url, redis_url
from cpcases.settings.base import *  # noqa: F403

DEBUG = True
DATABASES = {"default": database_config(database_url(embedded_allowed=True))}
REDIS_URL = redis_url(embedded_allowed=True)
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                      "LOCATION": REDIS_URL}}
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
