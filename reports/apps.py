from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # tasks: registered with the Celery app in every process, so reports.exports sends them by name (as
        # promo does). export_admin: the exports' admin entry, apart from the reports page's admin.py.
        from reports import export_admin, tasks  # noqa: F401
