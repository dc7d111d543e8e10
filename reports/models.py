"""Campaign reports for marketing: who may see them is a permission of its own (no photos, no contacts)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportAccess(models.Model):
    """No table: the holder of the permissions below (the marketing role) sees the reports."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_reports", _("Can see campaign reports")),
            ("export_submissions", _("Can export submissions (never more of a card than the last 4)")),
        ]

    def __str__(self) -> str:
        return str(_("Campaign reports"))
