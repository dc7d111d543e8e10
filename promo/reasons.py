"""Why a submission ended where it did: stable codes for machines, a message in Russian or English for people.

A reason is stored as `{"code": ..., "details": {...}}`; its message is rendered in the reader's language when
read, so the same decision speaks Russian to one participant and English to another.
"""

from collections.abc import Mapping
from contextlib import suppress
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from promo.amounts import format_amount
from promo.documents import SLIP, photograph_instruction

MESSAGES: dict[str, Any] = {
    "slip_matches": _("The slip matches what you typed and was printed during the campaign."),
    # %(photograph)s: which document to photograph for the campaign's accepted documents (detail `documents`).
    "not_a_slip": _("We could not find the document in this photo. %(photograph)s"),
    "amount_unread": _("We could not read the amount on the slip."),
    "amount_mismatch": _("The amount on the slip (%(read)s) differs from the amount you typed (%(typed)s)."),
    "below_min_amount": _("The amount %(amount)s is below the campaign minimum of %(minimum)s."),
    "card_unread": _("We could not read the last four digits of the card on the slip."),
    "card_mismatch": _("The card on the slip ends in %(read)s, not in %(typed)s as you typed."),
    "date_unread": _("We could not read the date on the slip."),
    # Kept for decisions stored before the date check said which side of the period a slip fell on.
    "date_outside_period": _(
        "The slip is dated %(date)s, outside the campaign period (%(starts)s to %(ends)s)."
    ),
    "date_before_start": _("The slip is dated %(date)s, before the campaign started on %(starts)s."),
    "date_after_end": _("The slip is dated %(date)s, after the campaign ended on %(ends)s."),
    # Goes to a moderator (no slip is printed after today: most likely a misread), so no "try again" here.
    "date_in_future": _(
        "We read the date on the slip as %(date)s, which is in the future; a moderator will check the date."
    ),
    "payment_system_unread": _("We could not read which payment system the card belongs to."),
    "payment_system_not_allowed": _("The slip was paid with %(system)s; this campaign accepts %(allowed)s."),
    "receipt_not_slip": _(
        "This looks like a shop receipt. Photograph the card slip on its own and try again."
    ),
    "receipt_without_card": _(
        "This receipt does not show the card payment: we found neither the card's last 4 digits nor the payment "
        "system on it. %(photograph)s"
    ),
    "slip_not_receipt": _(
        "This looks like a card payment slip, and this campaign takes shop receipts: a moderator will check it. "
        "Next time, photograph the shop receipt."
    ),
    "refund": _("This is a refund or return, not a purchase: it cannot take part in the campaign."),
    "photo_unreadable": _(
        "The photo is too blurred or too dark to read. Take it again in good light, holding the phone steady."
    ),
    "duplicate_photo": _("This photo has already been submitted."),
    "duplicate_slip": _("This slip has already been submitted."),
    "possible_duplicate_photo": _(
        "This photo looks like one already submitted; a moderator will compare the two."
    ),
    "possible_duplicate_slip": _(
        "This receipt looks like one already submitted (the same shop, day and total); a moderator will compare "
        "the two."
    ),
    "limit_per_day": _("You have reached the daily limit of accepted slips (%(limit)s). Try again tomorrow."),
    "limit_per_campaign": _("You have reached the campaign's limit of accepted slips (%(limit)s)."),
    "full_card_number": _(
        "The photo shows a full card number; a moderator will check the slip and hide the number."
    ),
    "low_confidence": _("We are not sure we read the %(field)s correctly; a moderator will check it."),
    "recognition_failed": _("We could not process the photo automatically; a moderator will check it."),
    "moderator_accepted": _("A moderator checked the slip and accepted it."),
    "moderator_rejected": _("A moderator checked the slip and rejected it: %(note)s"),
    # A moderator's rejection for one of the usual reasons (moderation.outcomes), each in the participant's words.
    "moderator_amount_differs": _(
        "A moderator checked the slip: its amount differs from the amount you typed. Upload it again with the "
        "amount printed on it."
    ),
    "moderator_card_differs": _(
        "A moderator checked the slip: the card on it is not the one whose last 4 digits you typed."
    ),
    "moderator_outside_period": _("A moderator checked the slip: it was not printed during the campaign."),
    "moderator_not_a_document": _(
        "A moderator checked the photo: it does not show a document this campaign accepts. %(photograph)s"
    ),
    "moderator_duplicate": _("A moderator checked the slip: it has already been submitted."),
    "moderator_edited": _("A moderator checked the photo: it has been edited, so it cannot take part."),
    "moderator_unreadable": _(
        "A moderator could not read the slip on this photo. Take it again in good light, the whole slip in the "
        "frame, and upload the new photo."
    ),
    # Asked of the participant instead of a verdict: the slip may well count, the photo cannot show it.
    "better_photo_needed": _(
        "A moderator needs a clearer photo of the same slip to decide: upload a new photo of it, flat, in good "
        "light, the whole slip in the frame. %(note)s"
    ),
    "appealed": _("You asked for a person to check this decision; a moderator will look at it."),
    "moderator_reopened": _("A moderator is checking this decision again."),
    "moderator_revoked": _("The acceptance of this slip was withdrawn after a check: %(note)s"),
}


# What a reason is about, in a few words: the moderation queue's counts and filter, the reports' charts (the full
# message is the participant's).
SHORT_LABELS: dict[str, Any] = {
    "not_a_slip": _("no document found"),
    "amount_unread": _("amount not read"),
    "amount_mismatch": _("amount differs"),
    "below_min_amount": _("below the minimum"),
    "card_unread": _("card not read"),
    "card_mismatch": _("card differs"),
    "date_unread": _("date not read"),
    "date_outside_period": _("outside the period"),
    "date_before_start": _("before the campaign"),
    "date_after_end": _("after the campaign"),
    "date_in_future": _("date in the future"),
    "payment_system_unread": _("payment system not read"),
    "payment_system_not_allowed": _("payment system not accepted"),
    "receipt_not_slip": _("a receipt, not a slip"),
    "receipt_without_card": _("receipt without the card"),
    "slip_not_receipt": _("a slip, not a receipt"),
    "refund": _("refund"),
    "photo_unreadable": _("unreadable photo"),
    "duplicate_photo": _("same photo"),
    "duplicate_slip": _("same slip"),
    "possible_duplicate_photo": _("looks like another photo"),
    "possible_duplicate_slip": _("looks like another receipt"),
    "limit_per_day": _("daily limit"),
    "limit_per_campaign": _("campaign limit"),
    "full_card_number": _("full card number"),
    "low_confidence": _("unsure reading"),
    "recognition_failed": _("could not be read"),
    "appealed": _("participant asked for a check"),
    "moderator_reopened": _("reopened"),
}


def short_label(code: str) -> str:
    return str(SHORT_LABELS.get(code, code))


FIELD_LABELS: dict[str, Any] = {
    "amount": _("amount"),
    "card_last4": _("card number"),
    "date": _("date"),
    "payment_system": _("payment system"),
}


def reason(code: str, **details: Any) -> dict[str, Any]:
    """A reason to store; details are the values its message needs, and evidence for the moderator."""
    if code not in MESSAGES:
        raise KeyError(f"unknown reason code: {code}")
    return {"code": code, "details": {key: str(value) for key, value in details.items()}}


# Details stored as "1234.50" or "2026-11-21" (machine forms) that a message shows in the reader's own format.
AMOUNT_DETAILS = ("read", "typed", "amount", "minimum")
AMOUNT_CODES = frozenset({"amount_mismatch", "below_min_amount"})
DATE_DETAILS = ("date", "starts", "ends")


def _localized(code: str, details: dict[str, Any], currency: str) -> dict[str, Any]:
    for key in AMOUNT_DETAILS if code in AMOUNT_CODES else ():
        with suppress(KeyError, InvalidOperation, ValueError):
            details[key] = format_amount(Decimal(str(details[key])), currency)
    for key in DATE_DETAILS:
        with suppress(KeyError, ValueError):
            details[key] = date_format(date.fromisoformat(str(details[key])), "SHORT_DATE_FORMAT")
    return details


def render(stored: Mapping[str, Any], currency: str = "", template: Any = None) -> dict[str, str]:
    """`{"code", "message"}` in the active language, amounts and dates written as its readers write them; a
    message never fails for a missing detail. `template` words the reason otherwise (REJECTED_WORDING)."""
    code = stored["code"]
    template = template or MESSAGES.get(code)
    if template is None:
        return {"code": code, "message": code}
    text = str(template)  # a lazy translation, rendered in the active language
    details = _localized(code, dict(stored.get("details", {})), currency)
    # Reasons stored before campaigns chose their documents were all about slips.
    details["photograph"] = str(photograph_instruction(str(details.get("documents", SLIP)).split(",")))
    if "field" in details:
        details["field"] = str(FIELD_LABELS.get(details["field"], details["field"]))
    try:
        message = text % details
    except (KeyError, TypeError, ValueError):
        message = text
    return {"code": code, "message": message}


# Reasons a person's act stored (the participant's appeal, a moderator's verdict or request, a reopening).
PERSON_REASONS = frozenset({"appealed", "better_photo_needed"})


def by_a_person(code: str) -> bool:
    return code in PERSON_REASONS or code.startswith("moderator_")


# Which state each reason can explain. A stored list mixes states: a person's verdict keeps the automatic reasons
# under it for the record (moderation.services), so a rejection may carry "a moderator will check it" and an
# acceptance "we could not read the card". The participant reads only the reasons of the state the submission
# is in now.
ACCEPTING = frozenset({"slip_matches", "moderator_accepted"})
REVOKING = frozenset({"moderator_revoked"})
# The machine's doubts: only a person's look settles them, so they explain a wait, never a verdict.
DOUBTS = frozenset(
    {
        "amount_unread",
        "card_unread",
        "date_unread",
        "payment_system_unread",
        "low_confidence",
        "possible_duplicate_photo",
        "possible_duplicate_slip",
        "full_card_number",
        "recognition_failed",
        "slip_not_receipt",
        "date_in_future",
    }
)
# Back in the queue: the participant asked for a person, or a moderator reopened the decision.
REQUEUEING = frozenset({"appealed", "moderator_reopened"})
MACHINE_CODES = frozenset(code for code in MESSAGES if not by_a_person(code))
PERSON_CODES = frozenset(code for code in MESSAGES if by_a_person(code))
# A campaign may reject on any failure of promo.decision.DEFAULT_POLICY, `date_in_future` included (a doubt by
# default): it then reads as a refusal (REJECTED_WORDING), never as a promise of a moderator's look.
REJECTING = (
    (MACHINE_CODES - ACCEPTING - DOUBTS)
    | {"date_in_future"}
    | (PERSON_CODES - ACCEPTING - REVOKING - REQUEUEING)
)
EXPLAINS: dict[str, frozenset[str]] = {
    "received": frozenset(),
    "processing": frozenset(),
    # A machine's failure the campaign sends to a person waits with its doubts (policy `moderation`).
    "moderation": (MACHINE_CODES - ACCEPTING) | REQUEUEING,
    "accepted": ACCEPTING,
    "rejected": REJECTING,
    "revoked": REVOKING,
}
# A doubt's message said of a refusal.
REJECTED_WORDING: dict[str, Any] = {
    "date_in_future": _("The slip is dated %(date)s, which is in the future, so it cannot take part."),
}


def reasons_of_state(status: str, stored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stored reasons that explain `status`: a person's word alone when a person's act explains it (their
    verdict, request or reopening is the message; what the machine said before is the record), otherwise every
    reason of that state, in order. Nothing while the photo is being read."""
    fitting = [r for r in stored if r.get("code") in EXPLAINS.get(status, frozenset())]
    by_people = [r for r in fitting if by_a_person(r["code"])]
    return by_people[:1] or fitting


def participant_reasons(submission: Any) -> list[dict[str, str]]:
    """The reasons the participant reads, of the submission's current state only, in the active language."""
    currency = submission.campaign.currency
    wording = REJECTED_WORDING if submission.status == "rejected" else {}
    return [
        render(r, currency, wording.get(r["code"]))
        for r in reasons_of_state(submission.status, submission.reasons)
    ]
