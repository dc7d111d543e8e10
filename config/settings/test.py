"""Tests: SQLite and eager tasks unless DATABASE_URL / CELERY_TASK_ALWAYS_EAGER say otherwise (CI's PostgreSQL pass)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="test-only-insecure-key")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SLIPCHECK_UPLOAD_RATE = "1000/minute"  # the rate-limit tests set their own
SLIPCHECK_UPLOAD_RATE_PER_CONTACT = "1000/minute"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
# The fault tests' pathological photos (promo.faults): {"<contact>": "hang" | "freeze" | "crash" | "error"}. Read
# from the environment here only, never in production.
SLIPCHECK_FAULTS = env.json("SLIPCHECK_FAULTS", default={})
