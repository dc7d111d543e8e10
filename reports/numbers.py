"""Numbers in the reader's format, rounded (Django's number_format cuts decimals off: 18.18 would read 18.1)."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import formats


def number_format(value: Any, decimal_pos: int | None = None, force_grouping: bool = False) -> str:
    if decimal_pos is not None:
        value = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimal_pos), rounding=ROUND_HALF_UP)
    return formats.number_format(value, decimal_pos=decimal_pos, force_grouping=force_grouping)
