"""Duplicates across all participants of a campaign: the same fiscal receipt (its QR's ids), the same file, the
same photo re-encoded or cropped, and the same slip photographed again.

A submission is compared with every other of its campaign, whatever their order or state, so that of two
copies exactly one can win whichever is decided first (promo.locks serialises the two decisions). What does not
count as the other copy: the participant's own rejected uploads (whoever typed the amount wrong and uploads the
same photo again is correcting a typo, not cheating; someone else uploading it is); a submission already found
to be a copy (rejected or held as one: a copy is no original); and later uploads still in flight, which will be
compared with this one when they are decided. So when the later copy is decided first, the earlier one in
flight is its original; when the earlier is decided first, the later one finds it decided.

The perceptual lookup is multi-index hashing: the 64-bit hash is split into four 16-bit bands, each stored in a
column indexed with the campaign. Two hashes within Hamming distance d differ in at most floor(d / 4) bits of
some band, so probing every band with all values within BAND_RADIUS of the query's band finds every stored
hash within 4 * BAND_RADIUS + 3 bits; the few candidates are then checked exactly. No scan of stored hashes.
"""

from __future__ import annotations

import io
from datetime import time
from itertools import combinations
from typing import Any

import imagehash
import numpy as np
from django.db import connections
from django.db.models import Q
from django.db.models.expressions import RawSQL
from PIL import Image, ImageOps
from rapidfuzz import fuzz

from promo.decision import DuplicateMatch
from promo.models import Recognition, Submission

BANDS, BAND_BITS = 4, 16
_BAND_MASK = (1 << BAND_BITS) - 1
# Measured on 150 generated photos and 5,000 copies of them (issue 4's note): a re-encoded or resized copy stays
# within 4 bits (JPEG max 2, resize max 4), while two different slips came as close as 6, because the hash
# mostly sees the paper's outline on the table. A crop of 2% or a turn of 1 degree already moves it past 4:
# such copies are caught by what was read (find_same_slip), not by how the photo looks.
PHASH_MAX_DISTANCE = 4
BAND_RADIUS = 1  # guarantees every hash within 4 * 1 + 3 = 7 bits is among the candidates

Status = Submission.Status
_IN_FLIGHT = (Status.RECEIVED, Status.PROCESSING)


def photo_hash(photo: bytes | np.ndarray) -> int:
    """The 64-bit DCT perceptual hash of a photo, as an unsigned int: of its bytes (EXIF orientation applied
    first), or of the upright RGB pixels recognition.images.load_photo made of them (one decode for both)."""
    if isinstance(photo, np.ndarray):
        grey = Image.fromarray(photo).convert("L")
    else:
        with Image.open(io.BytesIO(photo)) as image:
            grey = ImageOps.exif_transpose(image).convert("L")
    grey.thumbnail((512, 512))
    return int(str(imagehash.phash(grey)), 16)


def to_signed(value: int) -> int:
    """Unsigned 64-bit to the signed value a BIGINT column holds."""
    return value - (1 << 64) if value >= 1 << 63 else value


def to_unsigned(value: int) -> int:
    return value + (1 << 64) if value < 0 else value


def bands(value: int) -> tuple[int, ...]:
    return tuple((value >> (BAND_BITS * i)) & _BAND_MASK for i in range(BANDS))


def hamming(first: int, second: int) -> int:
    return (to_unsigned(first) ^ to_unsigned(second)).bit_count()


def band_neighbours(band: int, radius: int = BAND_RADIUS) -> list[int]:
    """Every 16-bit value within `radius` bits of `band`, the band itself first."""
    found = [band]
    for flips in range(1, radius + 1):
        for bits in combinations(range(BAND_BITS), flips):
            value = band
            for bit in bits:
                value ^= 1 << bit
            found.append(value)
    return found


def hash_columns(value: int) -> dict[str, int]:
    """The Submission columns that store a photo hash."""
    return {"photo_phash": to_signed(value)} | {f"phash_band{i}": b for i, b in enumerate(bands(value))}


def _others_q(submission: Submission, prefix: str = "") -> tuple[Q, Q]:
    """(what to keep, what to drop) of the campaign's submissions an upload can be a copy of (see above);
    `prefix` to apply it through a relation (`submission__`)."""

    def q(**conditions: Any) -> Q:
        return Q(**{f"{prefix}{name}": value for name, value in conditions.items()})

    keep = q(campaign_id=submission.campaign_id)
    drop = (
        q(pk=submission.pk)
        | q(participant_id=submission.participant_id, status=Status.REJECTED)
        | q(duplicate_of__isnull=False, status__in=(Status.REJECTED, Status.MODERATION))
        | q(status__in=_IN_FLIGHT, created_at__gt=submission.created_at)
    )
    return keep, drop


def _others(submission: Submission):
    keep, drop = _others_q(submission)
    return Submission.objects.filter(keep).exclude(drop)


def find_same_file(submission: Submission) -> DuplicateMatch | None:
    other = _others(submission).filter(photo_sha256=submission.photo_sha256).order_by("created_at").first()
    if other is None:
        return None
    return DuplicateMatch("file", str(other.pk), {"sha256": submission.photo_sha256[:16]})


def similar_photos(
    campaign_id: int, value: int, max_distance: int = PHASH_MAX_DISTANCE
) -> list[tuple[Any, int]]:
    """(submission id, distance) of the campaign's photos within `max_distance` of a hash, through the bands.

    One index-only scan per band, joined with UNION ALL (an OR of the four would make PostgreSQL visit the table
    for every candidate); on PostgreSQL the distance is checked inside the database too."""
    by_band = []
    postgres = connections[Submission.objects.db].vendor == "postgresql"
    for i, band in enumerate(bands(value)):
        rows = Submission.objects.filter(
            campaign_id=campaign_id, **{f"phash_band{i}__in": band_neighbours(band)}
        )
        if postgres:
            distance = RawSQL("bit_count((photo_phash # %s)::bit(64))", (to_signed(value),))
            rows = rows.alias(distance=distance).filter(distance__lte=max_distance)
        by_band.append(rows.order_by().values_list("pk", "photo_phash"))
    found = by_band[0].union(*by_band[1:], all=True)
    return list({pk: d for pk, stored in found if (d := hamming(stored, value)) <= max_distance}.items())


def find_same_photo(
    submission: Submission, recognition: Recognition | None = None, min_confidence: float = 1.0
) -> DuplicateMatch | None:
    """Another photo within PHASH_MAX_DISTANCE. What was read decides what it means: the same slip read on both
    (fingerprint_match) makes it a copy; two or more fields read confidently different make it another slip of
    the same shop photographed alike (not a match); anything else, e.g. the other is still being read, is a
    match that is not certain, for a person to compare (the picture hash alone never rejects)."""
    if submission.photo_phash is None:
        return None
    near = dict(similar_photos(submission.campaign_id, to_unsigned(submission.photo_phash)))
    near.pop(submission.pk, None)
    if not near:
        return None
    uncertain = None
    others = _others(submission).filter(pk__in=near).select_related("recognition").order_by("created_at")
    for other in others:
        theirs = getattr(other, "recognition", None)
        if recognition is not None and theirs is not None:
            if readings_differ(recognition, theirs, min_confidence):
                continue
            if same_slip_read(recognition, theirs, min_confidence):
                return DuplicateMatch("photo", str(other.pk), {"distance": near[other.pk]})
        uncertain = uncertain or DuplicateMatch(
            "photo", str(other.pk), {"distance": near[other.pk]}, certain=False
        )
    return uncertain


# --- the same slip photographed again: what was read, not how it looks ------------------------------------------

FINGERPRINT_FIELDS = ("date", "time", "amount", "card_last4")


def _minute(value: time | None) -> time | None:
    return value.replace(second=0, microsecond=0) if value else None


def fingerprint_match(
    mine: dict[str, Any], theirs: dict[str, Any], unsure: set[str], min_agreeing: int = 3
) -> bool:
    """Do two readings describe the same slip? `mine`/`theirs` map field -> value (None when unread) for the
    fingerprint fields and `rrn`/`auth_code`; `unsure` names fields read with low confidence on either side.

    The fiscal QR's key (`fiscal`) on both decides alone: the same key is one receipt, two keys are two
    receipts, whatever else was read (a decoded QR passed its error correction; the OCR did not).

    The same RRN on the same date is the same transaction, whatever else was read. Otherwise date, time, amount
    and card last 4 must agree, tolerating one field that is unread or unsure, with at least `min_agreeing`
    agreeing; a confident difference in any of them, or in an id, means two purchases. Ids are misread often
    (measured: a cropped copy read the auth code `509617` as `519612`), so an RRN differs only in two characters
    or more (sequential RRNs differ in the last ones) and an auth code, random per purchase, in half of them.
    """
    if mine.get("fiscal") and theirs.get("fiscal"):
        return mine["fiscal"] == theirs["fiscal"]
    if mine.get("rrn") and mine.get("rrn") == theirs.get("rrn") and mine.get("date") == theirs.get("date"):
        return mine.get("date") is not None
    for key, min_differing in (("rrn", 2), ("auth_code", 3)):
        if key not in unsure and ids_differ(mine.get(key), theirs.get(key), min_differing):
            return False
    agreeing, tolerated = 0, 0
    for key in FINGERPRINT_FIELDS:
        a, b = mine.get(key), theirs.get(key)
        if a is not None and a == b:
            agreeing += 1
        elif a is None or b is None or key in unsure:
            tolerated += 1
        else:
            return False
    return agreeing >= min_agreeing and tolerated <= 1


def readings_differ(first: Recognition, second: Recognition, min_confidence: float) -> bool:
    """Two or more of date, time, amount and card read confidently on both photos, with different values: one
    confident misread on a copy must not hide it. Two different fiscal QRs are two receipts."""
    mine, theirs = _values(first), _values(second)
    if mine["fiscal"] and theirs["fiscal"]:
        return mine["fiscal"] != theirs["fiscal"]
    differing = 0
    for key in FINGERPRINT_FIELDS:
        if mine[key] is None or theirs[key] is None or mine[key] == theirs[key]:
            continue
        differing += first.confidence(key) >= min_confidence and second.confidence(key) >= min_confidence
    return differing >= 2


def same_slip_read(first: Recognition, second: Recognition, min_confidence: float) -> bool:
    """Two readings describe the same slip (fingerprint_match, tolerating fields unsure on either side)."""
    compared = (*FINGERPRINT_FIELDS, "rrn", "auth_code")
    unsure = {
        key
        for key in compared
        if first.confidence(key) < min_confidence or second.confidence(key) < min_confidence
    }
    return fingerprint_match(_values(first), _values(second), unsure)


# Characters an OCR confuses in ids, folded together before two readings are compared (`O8RB68` / `088868`).
_ID_LOOK_ALIKES = str.maketrans(
    {"O": "0", "D": "0", "Q": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "B": "8", "G": "6"}
)


def ids_differ(first: str | None, second: str | None, min_differing: int = 2) -> bool:
    """Two printed ids (RRN, auth code) too different to be one id misread: look-alike characters folded, they
    still differ in `min_differing` characters or more."""
    if not first or not second:
        return False
    if len(first) != len(second):
        return True
    first, second = first.upper().translate(_ID_LOOK_ALIKES), second.upper().translate(_ID_LOOK_ALIKES)
    return sum(a != b for a, b in zip(first, second, strict=True)) >= min_differing


def _values(recognition: Recognition) -> dict[str, Any]:
    return {
        "date": recognition.date,
        "time": _minute(recognition.time),
        "amount": recognition.amount,
        "card_last4": recognition.card_last4 or None,
        "rrn": recognition.rrn or None,
        "auth_code": recognition.auth_code or None,
        "fiscal": recognition.fiscal_key,
    }


def find_same_receipt(submission: Submission, recognition: Recognition) -> DuplicateMatch | None:
    """Another submission whose photo's fiscal QR names the same receipt (fn, i, fp): certain, whatever the
    photos look like and whatever else was read. One lookup in the campaign's fiscal index."""
    if not recognition.fiscal_fn:
        return None
    keep, drop = _others_q(submission, prefix="submission__")
    other = (
        Recognition.objects.filter(
            keep,
            campaign_id=submission.campaign_id,
            fiscal_fn=recognition.fiscal_fn,
            fiscal_i=recognition.fiscal_i,
            fiscal_fp=recognition.fiscal_fp,
        )
        .exclude(drop)
        .order_by("submission__created_at")
        .values_list("submission_id", flat=True)
        .first()
    )
    if other is None:
        return None
    return DuplicateMatch("fiscal", str(other), {"fiscal": recognition.fiscal_key})


def _slip_probe(campaign_id: int, values: dict[str, Any]) -> Q | None:
    """Where a reading of the same slip must be: the same date and amount, the same date and minute, or the same
    RRN (fingerprint_match agrees only with one of these); each is an index on the campaign."""
    probe = Q()
    if values["date"] is not None and values["amount"] is not None:
        probe |= Q(date=values["date"], amount=values["amount"])
    if values["date"] is not None and values["time"] is not None:
        probe |= Q(date=values["date"], time__gte=values["time"], time__lt=_next_minute(values["time"]))
    if values["rrn"]:
        probe |= Q(rrn=values["rrn"])
    if not probe or (values["date"] is None and not values["rrn"]):
        return None
    return Q(campaign_id=campaign_id) & probe


def find_same_slip(
    submission: Submission, recognition: Recognition, min_confidence: float
) -> DuplicateMatch | None:
    """Another submission whose photo read as the same slip (see fingerprint_match). Every candidate of the
    probe is compared, however many: the probe is narrow (one campaign, one day, one amount or minute)."""
    mine = _values(recognition)
    probe = _slip_probe(submission.campaign_id, mine)
    if probe is None:
        return None
    # Filtered through the join, not `IN (other submissions)`: the probe's index finds a handful of rows, and
    # the campaign's million submissions are never listed.
    keep, drop = _others_q(submission, prefix="submission__")
    candidates = (
        Recognition.objects.filter(probe, keep)
        .exclude(drop)
        .select_related("submission")
        .order_by("submission__created_at")
    )
    possible = None
    for other in candidates.iterator(chunk_size=200):
        theirs = _values(other)
        agreeing = [
            key for key in (*FINGERPRINT_FIELDS, "rrn") if mine.get(key) and mine.get(key) == theirs.get(key)
        ]
        if same_slip_read(recognition, other, min_confidence):
            return DuplicateMatch("slip", str(other.submission_id), {"agreeing": agreeing})
        if possible is None and possibly_same_receipt(recognition, other, min_confidence):
            evidence = {"agreeing": [*agreeing, "merchant"]}
            possible = DuplicateMatch("slip", str(other.submission_id), evidence, certain=False)
    return possible


# How alike two readings of a shop's name must be (rapidfuzz's ratio, 0-100) to be the same shop.
SAME_MERCHANT_SCORE = 85


def possibly_same_receipt(first: Recognition, second: Recognition, min_confidence: float) -> bool:
    """A receipt printing neither the time nor a card (a US restaurant check, a cash receipt): the same date,
    total and shop, read confidently on both, with nothing read that tells them apart. Two people can buy the
    same thing in one shop on one day, so this is a person's call (`possible_duplicate_slip`), never a refusal;
    without it a cropped copy of such a receipt, which no longer hashes like the photo, passed unseen."""
    for key in ("date", "amount"):
        if first.confidence(key) < min_confidence or second.confidence(key) < min_confidence:
            return False
    if first.date != second.date or first.amount != second.amount:
        return False
    mine, theirs = _values(first), _values(second)
    if any(
        mine[key] and theirs[key] and mine[key] != theirs[key] for key in ("time", "card_last4", "fiscal")
    ):
        return False
    if ids_differ(mine["rrn"], theirs["rrn"], 2) or ids_differ(mine["auth_code"], theirs["auth_code"], 3):
        return False
    names = [" ".join((r.merchant or "").casefold().split()) for r in (first, second)]
    return all(names) and fuzz.ratio(*names) >= SAME_MERCHANT_SCORE


def comparison_keys(submission: Submission, recognition: Recognition) -> list[str]:
    """The lock keys of everything this submission is compared with others on (promo.locks): two submissions
    that could match share at least one. The same file shares its hash; two photo hashes within
    PHASH_MAX_DISTANCE have a band within one bit of each other, and each locks its bands' neighbours; two
    readings of one slip share the date and amount, the date and minute, or the RRN; two readings of one
    fiscal receipt share its QR's key; and a participant's limits are counted under the participant's key."""
    campaign = f"c{submission.campaign_id}"
    keys = [
        f"{campaign}:file:{submission.photo_sha256}",
        f"{campaign}:participant:{submission.participant_id}",
    ]
    if submission.photo_phash is not None:
        for i, band in enumerate(bands(to_unsigned(submission.photo_phash))):
            keys += [f"{campaign}:band{i}:{value}" for value in band_neighbours(band)]
    values = _values(recognition)
    if values["date"] is not None and values["amount"] is not None:
        keys.append(f"{campaign}:slip:{values['date']}:{values['amount']:.2f}")
    if values["date"] is not None and values["time"] is not None:
        keys.append(f"{campaign}:slip:{values['date']}:{values['time']:%H:%M}")
    if values["rrn"]:
        keys.append(f"{campaign}:rrn:{values['rrn']}")
    if values["fiscal"]:
        keys.append(f"{campaign}:fiscal:{values['fiscal']}")
    return keys


def _next_minute(value: time) -> time:
    if value.minute < 59:
        return value.replace(minute=value.minute + 1)
    if value.hour < 23:
        return value.replace(hour=value.hour + 1, minute=0)
    return time(23, 59, 59, 999999)
