"""The automatic decision: accept only what the photo proves, reject what is plainly not a slip, ask people
about the rest. Plain functions over explicit values, so each rule is a table test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from promo.reasons import reason

# Below this a value read is not trusted enough to accept on it, even when it equals what was typed.
MIN_FIELD_CONFIDENCE = 0.6


@dataclass(frozen=True)
class ReadFields:
    """What recognition read, as the decision needs it (best value and its confidence per field)."""

    kind: str
    amount: Decimal | None = None
    amount_confidence: float = 0.0
    card_last4: str | None = None
    card_confidence: float = 0.0
    date: date | None = None
    date_confidence: float = 0.0
    payment_system: str | None = None
    payment_system_confidence: float = 0.0


@dataclass(frozen=True)
class CampaignRules:
    starts_on: date
    ends_on: date
    min_amount: Decimal = Decimal("0")
    payment_systems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    status: str  # "accepted" | "rejected" | "moderation"
    reasons: list[dict[str, Any]] = field(default_factory=list)


def decide(
    *, rules: CampaignRules, typed_amount: Decimal, typed_card_last4: str, read: ReadFields
) -> Decision:
    if read.kind == "other":
        return Decision("rejected", [reason("not_a_slip")])
    problems: list[dict[str, Any]] = []
    if read.kind == "receipt":
        problems.append(reason("receipt_not_slip"))

    if read.amount is None:
        problems.append(reason("amount_unread"))
    elif read.amount != typed_amount:
        problems.append(reason("amount_mismatch", read=read.amount, typed=typed_amount))
    elif read.amount_confidence < MIN_FIELD_CONFIDENCE:
        problems.append(reason("low_confidence", field="amount"))
    elif read.amount < rules.min_amount:
        problems.append(reason("below_min_amount", amount=read.amount, minimum=rules.min_amount))

    if read.card_last4 is None:
        problems.append(reason("card_unread"))
    elif read.card_last4 != typed_card_last4:
        problems.append(reason("card_mismatch", read=read.card_last4, typed=typed_card_last4))
    elif read.card_confidence < MIN_FIELD_CONFIDENCE:
        problems.append(reason("low_confidence", field="card_last4"))

    if read.date is None:
        problems.append(reason("date_unread"))
    elif not rules.starts_on <= read.date <= rules.ends_on:
        problems.append(
            reason(
                "date_outside_period", date=read.date.isoformat(), starts=rules.starts_on, ends=rules.ends_on
            )
        )
    elif read.date_confidence < MIN_FIELD_CONFIDENCE:
        problems.append(reason("low_confidence", field="date"))

    if rules.payment_systems:
        if read.payment_system is None:
            problems.append(reason("payment_system_unread"))
        elif read.payment_system not in rules.payment_systems:
            problems.append(
                reason(
                    "payment_system_not_allowed",
                    system=read.payment_system,
                    allowed=", ".join(rules.payment_systems),
                )
            )

    if problems:
        return Decision("moderation", problems)
    return Decision("accepted", [reason("slip_matches")])
