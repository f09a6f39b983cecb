"""Settings shared by every environment. Values that differ come from cpcases.core.env."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from cpcases.core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-development-key-not-for-production")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_forms_gds",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "cpcases.core",
    "cpcases.accounts",
    "cpcases.children",
    "cpcases.audit",
    "cpcases.plans",
    "cpcases.chronology",
    "cpcases.outbox",
    "cpcases.health",
    "cpcases.documents",
    "deadlines",
    "strategy",
    "conferences",
    "conferences.outcomes",
    "frontdoor",
    "lifeevents",
    "returns",
    "returns.exports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cpcases.core.middleware.NoStoreMiddleware",
    # After a write, the navigation's cached counts are counted afresh (issue 13 §2).
    "cpcases.core.navigation.NavigationCountsMiddleware",
    "cpcases.accounts.middleware.InactivityTimeoutMiddleware",
    "cpcases.accounts.mfa.MfaRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cpcases.audit.middleware.AuditContextMiddleware",
    "cpcases.audit.middleware.ReadAuditMiddleware",
    # Census query rules confirmed at entry (issue 16 §2): the request, for the services.
    "cpcases.core.confirm.ConfirmWarningsMiddleware",
    # A resubmitted form makes nothing new (issue 12 §4); after every middleware that may
    # answer in the view's place (timeout, multi-factor), so only the view's answer counts.
    "cpcases.core.idempotency.OneTimeFormMiddleware",
    # Axes last: it inspects the response of the sign-in view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cpcases.urls"
WSGI_APPLICATION = "cpcases.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% csrf_token %} also draws the one-time form token and the version read.
            "builtins": ["cpcases.core.templatetags.form_guard"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "cpcases.core.context_processors.service",
                "cpcases.health.context_processors.system_alerts",
            ],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"  # "My work" (issue 9)
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # govuk-frontend is installed from npm at setup (npm ci), never committed. Only its
    # images and fonts are served from the package (the CSS links /static/govuk/assets/); its
    # script is copied into static/build/govuk/ by `npm run build`. The package's 5,000 Sass,
    # Nunjucks and fixture files stay out of static: each web worker kept a served-file entry
    # for every one (about 5 MB; issue 13 §6).
    ("govuk/assets", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk" / "assets"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "cpcases.core.static_storage.KeptUrlsStaticFilesStorage"},
}
# Uploaded conference reports: served only through scoped, audited views, never by URL.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Issue 12 §8: uploaded reports and issued documents in an S3-compatible store (MinIO in
# docker-compose), so recreating the web container loses nothing. Unset: the filesystem
# under MEDIA_ROOT (which must then be a kept volume). Read here, not only in production
# settings, so that `make backup`/`make restore` and the tests reach the same store.
STORAGE_S3_BUCKET = env_str("STORAGE_S3_BUCKET", "")
if STORAGE_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STORAGE_S3_BUCKET,
            "endpoint_url": env_str("STORAGE_S3_ENDPOINT_URL", "") or None,
            "access_key": env_str("STORAGE_S3_ACCESS_KEY"),
            "secret_key": env_str("STORAGE_S3_SECRET_KEY"),
            "region_name": env_str("STORAGE_S3_REGION", "") or None,
            "default_acl": None,
            "querystring_auth": True,  # never public: files are served by scoped views
            "file_overwrite": False,
        },
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Statutory returns (issue 16): the authority's three-digit DfE LA number for the census
# header (<LEA>).
RETURNS_LA_CODE = env_str("RETURNS_LA_CODE", "000")
# Exports run in the background (returns/exports): their files are deleted after this many
# days (hourly, cpcases/beat.py); progress is written at most once per this many seconds.
RETURNS_EXPORT_EXPIRY_DAYS = env_int("RETURNS_EXPORT_EXPIRY_DAYS", 7)
RETURNS_EXPORT_PROGRESS_SECONDS = env_int("RETURNS_EXPORT_PROGRESS_SECONDS", 1)
# The navigation's entries and counts kept per user (cpcases.core.navigation).
NAV_COUNTS_CACHE_SECONDS = env_int("NAV_COUNTS_CACHE_SECONDS", 30)  # tests: 0, not kept

# --- sessions: an inactivity timeout with a warning before it -------------------------------
SESSION_INACTIVITY_SECONDS = env_int("SESSION_INACTIVITY_SECONDS", 30 * 60)
SESSION_WARNING_SECONDS = env_int("SESSION_WARNING_SECONDS", 5 * 60)
# The last activity is stored when it is this old (at most a quarter of the warning), not on
# every request: a read does not write the session row (issue 13 §2; accounts.middleware).
SESSION_ACTIVITY_RESOLUTION_SECONDS = env_int("SESSION_ACTIVITY_RESOLUTION_SECONDS", 60)
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- brute-force throttling that cannot lock a real user out ---------------------------------
# Lockout is per (username, IP address): someone guessing from elsewhere blocks only themselves.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The address is the one cpcases.core.client finds, believing X-Forwarded-For only from the
# proxies listed here (addresses or networks): the audit trail uses the same function.
TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES", [])
AXES_CLIENT_IP_CALLABLE = "cpcases.core.client.client_address"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Before the lockout, each failure doubles the wait for that (username, address): 1, 2, 4 ... s.
SIGN_IN_SLOWDOWN_SECONDS = env_int("SIGN_IN_SLOWDOWN_SECONDS", 1)
SIGN_IN_SLOWDOWN_MAX_SECONDS = env_int("SIGN_IN_SLOWDOWN_MAX_SECONDS", 60)

# --- secure headers and a content security policy without unsafe-inline --------------------
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- forms -----------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Multi-factor sign-in (TOTP) for every user: required in production (issue 12 §6); off in
# development so the demo sign-ins work with a password alone.
MFA_REQUIRED = env_bool("MFA_REQUIRED", False)
# Issue 13 §2: the few queries PostgreSQL takes far longer to plan than to run (a child's
# change history) are prepared once per connection. Set false behind a transaction-mode
# pooler (PgBouncer), where a connection's prepared statements do not follow it.
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
# Issue 13 §2, decisions §53: a page that only reads commits its access-log row without
# waiting for the disk flush (a database server crash can lose the last 0.6 s of rows).
ACCESS_LOG_ASYNC_COMMIT = env_bool("ACCESS_LOG_ASYNC_COMMIT", True)
OTP_TOTP_ISSUER = env_str("SERVICE_NAME", "Child protection cases")

# API tokens expire (issue 12 §6); deactivation or a new password deletes them at once.
API_TOKEN_LIFETIME_DAYS = env_int("API_TOKEN_LIFETIME_DAYS", 30)

# --- API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: DRF answers a refused credential with the first one's challenge, so an
    # expired, revoked or deactivated token gets 401 (WWW-Authenticate: Token), not 403; so
    # does a call with no credentials (issue 15 §1).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cpcases.accounts.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Issue 12 §5: every record and list read, and every refusal, is in the access log.
    # Issue 15 §1: a write to a record outside the caller's scope is 404 before its body.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated",
                                   "cpcases.core.api.RecordInScopeFirst",
                                   "cpcases.audit.reads.LogsRecordReads"],
    "DEFAULT_PAGINATION_CLASS": "cpcases.audit.reads.AuditedPageNumberPagination",
    # Issue 15 §1-2: one refusal rule, every 4xx as problem details (docs/api.md).
    "EXCEPTION_HANDLER": "cpcases.core.api.problem_exception_handler",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "cpcases.core.filters.ListFilterBackend",  # DjangoFilterBackend, no FilterSet for nothing
        "cpcases.core.filters.TotalOrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/minute"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "cpcases API",
    "DESCRIPTION": ("Child protection case management, from the first contact to the end of "
                    "a plan: children and people, the front door, strategy discussions and "
                    "Section 47 enquiries, conferences, plans, visits, life events, "
                    "deadlines and statutory returns. See docs/api.md and "
                    "docs/api-changelog.md."),
    "VERSION": "1.2.0",  # docs/api-changelog.md
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # PATCH/PUT need the version read; POST takes an Idempotency-Key (issue 12 §3-4).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "cpcases.core.concurrency.openapi_hook",
                             # issue 15 §2: every operation documents its 4xx answers.
                             "cpcases.core.api.openapi_problems_hook"],
}

# One name per choice set in the OpenAPI schema (several models share field names such as
# "status" or "kind"): every TextChoices of ours is named after its class.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    "AccessActionEnum": "cpcases.audit.models.AccessAction",
    "ActionStatusEnum": "cpcases.plans.models.ActionStatus",
    "AgencyEnum": "cpcases.accounts.roles.Agency",
    "PlanAttendanceEnum": "cpcases.plans.models.Attendance",
    "StrategyAttendanceEnum": "strategy.models.Attendance",
    "AttendanceStatusEnum": "conferences.outcomes.models.AttendanceStatus",
    "AudienceEnum": "conferences.outcomes.models.Audience",
    "CinMeetingKindEnum": "cpcases.plans.models.CinMeetingKind",
    "ConferenceKindEnum": "conferences.models.ConferenceKind",
    "ConferenceStatusEnum": "conferences.models.ConferenceStatus",
    "ConsultationStatusEnum": "strategy.models.ConsultationStatus",
    "CpStageEnum": "cpcases.children.models.CpStage",
    "DeadlineStatusEnum": "deadlines.models.DeadlineStatus",
    "DecisionOutcomeEnum": "conferences.outcomes.models.DecisionOutcome",
    "DelayStatusEnum": "conferences.models.DelayStatus",
    "DirectionEnum": "deadlines.policy.Direction",
    "DiscussionFormatEnum": "strategy.models.DiscussionFormat",
    "EthnicityEnum": "cpcases.children.models.Ethnicity",
    "EventTypeEnum": "cpcases.chronology.models.EventType",
    "ExceptionalCircumstanceEnum": "conferences.outcomes.models.ExceptionalCircumstance",
    "ExclusionDecisionEnum": "conferences.models.ExclusionDecision",
    "ExclusionGroundEnum": "conferences.models.ExclusionGround",
    "InvitationResponseEnum": "conferences.models.InvitationResponse",
    "InvitedHowEnum": "conferences.models.InvitedHow",
    "InviteeKindEnum": "conferences.models.InviteeKind",
    "InvolvementKindEnum": "cpcases.children.models.InvolvementKind",
    "LevelEnum": "deadlines.policy.Level",
    "NextStepEnum": "strategy.models.NextStep",
    "NoteTypeEnum": "strategy.models.NoteType",
    "ParticipantRoleEnum": "strategy.models.ParticipantRole",
    "ParticipantTypeEnum": "conferences.outcomes.models.ParticipantType",
    "PlanCategoryEnum": "cpcases.plans.choices.CATEGORY_CHOICES",  # words (issue 15 §5)
    "PlanEndReasonEnum": "cpcases.plans.models.PlanEndReason",
    "ProceedGroundEnum": "conferences.outcomes.models.ProceedGround",
    "RecommendationEnum": "cpcases.plans.models.Recommendation",
    "RecordSectionEnum": "conferences.outcomes.models.RecordSection",
    "RelationshipEnum": "cpcases.children.models.Relationship",
    "ReportKindEnum": "conferences.models.ReportKind",
    "RequestStatusEnum": "conferences.models.RequestStatus",
    "ReviewTriggerEnum": "conferences.outcomes.models.ReviewTrigger",
    "RoleEnum": "cpcases.accounts.roles.Role",
    "S47OutcomeEnum": "strategy.models.S47Outcome",
    "SexEnum": "cpcases.children.models.Sex",
    "ShareHowEnum": "conferences.models.ShareHow",
    "ShareRecipientEnum": "conferences.models.ShareRecipient",
    "UnitEnum": "deadlines.policy.Unit",
    "UrgencyEnum": "strategy.models.Urgency",
    "VisitLocationEnum": "cpcases.chronology.models.VisitLocation",
    "ExportJobStatusEnum": "returns.exports.models.JobStatus",
}
# The front door and the census identifiers (frontdoor, cpcases.children.identifiers).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update({
    "ReferralSourceEnum": "frontdoor.models.ReferralSource",
    "PrimaryNeedEnum": "frontdoor.models.PrimaryNeed",
    "ClosureReasonEnum": "frontdoor.models.ClosureReason",
    "AssessmentFactorEnum": "frontdoor.models.AssessmentFactor",
    "ConsentEnum": "frontdoor.models.Consent",
    "ContactDecisionEnum": "frontdoor.models.ContactDecision",
    "AssessmentOutcomeEnum": "frontdoor.models.AssessmentOutcome",
    "UpnUnknownEnum": "cpcases.children.identifiers.UpnUnknown",
    "DisabilityEnum": "cpcases.children.identifiers.Disability",
})

# lifeevents' choice sets (issue 11)
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update({
    "MissingKindEnum": "lifeevents.models.MissingKind",
    "OrderKindEnum": "lifeevents.models.OrderKind",
    "LetterKindEnum": "lifeevents.models.LetterKind",
    "LetterMethodEnum": "lifeevents.models.LetterMethod",
    "ReplyMethodEnum": "lifeevents.models.ReplyMethod",
    "ComplaintAboutEnum": "lifeevents.models.ComplaintAbout",
    "ComplaintStageEnum": "lifeevents.models.ComplaintStage",
    "ReviewDecisionEnum": "lifeevents.models.ReviewDecision",
    "TransferKindEnum": "lifeevents.models.TransferKind",
})

# --- Celery ----------------------------------------------------------------------------------
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Issue 12 §2: a worker keeps trying to reach Redis for as long as it is down, rather than
# exiting after a hundred attempts (make run and docker-compose also restart it if it dies).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
DEADLINE_SWEEP_SECONDS = env_int("DEADLINE_SWEEP_SECONDS", 300)

# --- e-mail ----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "cpcases@authority.example")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Every e-mail goes through the outbox (cpcases/outbox): "celery" queues its delivery when the
# change commits; "inline" delivers in the same process after commit (tests, demo seeding).
OUTBOX_DELIVERY = env_str("OUTBOX_DELIVERY", "celery")
OUTBOX_FLUSH_SECONDS = env_int("OUTBOX_FLUSH_SECONDS", 60)
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 60)
OUTBOX_MESSAGE_ID_DOMAIN = env_str("OUTBOX_MESSAGE_ID_DOMAIN", "")

SERVICE_NAME = env_str("SERVICE_NAME", "Child protection cases")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"axes": {"level": "WARNING"}},
}

DEBUG_TOOLBAR = env_bool("DEBUG_TOOLBAR", False)

# --- audit: every create, update and delete, by PostgreSQL triggers --------------------------
# Triggers catch bulk updates and raw SQL too; append-only event tables refuse UPDATE/DELETE.
import pghistory  # noqa: E402

PGHISTORY_DEFAULT_TRACKERS = (
    pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(),
)
PGHISTORY_APPEND_ONLY = True
PGHISTORY_OBJ_FIELD = pghistory.ObjForeignKey(related_name="events")

# --- Celery beat: the schedule is declared in cpcases/beat.py --------------------------------
from cpcases.beat import beat_schedule  # noqa: E402

CELERY_BEAT_SCHEDULE = beat_schedule(sweep_seconds=DEADLINE_SWEEP_SECONDS,
                                     outbox_seconds=OUTBOX_FLUSH_SECONDS)
