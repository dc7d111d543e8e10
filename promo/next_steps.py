"""What the participant can do next, said under the decision: a reason tells what happened, a next step what to do
about it. Reasons whose message already says what to do (take the photo again, try tomorrow) have no step here,
so nothing is said twice.
"""

from __future__ import annotations

from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from promo.amounts import format_amount

_PERIOD = _(
    "Only slips dated from %(starts)s to %(ends)s take part: upload the slip of a purchase in that period."
)
_ANOTHER_PURCHASE = _("Each slip takes part once: upload the slip of another purchase.")
_CARD = _("If you typed the card digits wrong, upload the slip again with the last 4 digits printed on it.")

BY_REASON: dict[str, Any] = {
    "amount_mismatch": _(
        "If you typed the amount wrong, upload the slip again with the amount printed on it."
    ),
    "card_mismatch": _CARD,
    "moderator_card_differs": _CARD,
    "date_before_start": _PERIOD,
    "date_after_end": _PERIOD,
    "date_outside_period": _PERIOD,
    "moderator_outside_period": _PERIOD,
    "date_in_future": _PERIOD,
    "below_min_amount": _("Only purchases of %(minimum)s or more take part."),
    "payment_system_not_allowed": _("Upload the slip of a purchase paid with a card this campaign accepts."),
    "duplicate_photo": _ANOTHER_PURCHASE,
    "duplicate_slip": _ANOTHER_PURCHASE,
    "moderator_duplicate": _ANOTHER_PURCHASE,
    "refund": _("Upload the slip of the purchase itself."),
    "moderator_edited": _("Upload the photo as the camera took it, without editing."),
}

# Said once under the state, whatever its reasons.
BY_STATUS: dict[str, Any] = {
    "accepted": _("Nothing to do: keep the paper slip until the draw, the organiser may ask to see it."),
    "moderation": _(
        "Nothing to do meanwhile: you may close this page and open it again later by the same link."
    ),
}


def _campaign_details(campaign: Any) -> dict[str, str]:
    return {
        "starts": date_format(campaign.starts_on, "SHORT_DATE_FORMAT"),
        "ends": date_format(campaign.ends_on, "SHORT_DATE_FORMAT"),
        "minimum": format_amount(campaign.min_amount, campaign.currency),
    }


def reason_next_step(code: str, campaign: Any) -> str:
    """What to do about this reason, in the active language, with the campaign's own dates and minimum; empty
    when the reason's message already says it."""
    template = BY_REASON.get(code)
    return str(template) % _campaign_details(campaign) if template is not None else ""


# The API's words where the page's speak of the page: a client app shows them in its own screens.
BY_STATUS_OUTSIDE_THE_PAGE: dict[str, Any] = {
    **BY_STATUS,
    "moderation": _("Nothing to do meanwhile: a person will check the slip and decide."),
}


def status_next_step(status: str, *, on_the_page: bool = True) -> str:
    template = (BY_STATUS if on_the_page else BY_STATUS_OUTSIDE_THE_PAGE).get(status)
    return str(template) if template is not None else ""
