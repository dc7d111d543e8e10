"""WSGI entry point (gunicorn config.wsgi).

Without DJANGO_SETTINGS_MODULE it runs the production settings, which refuse to start without their secrets:
a server started carelessly fails closed instead of serving in debug mode with a committed key.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()
