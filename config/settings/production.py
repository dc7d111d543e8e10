"""Production: PostgreSQL, Redis broker, workers on other machines. Secrets have no default: it refuses to start.

This is what config.wsgi, config.asgi and config.celery load when DJANGO_SETTINGS_MODULE is not set.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import STORAGES, env

# Name every missing variable at once, so a deployment is fixed in one pass rather than one error at a time.
REQUIRED_ENVIRONMENT = ("SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "ALLOWED_HOSTS")
_missing = [name for name in REQUIRED_ENVIRONMENT if not env.str(name, default="").strip()]
if _missing:
    raise ImproperlyConfigured(
        "Production settings need these environment variables, which are not set: " + ", ".join(_missing)
    )

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = False
# Webhook receivers on private or loopback addresses, and plain HTTP, are for tests and development only.
SLIPCHECK_WEBHOOKS_ALLOW_HTTP = False
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CACHES = {"default": env.cache("CACHE_URL", default=CELERY_BROKER_URL.replace("redis://", "rediscache://"))}

# HTTPS. TLS ends at the proxy, which says so in X-Forwarded-Proto; plain-HTTP requests are redirected to HTTPS
# here too (SECURE_SSL_REDIRECT=0 where the proxy already does it). A health check the proxy makes over plain
# HTTP goes in SECURE_REDIRECT_EXEMPT (regexes on the path without the leading slash; the app has none today).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = env.list("SECURE_REDIRECT_EXEMPT", default=[])
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
# HSTS: browsers refuse plain HTTP for this long (one year). Start a new domain lower (e.g. 3600) and raise it once
# HTTPS works everywhere; includeSubDomains covers every subdomain, so turn it off if one of them is HTTP-only.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preloading puts the whole registrable domain in the browsers' built-in HTTPS-only list, which is slow to undo:
# it is the domain owner's decision, so it is opt-in and check --deploy's reminder about it (W021) is silenced
# while it is off.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]  # noqa: F405

# Photos stay on base's STORAGES["default"] (filesystem or S3, by STORAGE_BACKEND); static files are compressed
# and fingerprinted by whitenoise.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
