"""The automatic decision: accept only what the photo proves, reject what plainly fails, ask people about the rest.

The checks (promo.checks) each say pass, fail or unsure with a reason; this module holds what they look at
(`Facts`, `CampaignRules`) and turns their results into accept / reject / moderation under the campaign's
policy. Plain values in, plain values out, so every rule is a table test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from promo.documents import DEFAULT_DOCUMENTS
from promo.reasons import reason

PASS, FAIL, UNSURE, SKIPPED = "pass", "fail", "unsure", "skipped"
Outcome = Literal["pass", "fail", "unsure", "skipped"]

# Below this a value read is not trusted enough to accept on it, even when it equals what was typed. A campaign
# may choose its own operating point (`evaluate_decisions --sweep` shows what each costs).
MIN_FIELD_CONFIDENCE = 0.6

# A reading that differs from what was typed refuses the upload only at this confidence (calibrated: the share
# of such readings that are right, recognition.calibration); below it a person decides. On real photos even a
# 0.99 reading is wrong now and then (the README's reliability table), so an honest participant's correct amount
# is refused only where the reading is as sure as the engines get; otherwise doubt goes to moderation.
REJECT_CONFIDENCE = 0.99

REJECT, MODERATE = "reject", "moderation"
# What a failed check does unless the campaign says otherwise. A confident mismatch is rejected with what was
# read, so an honest typo is fixed by the participant in seconds rather than by a moderator in hours.
DEFAULT_POLICY: dict[str, str] = {
    "not_a_slip": REJECT,
    "receipt_not_slip": REJECT,
    # Under a campaign taking receipts that show the card payment: nothing on this one shows a card.
    "receipt_without_card": REJECT,
    # A refund or return never proves a purchase.
    "refund": REJECT,
    "photo_unreadable": REJECT,
    "duplicate_photo": REJECT,
    "duplicate_slip": REJECT,
    "amount_mismatch": REJECT,
    "card_mismatch": REJECT,
    "date_before_start": REJECT,
    "date_after_end": REJECT,
    # No slip is printed after today: a date read in the future is a misread (`2017` under a red stamp read
    # `2027` by both engines, at 0.99), which a person corrects; a forger gains nothing by it.
    "date_in_future": MODERATE,
    "below_min_amount": REJECT,
    "payment_system_not_allowed": REJECT,
    "limit_per_day": REJECT,
    "limit_per_campaign": REJECT,
}
# Whatever else fails, these go to a person: a full card number on the photo must be redacted by someone.
ALWAYS_MODERATED = frozenset({"full_card_number"})


@dataclass(frozen=True)
class Candidate:
    value: Any
    confidence: float
    unsure: tuple[int, ...] = ()  # characters of the value the engines disagreed on


@dataclass(frozen=True)
class FieldRead:
    """One field as recognition read it: the best value first, then the runners-up."""

    candidates: tuple[Candidate, ...] = ()

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def value(self) -> Any:
        return self.candidates[0].value if self.candidates else None

    @property
    def confidence(self) -> float:
        return self.candidates[0].confidence if self.candidates else 0.0

    @classmethod
    def of(cls, value: Any, confidence: float = 0.95, *others: Any) -> FieldRead:
        """A reading for tests and benchmarks: a value and its confidence, then runner-up values."""
        if value is None:
            return cls()
        return cls((Candidate(value, confidence), *(Candidate(o, confidence / 3) for o in others)))


@dataclass(frozen=True)
class DuplicateMatch:
    # "fiscal" (the same fiscal QR ids), "file" (same bytes), "photo" (same picture re-encoded/cropped), "slip"
    # (same slip, new photo)
    kind: str
    submission_id: str
    evidence: dict[str, Any] = field(default_factory=dict)
    # False: only the picture hash matched, with nothing read in common (yet): a person compares the two.
    certain: bool = True


def strongest(matches: list[DuplicateMatch] | tuple[DuplicateMatch, ...]) -> DuplicateMatch | None:
    """The match a decision rests on: a certain one before a mere look-alike, otherwise the first found."""
    return min(matches, key=lambda match: not match.certain, default=None)


@dataclass(frozen=True)
class Facts:
    """Everything the checks look at for one submission."""

    typed_amount: Decimal
    typed_card_last4: str
    today: date  # in the campaign's time zone
    kind: str = "slip"
    kind_confidence: float = 1.0
    amount: FieldRead = FieldRead()
    card_last4: FieldRead = FieldRead()
    date: FieldRead = FieldRead()
    payment_system: FieldRead = FieldRead()
    photo_too_dark: bool = False
    photo_too_blurred: bool = False
    full_card_number: bool = False
    # The printed line that makes the document a refund or return (recognition.refund), "" when there is none.
    refund: str = ""
    # A printed line with a masked number the reader found no card tail in (recognition.fields.card), or "".
    masked_number: str = ""
    # A printed tip line left blank, where a tip may have been written in by hand (recognition.fields.amount).
    open_tip: str = ""
    duplicates: tuple[DuplicateMatch, ...] = ()
    accepted_today: int = 0  # this participant's accepted submissions in the campaign, today
    accepted_in_campaign: int = 0


@dataclass(frozen=True)
class CampaignRules:
    starts_on: date
    ends_on: date
    min_amount: Decimal = Decimal("0")
    payment_systems: tuple[str, ...] = ()
    min_confidence: float = MIN_FIELD_CONFIDENCE
    reject_confidence: float = REJECT_CONFIDENCE
    # The documents accepted as proof (promo.documents): slip, card_receipt, receipt.
    documents: tuple[str, ...] = DEFAULT_DOCUMENTS
    max_accepted_per_day: int | None = None
    max_accepted_per_campaign: int | None = None
    # reason code -> "reject" | "moderation", over DEFAULT_POLICY
    policy: tuple[tuple[str, str], ...] = ()

    def on_failure(self, code: str) -> str:
        return dict(self.policy).get(code) or DEFAULT_POLICY.get(code, MODERATE)


@dataclass(frozen=True)
class CheckResult:
    check: str
    outcome: Outcome
    code: str = ""  # the reason code, for a failure or a doubt
    details: dict[str, Any] = field(default_factory=dict)  # what the participant's message needs
    evidence: dict[str, Any] = field(default_factory=dict)  # what the moderator needs

    def as_reason(self) -> dict[str, Any]:
        return reason(self.code, **self.details)

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "outcome": self.outcome,
            "code": self.code,
            "details": {key: str(value) for key, value in self.details.items()},
            "evidence": {key: _jsonable(value) for key, value in self.evidence.items()},
        }


@dataclass(frozen=True)
class Decision:
    status: str  # "accepted" | "rejected" | "moderation"
    reasons: list[dict[str, Any]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)


def decide(results: list[CheckResult], rules: CampaignRules) -> Decision:
    """Accept when every check passed; reject on a failure the campaign rejects; otherwise ask a person."""
    checks = [result.as_dict() for result in results]
    failed = [r for r in results if r.outcome == FAIL]
    unsure = [r for r in results if r.outcome == UNSURE]
    held = [r for r in failed + unsure if r.code in ALWAYS_MODERATED]
    rejecting = [r for r in failed if rules.on_failure(r.code) == REJECT]
    if held:
        others = [r for r in failed + unsure if r not in held]
        return Decision("moderation", [r.as_reason() for r in held + others], checks)
    if rejecting:
        return Decision("rejected", [r.as_reason() for r in rejecting], checks)
    if failed or unsure:
        return Decision("moderation", [r.as_reason() for r in failed + unsure], checks)
    return Decision("accepted", [reason("slip_matches")], checks)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value
