"""`{{ amount|money:campaign.currency }}`: money as the reader's language writes it ("2 586,60 ₽")."""

from decimal import Decimal

from django import template

from promo.amounts import format_amount

register = template.Library()


@register.filter
def money(value: Decimal | str | None, currency: str = "") -> str:
    return "" if value in (None, "") else format_amount(value, currency)
