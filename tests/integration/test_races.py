"""Decisions racing for real on PostgreSQL: threads with their own connections reach the decision at the same
instant (a barrier in the reading), so the comparison locks (promo.locks) are all that keeps two copies from
both winning. The readings are given; the photos, hashes, locks and transactions are real.
"""

import io
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, time
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection, connections
from PIL import Image

from promo import processing, submissions
from promo.intake import photo_intake
from promo.models import StatusTransition, Submission
from recognition.fiscal_qr import FiscalQr
from tests.conftest import generated_photo
from tests.factories import reading_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
Status = Submission.Status
CARD = "4821"
_local = threading.local()


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (its advisory locks are what is tested): `make test` runs it in its services pass"
        )


def reencoded(photo: bytes) -> bytes:
    buffer = io.BytesIO()
    Image.open(io.BytesIO(photo)).save(buffer, format="JPEG", quality=75)
    return buffer.getvalue()


def slip_reading(n: int):
    return reading_of(amount=Decimal(f"{100 + n}.00"), date=date(2026, 10, 1 + n % 28), time=time(9 + n % 12, n % 60),
                      card_last4=CARD, rrn=f"61230000{n:04}")  # fmt: skip


def in_threads(calls: list[Callable[[], object]]) -> list[object]:
    """Runs every call in its own thread and connection, all at once; re-raises the first failure."""

    def run(call):
        try:
            return call()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return [future.result(timeout=120) for future in [pool.submit(run, call) for call in calls]]


def fake_recognize(pixels, **options):
    """The reading the thread was given, once every thread of its group has read its photo."""
    _local.barrier.wait(timeout=60)
    return _local.reading


def process(submission_id, reading, barrier: threading.Barrier) -> Callable[[], object]:
    def call():
        _local.reading, _local.barrier = reading, barrier
        return processing.submission_process(submission_id=submission_id)

    return call


def upload(campaign, photo: bytes, contact: str, amount: Decimal) -> Callable[[], Submission]:
    return lambda: submissions.submission_create(
        campaign=campaign, contact=contact, photo=photo_intake(photo), typed_amount=amount,
        typed_card_last4=CARD, consent_version="1", channel="page",
    )  # fmt: skip


def one_decision_each(ids) -> None:
    for submission_id in ids:
        moves = list(
            StatusTransition.objects.filter(submission_id=submission_id).values_list("to_status", flat=True)
        )
        assert sum(to in (Status.ACCEPTED, Status.REJECTED, Status.MODERATION) for to in moves) == 1, moves


@pytest.mark.parametrize("copy", ["re-encoded", "photographed again"])
def test_twenty_slips_uploaded_twice_at_the_same_instant_win_once_each(campaign, copy):
    slips = [generated_photo(200 + n)[0] for n in range(20)]
    calls = []
    for n, photo in enumerate(slips):
        amount = Decimal(f"{100 + n}.00")
        # photographed again: another picture, read as the same slip
        again = reencoded(photo) if copy == "re-encoded" else generated_photo(600 + n)[0]
        calls += [
            upload(campaign, photo, f"+7999100{n:04}", amount),
            upload(campaign, again, f"+7999200{n:04}", amount),
        ]
    with mock.patch("promo.submissions.job_enqueue"):  # the threads below process them
        pairs = list(zip(*[iter(in_threads(calls))] * 2, strict=True))

    barriers = [threading.Barrier(2) for _ in pairs]
    with mock.patch("promo.processing.recognize", fake_recognize):
        in_threads(
            [process(s.pk, slip_reading(n), barriers[n]) for n, pair in enumerate(pairs) for s in pair]
        )

    outcomes = []
    for n, pair in enumerate(pairs):
        first, second = (Submission.objects.get(pk=s.pk) for s in pair)
        outcomes.append(sorted([first.status, second.status]))
        assert [first.status, second.status].count(Status.ACCEPTED) == 1, (n, first.reasons, second.reasons)
        loser = first if first.status != Status.ACCEPTED else second
        assert loser.status in (Status.REJECTED, Status.MODERATION)
        assert loser.reasons[0]["code"] in ("duplicate_photo", "duplicate_slip", "possible_duplicate_photo")
        assert str(loser.duplicate_of_id) in (str(first.pk), str(second.pk))
    one_decision_each(s.pk for pair in pairs for s in pair)


def test_twenty_fiscal_receipts_photographed_twice_at_the_same_instant_win_once_each(campaign):
    """Each pair shares only its fiscal QR's ids: other photos, other participants, and (as given) other dates,
    minutes, totals and RRNs, so no other lock key is common to the two and the fiscal key alone serialises
    them."""
    calls, readings = [], []
    for n in range(20):
        # n and n + 40 share no date (28-day cycle), minute, total or RRN
        for copy, seed in ((0, 700 + n), (40, 800 + n)):
            reading = slip_reading(n + copy)
            fiscal = FiscalQr(reading.value("date"), reading.value("time"), reading.value("amount"),
                              f"92890001{n:08}", str(1000 + n), str(3_000_000_000 + n), 1)  # fmt: skip
            readings.append(replace(reading, fiscal=fiscal))
            calls.append(
                upload(campaign, generated_photo(seed)[0], f"+79996{copy:02}{n:04}", reading.value("amount"))
            )
    with mock.patch("promo.submissions.job_enqueue"):
        uploaded = in_threads(calls)

    barriers = [threading.Barrier(2) for _ in range(20)]
    with mock.patch("promo.processing.recognize", fake_recognize):
        in_threads([process(s.pk, readings[k], barriers[k // 2]) for k, s in enumerate(uploaded)])

    for n in range(20):
        first, second = (Submission.objects.get(pk=s.pk) for s in uploaded[2 * n : 2 * n + 2])
        assert [first.status, second.status].count(Status.ACCEPTED) == 1, (n, first.reasons, second.reasons)
        loser = first if first.status != Status.ACCEPTED else second
        assert loser.reasons[0]["code"] == "duplicate_slip" and loser.duplicate_of_id in (first.pk, second.pk)
    one_decision_each(s.pk for s in uploaded)


def test_ten_slips_whose_later_copy_is_decided_first_win_once_each(campaign):
    slips = [generated_photo(300 + n)[0] for n in range(10)]
    with mock.patch("promo.submissions.job_enqueue"):
        originals = [
            upload(campaign, photo, f"+7999300{n:04}", Decimal(f"{100 + n}.00"))()
            for n, photo in enumerate(slips)
        ]
        copies = [upload(campaign, reencoded(photo), f"+7999400{n:04}", Decimal(f"{100 + n}.00"))() for n, photo in enumerate(slips)]  # fmt: skip
    barrier = threading.Barrier(10)
    with mock.patch("promo.processing.recognize", fake_recognize):
        in_threads([process(copy.pk, slip_reading(n), barrier) for n, copy in enumerate(copies)])
        in_threads([process(original.pk, slip_reading(n), barrier) for n, original in enumerate(originals)])
    for original, copy in zip(originals, copies, strict=True):
        statuses = [Submission.objects.get(pk=s.pk).status for s in (original, copy)]
        assert statuses.count(Status.ACCEPTED) == 1, statuses
    one_decision_each([s.pk for s in originals + copies])


def test_six_slips_of_one_participant_at_once_with_a_limit_of_one_a_day(campaign):
    campaign.max_accepted_per_day = 1
    campaign.save()
    with mock.patch("promo.submissions.job_enqueue"):
        uploads = [upload(campaign, generated_photo(400 + n)[0], "+79995000000", Decimal(f"{100 + n}.00"))() for n in range(6)]  # fmt: skip
    barrier = threading.Barrier(6)
    with mock.patch("promo.processing.recognize", fake_recognize):
        in_threads([process(s.pk, slip_reading(n), barrier) for n, s in enumerate(uploads)])
    statuses = [Submission.objects.get(pk=s.pk) for s in uploads]
    assert [s.status for s in statuses].count(Status.ACCEPTED) == 1, [(s.status, s.reasons) for s in statuses]
    assert {s.reasons[0]["code"] for s in statuses if s.status != Status.ACCEPTED} == {"limit_per_day"}
    one_decision_each([s.pk for s in uploads])
