from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # The exports' admin entry lives beside the exports, apart from the reports page's admin.py.
        from reports import export_admin  # noqa: F401
