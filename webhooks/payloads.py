"""What a webhook says: the event, and the submission in the API's own shape (promo.serializers), so a client
parses one format whether it polls or is called.

The API's submission detail, less `can_appeal` (a button for the participant, and a moment's answer), plus
`typed_amount`. `reasons` are rendered in the site's default language (settings.LANGUAGE_CODE): a webhook has no
reader to ask, and the codes are what a client branches on. `extras` carries what other apps add (the promo code
of an acceptance). Never a contact, never more of a card than its last four digits; a moderator's note in a
reason has any full card number, e-mail address and phone number masked.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import translation

from promo.contacts import mask_contacts
from promo.models import Submission
from promo.privacy import IDENTIFYING_FIELDS, identifies_a_card
from promo.reasons import short_label
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
        {**r, "message": mask_contacts(mask_card_numbers(r["message"], doubt=True)[0])}
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


def erased_body(body: str) -> str:
    """A frozen body as promo.privacy leaves the submission once its personal data is erased: the fields read that
    identify a card or a payment become null, and a reason about the card keeps its code and its short label
    (its message quoted the digits read and typed). The event id, the status and the times stay, so a delivery
    still pending sends what the client may still know."""
    event = json.loads(body)
    data = event.get("submission") or {}
    recognized = data.get("recognized")
    if isinstance(recognized, dict):
        confidence = recognized.get("confidence") if isinstance(recognized.get("confidence"), dict) else {}
        for name in IDENTIFYING_FIELDS:
            if name in recognized:
                recognized[name] = None
            if name in confidence:
                confidence[name] = None
    with translation.override(settings.LANGUAGE_CODE):
        data["reasons"] = [
            {**reason, "message": short_label(reason["code"])}
            if identifies_a_card(reason.get("code", ""))
            else reason
            for reason in data.get("reasons") or []
        ]
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))
