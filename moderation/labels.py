"""Moderators' decisions as a labelled image set (docs/eval-format.md): the photos people looked at, with only
what a person confirmed about each, so the recognizer can be scored on real uploads and not only on generated
slips.

What a person confirmed, and nothing more:
- an acceptance asserts that the photo proves the typed amount and card unless a moderator corrected them
  (promo.acceptance.confirmed_values), and that it is a purchase document;
- a correction is a field a moderator read off the photo, whatever the decision;
- a rejection as `moderator_not_a_document` says the photo is no document *the campaign accepts*: that is "no
  purchase document at all" only where the campaign accepts every slip and every receipt.

A photo that may still show a full card number (`needs_redaction`) never leaves the storage, and no label holds
more of a card than its last four digits.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from moderation.models import FieldCorrection
from promo.acceptance import CONFIRMABLE, confirmed_values
from promo.documents import CARD_RECEIPT, RECEIPT, SLIP
from promo.models import Campaign, Recognition, Submission
from recognition.cards import mask_card_numbers

Status = Submission.Status
DECIDED_BY_PEOPLE = (Status.ACCEPTED, Status.REJECTED, Status.REVOKED)
NOT_A_DOCUMENT = "moderator_not_a_document"
LABELS_FILE = "labels.jsonl"
# Rows fetched (and their corrections prefetched) per round trip: a large campaign never sits in memory whole.
CHUNK_SIZE = 500

# Why an exportable submission's photo was not copied (the summary line counts each).
MISSING_FILE = "photo file missing"
UNREADABLE_FILE = "photo file unreadable"
NOTHING_CONFIRMED = "nothing confirmed (a rejection with no corrected field)"
# Keys of a label line that no benchmark scores: a line with nothing else labels nothing.
UNSCORED_KEYS = frozenset({"image", "submission", "status", "campaign"})


@dataclass
class ExportResult:
    """What an export wrote and why the rest of the campaign's decided submissions are not in it."""

    exported: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # exportable, but the photo could not be copied
    left_out: dict[str, int] = field(default_factory=dict)  # never exportable (see `left_out_counts`)

    def summary(self) -> str:
        """One line for the operator: every submission decided by a person is either counted or explained."""
        skipped = sum(self.skipped.values())
        line = f"exported {self.exported}, skipped {skipped}"
        if skipped:
            line += " (" + ", ".join(f"{why}: {n}" for why, n in sorted(self.skipped.items())) + ")"
        left_out = {why: n for why, n in self.left_out.items() if n}
        if left_out:
            line += "; not exportable: " + ", ".join(f"{why}: {n}" for why, n in left_out.items())
        return line


# --- which submissions ------------------------------------------------------------------------------------------


def decided_by_people(campaign: Campaign) -> QuerySet[Submission]:
    """The campaign's submissions whose last decision a person made."""
    return Submission.objects.filter(
        campaign=campaign, status__in=DECIDED_BY_PEOPLE, decided_by__isnull=False
    )


def exportable(campaign: Campaign) -> QuerySet[Submission]:
    """Decided by a person, with a photo that still exists and shows no full card number; the reading and the
    corrections come with each chunk of rows, so the query count does not grow with the campaign."""
    return (
        decided_by_people(campaign)
        .filter(erased_at__isnull=True, needs_redaction=False)
        .exclude(photo="")
        .select_related("campaign", "recognition")
        .prefetch_related(
            Prefetch(
                "corrections", queryset=FieldCorrection.objects.order_by("id"), to_attr="corrections_in_order"
            )
        )
        .order_by("created_at", "id")
    )


def left_out_counts(campaign: Campaign) -> dict[str, int]:
    """Why the campaign's other final submissions are not exported (one query): so that a small export is
    explained rather than puzzling."""
    final = Q(status__in=DECIDED_BY_PEOPLE)
    by_person = final & Q(decided_by__isnull=False)
    gone = by_person & (Q(erased_at__isnull=False) | Q(photo=""))
    counts = Submission.objects.filter(campaign=campaign).aggregate(
        decided_by_the_machine=Count("pk", filter=final & Q(decided_by__isnull=True)),
        photo_erased=Count("pk", filter=gone),
        awaiting_redaction=Count("pk", filter=by_person & ~gone & Q(needs_redaction=True)),
    )
    return {why.replace("_", " "): n for why, n in counts.items()}


# --- one label --------------------------------------------------------------------------------------------------


def latest_corrections(corrections: Iterable[FieldCorrection]) -> dict[str, str]:
    """The latest value of each corrected field (as moderation.services.corrections_of), from rows in id order."""
    return {c.field: c.value for c in corrections if c.field in CONFIRMABLE}


def not_a_document_means_other(documents: Iterable[str]) -> bool:
    """Whether "not a document the campaign accepts" can only mean "no purchase document": the campaign accepts
    any receipt and a slip counts for it (promo.checks.counts_as). In a slip-only campaign the same rejection is
    given to a shop receipt, which is no "other"."""
    accepted = set(documents)
    return RECEIPT in accepted and bool(accepted & {SLIP, CARD_RECEIPT})


def json_field(name: str, value: Any) -> Any:
    """A confirmed value in the eval format's type.

    The amount is a JSON number, as the format and the synthetic sets have it: a float keeps every amount the
    database holds (12 digits, 2 decimals) exactly, since a double round-trips 15 significant digits.
    """
    if isinstance(value, Decimal):
        return float(value.quantize(Decimal("0.01")))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    text = str(value)
    if name == "card_last4":
        return text[-4:]  # validated as four digits when typed or corrected; never more than the last four
    return mask_card_numbers(text)[
        0
    ]  # a moderator's free text (merchant) must not carry a card number either


def label_of(
    submission: Submission, *, image: str, corrections: dict[str, str], kind_read: str | None
) -> dict[str, Any]:
    """The label line of one submission a person decided: `image` and what the person confirmed (see the module
    docstring), then `submission`, `status` and `campaign`, which the eval readers ignore.

    `kind_read` is the recognition's kind (None when it never read the photo): on an acceptance, which of the
    two purchase documents it is comes from the reading the moderator did not contradict.
    """
    line: dict[str, Any] = {"image": image}
    confirmed = confirmed_values(submission, corrections)
    if submission.status == Status.ACCEPTED:
        if kind_read in ("slip", "receipt"):
            line["kind"] = kind_read
    else:  # a rejection or a revocation vouches for no typed value, only for what was read off the photo
        confirmed = {name: value for name, value in confirmed.items() if name in corrections}
        verdict = (
            submission.reasons[0]["code"] if submission.reasons else None
        )  # the person's verdict is first
        if (
            submission.status == Status.REJECTED
            and verdict == NOT_A_DOCUMENT
            and not_a_document_means_other(submission.campaign.documents)
        ):
            line["kind"] = "other"
    for name in CONFIRMABLE:  # the eval format's order
        if name in confirmed:
            line[name] = json_field(name, confirmed[name])
    line |= {
        "submission": str(submission.pk),
        "status": submission.status,
        "campaign": submission.campaign.slug,
    }
    return line


# --- the export -------------------------------------------------------------------------------------------------


def _write_atomically(path: Path, chunks: Iterable[bytes]) -> None:
    """Writes a file under a temporary name in the same folder, then renames it: a reader (or an earlier
    labels.jsonl naming this image) never sees half a file, even when the export stops half-way."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _kind_read(submission: Submission) -> str | None:
    try:
        return submission.recognition.kind  # selected with the row: no query
    except (
        Recognition.DoesNotExist
    ):  # never read (recognition failed): a moderator decided on the photo alone
        return None


def _photo_bytes(submission: Submission) -> bytes:
    """The working copy's bytes through its storage (the filesystem or S3 alike). Photos are bounded by intake,
    so reading one whole keeps a storage error apart from an error writing the export."""
    with submission.photo.open("rb") as photo:
        return photo.read()


def labels_export(*, campaign: Campaign, folder: Path, chunk_size: int = CHUNK_SIZE) -> ExportResult:
    """Copies the photos of the campaign's submissions decided by people into `folder` as `<id>.jpg` and writes
    `labels.jsonl` (replacing one already there) once all are copied. A photo whose file is missing or
    unreadable is counted and skipped: one lost file must not cost the rest of the set."""
    folder.mkdir(parents=True, exist_ok=True)
    result = ExportResult(left_out=left_out_counts(campaign))

    def lines() -> Iterator[bytes]:
        for submission in exportable(campaign).iterator(chunk_size=chunk_size):
            image = (
                f"{submission.pk}.jpg"  # the working copy is always a JPEG (promo.models.Submission.photo)
            )
            line = label_of(
                submission,
                image=image,
                corrections=latest_corrections(submission.corrections_in_order),
                kind_read=_kind_read(submission),
            )
            if (
                not set(line) - UNSCORED_KEYS
            ):  # nothing a person confirmed: no reason to copy a personal photo
                result.skipped[NOTHING_CONFIRMED] += 1
                continue
            try:
                photo = _photo_bytes(submission)
            except FileNotFoundError:
                result.skipped[MISSING_FILE] += 1
                continue
            except OSError:
                result.skipped[UNREADABLE_FILE] += 1
                continue
            _write_atomically(folder / image, [photo])
            result.exported += 1
            yield (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8")

    _write_atomically(folder / LABELS_FILE, lines())
    return result
