"""Participant pages: pick a campaign, upload a slip, watch the decision arrive."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from promo import extras, idempotency, owners, submissions
from promo.appeals import AppealNotAllowed, submission_appeal
from promo.forms import UploadForm
from promo.mine import mine_owner, mine_submissions
from promo.models import Campaign, Submission
from promo.ratelimit import RateLimited, rate_limited_message, upload_rate_check
from promo.selectors import active_campaigns
from promo.status_page import status_context
from promo.uploads import too_large_response, upload_was_too_large

# Without JavaScript the status page reloads itself: quickly while the photo is read, slowly while people look at
# it. With it, the page asks `status_live` instead (promo.status_page.POLL_SECONDS).
REFRESH_SECONDS = {
    Submission.Status.RECEIVED: 2,
    Submission.Status.PROCESSING: 2,
    Submission.Status.MODERATION: 60,
}


def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = list(active_campaigns())
    if len(campaigns) == 1:
        return redirect("promo:upload", slug=campaigns[0].slug)
    return render(request, "promo/campaign_list.html", {"campaigns": campaigns})


def upload(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_object_or_404(active_campaigns(), slug=slug)
    if request.method != "POST":
        return _upload_page(request, campaign, UploadForm(documents=campaign.documents))
    data, files = request.POST, request.FILES  # parsed here: the upload handler cuts a photo over the cap
    if upload_was_too_large(request):
        return too_large_response(request)
    # The form's key (promo.idempotency); one of another shape is ignored: that upload is not idempotent.
    key = data.get(idempotency.FORM_FIELD, "")
    key = key if idempotency.is_valid_key(key) else ""
    try:
        replayed = idempotency.replayed_submission(
            campaign=campaign, key=key, data=data, photo=files.get("photo")
        )
    except idempotency.IdempotencyKeyReused:
        # A form shown again from the browser's cache (the back button) and sent with another slip: a new upload.
        replayed, key = None, ""
    if replayed is not None:  # a double tap or a retry: the first one's status, no second submission
        return redirect("promo:status", pk=replayed.pk)
    try:
        upload_rate_check(request=request, contact=data.get("contact"))
    except RateLimited as limited:
        # Refused before the form is validated: a flood must not cost a single photo decode. What was typed
        # comes back as the form's initial values.
        typed = {name: data.get(name, "") for name in ("amount", "card_last4", "contact")}
        typed["consent"] = bool(data.get("consent"))
        response = _upload_page(
            request,
            campaign,
            UploadForm(initial=typed, documents=campaign.documents),
            status=429,
            error=rate_limited_message(limited.retry_after),
        )
        response["Retry-After"] = str(limited.retry_after)
        return response
    form = UploadForm(data, files, documents=campaign.documents)
    if not form.is_valid():
        return _upload_page(request, campaign, form, status=400)
    owner = owners.browser_owner(request)
    created = {"campaign": campaign, "data": form.cleaned_data, "channel": Submission.Channel.PAGE}
    created["owner_hash"] = owners.owner_hash(owner)
    try:
        submission, _ = submissions.submission_create_once(**created, idempotency_key=key)
    except idempotency.IdempotencyKeyReused:  # a simultaneous request took the key with another slip
        submission, _ = submissions.submission_create_once(**created, idempotency_key="")
    return owners.remember_owner(redirect("promo:status", pk=submission.pk), owner)


def _upload_page(
    request: HttpRequest, campaign, form: UploadForm, status: int = 200, error: str = ""
) -> HttpResponse:
    """Each rendering carries a fresh idempotency key: one form shown is one upload, however often it is sent."""
    context = {
        "campaign": campaign,
        "form": form,
        "page_error": error,
        "idempotency_key": idempotency.new_form_key(),
        "idempotency_field": idempotency.FORM_FIELD,
    }
    return render(request, "promo/upload.html", context, status=status)


def _submission_shown(pk: str) -> Submission:
    """By its unguessable id only: the id is the participant's key to the page."""
    return get_object_or_404(Submission.objects.select_related("campaign", *extras.related()), pk=pk)


def status(request: HttpRequest, pk: str) -> HttpResponse:
    submission = _submission_shown(pk)
    context = status_context(submission) | {"refresh_seconds": REFRESH_SECONDS.get(submission.status)}
    response = render(request, "promo/status.html", context)
    add_never_cache_headers(response)  # back to the page shows the state now, not the one left
    return response


@require_GET
def status_live(request: HttpRequest, pk: str) -> JsonResponse:
    """What the status page polls: the status and its block, rendered as the page renders it."""
    submission = _submission_shown(pk)
    context = status_context(submission)
    response = JsonResponse(
        {
            "status": submission.status,
            "final": submission.is_final,
            "poll": context["poll_seconds"],
            "poll_max": context["poll_max_seconds"],
            "html": render_to_string("promo/status_block.html", context, request=request),
        }
    )
    add_never_cache_headers(response)
    return response


def appeal(request: HttpRequest, pk: str) -> HttpResponse:
    """The status page's "Ask a person to check" button. Always back to the status page (post/redirect/get), which
    shows the new state; a refusal (a second press, another tab) is said there in words, not as an error."""
    submission = get_object_or_404(Submission, pk=pk)
    if request.method == "POST":
        try:
            submission_appeal(submission=submission)
        except AppealNotAllowed as refused:
            messages.info(request, refused.message)
    return redirect("promo:status", pk=submission.pk)


@require_GET
def mine(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """A participant's submissions in a campaign, by the signed link their status pages give (promo.mine)."""
    campaign = get_object_or_404(Campaign, slug=slug)
    owner = mine_owner(token=token, campaign=campaign)
    if owner is None:
        raise Http404("no such list")
    submissions_ = list(mine_submissions(owner=owner, campaign=campaign))
    response = render(request, "promo/mine.html", {"campaign": campaign, "submissions": submissions_})
    add_never_cache_headers(response)
    return response
