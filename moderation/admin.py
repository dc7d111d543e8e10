"""The admin is the moderators' and operators' workplace: campaigns, participants, submissions, and the queue."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from moderation import display, review, workspace
from moderation.models import FieldCorrection, QueueItem, Redaction
from promo.documents import DOCUMENT_CHOICES
from promo.models import Campaign, Erasure, Participant, StatusTransition, Submission
from promo.privacy import participant_erase_by_id
from promo.reasons import MESSAGES
from promo.selectors import campaigns_moderated_by

admin.site.site_header = _("Slipcheck")
admin.site.site_title = _("Slipcheck")
admin.site.index_title = _("Campaigns, submissions and moderation")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "starts_on",
        "ends_on",
        "timezone",
        "min_amount",
        "payment_systems",
        "accepted_documents",
        "min_confidence",
        "reject_confidence",
        "max_accepted_per_day",
        "max_accepted_per_campaign",
        "is_active",
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["moderators"]
    # A rules link typed without a scheme is https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["personal_data_purged_at"]

    @admin.display(description=_("accepted documents"))
    def accepted_documents(self, campaign: Campaign) -> str:
        labels = dict(DOCUMENT_CHOICES)
        return ", ".join(str(labels.get(name, name)) for name in campaign.documents)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        """The accepted documents as checkboxes rather than the JSON the column holds; the model validates
        them and keeps them in order."""
        if db_field.name == "documents":
            return forms.MultipleChoiceField(
                choices=DOCUMENT_CHOICES,
                # `radiolist`: the admin's style for choices, so a label is not squeezed into the field-name column
                widget=forms.CheckboxSelectMultiple(attrs={"class": "radiolist"}),
                label=capfirst(db_field.verbose_name),
                help_text=db_field.help_text,
                initial=db_field.default,  # a callable: the slip, on the add page
                error_messages={"required": db_field.error_messages["blank"]},
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["contact", "contact_kind", "created_at", "erased_at"]
    search_fields = ["contact"]
    list_filter = ["contact_kind"]
    readonly_fields = ["erased_at"]
    actions = ["erase_personal_data"]

    @admin.action(
        description=_("Erase the selected participants' photos and contacts (on their request)"),
        permissions=["delete"],
    )
    def erase_personal_data(self, request, queryset):
        erased = [
            participant_erase_by_id(
                participant=participant, actor=request.user.get_username(), user=request.user
            )
            for participant in queryset.filter(erased_at__isnull=True)
        ]
        self.message_user(
            request,
            _(
                "Participants erased: %(participants)d; their submissions: %(submissions)d; files deleted: %(files)d."
            )
            % {
                "participants": len(erased),
                "submissions": sum(e.submissions for e in erased),
                "files": sum(e.files_deleted for e in erased),
            },
        )


@admin.register(Erasure)
class ErasureAdmin(admin.ModelAdmin):
    """The audit trail of erasures: visible, never editable."""

    list_display = ["created_at", "why", "participant", "campaign", "submissions", "files_deleted", "actor"]
    list_filter = ["why"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ModeratedCampaignFilter(admin.RelatedFieldListFilter):
    """The campaigns a moderator moderates, not every campaign's name."""

    def field_choices(self, field, request, model_admin):
        return [(c.pk, str(c)) for c in campaigns_moderated_by(request.user).order_by("name")]


class SubmissionAdminBase(admin.ModelAdmin):
    """Lists of submissions; one is looked at on the review page (moderation.workspace).

    A moderator sees only the campaigns they moderate (Campaign.moderators, or promo.moderate_any_campaign).
    """

    def get_queryset(self, request):
        return super().get_queryset(request).filter(campaign__in=campaigns_moderated_by(request.user))

    list_display = ["created_at", "campaign", "participant", "thumbnail", "typed_amount", "typed_card_last4", "read_amount", "read_card", "status", "reason_codes"]  # fmt: skip
    list_select_related = ["campaign", "participant", "recognition"]
    list_filter = ["status", ("campaign", ModeratedCampaignFilter), "recognition__kind", "needs_redaction"]
    search_fields = ["=id", "participant__contact", "typed_card_last4", "recognition__rrn"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False  # submissions come from participants only

    def has_delete_permission(self, request, obj=None):
        return False  # every upload keeps its record

    @admin.display(description=_("photo"))
    def thumbnail(self, obj):
        return display.photo_html(obj, 80)

    @admin.display(description=_("read amount"))
    def read_amount(self, obj):
        recognition = display.recognition_of(obj)
        return recognition.amount if recognition else None

    @admin.display(description=_("read card"))
    def read_card(self, obj):
        recognition = display.recognition_of(obj)
        return recognition.card_last4 if recognition else None

    @admin.display(description=_("reasons"))
    def reason_codes(self, obj):
        return ", ".join(r["code"] for r in obj.reasons)


@admin.register(Submission)
class SubmissionAdmin(SubmissionAdminBase):
    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A submission is looked at, reopened or revoked on the review page (moderation.workspace)."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return HttpResponseRedirect(reverse("admin:moderation_review", args=[object_id]))


class ReasonFilter(admin.SimpleListFilter):
    """By reason code, over the `reason_codes` column (a LIKE every database runs)."""

    title = _("reason")
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        """The reasons the queue holds now (one query over its few distinct combinations), not every code."""
        combinations = model_admin.get_queryset(request).order_by().values_list("reason_codes", flat=True)
        present = {code for codes in combinations.distinct() for code in codes.split()}
        return [(code, review.reason_label(code)) for code in sorted(present & set(MESSAGES))]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(reason_codes__contains=f" {self.value()} ")
        return queryset


@admin.register(QueueItem)
class QueueAdmin(SubmissionAdminBase):
    """The moderation queue: who waited longest first, against the campaign's target, with who holds what; a
    "next" button takes the oldest nobody holds. Deciding happens on the review page (moderation.workspace)."""

    # Review first: the row's action stays on screen whatever the columns after it take.
    list_display = [
        "review_link",
        "waited",
        "campaign",
        "thumbnail",
        "typed_and_read",
        "reason_words",
        "holder",
    ]
    list_display_links = None
    list_select_related = ["campaign", "recognition", "review_claim__moderator"]
    list_filter = [("campaign", ModeratedCampaignFilter), ReasonFilter]
    search_fields = ["=id"]
    list_per_page = 50
    date_hierarchy = None
    actions = None
    ordering = ["waiting_since", "created_at"]
    change_list_template = "moderation/queue.html"

    def get_urls(self):
        return [*workspace.urls(self), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return HttpResponseRedirect(reverse("admin:moderation_review", args=[object_id]))

    def changelist_view(self, request, extra_context=None):
        # The whole width for the queue: the admin's app list would push its columns off a laptop's screen.
        extra_context = {
            "title": _("Moderation queue"),
            "is_nav_sidebar_enabled": False,
            **(extra_context or {}),
        }
        response = super().changelist_view(request, extra_context)
        if hasattr(response, "context_data") and "cl" in response.context_data:
            changelist = response.context_data["cl"]
            response.context_data.update(workspace.queue_context(request, changelist.queryset.order_by()))
            page = changelist.page_num
            response.context_data["queue_pages"] = {
                "previous": changelist.get_query_string({"p": page - 1}) if page > 1 else "",
                "next": changelist.get_query_string({"p": page + 1})
                if page < changelist.paginator.num_pages
                else "",
            }
        return response

    @admin.display(description=_("waited"), ordering="waiting_since")
    def waited(self, obj):
        return display.waited_html(obj)

    @admin.display(description=_("typed / read"))
    def typed_and_read(self, obj):
        return display.typed_and_read_html(obj)

    @admin.display(description=_("reasons"))
    def reason_words(self, obj):
        return display.reason_words_html(obj)

    @admin.display(description=_("held by"))
    def holder(self, obj):
        return display.holder_html(obj)

    @admin.display(description="")
    def review_link(self, obj):
        return format_html(
            '<a class="button" href="{}">{}</a>',
            reverse("admin:moderation_review", args=[obj.pk]),
            _("Review"),
        )


class AuditAdmin(admin.ModelAdmin):
    """An audit trail: visible to those who may see it, never added to, edited or deleted by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(submission__campaign__in=campaigns_moderated_by(request.user))
        )

    @admin.display(description=_("submission"))
    def review_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:moderation_review", args=[obj.submission_id]),
            str(obj.submission_id)[:8],
        )


@admin.register(StatusTransition)
class StatusTransitionAdmin(AuditAdmin):
    list_display = ["created_at", "review_link", "from_status", "to_status", "actor", "note", "overridden"]
    list_filter = ["to_status", "from_status", "actor"]
    list_select_related = ["submission"]
    search_fields = ["=submission__id", "actor"]
    date_hierarchy = "created_at"


@admin.register(FieldCorrection)
class FieldCorrectionAdmin(AuditAdmin):
    list_display = ["created_at", "review_link", "field", "read_value", "value", "moderator"]
    list_filter = ["field"]
    list_select_related = ["moderator"]


@admin.register(Redaction)
class RedactionAdmin(AuditAdmin):
    list_display = ["created_at", "review_link", "moderator", "boxes", "original_deleted"]
    list_select_related = ["moderator"]
