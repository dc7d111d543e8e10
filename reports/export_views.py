"""The exports pages, in the admin's look: the form (and the requester's recent exports), a job's progress
page with its JSON status, and the download. Thin: parse, call reports.exports, shape the answer."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from promo.models import Submission
from reports import exports
from reports.labels import reason_label
from reports.models import ExportJob

RECENT_JOBS = 20


def export_permission_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous: to the admin's login. Logged in without reports.export_submissions (or not staff): 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not exports.can_export(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


class ExportForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=None,
        empty_label=_("Choose a campaign"),
        error_messages={
            "required": _("Choose a campaign."),
            "invalid_choice": _("Choose one of the campaigns in the list."),
        },
    )
    date_from = forms.DateField(
        label=_("Sent from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("A day in the campaign's time zone; empty: from the first upload."),
    )
    date_to = forms.DateField(
        label=_("Sent until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Included; empty: up to now."),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("any status")), *Submission.Status.choices]
    )
    reason = forms.ChoiceField(label=_("Reason"), required=False)
    format = forms.ChoiceField(
        label=_("Format"),
        choices=ExportJob.Format.choices,
        initial=ExportJob.Format.CSV,
        widget=forms.RadioSelect,
        help_text=_(
            "CSV: separated by semicolons, UTF-8, opens in Excel. Big exports and every XLSX are prepared in "
            "the background: you will see the progress and get a link."
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = exports.campaigns_exportable_by(user).order_by(
            "-starts_on", "name"
        )
        self.fields["reason"].choices = [("", _("any reason")), *exports.reason_code_choices()]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The last day is before the first day."))
        return data

    def filters(self) -> exports.ExportFilters:
        data = self.cleaned_data
        return exports.ExportFilters(
            campaign=data["campaign"],
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            status=data.get("status") or "",
            reason=data.get("reason") or "",
        )


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {**admin.site.each_context(request), **extra}


@export_permission_required
@require_http_methods(["GET", "POST"])
def export_index(request: HttpRequest) -> HttpResponse:
    """GET: the form and the requester's recent exports. POST: a small CSV streams back at once; anything else
    becomes a background job, and the browser goes to its progress page."""
    # A GET may carry the report page's filters (campaign, date_from, date_to): they fill the form, unchecked
    # until posted (the campaign choice is limited to the user's campaigns either way).
    prefill = {key: request.GET[key] for key in ("campaign", "date_from", "date_to") if key in request.GET}
    form = ExportForm(request.POST if request.method == "POST" else None, user=request.user, initial=prefill)
    if request.method == "POST" and form.is_valid():
        filters, fmt = form.filters(), form.cleaned_data["format"]
        language = translation.get_language() or "ru"
        if exports.should_stream(fmt=fmt, rows=exports.export_count(filters)):
            return _streamed_csv(filters, language)
        job = exports.export_job_create(user=request.user, filters=filters, fmt=fmt, language=language)
        return redirect("reports_exports:job", pk=job.pk)
    jobs = ExportJob.objects.filter(user=request.user).select_related("campaign")[:RECENT_JOBS]
    return TemplateResponse(
        request,
        "reports/export_index.html",
        _context(request, title=_("Export submissions"), form=form, jobs=jobs),
        status=400 if form.errors else 200,
    )


def _streamed_csv(filters: exports.ExportFilters, language: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        exports.csv_chunks(filters, language=language), content_type=exports.CSV_CONTENT_TYPE
    )
    name = exports.download_name(filters=filters, fmt=ExportJob.Format.CSV)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    _private(response)
    return response


def _private(response: HttpResponse) -> None:
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"


def _own_job(request: HttpRequest, pk: Any) -> ExportJob:
    """The job, to its owner or a superuser; anyone else is told it does not exist."""
    job = get_object_or_404(ExportJob.objects.select_related("campaign"), pk=pk)
    if job.user_id != request.user.pk and not request.user.is_superuser:
        raise Http404("not this user's export")
    return job


def _status(job: ExportJob) -> dict[str, Any]:
    downloadable = job.status == ExportJob.Status.DONE and not exports.export_job_is_overdue(job)
    return {
        "status": job.status,
        "failed": job.status == ExportJob.Status.FAILED,
        "status_label": str(job.get_status_display()),
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "percent": job.percent,
        "final": job.is_final,
        "download_url": reverse("reports_exports:download", args=[job.pk]) if downloadable else None,
        "error": job.error if job.status == ExportJob.Status.FAILED else "",
    }


def _asked_for(job: ExportJob) -> dict[str, Any]:
    """The job's filters as the form showed them: days as dates, the status and the reason by their names."""
    filters = exports.ExportFilters.from_json(job.campaign, job.filters)
    return {
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "status": _status_label(filters.status),
        "reason": reason_label(filters.reason) if filters.reason else "",
    }


def _status_label(status: str) -> str:
    if status in Submission.Status.values:
        return str(Submission.Status(status).label)
    return status


@export_permission_required
@require_GET
def export_job(request: HttpRequest, pk: Any) -> HttpResponse:
    job = _own_job(request, pk)
    return TemplateResponse(
        request,
        "reports/export_job.html",
        _context(
            request,
            title=_("Submission export"),
            job=job,
            asked=_asked_for(job),
            state=_status(job),
            retention_hours=settings.SLIPCHECK_EXPORT_RETENTION_HOURS,
        ),
    )


@export_permission_required
@require_GET
def export_job_status(request: HttpRequest, pk: Any) -> JsonResponse:
    response = JsonResponse(_status(_own_job(request, pk)))
    _private(response)
    return response


@export_permission_required
@require_GET
def export_download(request: HttpRequest, pk: Any) -> HttpResponse:
    """The file as an attachment, with the type and name the server decides; gone after the retention time."""
    job = _own_job(request, pk)
    if not exports.campaigns_exportable_by(request.user).filter(pk=job.campaign_id).exists():
        raise PermissionDenied  # the owner no longer sees this campaign
    if job.status == ExportJob.Status.DONE and exports.export_job_is_overdue(job):
        exports.export_job_expire(job=job)  # the sweep has not come by yet
        raise Http404("the export's file was deleted after the retention time")
    if job.status != ExportJob.Status.DONE or not job.file.name:
        raise Http404("the export has no file")
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404("the export's file is missing") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=exports.download_name(
            filters=exports.ExportFilters.from_json(job.campaign, job.filters),
            fmt=job.format,
            when=job.created_at,
        ),
        content_type=exports.CONTENT_TYPES[job.format],
    )
    _private(response)
    return response
