"""The campaign report page and its charts' CSV files, inside the admin: thin views over reports.selectors.

Only holders of reports.view_reports (the marketing role; superusers have every permission) reach them. The page
shows figures only: no photo, no contact, no typed card digits.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reports import exports
from reports.csv_files import csv_response
from reports.figures import CHARTS, percent
from reports.forms import Filters, report_filters
from reports.selectors import Period, Report, campaigns_reported_to

PERMISSION = "reports.view_reports"


def may_see_reports(user: Any) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm(PERMISSION))


def _filters(request: HttpRequest) -> Filters:
    """The period to show for the request's filters (reports.forms.report_filters)."""
    if not may_see_reports(request.user):
        raise PermissionDenied
    campaigns = campaigns_reported_to(request.user).order_by("-starts_on", "name")
    return report_filters(request.GET, campaigns)


def _query(period: Period) -> str:
    return urlencode(
        {
            "campaign": period.campaign.pk,
            "date_from": period.date_from.isoformat(),
            "date_to": period.date_to.isoformat(),
        }
    )


def _export_url(request: HttpRequest, period: Period) -> str:
    """The exports' form with the same filters, for those who may export."""
    if not exports.can_export(request.user):
        return ""
    return f"{reverse('reports_exports:index')}?{_query(period)}"


def report_view(model_admin: Any, request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    period = filters.period
    context: dict[str, Any] = {
        **model_admin.admin_site.each_context(request),
        "title": _("Campaign report"),
        "opts": model_admin.model._meta,
        "is_nav_sidebar_enabled": False,
        "form": filters.form,
        "errors": filters.errors,
        "notes": filters.notes,
        "period": period,
    }
    if period is not None:
        report = Report(period=period, now=timezone.now())
        query = _query(period)
        charts = [build(report) for build in CHARTS.values()]
        for chart in charts:
            chart.csv_url = f"{reverse('admin:reports_csv', args=[chart.name])}?{query}"
        outcomes = report.outcomes
        context.update(
            report=report,
            charts=charts,
            export_url=_export_url(request, period),
            tiles=[
                (_("submissions"), outcomes.total, ""),
                (_("participants"), outcomes.participants, ""),
                (_("new participants"), report.new_participants, ""),
                (
                    _("decided automatically"),
                    percent(outcomes.decided_automatically, outcomes.machine_decided),
                    "",
                ),
                (
                    # The queue as it stands, whatever the period: said on the tile, not left to be read as
                    # the period's.
                    _("waiting for a moderator now, in the whole campaign"),
                    report.backlog.count,
                    _("%(past)s of them past the target") % {"past": report.backlog.past_target}
                    if report.backlog.past_target
                    else "",
                ),
            ],
        )
    return TemplateResponse(request, "reports/report.html", context)


def report_csv_view(model_admin: Any, request: HttpRequest, chart: str) -> HttpResponse:
    build = CHARTS.get(chart)
    if build is None:
        raise Http404("no such chart")
    filters = _filters(request)
    period = filters.period
    if period is None or not filters.exact:
        raise Http404("no campaign or an invalid period")
    built = build(Report(period=period, now=timezone.now()))
    filename = f"{period.campaign.slug}-{chart}-{period.date_from:%Y%m%d}-{period.date_to:%Y%m%d}.csv"
    return csv_response(filename=filename, header=built.header, rows=built.rows)
