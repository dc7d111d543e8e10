"""Settings shared by every environment; everything that differs between machines is read from the environment."""

from pathlib import Path

import environ

env = environ.Env()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Local state of the embedded setup (SQLite, photos, the demo admin's password); never committed.
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "recognition",
    "promo",
    "moderation",
    "prizes",
    "reports",
    # After prizes: its receiver of a decision runs after prizes' one, so the webhook carries the promo code.
    "webhooks",
    # Tooling production does not run (generator, evaluations, benchmarks); no models, only commands.
    "evaluation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Under /api/, any error that is not JSON (Django's technical 404/500 pages with DEBUG on) becomes the JSON
    # envelope, in the request's language (hence after LocaleMiddleware) and whatever the inner layers answered.
    "config.errors.ApiErrorMiddleware",
    # Before anything reads the body (CSRF reads the form): a body over the cap is refused unread, in the
    # participant's language (hence after LocaleMiddleware).
    "promo.uploads.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Participants are mostly Russian-speaking; English is the second language of every page and message.
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English short dates with the month's name (`2 Sep 2026`, not the US `09/02/2026`); Russian stays `02.09.2026`.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env("TIME_ZONE", default="Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "static")))
# Slip photos are personal data: they live under MEDIA_ROOT and are never served publicly; staff see them
# through a view that checks permissions (moderation.views.submission_photo).
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

# --- Photo storage (STORAGES["default"]) -------------------------------------------------------------------
# The filesystem under MEDIA_ROOT, or with STORAGE_BACKEND=s3 an S3-compatible bucket (AWS, MinIO, ...) that web
# servers and workers on several machines share. Photos are personal data: keep the bucket private (no ACL is
# sent, so objects are private unless its policy says otherwise, and buckets with ACLs disabled accept them),
# any URL is signed and expires, and an upload never overwrites another's key. Without AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY, boto3 finds credentials itself (instance role, ~/.aws).
STORAGE_BACKEND = env.str("STORAGE_BACKEND", default="filesystem")
if STORAGE_BACKEND == "s3":
    _photo_storage_options = {
        "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),  # required with s3: refuses to start without it
        "location": env.str("AWS_LOCATION", default=""),  # key prefix, e.g. "slipcheck/prod"
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=300),
        "file_overwrite": False,
    }
    for _option, _variable in [
        ("endpoint_url", "AWS_S3_ENDPOINT_URL"),  # MinIO or another S3-compatible service
        ("region_name", "AWS_S3_REGION_NAME"),
        ("addressing_style", "AWS_S3_ADDRESSING_STYLE"),  # "path" for MinIO without wildcard DNS
        ("access_key", "AWS_ACCESS_KEY_ID"),
        ("secret_key", "AWS_SECRET_ACCESS_KEY"),
    ]:
        if env.str(_variable, default=""):
            _photo_storage_options[_option] = env.str(_variable)
    _photo_storage = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _photo_storage_options}
elif STORAGE_BACKEND == "filesystem":
    _photo_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise environ.ImproperlyConfigured(f"STORAGE_BACKEND is 'filesystem' or 's3', not {STORAGE_BACKEND!r}")
STORAGES = {
    "default": _photo_storage,
    # production.py swaps in whitenoise's compressed, fingerprinted storage.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# --- end of photo storage ------------------------------------------------------------------------------------

# Intake (promo.intake): the photo's size is held while the body streams in (promo.uploads), its pixel count is
# read from the header before any decoding (Pillow's bomb limit is set to match, its warning made an error).
SLIPCHECK_MAX_PHOTO_BYTES = env.int("SLIPCHECK_MAX_PHOTO_BYTES", default=15 * 1024 * 1024)
SLIPCHECK_MAX_IMAGE_PIXELS = env.int("SLIPCHECK_MAX_IMAGE_PIXELS", default=40_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "promo.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Upload rate limits (promo.ratelimit), for the API and the page alike, counted in this cache (shared: Redis in
# production). The client address is read behind this many trusted reverse proxies (0: the socket's peer).
SLIPCHECK_UPLOAD_RATE = env("SLIPCHECK_UPLOAD_RATE", default="60/minute")
SLIPCHECK_UPLOAD_RATE_PER_CONTACT = env("SLIPCHECK_UPLOAD_RATE_PER_CONTACT", default="20/hour")
SLIPCHECK_TRUSTED_PROXIES = env.int("SLIPCHECK_TRUSTED_PROXIES", default=0)
SLIPCHECK_RATE_LIMIT_CACHE = "default"
# The job of reading a photo (promo.jobs, promo.tasks). A reading is interrupted after the soft limit (and
# retried) and its process killed after the hard one; a worker's claim outlives the hard limit, so a live worker
# never loses it, and a dead one's is taken over when it expires.
SLIPCHECK_TASK_SOFT_TIME_LIMIT = env.int("SLIPCHECK_TASK_SOFT_TIME_LIMIT", default=60)
SLIPCHECK_TASK_TIME_LIMIT = env.int("SLIPCHECK_TASK_TIME_LIMIT", default=90)
SLIPCHECK_CLAIM_SECONDS = env.int("SLIPCHECK_CLAIM_SECONDS", default=SLIPCHECK_TASK_TIME_LIMIT + 30)
if not SLIPCHECK_TASK_SOFT_TIME_LIMIT < SLIPCHECK_TASK_TIME_LIMIT < SLIPCHECK_CLAIM_SECONDS:
    raise environ.ImproperlyConfigured(
        "Need SLIPCHECK_TASK_SOFT_TIME_LIMIT < SLIPCHECK_TASK_TIME_LIMIT < SLIPCHECK_CLAIM_SECONDS"
    )
# The sweep (celery beat) runs this often and touches at most a batch of each kind: expired claims, and received
# submissions never enqueued (after the grace: the upload enqueues them itself) or enqueued this long ago.
SLIPCHECK_SWEEP_SECONDS = env.float("SLIPCHECK_SWEEP_SECONDS", default=60.0)
SLIPCHECK_SWEEP_BATCH = env.int("SLIPCHECK_SWEEP_BATCH", default=500)
SLIPCHECK_ENQUEUE_GRACE_SECONDS = env.int("SLIPCHECK_ENQUEUE_GRACE_SECONDS", default=30)
SLIPCHECK_REQUEUE_AFTER_SECONDS = env.int("SLIPCHECK_REQUEUE_AFTER_SECONDS", default=300)
# How long a decision waits for another holding the same comparison lock before it gives up and retries.
SLIPCHECK_LOCK_TIMEOUT_MS = env.int("SLIPCHECK_LOCK_TIMEOUT_MS", default=15000)
# Threads one OCR call may use; with several worker processes per machine, 1 avoids oversubscription.
SLIPCHECK_OCR_THREADS = env.int("SLIPCHECK_OCR_THREADS", default=0)

# Submission exports (reports.exports): a CSV of up to this many rows streams straight into the response, bigger
# ones and every XLSX are built by a worker; their files are deleted this many hours after they are done; a
# running export that has not reported progress for this long lost its worker (it is sent again).
SLIPCHECK_EXPORT_STREAM_MAX_ROWS = env.int("SLIPCHECK_EXPORT_STREAM_MAX_ROWS", default=50_000)
SLIPCHECK_EXPORT_RETENTION_HOURS = env.int("SLIPCHECK_EXPORT_RETENTION_HOURS", default=24)
SLIPCHECK_EXPORT_STALE_SECONDS = env.int("SLIPCHECK_EXPORT_STALE_SECONDS", default=600)
# A million-row XLSX takes minutes: the export task's own limits, far above the photo task's.
SLIPCHECK_EXPORT_SOFT_TIME_LIMIT = env.int("SLIPCHECK_EXPORT_SOFT_TIME_LIMIT", default=3 * 3600)
SLIPCHECK_EXPORT_TIME_LIMIT = env.int("SLIPCHECK_EXPORT_TIME_LIMIT", default=3 * 3600 + 300)

# Webhooks (webhooks.deliveries): the timeouts of one request and how much of the answer is read; a failed
# delivery is retried after 1, 2, 4, ... minutes (capped) for this many hours, the sweep sends what is due. A worker's
# claim outlives the task's hard limit; a due delivery enqueued this long ago without an attempt lost its message.
# ALLOW_HTTP (tests, local development only): receivers on private and loopback addresses, plain HTTP to loopback.
SLIPCHECK_WEBHOOKS_ALLOW_HTTP = env.bool("SLIPCHECK_WEBHOOKS_ALLOW_HTTP", default=False)
SLIPCHECK_WEBHOOKS_CONNECT_TIMEOUT = env.float("SLIPCHECK_WEBHOOKS_CONNECT_TIMEOUT", default=3.0)
SLIPCHECK_WEBHOOKS_TIMEOUT = env.float("SLIPCHECK_WEBHOOKS_TIMEOUT", default=10.0)
SLIPCHECK_WEBHOOKS_MAX_RESPONSE_BYTES = env.int("SLIPCHECK_WEBHOOKS_MAX_RESPONSE_BYTES", default=4096)
SLIPCHECK_WEBHOOKS_RETRY_HOURS = env.int("SLIPCHECK_WEBHOOKS_RETRY_HOURS", default=24)
SLIPCHECK_WEBHOOKS_BACKOFF_SECONDS = env.int("SLIPCHECK_WEBHOOKS_BACKOFF_SECONDS", default=60)
SLIPCHECK_WEBHOOKS_MAX_BACKOFF_SECONDS = env.int("SLIPCHECK_WEBHOOKS_MAX_BACKOFF_SECONDS", default=3600)
SLIPCHECK_WEBHOOKS_SWEEP_SECONDS = env.float("SLIPCHECK_WEBHOOKS_SWEEP_SECONDS", default=30.0)
SLIPCHECK_WEBHOOKS_TASK_SOFT_TIME_LIMIT = env.int("SLIPCHECK_WEBHOOKS_TASK_SOFT_TIME_LIMIT", default=30)
SLIPCHECK_WEBHOOKS_TASK_TIME_LIMIT = env.int("SLIPCHECK_WEBHOOKS_TASK_TIME_LIMIT", default=40)
SLIPCHECK_WEBHOOKS_CLAIM_SECONDS = env.int("SLIPCHECK_WEBHOOKS_CLAIM_SECONDS", default=60)
SLIPCHECK_WEBHOOKS_REQUEUE_AFTER_SECONDS = env.int("SLIPCHECK_WEBHOOKS_REQUEUE_AFTER_SECONDS", default=300)
# After a secret's rotation, the previous secret also signs for this long.
SLIPCHECK_WEBHOOKS_ROTATION_HOURS = env.int("SLIPCHECK_WEBHOOKS_ROTATION_HOURS", default=24)
if (
    not SLIPCHECK_WEBHOOKS_TASK_SOFT_TIME_LIMIT
    < SLIPCHECK_WEBHOOKS_TASK_TIME_LIMIT
    < SLIPCHECK_WEBHOOKS_CLAIM_SECONDS
):
    raise environ.ImproperlyConfigured(
        "Need SLIPCHECK_WEBHOOKS_TASK_SOFT_TIME_LIMIT < SLIPCHECK_WEBHOOKS_TASK_TIME_LIMIT < SLIPCHECK_WEBHOOKS_CLAIM_SECONDS"
    )

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Errors under /api/ are the envelope {"code", "detail", ...} in the request's language (config.errors).
    "EXCEPTION_HANDLER": "config.errors.api_exception_handler",
}
API_DESCRIPTION = """Upload a photo of a purchase slip with what the participant typed; get the decision and its reasons.

**Flow.** `GET /api/v1/campaigns/` lists the campaigns accepting uploads, with their rules. `POST` the photo
(multipart/form-data) to a campaign's `upload_url`: the answer (202) gives the submission's `id` and the `url` to
poll. `GET` that `url` until `status` is a decision (`accepted`, `rejected`); show its `reasons`. No account: the
submission id is the participant's only key. A campaign may also push each decision to your server, signed
(webhooks: the README's "Webhooks"); its `submission` has this API's shape.

**Language.** Every message, reason and error detail speaks the request's `Accept-Language`: `ru` (the default)
or `en`. Codes never change with the language.

**Errors.** Every failure under `/api/` answers JSON with one envelope (`Error`), whatever the status:
`{"code": "invalid", "detail": "...", "fields": {"amount": [{"code": "max_value", "message": "..."}]}}`.
`code` is stable (branch on it), `detail` is for people. `fields` comes with `invalid` (400) and `too_large` (413),
`why` with `appeal_not_allowed` (409), `retry_after` with `rate_limited` (429, also the `Retry-After` header).
Codes: `invalid`, `parse_error`, `bad_request`, `invalid_idempotency_key` (400); `not_found` (404: unknown route,
campaign or submission, malformed id); `method_not_allowed` (405); `not_acceptable` (406); `appeal_not_allowed`,
`uploads_closed` (409); `too_large` (413); `unsupported_media_type` (415); `idempotency_key_reused` (422);
`rate_limited` (429); `server_error` (500).
"""
SPECTACULAR_SETTINGS = {
    "TITLE": "Slipcheck API",
    "DESCRIPTION": API_DESCRIPTION,
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # 3.1: its `webhooks` declare what a client's endpoint receives (webhooks.schema).
    "OAS_VERSION": "3.1.0",
    "WEBHOOKS": ["webhooks.schema.DECIDED"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "webhooks.schema.declare_webhooks",
    ],
    # English whatever the request's language (config.schema).
    "DEFAULT_GENERATOR_CLASS": "config.schema.EnglishSchemaGenerator",
    # Request bodies get their own components: a file is then `format: binary` (Swagger UI shows a file picker).
    "COMPONENT_SPLIT_REQUEST": True,
    # Enum values are codes; what they mean is said in the field's own description.
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "TAGS": [
        {"name": "campaigns", "description": "Campaigns and their public rules"},
        {
            "name": "submissions",
            "description": "Upload a slip, poll for the decision, ask for a person's look",
        },
    ],
    "ENUM_NAME_OVERRIDES": {
        "ErrorCodeEnum": "config.errors.ERROR_CODES",
    },
    # Swagger UI from the installed sidecar package, not a CDN: the site works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# How often celery beat brings the campaign report's rollups up to date (the page refreshes them too).
SLIPCHECK_ROLLUPS_SECONDS = env.float("SLIPCHECK_ROLLUPS_SECONDS", default=60.0)
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="slipcheck")
CELERY_TASK_IGNORE_RESULT = True
# OCR tasks take seconds: take one at a time and acknowledge only when done, so a dead worker's task is redone.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# An upload answers even when the broker is down (promo.jobs.job_enqueue): a send gives up within about a second
# and the sweep sends it later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_BEAT_SCHEDULE = {
    "sweep-jobs": {"task": "promo.tasks.sweep_jobs", "schedule": SLIPCHECK_SWEEP_SECONDS},
    # Photos and contacts of campaigns past their retention period (Campaign.retention_days).
    "apply-retention": {"task": "promo.tasks.apply_retention", "schedule": 3600.0},
    # Export files past their retention time, and exports a lost message or a dead worker left behind.
    "sweep-exports": {"task": "reports.tasks.sweep_exports", "schedule": 600.0},
    # Webhook retries that are due, and deliveries a lost message or a dead worker left behind.
    "sweep-webhooks": {
        "task": "webhooks.tasks.sweep_deliveries",
        "schedule": SLIPCHECK_WEBHOOKS_SWEEP_SECONDS,
    },
    # The campaign report's daily rollups of running campaigns (reports.rollups): the page finds them fresh.
    "refresh-report-rollups": {
        "task": "reports.tasks.refresh_rollups",
        "schedule": SLIPCHECK_ROLLUPS_SECONDS,
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Every handler masks full card numbers in messages and tracebacks (config.logfilters).
    "filters": {"mask_card_numbers": {"()": "config.logfilters.MaskCardNumbers"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_card_numbers"]}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"RapidOCR": {"level": "WARNING"}},
}

# The photo-hash band indexes INCLUDE the hash and the id on PostgreSQL (index-only lookups); SQLite, the
# embedded database, has no such indexes and builds plain ones, which is all it needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
