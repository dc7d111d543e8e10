"""Amounts as people write them and as they read them back.

A participant types the amount the way their country writes money: `2586.6`, `2 586,60`, `2,586.60`, `2.586,60`
are all the same money. What is valid is money syntax (docs/domain.md): a grouping mark only between groups of
three digits, one decimal mark with one or two digits after it, different from the grouping mark. A single mark
followed by exactly three digits (`2,586`, `1.500`) is therefore a grouping mark: no money has three decimals.
Grouping starts at a digit other than 0 (nobody writes `0,125` for 125), so `0.125` or `0,125` is a decimal
with one digit too many, refused as such, never read a thousand times bigger.
Anything else is refused with an example in the reader's own format, never guessed.
"""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

MAX_AMOUNT = Decimal("9999999999.99")
EXAMPLE = Decimal("1234.50")

# Spaces of any width and apostrophes group digits (`1 234`, `1 234` with a no-break space, `1'234`).
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009'’]+")
_CURRENCY = re.compile(r"^(?:₽|руб\.?|р\.|rub|\$|€)\s*|\s*(?:₽|руб\.?|р\.?|rub|\$|€)$", re.IGNORECASE)
_PLAIN = re.compile(r"^(\d+)(?:([.,])(\d{1,2}))?$")
# The first group has no leading 0: `0.125` is not 125 (it falls to _TOO_MANY_DECIMALS below).
_GROUPED = re.compile(r"^([1-9]\d{0,2})((?:([ .,])\d{3})(?:\3\d{3})*)(?:([.,])(\d{1,2}))?$")
_TOO_MANY_DECIMALS = re.compile(r"^\d+[.,]\d{3,}$")

# Where the currency's sign goes, by language (CLDR's usual patterns): "2 586,60 ₽", "₽2,586.60".
SIGNS = {"RUB": "₽", "USD": "$", "EUR": "€", "KZT": "₸", "BYN": "Br", "UAH": "₴"}
_SIGN_FIRST_LANGUAGES = ("en",)


def format_amount(value: Decimal | str, currency: str = "") -> str:
    """An amount as the active language writes money: `2 586,60 ₽` in Russian, `₽2,586.60` in English."""
    number = number_format(Decimal(str(value)), 2, force_grouping=True)
    sign = SIGNS.get(currency.upper(), currency.upper())
    if not sign:
        return number
    if (get_language() or "").split("-")[0] in _SIGN_FIRST_LANGUAGES:
        return f"{sign}{number}" if len(sign) == 1 else f"{sign}\u00a0{number}"
    return f"{number}\u00a0{sign}"


def _invalid() -> ValidationError:
    return ValidationError(
        _("Enter the amount as printed on the slip, e.g. %(example)s."),
        code="invalid",
        params={"example": format_amount(EXAMPLE)},
    )


def parse_typed_amount(raw: object) -> Decimal:
    text = _CURRENCY.sub("", str(raw if raw is not None else "").strip()).strip()
    text = _SPACES.sub(" ", text)
    if text.startswith("-"):
        raise ValidationError(_("Enter an amount greater than zero."), code="min_value")
    grouped, plain = _GROUPED.match(text), _PLAIN.match(text)
    if grouped and grouped.group(3) != grouped.group(4):
        digits = grouped.group(1) + re.sub(r"\D", "", grouped.group(2))
        number = f"{digits}.{grouped.group(5) or '0'}"
    elif plain:
        number = f"{plain.group(1)}.{plain.group(3) or '0'}"
    elif _TOO_MANY_DECIMALS.match(text):
        raise ValidationError(
            _("An amount has at most two digits after the decimal mark."), code="max_decimal_places"
        )
    else:
        raise _invalid()
    try:
        amount = Decimal(number)
    except InvalidOperation:  # pragma: no cover - the patterns admit digits only
        raise _invalid() from None
    if amount <= 0:
        raise ValidationError(_("Enter an amount greater than zero."), code="min_value")
    if amount > MAX_AMOUNT:
        raise ValidationError(
            _("That is more than any purchase: enter at most %(maximum)s."),
            code="max_value",
            params={"maximum": format_amount(MAX_AMOUNT)},
        )
    return amount.quantize(Decimal("0.01"))
