"""Measuring the decision's two errors: honest submissions it fails to accept, dishonest ones it accepts.

From a labelled folder (docs/eval-format.md) it builds what participants would send: honest submissions (typed =
truth) and dishonest ones (an amount off by one digit, 6<->8 swapped on purpose, a wrong card tail, a slip
printed outside the period, re-encoded and cropped copies of earlier slips, receipts and non-documents). The
variants and the figures are pure functions here; `manage.py evaluate_decisions` runs the submissions through
the real service.
"""

from __future__ import annotations

import io
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from PIL import Image, ImageOps

from promo.documents import CARD_RECEIPT, SLIP
from promo.documents import RECEIPT as RECEIPT_DOCUMENT
from promo.intake import MIN_SIDE

HONEST = "honest"
# Dishonest variants of a slip's typed values, of its period and of its photo.
AMOUNT_DIGIT, SIX_EIGHT, WRONG_CARD, OUTSIDE_PERIOD = (
    "amount_digit",
    "six_eight",
    "wrong_card",
    "outside_period",
)
REENCODED, CROPPED = "copy_reencoded", "copy_cropped"
RECEIPT, OTHER = "receipt", "other"
DUPLICATE_VARIANTS = (REENCODED, CROPPED)


@dataclass(frozen=True)
class Scenario:
    """One submission to make: which labelled image, what is typed, and what it is."""

    image: str
    variant: str
    typed_amount: Decimal
    typed_card_last4: str
    transform: str = ""  # "", REENCODED or CROPPED: the photo sent is a copy of the labelled one
    outside_period: bool = False
    kind: str = "slip"  # the labelled document: slip or receipt

    @property
    def honest(self) -> bool:
        return self.variant == HONEST


def change_one_digit(text: str, rng: random.Random, avoid: frozenset[frozenset[str]] = frozenset()) -> str:
    """`text` with one digit changed to another digit (never to a pair in `avoid`)."""
    positions = [i for i, ch in enumerate(text) if ch.isdigit()]
    position = rng.choice(positions)
    old = text[position]
    choices = [d for d in "0123456789" if d != old and frozenset((d, old)) not in avoid]
    if position == 0:
        choices = [d for d in choices if d != "0"]
    return text[:position] + rng.choice(choices) + text[position + 1 :]


def swap_six_eight(amount: Decimal, rng: random.Random) -> Decimal | None:
    """The amount with one 6 written as 8 or one 8 as 6, or None when it has neither."""
    text = f"{amount:.2f}"
    positions = [i for i, ch in enumerate(text) if ch in "68"]
    if not positions:
        return None
    position = rng.choice(positions)
    return Decimal(text[:position] + {"6": "8", "8": "6"}[text[position]] + text[position + 1 :])


def scenarios_for(
    label: dict[str, Any], rng: random.Random, documents: tuple[str, ...] = (SLIP,)
) -> list[Scenario]:
    """Every submission built from one labelled image, for a campaign accepting `documents`: a receipt the
    campaign accepts (any receipt, or one printing the card where card receipts are) is honest and gets the
    dishonest variants a slip gets (the wrong card only where the card is demanded); one it does not accept is
    sent once, as a receipt."""
    image, kind = label["image"], label.get("kind")
    amount = Decimal(str(label["amount"])) if label.get("amount") is not None else Decimal("100.00")
    card = label.get("card_last4") or f"{rng.randrange(10000):04d}"
    any_receipt = RECEIPT_DOCUMENT in documents
    if kind == "receipt" and not (any_receipt or (CARD_RECEIPT in documents and label.get("card_last4"))):
        return [Scenario(image, RECEIPT, amount, card, kind="receipt")]
    if kind == "other":
        return [
            Scenario(
                image,
                OTHER,
                Decimal(f"{rng.randint(100, 5000)}.00"),
                f"{rng.randrange(10000):04d}",
                kind="other",
            )
        ]
    card_demanded = kind == "slip" or not any_receipt
    needed = ("amount", "date", "card_last4") if card_demanded else ("amount", "date")
    if kind not in ("slip", "receipt") or any(label.get(name) in (None, "") for name in needed):
        return []
    # The photo's own dishonest variants first: the command rolls each back, then keeps the honest one, which
    # the copies after it must be caught against.
    out = []
    digit_changed = change_one_digit(f"{amount:.2f}", rng, avoid=frozenset({frozenset("68")}))
    out.append(Scenario(image, AMOUNT_DIGIT, Decimal(digit_changed), card, kind=kind))
    swapped = swap_six_eight(amount, rng)
    if swapped is not None:
        out.append(Scenario(image, SIX_EIGHT, swapped, card, kind=kind))
    if card_demanded:
        out.append(Scenario(image, WRONG_CARD, amount, change_one_digit(card, rng), kind=kind))
    out.append(Scenario(image, OUTSIDE_PERIOD, amount, card, outside_period=True, kind=kind))
    out.append(Scenario(image, HONEST, amount, card, kind=kind))
    out += [
        Scenario(image, variant, amount, card, transform=variant, kind=kind) for variant in DUPLICATE_VARIANTS
    ]
    return out


def outside_period_of(day: date) -> tuple[date, date]:
    """A campaign period that ended the day before the slip was printed."""
    return day - timedelta(days=60), day - timedelta(days=1)


def copy_photo(photo: bytes, transform: str, rng: random.Random) -> bytes:
    """The photo as it comes back from someone who copied it: re-encoded by a messenger (smaller, recompressed),
    or cropped a little at each side and recompressed."""
    with Image.open(io.BytesIO(photo)) as opened:
        image = ImageOps.exif_transpose(opened).convert("RGB")
    width, height = image.size
    if transform == REENCODED:
        # Never below the smallest photo intake takes: a messenger does not shrink an already small photo.
        scale = max(rng.uniform(0.55, 0.85), min(1.0, MIN_SIDE / min(width, height)))
        image = image.resize((round(width * scale), round(height * scale)), Image.Resampling.LANCZOS)
        quality = rng.randint(55, 75)
    elif transform == CROPPED:
        left, top, right, bottom = (rng.uniform(0.01, 0.04) for _ in range(4))
        image = image.crop(
            (
                round(width * left),
                round(height * top),
                round(width * (1 - right)),
                round(height * (1 - bottom)),
            )
        )
        quality = rng.randint(70, 90)
    else:
        raise ValueError(f"unknown transform: {transform}")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


@dataclass
class Outcome:
    scenario: Scenario
    status: str
    codes: list[str]
    facts: Any = None  # (promo.decision.Facts, CampaignRules) the checks saw, kept for the sweep
    not_passed: list[str] = field(
        default_factory=list
    )  # "check:outcome" of the checks that failed or doubted

    @property
    def legible(self) -> bool:
        """Not too dark or blurred to read, as recognition measured the photo (the honest figures count these)."""
        if self.facts is None:
            return True
        facts = self.facts[0]
        return not (facts.photo_too_dark or facts.photo_too_blurred)


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        honest = [o for o in self.outcomes if o.scenario.honest and o.legible]
        dishonest = [o for o in self.outcomes if not o.scenario.honest]
        copies = [o for o in dishonest if o.scenario.variant in DUPLICATE_VARIANTS]
        by_variant: dict[str, Counter[str]] = defaultdict(Counter)
        for outcome in self.outcomes:
            by_variant[outcome.scenario.variant][outcome.status] += 1
        moderation_reasons = Counter(
            code for o in self.outcomes if o.status == "moderation" for code in o.codes
        )
        honest_not_accepted = Counter(
            f"{o.status}: {code}" for o in honest if o.status != "accepted" for code in o.codes
        )
        false_accepts = [o for o in dishonest if o.status == "accepted"]
        honest_by_kind: dict[str, Counter[str]] = defaultdict(Counter)
        for outcome in honest:
            honest_by_kind[outcome.scenario.kind][outcome.status] += 1
        return {
            "submissions": len(self.outcomes),
            "honest": len(honest),
            "honest_illegible": sum(o.scenario.honest and not o.legible for o in self.outcomes),
            "dishonest": len(dishonest),
            "false_accepts": len(false_accepts),
            "false_accept_rate": _share(len(false_accepts), len(dishonest)),
            "honest_accepted": _share(sum(o.status == "accepted" for o in honest), len(honest)),
            "honest_moderation": _share(sum(o.status == "moderation" for o in honest), len(honest)),
            "honest_rejected": _share(sum(o.status == "rejected" for o in honest), len(honest)),
            "honest_as_duplicate": sum(
                any(code.startswith("duplicate_") for code in o.codes) for o in honest
            ),
            "copies": len(copies),
            "copies_caught": _share(
                sum(
                    o.status != "accepted" and any(c.startswith("duplicate_") for c in o.codes)
                    for o in copies
                ),
                len(copies),
            ),
            "moderation_share": _share(
                sum(o.status == "moderation" for o in self.outcomes), len(self.outcomes)
            ),
            "by_variant": {variant: dict(counts) for variant, counts in sorted(by_variant.items())},
            "honest_by_kind": {kind: dict(counts) for kind, counts in sorted(honest_by_kind.items())},
            "moderation_reasons": dict(moderation_reasons.most_common()),
            "honest_not_accepted": dict(honest_not_accepted.most_common()),
            "false_accept_examples": [
                {
                    "image": o.scenario.image,
                    "variant": o.scenario.variant,
                    "typed": str(o.scenario.typed_amount),
                }
                for o in false_accepts[:20]
            ],
        }


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def render_figures(figures: dict[str, Any]) -> str:
    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value:.1%}"

    lines = [
        f"submissions: {figures['submissions']} ({figures['honest']} honest legible slips, {figures['dishonest']} "
        f"dishonest; {figures['honest_illegible']} honest slips too dark or blurred, not counted)",
        f"false-accept rate:            {pct(figures['false_accept_rate'])} "
        f"({figures['false_accepts']}/{figures['dishonest']} dishonest accepted)   target <= 0.5%",
        f"honest slips auto-accepted:   {pct(figures['honest_accepted'])}   target >= 92%",
        f"honest slips to moderation:   {pct(figures['honest_moderation'])}",
        f"honest slips rejected:        {pct(figures['honest_rejected'])}",
        f"copies caught as duplicates:  {pct(figures['copies_caught'])} of {figures['copies']}   target >= 99%",
        f"honest slips taken for a duplicate of another: {figures['honest_as_duplicate']}   target 0",
        f"all submissions to moderation: {pct(figures['moderation_share'])}",
        "",
        "outcome per variant                accepted  moderation  rejected",
    ]
    for variant, counts in figures["by_variant"].items():
        lines.append(
            f"  {variant:<32} {counts.get('accepted', 0):>8}  {counts.get('moderation', 0):>10}  "
            f"{counts.get('rejected', 0):>8}"
        )
    lines += ["", "honest legible, per document          accepted  moderation  rejected"]
    for kind, counts in figures["honest_by_kind"].items():
        lines.append(
            f"  {kind:<32} {counts.get('accepted', 0):>8}  {counts.get('moderation', 0):>10}  "
            f"{counts.get('rejected', 0):>8}"
        )
    lines += ["", "moderation, per reason (all submissions)"]
    lines += [f"  {code:<32} {count}" for code, count in figures["moderation_reasons"].items()] or ["  none"]
    lines += ["", "honest slips not accepted, per outcome and reason"]
    lines += [f"  {code:<44} {count}" for code, count in figures["honest_not_accepted"].items()] or ["  none"]
    if figures["false_accept_examples"]:
        lines += ["", "false accepts"]
        lines += [
            f"  {e['image']} {e['variant']} typed {e['typed']}" for e in figures["false_accept_examples"]
        ]
    return "\n".join(lines)
