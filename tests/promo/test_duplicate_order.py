"""Of two copies of one slip exactly one can win, whichever is decided first (promo.duplicates, promo.locks).

The readings are given (what recognition would say), the photos and their hashes are real: what is tested is
what the decision does with other submissions in every order and state.
"""

import io
import itertools
import random
from dataclasses import replace
from datetime import date, time
from decimal import Decimal
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from promo import processing, submissions
from promo.duplicates import (
    PHASH_MAX_DISTANCE,
    comparison_keys,
    fingerprint_match,
    hamming,
    hash_columns,
    photo_hash,
)
from promo.intake import photo_intake
from promo.models import Recognition, Submission
from recognition.fiscal_qr import FiscalQr
from recognition.images import load_photo
from tests.conftest import generated_photo
from tests.factories import reading_of

Status = Submission.Status
pytestmark = pytest.mark.django_db

AMOUNT, CARD = Decimal("1234.50"), "4821"


def reencoded(photo: bytes, quality: int = 70) -> bytes:
    buffer = io.BytesIO()
    Image.open(io.BytesIO(photo)).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def slip_reading(day: int = 21, minute: int = 7, **changes):
    values = dict(
        amount=AMOUNT,
        date=date(2026, 10, day),
        time=time(12, minute),
        card_last4=CARD,
        rrn=f"6123{day:02}{minute:06}",
    )
    return reading_of(**(values | changes))  # fmt: skip


def receipt_reading(fn: str = "7380440700000000", **changes):
    """A reading whose photo had a fiscal QR: its date, time and total are the fields' values, as recognize()
    makes them. The kind stays "slip": which documents a campaign takes is not what is tested here."""
    reading = slip_reading(**changes)
    qr = FiscalQr(reading.value("date"), reading.value("time"), AMOUNT, fn, "12345", "1234567890", 1)
    return replace(reading, fiscal=qr)


def upload(campaign, photo: bytes, contact: str, amount: Decimal = AMOUNT) -> Submission:
    return submissions.submission_create(
        campaign=campaign, contact=contact, photo=photo_intake(photo), typed_amount=amount,
        typed_card_last4=CARD, consent_version="1", channel="page",
    )  # fmt: skip


def decide(submission: Submission, reading) -> Submission:
    with mock.patch("promo.processing.recognize", return_value=reading):
        processing.submission_process(submission_id=submission.pk)
    submission.refresh_from_db()
    return submission


@pytest.mark.parametrize("later_first", [False, True], ids=["in upload order", "later copy decided first"])
@pytest.mark.parametrize("copy", ["same file", "re-encoded", "another photo of the slip"])
def test_of_two_copies_exactly_one_wins_in_either_order(campaign, copy, later_first):
    photo = generated_photo(21)[0]
    copied = {
        "same file": photo,
        "re-encoded": reencoded(photo),
        "another photo of the slip": generated_photo(22)[0],
    }
    original = upload(campaign, photo, "+79990000001")
    duplicate = upload(campaign, copied[copy], "+79990000002")
    order = [duplicate, original] if later_first else [original, duplicate]
    for submission in order:
        decide(submission, slip_reading())
    statuses = sorted(Submission.objects.filter(campaign=campaign).values_list("status", flat=True))
    first, second = (Submission.objects.get(pk=s.pk) for s in order)
    assert statuses.count(Status.ACCEPTED) == 1, [(s.status, s.reasons) for s in (first, second)]
    loser = first if first.status != Status.ACCEPTED else second
    winner = second if loser is first else first
    assert loser.duplicate_of_id == winner.pk
    assert loser.reasons[0]["code"] in ("duplicate_photo", "duplicate_slip", "possible_duplicate_photo")


@pytest.mark.parametrize("later_first", [False, True], ids=["in upload order", "later copy decided first"])
def test_of_two_photos_of_one_fiscal_receipt_exactly_one_wins_whatever_else_was_read(campaign, later_first):
    """Another photo, the RRN and auth code read differently (confidently): the slip fingerprint says two
    purchases, the fiscal QR says one receipt, and the QR decides."""
    original = upload(campaign, generated_photo(50)[0], "+79990000001")
    copy = upload(campaign, generated_photo(51)[0], "+79990000002")
    readings = {
        original.pk: receipt_reading(),
        copy.pk: receipt_reading(rrn="999999999999", auth_code="9Z7C21"),
    }
    order = [copy, original] if later_first else [original, copy]
    for submission in order:
        decide(submission, readings[submission.pk])
    first, second = (Submission.objects.get(pk=s.pk) for s in order)
    assert [first.status, second.status] == [Status.ACCEPTED, Status.REJECTED], second.reasons
    assert second.duplicate_of_id == first.pk and "duplicate_slip" in [r["code"] for r in second.reasons]
    stored = Recognition.objects.get(submission=first)
    assert (stored.fiscal_fn, stored.fiscal_i, stored.fiscal_fp, stored.fiscal_operation) == (
        "7380440700000000", "12345", "1234567890", 1,
    )  # fmt: skip
    check = next(c for c in second.checks if c["check"] == "same_slip")
    assert check["evidence"] == {
        "other": str(first.pk),
        "how": "fiscal",
        "fiscal": "7380440700000000:12345:1234567890",
    }


def test_two_fiscal_receipts_that_read_alike_are_two_purchases(campaign):
    """The same shop, day, minute, total and card: a slip fingerprint would call it one purchase; their QRs
    name two receipts."""
    first = decide(upload(campaign, generated_photo(52)[0], "+79990000001"), receipt_reading(rrn=None))
    second = decide(
        upload(campaign, generated_photo(53)[0], "+79990000002"),
        receipt_reading("7380440700000001", rrn=None),
    )
    assert (first.status, second.status) == (Status.ACCEPTED, Status.ACCEPTED), second.reasons
    assert second.duplicate_of_id is None
    # Without the QRs, the same two readings are one slip uploaded twice.
    third = decide(upload(campaign, generated_photo(54)[0], "+79990000003"), slip_reading(rrn=None))
    assert third.status == Status.REJECTED and third.duplicate_of_id == first.pk


def test_a_copy_held_for_a_person_does_not_make_its_original_a_duplicate(campaign):
    """The later copy, decided while the original is still in flight with only its picture hash known, goes to a
    person; the original, decided next, is not held against its own copy."""
    photo = generated_photo(23)[0]
    original = upload(campaign, photo, "+79990000001")
    copy = upload(campaign, reencoded(photo), "+79990000002")
    Submission.objects.filter(pk=original.pk).update(**hash_columns(photo_hash(load_photo(photo))))
    copy = decide(copy, slip_reading())
    assert copy.status == Status.MODERATION and copy.reasons[0]["code"] == "possible_duplicate_photo"
    assert copy.duplicate_of_id == original.pk
    check = next(c for c in copy.checks if c["check"] == "same_photo")
    assert check["outcome"] == "unsure" and check["evidence"]["other"] == str(original.pk)
    assert decide(original, slip_reading()).status == Status.ACCEPTED


def test_a_picture_hash_match_with_nothing_read_in_common_asks_a_person(campaign):
    photo = generated_photo(24)[0]
    first = decide(upload(campaign, photo, "+79990000001"), slip_reading())
    assert first.status == Status.ACCEPTED
    # The same picture, re-encoded, but nothing could be read on it: not proof of a copy, not proof of anything.
    copy = decide(
        upload(campaign, reencoded(photo), "+79990000002"), reading_of(amount=AMOUNT, card_last4=CARD)
    )
    assert copy.status == Status.MODERATION
    assert "possible_duplicate_photo" in [r["code"] for r in copy.reasons]
    # Two slips of one shop photographed alike, read confidently different: neither a copy nor a doubt.
    other = decide(upload(campaign, reencoded(photo, 60), "+79990000003"), slip_reading(day=22, minute=41, amount=Decimal("99.00"), card_last4="1111"))  # fmt: skip
    assert "possible_duplicate_photo" not in [r["code"] for r in other.reasons]
    assert other.duplicate_of_id is None


def test_the_same_slip_is_found_in_its_campaign_only_and_however_many_look_alike(campaign):
    from tests.factories import CampaignFactory

    elsewhere = CampaignFactory(starts_on=campaign.starts_on, ends_on=campaign.ends_on)
    accepted_elsewhere = decide(upload(elsewhere, generated_photo(25)[0], "+79990000009"), slip_reading())
    assert accepted_elsewhere.status == Status.ACCEPTED
    # Sixty slips of the same day and amount, other minutes, cards and RRNs, decided before the copy arrives:
    # the old probe looked at the oldest 50 only.
    for n in range(60):
        submission = upload(campaign, generated_photo(25)[0] + bytes([n]), f"+7999111{n:04}")
        reading = slip_reading(minute=(n % 50) + 8, card_last4=f"{n:04}")
        Recognition.objects.create(
            **{**_columns(reading), "submission": submission, "campaign_id": campaign.pk}
        )
        Submission.objects.filter(pk=submission.pk).update(status=Status.ACCEPTED)
    target = slip_reading(minute=58, rrn="612321000099")
    original = upload(campaign, generated_photo(26)[0], "+79990000010")
    Recognition.objects.create(**{**_columns(target), "submission": original, "campaign_id": campaign.pk})
    Submission.objects.filter(pk=original.pk).update(status=Status.ACCEPTED)
    copy = decide(upload(campaign, generated_photo(27)[0], "+79990000011"), target)
    assert copy.status == Status.REJECTED and copy.duplicate_of_id == original.pk
    assert copy.reasons[0]["code"] == "duplicate_slip"
    fresh = decide(upload(campaign, generated_photo(28)[0], "+79990000012"), slip_reading(day=3))
    assert fresh.status == Status.ACCEPTED  # the slip accepted in the other campaign does not count here


def _columns(reading) -> dict:
    from promo.decisions import recognition_of

    recognition = recognition_of(submission=Submission(campaign_id=0), reading=reading)
    return {f.attname: getattr(recognition, f.attname) for f in Recognition._meta.concrete_fields if f.attname not in ("id", "submission_id", "campaign_id", "created_at")}  # fmt: skip


def test_the_participant_limit_holds_whatever_the_order(campaign):
    campaign.max_accepted_per_day = 1
    campaign.save()
    uploads = [upload(campaign, generated_photo(30 + n)[0], "+79990000001") for n in range(3)]
    for n, submission in enumerate(reversed(uploads)):
        decide(submission, slip_reading(day=10 + n))
    statuses = [s.status for s in Submission.objects.filter(campaign=campaign)]
    assert statuses.count(Status.ACCEPTED) == 1


# --- the lock keys: two submissions that could match always share one ------------------------------------------

hashes = st.integers(min_value=0, max_value=2**64 - 1)


@given(hashes, st.lists(st.integers(min_value=0, max_value=63), max_size=PHASH_MAX_DISTANCE, unique=True))
def test_two_photo_hashes_within_the_threshold_share_a_lock_key(value, flipped):
    other = value
    for bit in flipped:
        other ^= 1 << bit
    assert hamming(value, other) <= PHASH_MAX_DISTANCE
    assert set(_photo_keys(value)) & set(_photo_keys(other))


def _photo_keys(value: int) -> list[str]:
    submission = Submission(campaign_id=1, participant_id=random.randint(1, 10**9), photo_sha256=f"{random.random()}", **hash_columns(value))  # fmt: skip
    recognition = Recognition(fields={})
    return [key for key in comparison_keys(submission, recognition) if ":band" in key]


values = st.fixed_dictionaries(
    {
        "date": st.sampled_from([None, date(2026, 10, 1), date(2026, 10, 2)]),
        "time": st.sampled_from([None, time(10, 0), time(10, 0, 30), time(10, 1)]),
        "amount": st.sampled_from([None, Decimal("10.00"), Decimal("10.50")]),
        "card_last4": st.sampled_from([None, "1234", "4321"]),
        "rrn": st.sampled_from([None, "612300000001", "612300000002"]),
        "auth_code": st.sampled_from([None, "A1B2C3"]),
        "fiscal": st.sampled_from(
            [None, ("9289000100249766", "41818", "2698113451"), ("9289000100249766", "41819", "3698113452")]
        ),
    }
)


@given(values, values, st.sets(st.sampled_from(["date", "time", "amount", "card_last4", "rrn", "auth_code"])))
def test_two_readings_of_one_slip_share_a_lock_key(mine, theirs, unsure):
    for first, second in itertools.permutations((mine, theirs)):
        compared = {**first, "fiscal": _key(first)}, {**second, "fiscal": _key(second)}
        if _probe_finds(first, second) and fingerprint_match(*compared, unsure):
            assert set(_slip_keys(first)) & set(_slip_keys(second)), (first, second)


@given(values, values)
def test_two_readings_of_one_fiscal_receipt_share_a_lock_key_whatever_else_was_read(mine, theirs):
    theirs = {**theirs, "fiscal": mine["fiscal"]}
    shared = set(_slip_keys(mine)) & set(_slip_keys(theirs))
    if mine["fiscal"] is None:
        assert not any(":fiscal:" in key for key in shared)
    else:
        assert "c1:fiscal:" + ":".join(mine["fiscal"]) in shared


def _key(values: dict) -> str | None:
    return ":".join(values["fiscal"]) if values["fiscal"] else None


def _probe_finds(first: dict, second: dict) -> bool:
    """What promo.duplicates looks a reading up by: the same date with the same amount or minute, the RRN, or
    the fiscal QR's ids."""
    minute = lambda value: value and value.replace(second=0)  # noqa: E731
    same_day = first["date"] is not None and first["date"] == second["date"]
    return (
        (same_day and first["amount"] is not None and first["amount"] == second["amount"])
        or (same_day and first["time"] is not None and minute(first["time"]) == minute(second["time"]))
        or (bool(first["rrn"]) and first["rrn"] == second["rrn"])
        or (bool(first["fiscal"]) and first["fiscal"] == second["fiscal"])
    )


def _slip_keys(values: dict) -> list[str]:
    fn, i, fp = values["fiscal"] or ("", "", "")
    recognition = Recognition(
        amount=values["amount"], date=values["date"], time=values["time"], card_last4=values["card_last4"] or "",
        rrn=values["rrn"] or "", auth_code=values["auth_code"] or "", fiscal_fn=fn, fiscal_i=i, fiscal_fp=fp,
        fields={},
    )  # fmt: skip
    submission = Submission(
        campaign_id=1, participant_id=random.randint(1, 10**9), photo_sha256=f"{random.random()}"
    )
    return [
        key
        for key in comparison_keys(submission, recognition)
        if ":slip:" in key or ":rrn:" in key or ":fiscal:" in key
    ]


def test_the_copy_points_at_the_certain_match_over_a_look_alike(campaign):
    photo = generated_photo(40)[0]
    look_alike = upload(campaign, photo, "+79990000001")  # still being read: only its picture hash is known
    Submission.objects.filter(pk=look_alike.pk).update(**hash_columns(photo_hash(load_photo(photo))))
    original = decide(upload(campaign, generated_photo(41)[0], "+79990000002"), slip_reading())
    assert original.status == Status.ACCEPTED
    copy = decide(upload(campaign, reencoded(photo), "+79990000003"), slip_reading())
    assert copy.status == Status.REJECTED and copy.reasons[0]["code"] == "duplicate_slip"
    assert copy.duplicate_of_id == original.pk
