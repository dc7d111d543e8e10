import hashlib
import io
import random
from dataclasses import replace
from datetime import date, time
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from PIL import Image

from evaluation.decision_scenarios import CROPPED, REENCODED, copy_photo
from evaluation.synthetic import photograph, random_truth, render_document
from promo import processing, submissions
from promo.duplicates import (
    PHASH_MAX_DISTANCE,
    band_neighbours,
    fingerprint_match,
    hamming,
    hash_columns,
    photo_hash,
    similar_photos,
    to_signed,
    to_unsigned,
)
from promo.intake import photo_intake
from promo.models import Recognition, Submission
from recognition.cards import redact_lines, redact_photo
from recognition.images import load_photo
from recognition.pipeline import recognize
from tests.conftest import PERIOD, generated_photo
from tests.factories import CampaignFactory, RecognitionFactory, SubmissionFactory

Status = Submission.Status


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def test_band_probes_and_hamming():
    assert len(band_neighbours(0x00FF, radius=1)) == 17
    assert len(set(band_neighbours(0x00FF, radius=2))) == 1 + 16 + 120
    value = (1 << 63) | 0b1011
    assert to_unsigned(to_signed(value)) == value and to_signed(value) < 0
    assert hamming(to_signed(value), value ^ 0b111) == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("flipped", "found"), [(0, True), (3, True), (PHASH_MAX_DISTANCE, True), (PHASH_MAX_DISTANCE + 2, False)]
)
def test_the_band_index_finds_hashes_within_the_threshold(flipped, found):
    rng = random.Random(flipped)
    campaign = CampaignFactory()
    stored = [rng.getrandbits(64) for _ in range(50)]
    rows = [SubmissionFactory(campaign=campaign, **hash_columns(value)) for value in stored]
    query = stored[7]
    for bit in rng.sample(range(64), flipped):
        query ^= 1 << bit
    matches = dict(similar_photos(campaign.pk, query))
    assert (rows[7].pk in matches) is found
    assert all(distance <= PHASH_MAX_DISTANCE for distance in matches.values())
    assert not dict(similar_photos(CampaignFactory().pk, query)), (
        "another campaign's photos are not looked at"
    )


def test_a_reencoded_or_resized_copy_hashes_close_and_another_slip_does_not():
    photo = generated_photo(11, "slip", "ru")[0]
    original = photo_hash(photo)
    image = Image.open(io.BytesIO(photo))
    assert hamming(original, photo_hash(jpeg(image, quality=55))) <= PHASH_MAX_DISTANCE
    half = image.resize((image.width // 2, image.height // 2))
    assert hamming(original, photo_hash(jpeg(half, quality=70))) <= PHASH_MAX_DISTANCE
    assert hamming(original, photo_hash(generated_photo(12, "slip", "ru")[0])) > PHASH_MAX_DISTANCE


SLIP = {"date": date(2026, 10, 5), "time": time(14, 32), "amount": Decimal("1234.50"), "card_last4": "4821",
        "rrn": "123456789012", "auth_code": "4A7B21"}  # fmt: skip
NO_IDS = {**SLIP, "rrn": None, "auth_code": None}


@pytest.mark.parametrize(
    ("theirs", "unsure", "same"),
    [
        (SLIP, set(), True),
        (NO_IDS, set(), True),
        ({**SLIP, "card_last4": None}, set(), True),  # one field unread on one photo
        ({**SLIP, "amount": Decimal("1284.50")}, {"amount"}, True),  # one field unsure
        ({**NO_IDS, "amount": Decimal("1284.50")}, set(), False),  # a confident difference: two purchases
        ({**NO_IDS, "card_last4": None, "time": None}, set(), False),  # two fields missing: too little
        ({**SLIP, "amount": Decimal("1284.50")}, set(), True),  # ...unless the RRN says it is one purchase
        ({**SLIP, "rrn": "999999999999"}, set(), False),
        ({**NO_IDS, "auth_code": "4A7B2Z"}, set(), True),  # one character of an id: a misread
        ({**NO_IDS, "auth_code": "4N7B2Z"}, set(), True),  # two: still a misread of a random 6-character code
        ({**NO_IDS, "auth_code": "9Z7C21"}, set(), False),  # half of them: another purchase
        ({**NO_IDS, "auth_code": "9Z7C21"}, {"auth_code"}, True),  # ...unless read unsure
        ({**NO_IDS, "auth_code": "088868"}, set(), False),
        ({**NO_IDS, "auth_code": "O8RB68"}, set(), False),
        (
            {**SLIP, "auth_code": "WVSY26"},
            set(),
            True,
        ),  # the same RRN on the same date outweighs the auth code
        ({**SLIP, "rrn": "123456789013"}, set(), True),  # one digit of an RRN: a misread
        ({**SLIP, "rrn": "123456789099"}, set(), False),  # two: a later purchase at the same terminal
        ({"date": SLIP["date"], "rrn": SLIP["rrn"]}, set(), True),  # the same RRN on the same date
    ],
)
def test_fingerprint_of_the_same_slip(theirs, unsure, same):
    assert fingerprint_match(SLIP, theirs, unsure) is same


RECEIPT = {**NO_IDS, "fiscal": "7380440700000000:12345:1234567890"}


@pytest.mark.parametrize(
    ("theirs", "same"),
    [
        (RECEIPT, True),
        # The same fiscal QR: one receipt, however differently the rest was read.
        ({"fiscal": RECEIPT["fiscal"], "amount": Decimal("1284.50"), "date": date(2026, 10, 6)}, True),
        # Another QR: another receipt, though every printed field reads alike (two equal purchases in a row).
        ({**RECEIPT, "fiscal": "7380440700000001:12345:1234567890"}, False),
        ({**RECEIPT, "fiscal": "7380440700000000:12346:1234567890"}, False),
        ({**RECEIPT, "fiscal": "7380440700000000:12345:1234567891"}, False),
        # No QR on the other photo (covered, cut off): the printed fields decide as for a slip.
        (NO_IDS, True),
        ({**NO_IDS, "amount": Decimal("1284.50")}, False),
    ],
)
def test_fingerprint_of_the_same_fiscal_receipt(theirs, same):
    assert fingerprint_match(RECEIPT, theirs, set()) is same
    assert fingerprint_match(theirs, RECEIPT, set()) is same


def test_ids_are_compared_with_look_alike_characters_folded():
    # One slip's auth code `08RB68`, read `088868` on the photo and `O8RB68` on its cropped copy: O/0 and B/8
    # are look-alikes, only R/8 is left, one character: a misread, not another purchase.
    mine, theirs = {**NO_IDS, "auth_code": "088868"}, {**NO_IDS, "auth_code": "O8RB68"}
    assert fingerprint_match(mine, theirs, set())
    assert not fingerprint_match(mine, {**NO_IDS, "auth_code": "5Z1C24"}, set())


# --- through the service: these read generated photos ---------------------------------------------------------


def upload(campaign, photo: bytes, truth, contact: str, amount=None) -> Submission:
    submission = submissions.submission_create(
        campaign=campaign,
        contact=contact,
        photo=photo_intake(photo),
        typed_amount=amount if amount is not None else truth.amount,
        typed_card_last4=truth.card_last4,
        consent_version="1",
        channel="page",
    )
    processing.submission_process(submission_id=submission.pk)
    submission.refresh_from_db()
    return submission


def codes(submission: Submission) -> list[str]:
    return [r["code"] for r in submission.reasons]


@pytest.mark.django_db
def test_the_same_file_from_another_participant_is_a_duplicate(campaign, slip):
    photo, truth = slip
    first = upload(campaign, photo, truth, "first@example.com")
    assert first.status == Status.ACCEPTED, first.reasons
    again = upload(campaign, photo, truth, "second@example.com")
    assert (again.status, codes(again)) == (Status.REJECTED, ["duplicate_photo"])
    assert again.duplicate_of_id == first.pk
    same_photo = next(c for c in again.checks if c["check"] == "same_photo")
    assert same_photo["evidence"]["other"] == str(first.pk) and same_photo["evidence"]["how"] == "file"


@pytest.mark.django_db
def test_a_rejected_upload_does_not_block_its_corrected_retry_but_blocks_others(campaign, slip):
    photo, truth = slip
    campaign.reject_confidence = campaign.min_confidence  # the typo is refused rather than looked at
    campaign.save()
    typo = upload(campaign, photo, truth, "p@example.com", amount=truth.amount + 1)
    assert codes(typo) == ["amount_mismatch"]
    someone_else = upload(campaign, photo, truth, "q@example.com")
    assert codes(someone_else) == ["duplicate_photo"]
    retry = upload(campaign, photo, truth, "p@example.com")
    assert retry.status == Status.ACCEPTED, retry.reasons


@pytest.mark.django_db
@pytest.mark.parametrize("transform", [REENCODED, CROPPED])
def test_a_copy_of_an_accepted_photo_is_caught(campaign, slip, transform):
    photo, truth = slip
    assert upload(campaign, photo, truth, "first@example.com").status == Status.ACCEPTED
    copy = upload(campaign, copy_photo(photo, transform, random.Random(3)), truth, "second@example.com")
    assert copy.status == Status.REJECTED
    assert set(codes(copy)) <= {"duplicate_photo", "duplicate_slip"} and codes(copy)


@pytest.mark.django_db
def test_the_same_slip_photographed_again_is_caught_and_another_slip_is_not(campaign):
    rng = random.Random(31)
    truth = random_truth(rng, kind="slip", locale="ru", start=PERIOD[0], end=PERIOD[1])
    paper = render_document(truth, rng)
    first, second = (jpeg(photograph(paper, random.Random(seed), strength=0.2)) for seed in (1, 2))
    assert upload(campaign, first, truth, "a@example.com").status == Status.ACCEPTED
    again = upload(campaign, second, truth, "b@example.com")
    assert (again.status, codes(again)) == (Status.REJECTED, ["duplicate_slip"])
    other_photo, other_truth = generated_photo(12, "slip", "ru")
    assert upload(campaign, other_photo, other_truth, "c@example.com").status == Status.ACCEPTED


@pytest.mark.django_db
def test_participant_limit_per_day(campaign, slip):
    campaign.max_accepted_per_day = 1
    campaign.save()
    photo, truth = slip
    assert upload(campaign, photo, truth, "p@example.com").status == Status.ACCEPTED
    other_photo, other_truth = generated_photo(12, "slip", "ru")
    second = upload(campaign, other_photo, other_truth, "p@example.com")
    assert (second.status, codes(second)) == (Status.REJECTED, ["limit_per_day"])


@pytest.mark.django_db
def test_a_full_card_number_goes_to_moderation_flagged_and_is_never_stored(campaign, slip, caplog, settings):
    photo, truth = slip
    pan = "4111 1111 1111 1111"

    def with_a_full_card(pixels, **options):  # processing hands recognize the decoded working copy
        reading = recognize(pixels, **options)
        reading.lines[0] = replace(reading.lines[0], text=pan)
        # What recognize() does with such a line (unit-tested in recognition): masked, painted over, said so.
        lines, boxes = redact_lines(reading.lines)
        redacted = redact_photo(pixels, boxes)
        return replace(reading, lines=lines, full_card_number=bool(boxes), redacted_photo=redacted)

    with mock.patch("promo.processing.recognize", with_a_full_card):
        submission = upload(campaign, photo, truth, "p@example.com")
    assert submission.status == Status.MODERATION
    assert codes(submission)[0] == "full_card_number"
    assert submission.needs_redaction
    stored = repr(submission.recognition.lines) + submission.recognition.full_text + repr(submission.checks)
    assert "4111111111111111" not in stored.replace(" ", "") and "1111" in stored
    assert "4111 1111" not in caplog.text
    with submission.photo.open("rb") as stored:
        assert stored.read() != photo, "the stored photo is the redacted copy"
    assert submission.photo_sha256 == hashlib.sha256(photo).hexdigest()
    assert not submission.original.name  # the original showed the number: deleted, not kept
    media = Path(settings.MEDIA_ROOT)
    assert [path.name for path in media.rglob("*") if path.is_file()] == [Path(submission.photo.name).name]


def test_the_hash_of_the_decoded_pixels_is_the_hash_of_the_photo():
    """Processing decodes the working copy once and hashes those pixels: the hash must not move for it."""
    photo = generated_photo(11, "slip", "ru")[0]
    assert hamming(photo_hash(photo), photo_hash(load_photo(photo))) <= 1


def _receipt_read(campaign, merchant: str, **changes) -> Recognition:
    """A US restaurant check as read: date, total and shop, no time, no card."""
    submission = SubmissionFactory(campaign=campaign)
    values = {
        "amount": Decimal("42.74"),
        "date": date(2026, 11, 21),
        "card_last4": "",
        "merchant": merchant,
    } | changes
    return RecognitionFactory(submission=submission, campaign=campaign, kind="receipt", **values)


@pytest.mark.django_db
def test_a_receipt_without_time_or_card_read_again_in_the_same_shop_is_a_possible_copy():
    from promo.duplicates import find_same_slip

    campaign = CampaignFactory()
    first = _receipt_read(campaign, "Crisfield Seafood Restaurant")
    again = _receipt_read(campaign, "CRISFIELD SEAFOOD RESTAURAN")  # the copy's header read a letter short
    match = find_same_slip(again.submission, again, 0.6)
    assert match is not None and not match.certain and match.submission_id == str(first.submission_id)
    # Another shop, another total, or a time that tells them apart: two purchases.
    for other in (
        _receipt_read(campaign, "Don Juan Mexican Restaurant"),
        _receipt_read(campaign, "Crisfield Seafood Restaurant", amount=Decimal("42.75")),
    ):
        found = find_same_slip(other.submission, other, 0.6)
        assert found is None or found.submission_id != str(first.submission_id), other.merchant
    # Two checks of one shop and day, times read on both and different: two purchases.
    lunch = _receipt_read(campaign, "Panda Express", amount=Decimal("9.80"), time=time(12, 5))
    dinner = _receipt_read(campaign, "Panda Express", amount=Decimal("9.80"), time=time(19, 40))
    found = find_same_slip(dinner.submission, dinner, 0.6)
    assert found is None or found.submission_id != str(lunch.submission_id)


def test_a_possible_copy_of_a_receipt_goes_to_a_person_with_its_reason():
    from promo.checks import check_same_slip
    from promo.decision import CampaignRules, DuplicateMatch, Facts, FieldRead

    facts = Facts(
        typed_amount=Decimal("42.74"), typed_card_last4="4821", today=date(2026, 11, 25), kind="receipt",
        amount=FieldRead.of(Decimal("42.74")), card_last4=FieldRead(), date=FieldRead.of(date(2026, 11, 21)),
        payment_system=FieldRead(), duplicates=(DuplicateMatch("slip", "earlier", certain=False),),
    )  # fmt: skip
    result = check_same_slip(facts, CampaignRules(starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30)))
    assert (result.outcome, result.code) == ("unsure", "possible_duplicate_slip")
