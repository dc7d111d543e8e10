"""Participant pages: pick a campaign, upload a slip, watch the decision arrive."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from promo import services
from promo.forms import UploadForm
from promo.models import Submission
from promo.reasons import render as render_reason
from promo.selectors import active_campaigns

# The status page reloads itself: quickly while the photo is read, slowly while people look at it.
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
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        submission = services.submission_create_from_input(campaign=campaign, data=form.cleaned_data)
        return redirect("promo:status", pk=submission.pk)
    return render(request, "promo/upload.html", {"campaign": campaign, "form": form})


def status(request: HttpRequest, pk: str) -> HttpResponse:
    submission = get_object_or_404(Submission.objects.select_related("campaign"), pk=pk)
    context = {
        "submission": submission,
        "campaign": submission.campaign,
        "reasons": [render_reason(stored) for stored in submission.reasons],
        "refresh_seconds": REFRESH_SECONDS.get(submission.status),
    }
    return render(request, "promo/status.html", context)
