"""The Celery app: configured from Django settings (CELERY_* names), tasks discovered in the apps.

Workers run the production settings unless DJANGO_SETTINGS_MODULE says otherwise (`make worker` picks local):
a worker started without it refuses to start rather than run with DEBUG and a committed key.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("slipcheck")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
