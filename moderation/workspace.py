"""The review page and the moderator's answers: thin views over moderation.services.

Opening a waiting submission claims it (others see who holds it); every answer is a POST that calls one service,
then takes the next waiting submission, so a moderator goes through the queue with one key per decision.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from moderation import display
from moderation import review as review_data
from moderation.outcomes import REJECT_REASONS, WRITTEN
from moderation.services import (
    CLAIM_MINUTES,
    ClaimHeld,
    GuardFailed,
    TransitionNotAllowed,
    claim_next,
    claim_release,
    claim_take,
    moderation_approve,
    moderation_ask_photo,
    moderation_correct,
    moderation_reject,
    moderation_reopen,
    moderation_revoke,
)
from promo.acceptance import CONFIRMABLE
from promo.models import Submission
from promo.reasons import MESSAGES, render
from promo.selectors import campaigns_moderated_by

Status = Submission.Status
# How often an open review page renews its claim (well inside CLAIM_MINUTES).
HEARTBEAT_SECONDS = 60
# The queue filters a moderator works under, carried from the queue to "next" and from one review to the next.
FILTERS = ("campaign__id__exact", "reason")


def urls(model_admin) -> list:
    def view(function, post=False):
        def wrapped(request, *args, **kwargs):
            return function(model_admin, request, *args, **kwargs)

        return model_admin.admin_site.admin_view(require_POST(wrapped) if post else wrapped)

    return [
        path("next/", view(next_view, post=True), name="moderation_next"),
        path("<uuid:pk>/review/", view(review_view), name="moderation_review"),
        path("<uuid:pk>/approve/", view(approve_view, post=True), name="moderation_approve"),
        path("<uuid:pk>/reject/", view(reject_view, post=True), name="moderation_reject"),
        path(
            "<uuid:pk>/photo-request/", view(photo_request_view, post=True), name="moderation_photo_request"
        ),
        path("<uuid:pk>/correct/", view(correct_view, post=True), name="moderation_correct"),
        path("<uuid:pk>/reopen/", view(reopen_view, post=True), name="moderation_reopen"),
        path("<uuid:pk>/revoke/", view(revoke_view, post=True), name="moderation_revoke"),
        path("<uuid:pk>/release/", view(release_view, post=True), name="moderation_release"),
        path("<uuid:pk>/hold/", view(hold_view, post=True), name="moderation_hold"),
    ]


def scope(request: HttpRequest) -> QuerySet[Submission]:
    """The submissions this staff user may see: the campaigns they moderate."""
    return Submission.objects.filter(campaign__in=campaigns_moderated_by(request.user))


def _may_decide(request: HttpRequest) -> bool:
    return request.user.has_perm("moderation.change_queueitem")


def _filters(request: HttpRequest) -> dict[str, str]:
    source = request.POST if request.method == "POST" else request.GET
    return {name: source[name] for name in FILTERS if source.get(name)}


def _filtered_queue(request: HttpRequest, filters: dict[str, str]) -> QuerySet[Submission]:
    queue = scope(request).filter(status=Status.MODERATION)
    if filters.get("campaign__id__exact", "").isdigit():
        queue = queue.filter(campaign_id=int(filters["campaign__id__exact"]))
    if filters.get("reason") in MESSAGES:
        queue = queue.filter(reason_codes__contains=f" {filters['reason']} ")
    return queue


def _to_queue(filters: dict[str, str]) -> HttpResponseRedirect:
    query = f"?{urlencode(filters)}" if filters else ""
    return HttpResponseRedirect(reverse("admin:moderation_queueitem_changelist") + query)


def _to_review(pk: Any, filters: dict[str, str]) -> HttpResponseRedirect:
    query = f"?{urlencode(filters)}" if filters else ""
    return HttpResponseRedirect(reverse("admin:moderation_review", args=[pk]) + query)


def _go_next(request: HttpRequest, filters: dict[str, str], skip: str = "") -> HttpResponseRedirect:
    queue = _filtered_queue(request, filters)
    if skip:  # passed over without an answer: freed for others, and not handed straight back
        skipped = scope(request).filter(pk=skip).first()
        if skipped is not None:
            claim_release(submission=skipped, moderator=request.user)
            queue = queue.exclude(pk=skipped.pk)
    submission = claim_next(moderator=request.user, queue=queue)
    if submission is None:
        messages.info(request, _("Nobody is waiting: the queue is clear."))
        return _to_queue(filters)
    return _to_review(submission.pk, filters)


def queue_context(request: HttpRequest, queue: QuerySet[Submission]) -> dict[str, Any]:
    """The queue page's counts per reason (one query) and the filters "next" keeps."""
    counts = review_data.reason_counts(queue, sorted(MESSAGES))
    filters = _filters(request)
    return {
        "reason_counts": [
            (code, review_data.reason_label(code), n, {**filters, "reason": code})
            for code, n in sorted(counts.items(), key=lambda item: -item[1])
        ],
        "queue_filters": filters,
        "queue_waiting": queue.count(),
    }


def next_view(model_admin, request: HttpRequest) -> HttpResponse:
    if not _may_decide(request):
        raise PermissionDenied
    skip = request.POST.get("skip", "")
    try:
        skip = str(uuid.UUID(skip)) if skip else ""
    except ValueError:
        skip = ""
    return _go_next(request, _filters(request), skip=skip)


def review_view(model_admin, request: HttpRequest, pk) -> HttpResponse:
    if not (
        request.user.has_perm("moderation.view_queueitem") or request.user.has_perm("promo.view_submission")
    ):
        raise PermissionDenied
    submission = get_object_or_404(
        scope(request).select_related("campaign", "participant", "decided_by"), pk=pk
    )
    held_by = None
    can_decide = _may_decide(request) and submission.status == Status.MODERATION
    if can_decide:
        try:
            claim_take(submission=submission, moderator=request.user)
        except ClaimHeld as held:
            held_by, can_decide = held.claim, False
    refused = [code for code in request.GET.get("refused", "").split(",") if code in MESSAGES]
    context = {
        **model_admin.admin_site.each_context(request),
        "is_nav_sidebar_enabled": False,
        "title": _("Submission review"),
        "opts": model_admin.model._meta,
        "review": review_data.review_of(submission),
        "submission": submission,
        "can_decide": can_decide,
        "held_by": held_by,
        "claim_minutes": CLAIM_MINUTES,
        "heartbeat_seconds": getattr(settings, "SLIPCHECK_REVIEW_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS),
        "claim_lost_text": _("Another moderator took this submission, or it was decided: take the next one."),
        "can_override": request.user.has_perm("moderation.override_guards"),
        "can_revoke": request.user.has_perm("moderation.revoke_acceptance")
        and submission.status == Status.ACCEPTED,
        "can_reopen": _may_decide(request)
        and submission.status in Submission.FINAL
        and (submission.status != Status.REVOKED or request.user.has_perm("moderation.revoke_acceptance")),
        "refused": [render({"code": code, "details": {}}) for code in refused],
        "refused_codes": ",".join(refused),
        "filters": _filters(request),
        "filters_query": urlencode(_filters(request)),
        "confirmable": [(name, review_data.FIELD_LABELS[name]) for name in CONFIRMABLE],
        "written_code": WRITTEN,
        "reject_reasons": [(i + 1, code, label) for i, (code, label) in enumerate(REJECT_REASONS)],
        "transitions": list(submission.transitions.select_related("user")),
        "reasons_html": display.reasons_html(submission),
        "fiscal": display.fiscal_row(recognition)
        if (recognition := review_data.recognition_of(submission)) and recognition.fiscal_fn
        else None,
        "ocr_text": display.ocr_text_html(submission),
    }
    return TemplateResponse(request, "moderation/review.html", context)


def _decision(request: HttpRequest, pk, decide) -> HttpResponse:
    """Runs one answer on a submission in scope; on success takes the next one, else shows why on the review."""
    if not _may_decide(request):
        raise PermissionDenied
    filters = _filters(request)
    submission = get_object_or_404(scope(request).select_related("campaign"), pk=pk)
    try:
        done = decide(submission)
    except GuardFailed as refused:  # the review page says why, in its banner
        codes = [failure.code for failure in refused.failures]
        return HttpResponseRedirect(
            reverse("admin:moderation_review", args=[pk])
            + "?"
            + urlencode({**filters, "refused": ",".join(codes)})
        )
    except ClaimHeld as held:
        messages.error(
            request, _("%(user)s is reviewing it now.") % {"user": held.claim.moderator.get_username()}
        )
        return _to_review(pk, filters)
    except TransitionNotAllowed:
        messages.warning(request, _("It was decided meanwhile; nothing changed."))
        return _to_review(pk, filters)
    except ValidationError as invalid:
        messages.error(request, " ".join(invalid.messages))
        return _to_review(pk, filters)
    if done is None:  # an answer that keeps the submission on the page (a corrected field)
        return _to_review(pk, filters)
    messages.success(request, done)
    return _go_next(request, filters)


def approve_view(model_admin, request: HttpRequest, pk) -> HttpResponse:
    def decide(submission):
        moderation_approve(
            submission=submission,
            moderator=request.user,
            note=request.POST.get("note", "")[:500],
            justification=request.POST.get("justification", "")[:2000],
        )
        return _("Accepted.")

    return _decision(request, pk, decide)


def reject_view(model_admin, request: HttpRequest, pk) -> HttpResponse:
    def decide(submission):
        code = request.POST.get("code", "")
        note = request.POST.get("note", "")[:500]
        if code == WRITTEN and not note.strip():
            raise ValidationError(_("Write the reason the participant will read."))
        try:
            moderation_reject(submission=submission, moderator=request.user, code=code, note=note)
        except ValueError:
            raise ValidationError(_("Choose a reason.")) from None
        return _("Rejected.")

    return _decision(request, pk, decide)


def photo_request_view(model_admin, request: HttpRequest, pk) -> HttpResponse:
    def decide(submission):
        moderation_ask_photo(
            submission=submission, moderator=request.user, note=request.POST.get("note", "")[:500]
        )
        return _("A better photo was asked for.")

    return _decision(request, pk, decide)


def correct_view(model_admin, request: HttpRequest, pk) -> HttpResponse:
    def decide(submission):
        if submission.status != Status.MODERATION:
            raise TransitionNotAllowed("only a waiting submission is corrected")
        moderation_correct(
            submission=submission,
            moderator=request.user,
            field=request.POST.get("field", ""),
            value=request.POST.get("value", "")[:255],
        )
        messages.success(request, _("Corrected; the guards use the corrected value."))
        return None

    return _decision(request, pk, decide)


def reopen_view(model_admin, request: HttpRequest, pk) -> HttpResponse:
    def decide(submission):
        moderation_reopen(
            submission=submission, moderator=request.user, why=request.POST.get("why", "")[:1000]
        )
        messages.success(request, _("Reopened: it is back in the queue."))
        return None

    return _decision(request, pk, decide)


def revoke_view(model_admin, request: HttpRequest, pk) -> HttpResponse:
    def decide(submission):
        moderation_revoke(
            submission=submission, moderator=request.user, why=request.POST.get("why", "")[:1000]
        )
        messages.success(request, _("The acceptance was revoked."))
        return None

    return _decision(request, pk, decide)


def release_view(model_admin, request: HttpRequest, pk) -> HttpResponse:
    submission = get_object_or_404(scope(request), pk=pk)
    claim_release(submission=submission, moderator=request.user)
    return _to_queue(_filters(request))


def hold_view(model_admin, request: HttpRequest, pk) -> HttpResponse:
    """The review page's heartbeat: while it stays open, its claim is extended; 409 once someone else holds it
    (the page then says so) or the submission left the queue."""
    if not _may_decide(request):
        raise PermissionDenied
    submission = get_object_or_404(scope(request), pk=pk)
    if submission.status != Status.MODERATION:
        return JsonResponse({"held": False, "status": submission.status}, status=409)
    try:
        claim = claim_take(submission=submission, moderator=request.user)
    except ClaimHeld as held:
        return JsonResponse({"held": False, "by": held.claim.moderator.get_username()}, status=409)
    return JsonResponse({"held": True, "until": claim.expires_at.isoformat()})
