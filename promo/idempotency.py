"""Idempotent uploads: a request sent again with the same key gets the first one's submission, never a second.

One mechanism for the page and the API. The page's form carries a random key the server chose (a fresh one per
rendered form, so one form is one upload however often it is sent: a double tap, a retry after a lost answer);
the API takes the client's `Idempotency-Key` header. The key is stored on the submission, unique per campaign and
participant (a partial unique index on non-empty keys), so two simultaneous requests with one key make one row:
the loser's insert fails and it answers with the winner's submission (promo.submissions).

A key is the contact's, not the campaign's: with no accounts, the typed contact is the only scope there is. So a
client's predictable key (an order number) cannot be taken first by someone else under another contact, and
nobody learns whether a key exists without the contact it was used with.

A repeat is recognized from its raw input before anything costly: the bytes' SHA-256 (the photo is not decoded
again), the typed amount, card digits and contact. It is answered before the rate limit counts it and before a
file is stored. The same key with different input is refused (`IdempotencyKeyReused`: 422 on the API), as the
IETF draft on the Idempotency-Key header and Stripe do: the key names one request, and a client that reuses it
for another has a bug that silently returning the first submission would hide.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from promo.amounts import parse_typed_amount
from promo.contacts import normalize_contact
from promo.models import Campaign, Submission

MAX_KEY_LENGTH = 100
# Printable ASCII without spaces (a UUID, a ULID, a random token): nothing that could smuggle control characters
# into logs or the admin, and short enough for the index.
_KEY = re.compile(rf"[!-~]{{1,{MAX_KEY_LENGTH}}}")
# The page's field name, and the API's header.
FORM_FIELD = "idempotency_key"
HEADER = "Idempotency-Key"

KEY_INVALID = _(
    "The Idempotency-Key header must be 1 to 100 printable ASCII characters without spaces, e.g. a UUID."
)
KEY_REUSED = _(
    "This Idempotency-Key was already used with this contact for an upload with another photo, amount or card. "
    "Use a new key for a new upload."
)


class IdempotencyKeyReused(Exception):
    """The key names a stored submission whose input differs from this request's."""

    def __init__(self, submission: Submission):
        super().__init__(str(submission.pk))
        self.submission = submission


def is_valid_key(key: object) -> bool:
    return isinstance(key, str) and _KEY.fullmatch(key) is not None


def new_form_key() -> str:
    """For one rendered upload form: 192 random bits, so no one can guess another participant's."""
    return secrets.token_urlsafe(24)


def _sha256_of_upload(upload: Any) -> str | None:
    if not (hasattr(upload, "read") and hasattr(upload, "seek")):
        return None  # no file part (missing, or a text field named photo)
    stream: IO[bytes] = upload
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def _same_input(submission: Submission, *, data: Mapping[str, Any], photo: Any) -> bool:
    """The raw request against the stored submission of its contact and key, without decoding the photo again."""
    try:
        amount = parse_typed_amount(data.get("amount", ""))
    except ValidationError:
        return False
    return (
        _sha256_of_upload(photo) == submission.photo_sha256
        and amount == submission.typed_amount
        and str(data.get("card_last4", "")).strip() == submission.typed_card_last4
    )


def typed_contact(data: Mapping[str, Any]) -> str | None:
    """The contact as stored (promo.contacts), or None when what was typed is none."""
    try:
        return normalize_contact(str(data.get("contact", "")))[1]
    except ValidationError:
        return None


def submission_for_key(*, campaign: Campaign, key: str, contact: str | None) -> Submission | None:
    if not key or not contact:
        return None
    return Submission.objects.filter(
        campaign=campaign, participant__contact=contact, idempotency_key=key
    ).first()


def replayed_submission(
    *, campaign: Campaign, key: str, data: Mapping[str, Any], photo: Any
) -> Submission | None:
    """The submission this request repeats, or None for a new upload (a key its contact has not used, or no valid
    contact: the form then says what is wrong); IdempotencyKeyReused for the key of another upload of the same
    contact."""
    submission = submission_for_key(campaign=campaign, key=key, contact=typed_contact(data))
    if submission is None:
        return None
    if not _same_input(submission, data=data, photo=photo):
        raise IdempotencyKeyReused(submission)
    return submission
