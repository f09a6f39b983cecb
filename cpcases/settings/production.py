"""Production (docker-compose.yml): every service is configured; nothing is embedded."""

from cpcases.core.env import env_bool, env_int, env_list, env_seconds_or_forever, env_str
from cpcases.settings._services import database_config, database_url, redis_url
from cpcases.settings.base import *  # noqa: F403

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
DATABASES = {"default": database_config(database_url(embedded_allowed=False))}
# Issue 13 §2: a process keeps its connection (checked before each request) for its whole
# life unless told otherwise. At 60 s every web worker opened a new one each minute, and the
# new server process planned again what the old had prepared: the audit tab's change history
# (25-60 ms) and every kept query's first runs, the slowest twentieth of the record's tabs,
# in clusters a minute apart. gunicorn replaces a worker after GUNICORN_MAX_REQUESTS anyway.
# Behind PgBouncer in transaction mode set 0 (docs/scaling.md). Decisions §69.
DATABASES["default"]["CONN_MAX_AGE"] = env_seconds_or_forever("DATABASE_CONN_MAX_AGE", None)
# Issue 13 §3: web processes (gunicorn.conf.py sets it) cancel any query running longer, so a
# runaway request ends in an error page before gunicorn has to kill its worker.
if env_str("DATABASE_STATEMENT_TIMEOUT", ""):
    DATABASES["default"]["OPTIONS"]["options"] += (
        f" -c statement_timeout={env_str('DATABASE_STATEMENT_TIMEOUT', '')}")
REDIS_URL = redis_url(embedded_allowed=False)
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                      "LOCATION": REDIS_URL}}

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)

# Issue 12 §6: an authenticator-app code as well as the password, for everyone.
MFA_REQUIRED = env_bool("MFA_REQUIRED", True)

# Issue 12 §8: the document store (S3 when STORAGE_S3_BUCKET is set) is chosen in base.py.
