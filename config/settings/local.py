"""The embedded default: SQLite, Celery tasks run eagerly in-process, so one command runs the whole site."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="local-only-insecure-key-do-not-use-in-production")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
# A webhook receiver on this machine (http://127.0.0.1:...) while developing.
SLIPCHECK_WEBHOOKS_ALLOW_HTTP = env.bool("SLIPCHECK_WEBHOOKS_ALLOW_HTTP", default=True)

# The embedded setup keeps its database, photos and the demo admin's password here; a fresh clone has none.
VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405
