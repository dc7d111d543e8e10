"""What a participant types as the amount: `1234.50`, `1234,50`, `1 234,50` are all the same money."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_AMOUNT = Decimal("9999999999.99")


def parse_typed_amount(raw: object) -> Decimal:
    text = (
        str(raw if raw is not None else "").strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    )
    if text.count(".") > 1:
        raise ValidationError(_("Enter the amount as on the slip, e.g. 1234.50."))
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("Enter the amount as on the slip, e.g. 1234.50.")) from None
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT:
        raise ValidationError(_("Enter an amount greater than zero."))
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationError(_("An amount has at most two digits after the decimal mark."))
    return amount.quantize(Decimal("0.01"))
