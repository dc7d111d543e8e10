"""Which repairs of OCR confusions an automatic decision relied on, so the reports can say what each one bought.

A repair counts only where the check of its field passed: a date read through the `XX/XX/XY` mask that put the
slip in the period, a card tail found after a `** ` mask that matched what was typed, a payment system spotted
fuzzily that the campaign allows, an amount whose confusable digit (6/8 and friends) was forgiven. Repairs on
a field whose check failed or was unsure did not make the decision and are not counted.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from promo.decision import PASS

# The repair's code as recognition records it on a field (recognition.rules), or as promo.checks records it.
DATE_MASK = "date_mask_repaired"
DATE_TIME_UNGLUED = "date_time_unglued"
CARD_TAIL = "card_tail_search"
PAYMENT_SYSTEM_FUZZY = "payment_system_fuzzy"
AMOUNT_DIGIT = "amount_digit_repaired"  # promo.checks.check_amount: evidence "repaired_positions"
REPAIRS = (DATE_MASK, AMOUNT_DIGIT, CARD_TAIL, PAYMENT_SYSTEM_FUZZY, DATE_TIME_UNGLUED)

# The reading's fields each check compares.
_FIELDS_OF_CHECK = {
    "amount": ("amount",),
    "date": ("date", "time"),
    "card_last4": ("card_last4",),
    "payment_system": ("payment_system",),
}


def repairs_relied_on(*, checks: Iterable[Mapping[str, Any]], fields: Mapping[str, Any]) -> list[str]:
    """The repairs behind the checks that passed, in REPAIRS order. `checks` as Submission.checks stores them,
    `fields` as Recognition.fields does ({"date": {"rules": [...]}, ...})."""
    found: set[str] = set()
    for check in checks:
        if check.get("outcome") != PASS:
            continue
        for name in _FIELDS_OF_CHECK.get(check.get("check", ""), ()):
            found.update((fields.get(name) or {}).get("rules") or ())
        if check.get("check") == "amount" and (check.get("evidence") or {}).get("repaired_positions"):
            found.add(AMOUNT_DIGIT)
    return [code for code in REPAIRS if code in found]


def repairs_column(codes: list[str]) -> str:
    """`Submission.repairs`: each code between spaces, like `reason_codes`."""
    return f" {' '.join(codes)} " if codes else ""
