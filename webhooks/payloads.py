"""What a webhook says: the event, and the submission in the API's own shape (promo.serializers), so a client
parses one format whether it polls or is called.

The API's submission detail, less `can_appeal` (a button for the participant, and a moment's answer), plus
`typed_amount`. `reasons` are rendered in the site's default language (settings.LANGUAGE_CODE): a webhook has no
reader to ask, and the codes are what a client branches on. `extras` carries what other apps add (the promo code
of an acceptance). Never a contact, never more of a card than its last four digits; a moderator's note in a
reason has any full card number masked.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import translation

from promo.models import Submission
from promo.serializers import SubmissionSerializer
from recognition.cards import mask_card_numbers

EVENT_DECIDED = "submission.decided"
OMITTED = ("can_appeal",)


def submission_payload(submission: Submission) -> dict[str, Any]:
    with translation.override(settings.LANGUAGE_CODE):
        data = dict(SubmissionSerializer(submission).data)
    for name in OMITTED:
        data.pop(name, None)
    data["reasons"] = [
        {"code": r["code"], "message": mask_card_numbers(r["message"], doubt=True)[0]}
        for r in data["reasons"]
    ]
    data["typed_amount"] = f"{submission.typed_amount:.2f}"
    data["currency"] = submission.campaign.currency
    return data


def event_body(*, event_id: uuid.UUID, event_type: str, created: datetime, submission: Submission) -> str:
    """The JSON text sent, byte for byte, on every attempt of the event."""
    event = {
        "id": str(event_id),
        "type": event_type,
        "created": created.isoformat().replace("+00:00", "Z"),
        "submission": submission_payload(submission),
    }
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))
