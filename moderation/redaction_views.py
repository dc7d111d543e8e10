"""The moderator's redaction step over HTTP: a form post from the drawing widget
(moderation/redaction_widget.html), one call to moderation.redaction.redaction_apply, a redirect back.

Guarded like the photo view (staff who moderate the campaign) plus moderation.add_redaction; CSRF-protected.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from moderation.redaction import may_redact, redaction_apply
from moderation.services import ClaimHeld
from promo.models import Submission


@staff_member_required
@require_POST
@csrf_protect
def redaction_apply_view(request: HttpRequest, pk: str) -> HttpResponse:
    """`boxes`: a JSON list of `[x0, y0, x1, y1]` fractions of the photo (`[]` confirms the automatic
    redaction); `next`: where to go back to, an admin page of this site."""
    submission = get_object_or_404(Submission, pk=pk)
    if not may_redact(request.user, submission):
        raise PermissionDenied
    if "boxes" not in request.POST:  # an empty list confirms: a form that lost the field must not
        return _bad_request(_("No boxes were sent."))
    try:
        boxes = json.loads(request.POST["boxes"], parse_constant=_no_constant)
    except ValueError:
        return _bad_request(_("The boxes are not valid JSON."))
    try:
        redaction = redaction_apply(submission=submission, moderator=request.user, boxes=boxes)
    except ValidationError as error:
        return _bad_request(" ".join(error.messages))
    except ClaimHeld as held:
        return HttpResponse(
            _("Another moderator is reviewing this submission until %(time)s.")
            % {"time": f"{held.claim.expires_at:%H:%M}"},
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    if redaction.boxes:
        messages.success(
            request, _("The drawn areas are hidden on the photo of %(id)s.") % {"id": submission.pk}
        )
    else:
        messages.success(request, _("The redaction of %(id)s is confirmed.") % {"id": submission.pk})
    return HttpResponseRedirect(_next_url(request, submission))


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number a box can hold")


def _bad_request(message: str) -> HttpResponse:
    # Plain text: the message never becomes markup.
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _next_url(request: HttpRequest, submission: Submission) -> str:
    """`next` when it is an admin page of this site, otherwise the submission's admin page."""
    fallback = reverse("admin:promo_submission_change", args=[submission.pk])
    wanted = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return fallback
    path = urlsplit(wanted).path
    if not path.startswith(reverse("admin:index")) or ".." in path.split("/"):
        return fallback
    return wanted
