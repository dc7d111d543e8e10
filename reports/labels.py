"""Words for codes, in the reader's language.

Reasons are named as the moderation queue names them (promo.reasons.SHORT_LABELS); the codes that only a match or
a person's decision carries, which the queue never lists, are named here (the exports' reason filter lists
every code).
"""

from django.utils.translation import gettext_lazy as _

from promo.models import Submission
from promo.reasons import short_label
from promo.repairs import AMOUNT_DIGIT, CARD_TAIL, DATE_MASK, DATE_TIME_UNGLUED, PAYMENT_SYSTEM_FUZZY

# What each repair means to a marketer: the kind of slip it lets through.
REPAIR_LABELS = {
    DATE_MASK: _("date with a misread year"),
    AMOUNT_DIGIT: _("amount with a look-alike digit (6 or 8)"),
    CARD_TAIL: _("card digits after asterisks"),
    PAYMENT_SYSTEM_FUZZY: _("payment system's name misprinted or misread"),
    DATE_TIME_UNGLUED: _("date and time printed as one"),
}
# The rule behind it, for the tooltip and the CSV file: what recognition does.
REPAIR_RULES = {
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


# Codes of a match or a person's decision, which promo.reasons.SHORT_LABELS leaves out (the queue never lists them).
DECIDED_REASON_LABELS = {
    "slip_matches": _("slip matches"),
    "moderator_accepted": _("accepted by a moderator"),
    "moderator_rejected": _("rejected by a moderator (written reason)"),
    "moderator_amount_differs": _("moderator: amount differs"),
    "moderator_card_differs": _("moderator: another card"),
    "moderator_outside_period": _("moderator: outside the period"),
    "moderator_not_a_document": _("moderator: not a document"),
    "moderator_duplicate": _("moderator: already submitted"),
    "moderator_edited": _("moderator: edited photo"),
    "moderator_unreadable": _("moderator: unreadable"),
    "better_photo_needed": _("clearer photo asked for"),
    "moderator_revoked": _("acceptance withdrawn"),
}


def reason_label(code: str) -> str:
    if code in DECIDED_REASON_LABELS:
        return str(DECIDED_REASON_LABELS[code])
    return short_label(code)


def repair_label(code: str) -> str:
    return str(REPAIR_LABELS.get(code, code))


def repair_rule(code: str) -> str:
    return str(REPAIR_RULES.get(code, code))


def channel_label(code: str) -> str:
    return str(CHANNEL_LABELS.get(code, code))
