import io
import random
from datetime import date
from decimal import Decimal

from PIL import Image

from evaluation.decision_scenarios import (
    CROPPED,
    HONEST,
    REENCODED,
    Outcome,
    Report,
    Scenario,
    change_one_digit,
    copy_photo,
    outside_period_of,
    scenarios_for,
    swap_six_eight,
)
from promo.intake import MIN_SIDE
from tests.factories import jpeg_bytes

SLIP = {
    "image": "slip_0001.jpg",
    "kind": "slip",
    "amount": 1686.5,
    "card_last4": "4821",
    "date": "2026-10-05",
}


def test_dishonest_variants_differ_from_the_truth_as_described():
    rng = random.Random(1)
    for _ in range(200):
        changed = change_one_digit("1686.50", rng, avoid=frozenset({frozenset("68")}))
        differing = [(a, b) for a, b in zip("1686.50", changed, strict=True) if a != b]
        assert len(differing) == 1 and frozenset(differing[0]) != frozenset("68") and changed[0] != "0"
    assert swap_six_eight(Decimal("1686.50"), random.Random(2)) in {
        Decimal("1886.50"),
        Decimal("1666.50"),
        Decimal("1688.50"),
    }
    assert swap_six_eight(Decimal("1234.50"), rng) is None
    assert outside_period_of(date(2026, 10, 5))[1] == date(2026, 10, 4)


def test_a_slip_gives_its_variants_before_the_honest_upload_and_the_copies_after():
    variants = [s.variant for s in scenarios_for(SLIP, random.Random(3))]
    assert variants == [
        "amount_digit",
        "six_eight",
        "wrong_card",
        "outside_period",
        HONEST,
        REENCODED,
        CROPPED,
    ]
    assert [
        s.variant for s in scenarios_for({"image": "r.jpg", "kind": "receipt", "amount": 5}, random.Random(3))
    ] == ["receipt"]
    assert scenarios_for({"image": "s.jpg", "kind": "slip"}, random.Random(3)) == []  # unlabelled: not usable


def test_copies_are_new_files_of_the_same_picture():
    photo = jpeg_bytes(400, 600, "white")
    for transform in (REENCODED, CROPPED):
        copy = copy_photo(photo, transform, random.Random(4))
        assert copy != photo
        width, height = Image.open(io.BytesIO(copy)).size
        assert width < 400 and height < 600


def test_a_copy_of_a_small_photo_stays_large_enough_for_intake():
    """Real phone photos of 300x400 (srd-dev) shrunk by a messenger's 0.55 would be refused before any check."""
    small = jpeg_bytes(300, 400, "white")
    for seed in range(20):
        width, height = Image.open(io.BytesIO(copy_photo(small, REENCODED, random.Random(seed)))).size
        assert min(width, height) >= MIN_SIDE
    width, _ = Image.open(io.BytesIO(copy_photo(jpeg_bytes(1000, 1500), REENCODED, random.Random(1)))).size
    assert width < 850  # a large photo is still shrunk


def test_figures_count_false_accepts_and_caught_copies():
    def outcome(variant, status, codes=()):
        return Outcome(
            Scenario(
                "x.jpg",
                variant,
                Decimal("1"),
                "1234",
                transform=variant if variant in (REENCODED, CROPPED) else "",
            ),
            status,
            list(codes),
        )

    figures = Report([
        outcome(HONEST, "accepted"), outcome(HONEST, "moderation", ["low_confidence"]),
        outcome("amount_digit", "rejected", ["amount_mismatch"]), outcome("wrong_card", "accepted"),
        outcome(REENCODED, "rejected", ["duplicate_photo"]), outcome(CROPPED, "accepted"),
    ]).figures()  # fmt: skip
    assert figures["false_accepts"] == 2 and figures["false_accept_rate"] == 0.5
    assert figures["honest_accepted"] == 0.5 and figures["copies_caught"] == 0.5
    assert figures["moderation_reasons"] == {"low_confidence": 1}


CARD_RECEIPT = {
    "image": "r1.jpg",
    "kind": "receipt",
    "amount": 14.85,
    "date": "2026-10-05",
    "card_last4": "9529",
}
CASH_RECEIPT = {"image": "r2.jpg", "kind": "receipt", "amount": 22.87, "date": "2026-10-05"}


def variants(label, documents) -> list[str]:
    return [s.variant for s in scenarios_for(label, random.Random(3), documents)]


def test_receipts_are_honest_where_the_campaign_accepts_them():
    # Slips only: every receipt is the wrong document.
    assert variants(CARD_RECEIPT, ("slip",)) == variants(CASH_RECEIPT, ("slip",)) == ["receipt"]
    # Receipts showing the card: the one printing the card gets every variant a slip gets; the cash one is wrong.
    assert variants(CARD_RECEIPT, ("slip", "card_receipt")) == variants(SLIP, ("slip",))
    assert variants(CASH_RECEIPT, ("slip", "card_receipt")) == ["receipt"]
    # Any receipt: both are honest, and the card is not a condition, so no wrong-card variant.
    for label in (CARD_RECEIPT, CASH_RECEIPT):
        assert "wrong_card" not in variants(label, ("slip", "card_receipt", "receipt"))
        assert HONEST in variants(label, ("slip", "card_receipt", "receipt"))
    honest = next(s for s in scenarios_for(CARD_RECEIPT, random.Random(3), ("card_receipt",)) if s.honest)
    assert (honest.kind, honest.typed_amount, honest.typed_card_last4) == (
        "receipt",
        Decimal("14.85"),
        "9529",
    )
    # A slip without a card label cannot be checked, whatever the campaign takes.
    assert scenarios_for({**SLIP, "card_last4": None}, random.Random(3), ("slip", "receipt")) == []


def test_figures_count_honest_submissions_per_document():
    def outcome(kind, status):
        return Outcome(Scenario("x.jpg", HONEST, Decimal("1"), "1234", kind=kind), status, [])

    figures = Report(
        [outcome("slip", "accepted"), outcome("receipt", "accepted"), outcome("receipt", "moderation")]
    ).figures()
    assert figures["honest_by_kind"] == {"receipt": {"accepted": 1, "moderation": 1}, "slip": {"accepted": 1}}
