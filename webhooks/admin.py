"""The webhooks admin: a campaign's endpoints (and their signing secret), the deliveries with every attempt, and a
resend. Every page checks its permission and the campaigns the user may see (webhooks.selectors)."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from webhooks.deliveries import deliveries_resend, endpoint_rotate_secret
from webhooks.models import Attempt, Delivery, Endpoint, final_status_choices
from webhooks.selectors import webhook_campaigns


class ScopedCampaignFilter(admin.RelatedFieldListFilter):
    """The campaigns the user may see, not every campaign's name."""

    def field_choices(self, field, request, model_admin):
        return [(c.pk, str(c)) for c in webhook_campaigns(request.user).order_by("name")]


def _post_only(admin_site, view):
    def wrapped(request, *args, **kwargs):
        if request.method != "POST":
            return HttpResponse(status=405)
        return view(request, *args, **kwargs)

    return admin_site.admin_view(wrapped)


class EndpointForm(forms.ModelForm):
    url = forms.URLField(
        label=gettext_lazy("URL"),
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "vURLField"}),
        help_text=Endpoint._meta.get_field("url").help_text,
    )
    statuses = forms.MultipleChoiceField(
        label=capfirst(gettext_lazy("statuses sent")),
        choices=final_status_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Only decisions to these statuses are sent; none chosen: every decision."),
    )

    class Meta:
        model = Endpoint
        fields = ["campaign", "url", "description", "is_active", "statuses"]


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ["url", "campaign", "is_active", "statuses_sent", "created_at"]
    list_select_related = ["campaign"]
    list_filter = [("campaign", ScopedCampaignFilter), "is_active"]
    actions = ["rotate_secrets"]
    change_form_template = "webhooks/admin/endpoint_change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(campaign__in=webhook_campaigns(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "campaign":
            kwargs["queryset"] = webhook_campaigns(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fields(self, request, obj=None):
        fields = ["campaign", "url", "description", "is_active", "statuses"]
        if obj is None:
            return fields
        # The secret lets one sign requests as the platform: only for those who may change the endpoint.
        secret = ["signing_secret"] if self.has_change_permission(request, obj) else []
        return [*fields, *secret, "previous_secret_expires_at", "created_by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        # The deliveries already made belong to the campaign: an endpoint never moves to another.
        return (
            ["campaign", "signing_secret", "previous_secret_expires_at", "created_by", "created_at"]
            if obj
            else []
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_rotate_permission(self, request) -> bool:
        return request.user.has_perm("webhooks.rotate_secret")

    @admin.display(description=gettext_lazy("statuses sent"))
    def statuses_sent(self, obj: Endpoint) -> str:
        labels = dict(final_status_choices())
        return ", ".join(str(labels.get(s, s)) for s in obj.statuses) or _("every decision")

    @admin.display(description=gettext_lazy("signing secret"))
    def signing_secret(self, obj: Endpoint) -> str:
        return format_html(
            "<code>{}</code><br><small>{}</small>",
            obj.secret,
            _("Configure your receiver with it to check the Slipcheck-Signature header (README, Webhooks)."),
        )

    @admin.action(description=gettext_lazy("Rotate the signing secret"), permissions=["rotate"])
    def rotate_secrets(self, request, queryset):
        for endpoint in queryset:
            endpoint_rotate_secret(endpoint=endpoint)
        self.message_user(request, self._rotated_message(), messages.SUCCESS)

    def _rotated_message(self) -> str:
        return _("New secret made; the previous one also signs for %(hours)s hours.") % {
            "hours": settings.SLIPCHECK_WEBHOOKS_ROTATION_HOURS
        }

    def get_urls(self):
        return [
            path(
                "<int:pk>/rotate/",
                _post_only(self.admin_site, self.rotate_view),
                name="webhooks_endpoint_rotate",
            ),
            *super().get_urls(),
        ]

    def rotate_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not (self.has_rotate_permission(request) and self.has_view_permission(request)):
            raise PermissionDenied
        endpoint = get_object_or_404(self.get_queryset(request), pk=pk)
        endpoint_rotate_secret(endpoint=endpoint)
        self.message_user(request, self._rotated_message(), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {"can_rotate": self.has_rotate_permission(request), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)


class AttemptInline(admin.TabularInline):
    model = Attempt
    fields = [
        "number",
        "started_at",
        "duration_ms",
        "signature_timestamp",
        "status_code",
        "error",
        "response_excerpt",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        # Part of the delivery's record: whoever sees the delivery sees its attempts.
        return request.user.has_perm("webhooks.view_delivery")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event_id", "campaign", "submission_ref", "submission_status", "status", "attempts", "last_status_code", "next_attempt_at"]  # fmt: skip
    list_select_related = ["endpoint__campaign"]
    list_filter = ["status", ("endpoint__campaign", ScopedCampaignFilter), "submission_status"]
    search_fields = ["=event_id", "=submission__id"]
    actions = ["resend"]
    inlines = [AttemptInline]
    change_form_template = "webhooks/admin/delivery_change_form.html"
    fields = ["event_id", "event_type", "endpoint", "submission", "submission_status", "status", "attempts", "next_attempt_at", "retry_until", "delivered_at", "last_status_code", "last_error", "created_at", "payload"]  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).filter(endpoint__campaign__in=webhook_campaigns(request.user))

    def has_add_permission(self, request):
        return False  # made by decisions

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the record of what was sent

    def has_resend_permission(self, request) -> bool:
        return request.user.has_perm("webhooks.resend_delivery")

    @admin.display(description=gettext_lazy("campaign"))
    def campaign(self, obj: Delivery) -> str:
        return str(obj.endpoint.campaign)

    @admin.display(description=gettext_lazy("submission"))
    def submission_ref(self, obj: Delivery) -> str:
        return str(obj.submission_id)[:8]

    @admin.display(description=gettext_lazy("body"))
    def payload(self, obj: Delivery) -> str:
        try:
            pretty = json.dumps(json.loads(obj.body), ensure_ascii=False, indent=2)
        except ValueError:
            pretty = obj.body
        return format_html("<pre style='white-space: pre-wrap'>{}</pre>", pretty)

    @admin.action(description=gettext_lazy("Resend the selected deliveries"), permissions=["resend"])
    def resend(self, request, queryset):
        with transaction.atomic():
            count = deliveries_resend(deliveries=list(queryset))
        self.message_user(request, _("Queued again: %(count)d.") % {"count": count}, messages.SUCCESS)

    def get_urls(self):
        return [
            path(
                "<int:pk>/resend/",
                _post_only(self.admin_site, self.resend_view),
                name="webhooks_delivery_resend",
            ),
            *super().get_urls(),
        ]

    def resend_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not (self.has_resend_permission(request) and self.has_view_permission(request)):
            raise PermissionDenied
        delivery = get_object_or_404(self.get_queryset(request), pk=pk)
        with transaction.atomic():
            deliveries_resend(deliveries=[delivery])
        self.message_user(request, _("Queued again: %(count)d.") % {"count": 1}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:webhooks_delivery_change", args=[delivery.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {"can_resend": self.has_resend_permission(request), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)
