"""Words for codes, in the reader's language.

The reason labels are the moderation queue's (moderation.review.REASON_LABELS), repeated here with the same
English text so they share its translations: reports sit beside moderation, not above it, and import only promo.
"""

from django.utils.translation import gettext_lazy as _

from promo.models import Submission
from promo.repairs import AMOUNT_DIGIT, CARD_TAIL, DATE_MASK, DATE_TIME_UNGLUED, PAYMENT_SYSTEM_FUZZY

REASON_LABELS = {
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
}

REPAIR_LABELS = {
    DATE_MASK: _("date mask XX/XX/XY repaired"),
    AMOUNT_DIGIT: _("amount digit repaired (6/8 and alike)"),
    CARD_TAIL: _("card tail found after ** mask"),
    PAYMENT_SYSTEM_FUZZY: _("payment system spotted fuzzily"),
    DATE_TIME_UNGLUED: _("date and time read glued together"),
}

CHANNEL_LABELS = {
    Submission.Channel.PAGE: _("upload page"),
    Submission.Channel.API: _("API"),
    Submission.Channel.BATCH: _("batch command"),
    "": _("unknown"),
}


def reason_label(code: str) -> str:
    return str(REASON_LABELS.get(code, code))


def repair_label(code: str) -> str:
    return str(REPAIR_LABELS.get(code, code))


def channel_label(code: str) -> str:
    return str(CHANNEL_LABELS.get(code, code))
