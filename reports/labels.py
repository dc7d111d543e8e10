"""Words for codes, in the reader's language.

Reasons are named as the moderation queue names them (promo.reasons.SHORT_LABELS).
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


def reason_label(code: str) -> str:
    return short_label(code)


def repair_label(code: str) -> str:
    return str(REPAIR_LABELS.get(code, code))


def repair_rule(code: str) -> str:
    return str(REPAIR_RULES.get(code, code))


def channel_label(code: str) -> str:
    return str(CHANNEL_LABELS.get(code, code))
