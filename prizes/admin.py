"""The prizes admin: codes and their upload, shortages, prize settings, draws (announce, run, publish) and the
registry for stores. Every page checks its permission and the campaigns the user may see (prizes.selectors)."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from prizes import codes as code_services
from prizes import draws as draw_services
from prizes import registry
from prizes.forms import AnnounceForm, CodesUploadForm, RunForm
from prizes.models import CodeShortage, Draw, PrizeSettings, PromoCode
from prizes.selectors import prize_campaigns
from promo.models import Campaign
from reports.csv_files import csv_response


class ScopedCampaignFilter(admin.RelatedFieldListFilter):
    """The campaigns the user may see, not every campaign's name."""

    def field_choices(self, field, request, model_admin):
        return [(c.pk, str(c)) for c in prize_campaigns(request.user).order_by("name")]


class ScopedAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).filter(campaign__in=prize_campaigns(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "campaign":
            kwargs["queryset"] = prize_campaigns(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def wrap(self, view, post: bool = False):
        def wrapped(request, *args, **kwargs):
            if post and request.method != "POST":
                return HttpResponse(status=405)
            return view(request, *args, **kwargs)

        return self.admin_site.admin_view(wrapped)


def _scoped_campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    return get_object_or_404(prize_campaigns(request.user), pk=campaign_id)


@admin.register(PrizeSettings)
class PrizeSettingsAdmin(ScopedAdmin):
    list_display = ["campaign", "on_revoke"]
    list_select_related = ["campaign"]

    def get_readonly_fields(self, request, obj=None):
        return ["campaign"] if obj else []


class CodeStateFilter(admin.SimpleListFilter):
    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("free", _("free")), ("held", _("handed out")), ("void", _("voided"))]

    def queryset(self, request, queryset):
        if self.value() == "free":
            return queryset.filter(submission__isnull=True, voided_at__isnull=True)
        if self.value() == "held":
            return queryset.filter(submission__isnull=False)
        if self.value() == "void":
            return queryset.filter(voided_at__isnull=False)
        return queryset


@admin.register(PromoCode)
class PromoCodeAdmin(ScopedAdmin):
    list_display = ["code", "campaign", "state", "submission_ref", "assigned_at", "voided_at", "uploaded_at"]
    list_select_related = ["campaign"]
    list_filter = [("campaign", ScopedCampaignFilter), CodeStateFilter]
    search_fields = ["=code"]
    change_list_template = "prizes/admin/promocode_changelist.html"
    readonly_fields = [
        "campaign",
        "code",
        "submission",
        "assigned_at",
        "voided_at",
        "voided_from",
        "uploaded_by",
    ]

    def has_add_permission(self, request):
        return False  # codes come in files (the upload page)

    def can_upload(self, request) -> bool:
        return request.user.has_perm("prizes.add_promocode")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Only a code never handed out (a wrong upload); delete_queryset keeps the others.
        if obj is not None and not (obj.is_free and obj.voided_from_id is None):
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        queryset.filter(submission__isnull=True, voided_at__isnull=True, voided_from__isnull=True).delete()

    @admin.display(description=gettext_lazy("state"))
    def state(self, obj: PromoCode) -> str:
        if obj.voided_at:
            return _("voided")
        return _("handed out") if obj.submission_id else _("free")

    @admin.display(description=gettext_lazy("submission"))
    def submission_ref(self, obj: PromoCode) -> str:
        return str(obj.submission_id)[:8] if obj.submission_id else ""

    def get_urls(self):
        return [
            path("upload/", self.wrap(self.upload_view), name="prizes_promocode_upload"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {"can_upload": self.can_upload(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not self.can_upload(request):
            raise PermissionDenied
        campaigns = prize_campaigns(request.user)
        posted = request.method == "POST"
        form = CodesUploadForm(
            request.POST if posted else None, request.FILES if posted else None, campaigns=campaigns
        )
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = code_services.promo_codes_upload(
                    campaign=form.cleaned_data["campaign"], upload=upload, size=upload.size, user=request.user
                )
            except ValidationError as error:
                form.add_error("file", error)
            else:
                level = messages.WARNING if report.rejected else messages.SUCCESS
                self.message_user(request, code_services.upload_summary(report), level)
                return HttpResponseRedirect(reverse("admin:prizes_promocode_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Upload promo codes"),
            "form": form,
        }
        return TemplateResponse(request, "prizes/admin/form.html", context)


@admin.register(CodeShortage)
class CodeShortageAdmin(ScopedAdmin):
    list_display = ["created_at", "campaign", "submission_ref", "status", "resolved_at"]
    list_select_related = ["campaign", "submission"]
    list_filter = [("campaign", ScopedCampaignFilter), ("resolved_at", admin.EmptyFieldListFilter)]
    actions = ["give_codes"]
    readonly_fields = ["campaign", "submission", "created_at", "resolved_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)  # for the action, never the form

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("submission"))
    def submission_ref(self, obj: CodeShortage) -> str:
        return str(obj.submission_id)[:8]

    @admin.display(description=gettext_lazy("status now"))
    def status(self, obj: CodeShortage) -> str:
        return obj.submission.get_status_display()

    @admin.action(
        description=gettext_lazy("Give codes to the selected submissions (still accepted, without a code)"),
        permissions=["change"],
    )
    def give_codes(self, request, queryset):
        given, short = code_services.shortages_fill(shortages=queryset)
        self.message_user(
            request,
            _("Codes given: %(given)d; still without a code (the pool is empty): %(short)d.")
            % {"given": given, "short": short},
            messages.WARNING if short else messages.SUCCESS,
        )


@admin.register(Draw)
class DrawAdmin(ScopedAdmin):
    """Draws are announced and run on their own pages; what a draw stored is read-only, never edited or deleted."""

    list_display = ["name", "campaign", "period_starts_on", "period_ends_on", "winners_count", "seed_announced_at", "ran_at", "entries_count"]  # fmt: skip
    list_select_related = ["campaign"]
    list_filter = [("campaign", ScopedCampaignFilter)]
    change_list_template = "prizes/admin/draw_changelist.html"
    change_form_template = "prizes/admin/draw_change_form.html"
    fields = ["campaign", "name", "period_starts_on", "period_ends_on", "winners_count", "allow_repeat", "seed", "seed_announced_at", "announced_by", "ran_at", "ran_by", "entries_count", "entries_sha256", "winner_entries"]  # fmt: skip
    readonly_fields = fields
    # Django shows these as links to their own admin pages, which open to a bare 403 for a user who may not view
    # them (a marketing user and "announced by"): for such a user they are plain text (the *_text columns).
    linked_fields = ("campaign", "announced_by", "ran_by")

    def has_add_permission(self, request):
        return False  # announced on the announce page

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def can_run(self, request) -> bool:
        return request.user.has_perm("prizes.run_draw")

    def can_see_registry(self, request) -> bool:
        return request.user.has_perm("prizes.view_registry")

    @admin.display(description=gettext_lazy("winners (entries)"))
    def winner_entries(self, obj: Draw) -> str:
        return ", ".join((obj.published or {}).get("winners", []))

    def can_open(self, request: HttpRequest, field_name: str) -> bool:
        """Whether the admin page a foreign key links to opens for this user."""
        model = Draw._meta.get_field(field_name).related_model
        if not self.admin_site.is_registered(model):
            return False
        return self.admin_site.get_model_admin(model).has_view_permission(request)

    def get_fields(self, request, obj=None):
        return [
            f"{name}_text" if name in self.linked_fields and not self.can_open(request, name) else name
            for name in self.fields
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description=Draw._meta.get_field("campaign").verbose_name)
    def campaign_text(self, obj: Draw) -> str:
        return str(obj.campaign)

    @admin.display(description=Draw._meta.get_field("announced_by").verbose_name)
    def announced_by_text(self, obj: Draw) -> str | None:
        return str(obj.announced_by) if obj.announced_by else None

    @admin.display(description=Draw._meta.get_field("ran_by").verbose_name)
    def ran_by_text(self, obj: Draw) -> str | None:
        return str(obj.ran_by) if obj.ran_by else None

    def get_urls(self):
        return [
            path("announce/", self.wrap(self.announce_view), name="prizes_draw_announce"),
            path("code-holders/", self.wrap(self.code_holders_view), name="prizes_code_holders"),
            path(
                "code-holders/<int:campaign_id>/<str:fmt>/",
                self.wrap(self.code_holders_registry_view),
                name="prizes_code_holders_registry",
            ),
            path("<int:pk>/run/", self.wrap(self.run_view), name="prizes_draw_run"),
            path("<int:pk>/published.json", self.wrap(self.published_view), name="prizes_draw_published"),
            path("<int:pk>/registry/<str:fmt>/", self.wrap(self.registry_view), name="prizes_draw_registry"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "can_run": self.can_run(request),
            "can_see_registry": self.can_see_registry(request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            "can_run": self.can_run(request),
            "can_see_registry": self.can_see_registry(request),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _draw(self, request: HttpRequest, pk: int) -> Draw:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request).select_related("campaign"), pk=pk)

    def _page(self, request, template: str, title: str, **context) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            **context,
        }
        return TemplateResponse(request, template, context)

    def announce_view(self, request: HttpRequest) -> HttpResponse:
        if not self.can_run(request):
            raise PermissionDenied
        posted = request.method == "POST"
        form = AnnounceForm(request.POST if posted else None, campaigns=prize_campaigns(request.user))
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                draw = draw_services.draw_announce(
                    campaign=data["campaign"],
                    name=data["name"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    winners_count=data["winners_count"],
                    allow_repeat=data["allow_repeat"],
                    seed=data["seed"],
                    user=request.user,
                )
            except draw_services.DrawRefused as refused:
                form.add_error(None, refused.message)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _("Draw announced. Publish its seed now: %(seed)s") % {"seed": draw.seed},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:prizes_draw_change", args=[draw.pk]))
        return self._page(request, "prizes/admin/form.html", _("Announce a prize draw"), form=form)

    def run_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.can_run(request):
            raise PermissionDenied
        draw = self._draw(request, pk)
        form = RunForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                draw_services.draw_run(
                    draw=draw, user=request.user, allow_pending=form.cleaned_data["allow_pending"]
                )
            except draw_services.DrawRefused as refused:
                form.add_error(None, refused.message)
            else:
                self.message_user(
                    request, _("The draw ran; its record is ready to publish."), messages.SUCCESS
                )
                return HttpResponseRedirect(reverse("admin:prizes_draw_change", args=[draw.pk]))
        pending = draw_services.period_submissions(draw).filter(status__in=draw_services.PENDING).count()
        return self._page(
            request,
            "prizes/admin/run.html",
            _("Run the draw “%(name)s”") % {"name": draw.name},
            form=form,
            draw=draw,
            pending=pending,
        )

    def published_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        draw = self._draw(request, pk)
        body = json.dumps(draw_services.published_record(draw), ensure_ascii=False, indent=1)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        name = f"draw-{draw.campaign.slug}-{slugify(draw.name) or draw.pk}.json"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def registry_view(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
        if not self.can_see_registry(request):
            raise PermissionDenied
        draw = self._draw(request, pk)
        rows = registry.draw_registry(draw)
        title = _("Winners of the draw “%(name)s”, %(campaign)s") % {
            "name": draw.name,
            "campaign": draw.campaign,
        }
        return _registry_response(
            request,
            rows,
            fmt,
            first_header=_("Rank"),
            title=title,
            filename=f"winners-{draw.campaign.slug}-{draw.pk}",
            campaign=draw.campaign,
            draw=draw,
        )

    def code_holders_view(self, request: HttpRequest) -> HttpResponse:
        if not self.can_see_registry(request):
            raise PermissionDenied
        campaigns = prize_campaigns(request.user).filter(promo_codes__submission__isnull=False).distinct()
        return self._page(
            request,
            "prizes/admin/code_holders.html",
            _("Registry of promo code holders"),
            campaigns=campaigns.order_by("name"),
        )

    def code_holders_registry_view(self, request: HttpRequest, campaign_id: int, fmt: str) -> HttpResponse:
        if not self.can_see_registry(request):
            raise PermissionDenied
        campaign = _scoped_campaign(request, campaign_id)
        rows = registry.code_holders_registry(PromoCode.objects.filter(campaign=campaign))
        title = _("Promo code holders, %(campaign)s") % {"campaign": campaign}
        return _registry_response(
            request,
            rows,
            fmt,
            first_header=_("Promo code"),
            title=title,
            filename=f"code-holders-{campaign.slug}",
            campaign=campaign,
        )


def _registry_response(
    request: HttpRequest,
    rows: list[registry.RegistryRow],
    fmt: str,
    *,
    first_header: str,
    title: str,
    filename: str,
    campaign: Campaign,
    draw: Draw | None = None,
) -> HttpResponse:
    """A registry printed or as a CSV file; a draw's shows each winner's entry and says what its period counts."""
    headers = registry.headers(first_header, entries=draw is not None)
    if fmt == "csv":
        cells = registry.csv_rows(rows, entries=draw is not None)
        return csv_response(filename=f"{filename}.csv", header=headers, rows=cells)
    if fmt != "print":
        raise Http404
    context = {
        "rows": rows,
        "headers": headers,
        "title": title,
        "draw": draw,
        "time_zone": campaign.timezone,
        "void_lines": sum(not row.counts for row in rows),
    }
    return TemplateResponse(request, "prizes/registry.html", context)
