"""Submission exports for marketing: one campaign's submissions, filtered, as CSV or XLSX, never held in memory.

Rows come from one query that selects only the exported columns (joins done by the database, no query per
row), read through `.iterator(chunk_size=...)` (a server-side cursor on PostgreSQL) and written out as they
come. Small CSV exports stream straight into the response; big ones and every XLSX are built by a Celery task
into a file of the default storage (an ExportJob), which its owner downloads and which is deleted after
SLIPCHECK_EXPORT_RETENTION_HOURS by the periodic sweep (and refused at download time once overdue, should the
sweep not have run).

What leaves the platform: never more of a card than its last four digits (free text - merchants, a
moderator's note in the reasons - has full card numbers masked), contacts masked (`+7******4567`,
`a***@example.com`), in free text too, and the participant and the submission as pseudonyms (keyed hashes of
their ids: stable across exports, useless to reach anyone). A submission's id never leaves: it is the key to
the participant's status page and API answer (promo code, appeal), which open without a login. In the CSV,
every text cell that a spreadsheet could take for a formula gets a leading apostrophe; the XLSX holds text as
text (reports.xlsx).

Who may export: holders of reports.export_submissions (staff). Which campaigns: marketing has no per-campaign
assignment yet, so superusers and holders of promo.moderate_any_campaign or reports.view_reports see every
campaign; anyone else only the campaigns they moderate (promo.selectors.campaigns_moderated_by).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import logging
import math
import re
import tempfile
import uuid
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import IO, Any

from celery import current_app
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from promo.contacts import mask_contacts, masked_contact
from promo.jobs import BROKER_ERRORS
from promo.models import Campaign, Submission
from promo.reasons import MESSAGES, by_a_person, render
from promo.selectors import campaigns_moderated_by
from recognition.cards import CARD_LENGTHS, mask_card_numbers
from reports.csv_files import CARD_MASK, FORMULA_STARTS  # a cell a spreadsheet evaluates gets an apostrophe
from reports.labels import reason_label
from reports.models import ExportJob, export_upload_to
from reports.xlsx import XML_ILLEGAL, XlsxWriter

logger = logging.getLogger(__name__)

EXPORT_TASK = "reports.tasks.export_build"
EXPORT_PERMISSION = "reports.export_submissions"
# Rows per database round trip; rows per chunk a streamed CSV yields (about 40 KB).
CHUNK_SIZE = 2000
STREAM_CHUNK_ROWS = 200
# A progress update (and heartbeat) every this many rows: a few per second, one UPDATE each.
PROGRESS_EVERY = 10_000
# A job claimed this many times without finishing fails for good (a file that kills its worker every time).
MAX_ATTEMPTS = 3
# An Excel sheet holds 1,048,576 rows; the header takes one on each sheet.
XLSX_SHEET_ROWS = 1_048_575

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {ExportJob.Format.CSV: CSV_CONTENT_TYPE, ExportJob.Format.XLSX: XLSX_CONTENT_TYPE}
# Excel in a Russian locale reads a `;`-separated file with a BOM as UTF-8, each field in its column.
CSV_BOM = "\ufeff"
CSV_DELIMITER = ";"
_FEWEST_CARD_DIGITS = min(CARD_LENGTHS)
ERASED_CONTACT_PREFIX = "erased-"  # promo.privacy.participant_anonymise

# (column key, header): the order of the file's columns. Submission has no channel (web/API/bot) yet: when it
# gets one, it goes here.
COLUMNS: tuple[tuple[str, Any], ...] = (
    ("submission", _("submission")),
    ("sent_at", _("sent at")),
    ("status", _("status")),
    ("reason_codes", _("reason codes")),
    ("reasons", _("reasons")),
    ("decided_at", _("decided at")),
    ("decided_by", _("decided by")),
    ("typed_amount", _("typed amount")),
    ("read_amount", _("read amount")),
    ("slip_date", _("slip date")),
    ("slip_time", _("slip time")),
    ("payment_system", _("payment system")),
    ("merchant", _("merchant")),
    ("typed_card_last4", _("card last 4 (typed)")),
    ("read_card_last4", _("card last 4 (read)")),
    ("contact", _("contact (masked)")),
    ("participant", _("participant")),
)
# What the query selects, in the order _row reads it.
_SELECTED = (
    "id",
    "created_at",
    "status",
    "reasons_text",
    "decided_at",
    "decided_by__username",
    "typed_amount",
    "recognition__amount",
    "recognition__date",
    "recognition__time",
    "recognition__payment_system",
    "recognition__merchant",
    "typed_card_last4",
    "recognition__card_last4",
    "participant__contact",
    "participant_id",
)


# --- who may export what -------------------------------------------------------------------------------------


def can_export(user: Any) -> bool:
    return bool(
        user.is_authenticated and user.is_active and user.is_staff and user.has_perm(EXPORT_PERMISSION)
    )


def campaigns_exportable_by(user: Any) -> QuerySet[Campaign]:
    """The campaigns whose submissions the user may export. Marketing is not assigned to campaigns (yet): a
    holder of reports.view_reports sees every campaign's reports, so exports follow; moderators assigned to a
    campaign export only theirs."""
    if not can_export(user):
        return Campaign.objects.none()
    if (
        user.is_superuser
        or user.has_perm("promo.moderate_any_campaign")
        or user.has_perm("reports.view_reports")
    ):
        return Campaign.objects.all()
    return campaigns_moderated_by(user)


# --- what is exported ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportFilters:
    """A campaign's submissions sent from `date_from` to `date_to` (days in the campaign's time zone, both
    included; None: unbounded), in a status, with a reason code (blank: any)."""

    campaign: Campaign
    date_from: date | None = None
    date_to: date | None = None
    status: str = ""
    reason: str = ""

    def as_json(self) -> dict[str, str]:
        return {
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "status": self.status,
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, campaign: Campaign, data: dict[str, Any]) -> ExportFilters:
        def day(key: str) -> date | None:
            return date.fromisoformat(data[key]) if data.get(key) else None

        return cls(
            campaign=campaign,
            date_from=day("date_from"),
            date_to=day("date_to"),
            status=data.get("status") or "",
            reason=data.get("reason") or "",
        )


def export_submissions(filters: ExportFilters) -> QuerySet[Submission]:
    """The filtered submissions; a day is the campaign's (an upload at 01:00 in Yekaterinburg belongs to its
    day there, whatever the server's zone)."""
    campaign = filters.campaign
    rows = Submission.objects.filter(campaign=campaign)
    if filters.date_from:
        rows = rows.filter(created_at__gte=datetime.combine(filters.date_from, time.min, tzinfo=campaign.tz))
    if filters.date_to:
        next_day = datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=campaign.tz)
        rows = rows.filter(created_at__lt=next_day)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.reason:
        rows = rows.filter(reason_codes__contains=f" {filters.reason} ")  # promo.transitions.codes_column
    return rows


def export_count(filters: ExportFilters) -> int:
    return export_submissions(filters).order_by().count()


def _values(filters: ExportFilters) -> QuerySet:
    # The reasons as the database's text: rendering is cached per distinct text, and most rows share a few.
    return (
        export_submissions(filters)
        .annotate(reasons_text=Cast("reasons", TextField()))
        .order_by("created_at", "id")
        .values_list(*_SELECTED)
    )


def header() -> list[str]:
    return [str(title) for _key, title in COLUMNS]


_DIGIT = re.compile(r"\d")


# A submission's id as people quote it in a note: with its dashes (the status page's URL) or without. The
# pattern starts with a character class (the look-behind follows it), which lets the search skip ahead fast.
_HEX = "[0-9a-fA-F]"
_SUBMISSION_ID = re.compile(
    rf"{_HEX}(?<!{_HEX}{_HEX}){_HEX}{{7}}(?:-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}|{_HEX}{{24}})(?!{_HEX})"
)
_CONTACT_DIGITS = 10  # the fewest digits of a phone number mask_contacts knows


@functools.lru_cache(maxsize=65_536)  # merchants and payment systems repeat across rows
def free_text(text: str) -> str:
    """Text someone else wrote (OCR, a moderator): no submission id (its pseudonym instead), no full card number,
    contacts masked, nothing XML cannot hold."""
    if len(text) >= 32:
        text = _SUBMISSION_ID.sub(lambda match: submission_pseudonym(match.group()), text)
    digits = len(_DIGIT.findall(text))
    if digits >= _FEWEST_CARD_DIGITS:  # the gate of config.logfilters: no card fits below
        text = mask_card_numbers(text, doubt=True)[0]
    if digits >= _CONTACT_DIGITS or "@" in text:
        text = mask_contacts(text)
    return XML_ILLEGAL.sub("", text)


def mask_contact(contact: str) -> str:
    """`+79991234567` -> `+7******4567`, `alice@example.com` -> `a***@example.com`; an erased one says so."""
    if not contact or contact.startswith(ERASED_CONTACT_PREFIX):
        return gettext("(erased)")
    return masked_contact(contact)


_PSEUDONYM_ALPHABET = "abcdefghjkmnpqrstuvwxyz"  # letters only: a pseudonym never reads as a number
_BASE = len(_PSEUDONYM_ALPHABET)
# The 12 letters are the hash's lowest base-23 digits, lowest first, read two at a time from a table, in one
# expression (a loop of divmod calls costs a million-row export a second).
_PAIR = _BASE * _BASE
_LETTER_PAIRS = tuple(_PSEUDONYM_ALPHABET[i % _BASE] + _PSEUDONYM_ALPHABET[i // _BASE] for i in range(_PAIR))
_P1, _P2, _P3, _P4, _P5 = (_PAIR**k for k in range(1, 6))


@functools.cache
def _keyed_hash(secret: str, purpose: str) -> hashlib.blake2b:
    """A keyed BLAKE2 (a MAC in one C call; hmac.new costs several Python calls) to copy for each name, one key
    per kind of thing named: a participant's and a submission's names never coincide, and knowing one kind's
    does not help with the other's."""
    key = hashlib.blake2b(
        f"slipcheck.reports.{purpose}-pseudonym:".encode() + secret.encode(), digest_size=32
    )
    return hashlib.blake2b(key=key.digest(), digest_size=8)


def _letters(value: bytes, secret: str, purpose: str) -> str:
    keyed = _keyed_hash(secret, purpose).copy()
    keyed.update(value)
    n = int.from_bytes(keyed.digest(), "big")
    pairs = _LETTER_PAIRS
    return (
        pairs[n % _PAIR]
        + pairs[n // _P1 % _PAIR]
        + pairs[n // _P2 % _PAIR]
        + pairs[n // _P3 % _PAIR]
        + pairs[n // _P4 % _PAIR]
        + pairs[n // _P5 % _PAIR]
    )


@functools.lru_cache(maxsize=65_536)  # a participant sends a few slips: most rows reuse a name
def _pseudonym(participant_id: int, secret: str) -> str:
    return "P-" + _letters(str(participant_id).encode(), secret, "participant")


def pseudonym(participant_id: int) -> str:
    """A stable name for a participant across exports (keyed by SECRET_KEY), not reversible to the contact."""
    return _pseudonym(participant_id, settings.SECRET_KEY)


def submission_pseudonym(submission_id: uuid.UUID | str) -> str:
    """A stable name for a submission across exports (keyed by SECRET_KEY, `S-` and a key of its own where a
    participant's is `P-`): a marketer can refer to a row, nobody can open the submission with it. Not cached:
    every row has its own."""
    if not isinstance(submission_id, uuid.UUID):
        submission_id = uuid.UUID(submission_id)
    return "S-" + _letters(submission_id.bytes, settings.SECRET_KEY, "submission")


@functools.lru_cache(maxsize=4096)
def _reason_cells(text: str | None, language: str) -> tuple[str, str]:
    """(codes, words) of a stored reasons list, in `language`; keyed by the stored text, so each distinct one
    is decoded and rendered once per process."""
    if not text:
        return "", ""
    stored = json.loads(text) if isinstance(text, str) else text
    if isinstance(stored, str):  # a JSON string inside (some drivers hand the text quoted)
        stored = json.loads(stored)
    with translation.override(language):
        words = " | ".join(render(item)["message"] for item in stored)
    return ", ".join(item.get("code", "") for item in stored), free_text(words)


def _local(moment: datetime | None, tz: zoneinfo.ZoneInfo) -> datetime | None:
    """The campaign's wall-clock time to the second (what a spreadsheet shows; XLSX holds no zone)."""
    if moment is None:
        return None
    return moment.astimezone(tz).replace(tzinfo=None, microsecond=0)


def _last4(value: str | None) -> str:
    return (value or "")[-4:]  # validated as four digits where written; never more, whatever a row holds


@dataclass
class _RowMaker:
    """Turns a selected tuple into the file's cells (typed: Decimal, datetime, date, time or str). Text is as it
    reads: the CSV guards formulas (csv_chunks), the XLSX has no need to."""

    campaign: Campaign
    language: str
    statuses: dict[str, str] = field(default_factory=dict)
    automatic: str = ""
    a_moderator: str = ""

    def __post_init__(self) -> None:
        with translation.override(self.language):
            self.statuses = {value: str(label) for value, label in Submission.Status.choices}
            self.automatic = gettext("automatic")
            self.a_moderator = gettext("a moderator")
        self.tz = self.campaign.tz

    def __call__(self, values: tuple) -> tuple:
        (
            pk,
            created_at,
            status,
            reasons_text,
            decided_at,
            username,
            typed_amount,
            read_amount,
            slip_date,
            slip_time,
            payment_system,
            merchant,
            typed_card,
            read_card,
            contact,
            participant_id,
        ) = values
        codes, words = _reason_cells(reasons_text, self.language)
        if username:
            decided_by = username
        elif decided_at is None:
            decided_by = ""
        elif codes and by_a_person(codes.split(", ", 1)[0]):
            decided_by = self.a_moderator  # a person decided, whose account is gone
        else:
            decided_by = self.automatic
        return (
            submission_pseudonym(pk),
            _local(created_at, self.tz),
            self.statuses.get(status, status),
            codes,
            words,
            _local(decided_at, self.tz),
            decided_by,
            typed_amount,
            read_amount,
            slip_date,
            slip_time.replace(microsecond=0) if slip_time else None,
            free_text(payment_system or ""),
            free_text(merchant or ""),
            _last4(typed_card),
            _last4(read_card),
            mask_contact(contact),
            pseudonym(participant_id),
        )


def export_rows(filters: ExportFilters, *, language: str | None = None) -> Iterator[tuple]:
    """Every row of the export, one query read in chunks, typed cells (see _RowMaker)."""
    make = _RowMaker(filters.campaign, language or translation.get_language() or settings.LANGUAGE_CODE)
    for values in _values(filters).iterator(chunk_size=CHUNK_SIZE):
        yield make(values)


# --- writing the files ---------------------------------------------------------------------------------------


def decimal_separator(language: str) -> str:
    """The decimal mark of the language's readers, as the report's chart CSVs write it (`,` in Russian)."""
    return str(formats.get_format("DECIMAL_SEPARATOR", lang=language))


def _text(cell: str) -> str:
    """guard() for a cell known to be text (a call less per cell: a million rows feel it)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _csv_row_maker(language: str) -> Callable[[tuple], list]:
    """A row's cells as the CSV writes them: typed cells as csv_text writes them (amounts with the reader's
    decimal mark), card tails marked, and a formula guard on the text anyone else wrote (statuses, codes and
    pseudonyms are our own words and letters). Each column's type is known: the cells are formatted inline,
    which keeps a million rows as fast as before the pseudonyms and masks were added."""
    separator = decimal_separator(language)

    def csv_row(row: tuple) -> list:
        (
            submission,
            sent_at,
            status,
            reason_codes,
            reasons,
            decided_at,
            decided_by,
            typed_amount,
            read_amount,
            slip_date,
            slip_time,
            payment_system,
            merchant,
            typed_card_last4,
            read_card_last4,
            contact,
            participant,
        ) = row
        return [
            submission,
            sent_at.isoformat(" ", "seconds"),
            status,
            reason_codes,
            _text(reasons),
            "" if decided_at is None else decided_at.isoformat(" ", "seconds"),
            _text(decided_by),
            "" if typed_amount is None else f"{typed_amount:.2f}".replace(".", separator),
            "" if read_amount is None else f"{read_amount:.2f}".replace(".", separator),
            "" if slip_date is None else slip_date.isoformat(),
            "" if slip_time is None else slip_time.isoformat("minutes"),
            _text(payment_system),
            _text(merchant),
            CARD_MASK + typed_card_last4 if typed_card_last4 else "",
            CARD_MASK + read_card_last4 if read_card_last4 else "",
            _text(contact),
            participant,
        ]

    return csv_row


def csv_chunks(
    filters: ExportFilters,
    *,
    language: str | None = None,
    progress: Callable[[int], None] | None = None,
    chunk_rows: int = STREAM_CHUNK_ROWS,
) -> Iterator[bytes]:
    """The CSV file in pieces of `chunk_rows` rows: BOM and header first; `progress(rows)` now and then."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    with translation.override(language):
        writer.writerow(header())
    yield (CSV_BOM + buffer.getvalue()).encode()
    buffer.seek(0)
    buffer.truncate()
    rows = 0
    csv_row = _csv_row_maker(language)
    for row in export_rows(filters, language=language):
        writer.writerow(csv_row(row))
        rows += 1
        if rows % chunk_rows == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
        if progress is not None and rows % PROGRESS_EVERY == 0:
            progress(rows)
    if buffer.tell():
        yield buffer.getvalue().encode()
    if progress is not None:
        progress(rows)


# Column widths in the XLSX (characters), in COLUMNS' order, for the values: a sheet opens readable without
# resizing. A column is widened where its header needs more (xlsx_widths).
XLSX_WIDTHS = (16, 19, 14, 20, 40, 19, 16, 13, 13, 11, 7, 13, 30, 8, 8, 20, 16)
XLSX_MAX_WIDTH = 48


def xlsx_widths(titles: list[str]) -> list[float]:
    """Each column as wide as its values need, or as its bold header with the filter's button beside it (a
    bold letter is about a fifth wider than the width unit, a digit of the normal font)."""
    return [
        max(width, min(XLSX_MAX_WIDTH, math.ceil(len(title) * 1.2) + 3))
        for width, title in zip(XLSX_WIDTHS, titles, strict=True)
    ]


def _xlsx_write(
    filters: ExportFilters, out: IO[bytes], *, language: str, progress: Callable[[int], None] | None
) -> int:
    """The workbook written as it is read (reports.xlsx): a new sheet with its header every million rows or so."""
    with translation.override(language):
        title = header()
        name = gettext("Submissions")
    rows = 0
    with XlsxWriter(out, widths=xlsx_widths(title)) as workbook:
        workbook.add_sheet(name, title, autofilter=True)
        on_sheet = 0
        for row in export_rows(filters, language=language):
            if on_sheet == XLSX_SHEET_ROWS:
                workbook.add_sheet(f"{name} {rows // XLSX_SHEET_ROWS + 1}", title, autofilter=True)
                on_sheet = 0
            workbook.append(row)
            on_sheet += 1
            rows += 1
            if progress is not None and rows % PROGRESS_EVERY == 0:
                progress(rows)
    if progress is not None:
        progress(rows)
    return rows


def export_write(
    *,
    filters: ExportFilters,
    fmt: str,
    out: IO[bytes],
    language: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Writes the export to a binary file object; returns the rows written."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    if fmt == ExportJob.Format.XLSX:
        return _xlsx_write(filters, out, language=language, progress=progress)
    if fmt != ExportJob.Format.CSV:
        raise ValueError(f"unknown export format {fmt!r}")
    rows = 0

    def counted(done: int) -> None:
        nonlocal rows
        rows = done
        if progress is not None:
            progress(done)

    for chunk in csv_chunks(filters, language=language, progress=counted, chunk_rows=CHUNK_SIZE):
        out.write(chunk)
    return rows


_NAME_UNSAFE = re.compile(r"[^a-z0-9_]")


def download_name(*, filters: ExportFilters, fmt: str, when: datetime | None = None) -> str:
    """The file name a download gets, decided here: the campaign's slug (ASCII and safe), what was asked for
    (the period, the status and the reason, as codes: a name in Cyrillic is mangled by some mail and archive
    tools) and when, so that two exports of one campaign are told apart in a folder.

    `autumn-submissions-20261005-20261007-rejected-amount_mismatch-20261201-1430.csv`; an open end is `start`
    or `now`, no period at all `all`."""
    campaign = filters.campaign
    moment = (when or timezone.now()).astimezone(campaign.tz)
    if filters.date_from or filters.date_to:
        start = f"{filters.date_from:%Y%m%d}" if filters.date_from else "start"
        end = f"{filters.date_to:%Y%m%d}" if filters.date_to else "now"
        parts = [f"{start}-{end}"]
    else:
        parts = ["all"]
    parts += [_NAME_UNSAFE.sub("", code) for code in (filters.status, filters.reason) if code]
    return f"{campaign.slug}-submissions-{'-'.join(parts)}-{moment:%Y%m%d-%H%M}.{fmt}"


def should_stream(*, fmt: str, rows: int) -> bool:
    """A small CSV goes straight into the response; anything bigger, and every XLSX, is built in the
    background (a zip cannot be streamed as it is written, and a long response ties up a web worker)."""
    return fmt == ExportJob.Format.CSV and rows <= settings.SLIPCHECK_EXPORT_STREAM_MAX_ROWS


# --- background jobs -----------------------------------------------------------------------------------------


class ClaimLost(Exception):
    """The job was taken over (its worker was given up for dead) or deleted: this worker stops writing."""


def export_job_create(*, user: Any, filters: ExportFilters, fmt: str, language: str) -> ExportJob:
    """Records the job and sends it to the workers once the row is committed."""
    job = ExportJob.objects.create(
        user=user, campaign=filters.campaign, filters=filters.as_json(), format=fmt, language=language
    )
    transaction.on_commit(lambda: export_job_enqueue(job_id=job.pk))
    return job


def export_job_enqueue(*, job_id: Any) -> bool:
    """False when the broker could not take it: the job stays queued, and the sweep sends it again."""
    try:
        current_app.tasks[EXPORT_TASK].apply_async(args=[str(job_id)])
    except BROKER_ERRORS as error:
        logger.warning("export %s not enqueued (the sweep will): %s: %s", job_id, type(error).__name__, error)
        return False
    return True


def _stale_before(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.SLIPCHECK_EXPORT_STALE_SECONDS)


def export_job_claim(*, job_id: Any) -> ExportJob | None:
    """Takes a queued job (or a running one whose worker stopped beating) in one conditional UPDATE; None when
    another worker holds it, it is finished, or it is out of attempts."""
    now = timezone.now()
    takeable = Q(status=ExportJob.Status.QUEUED) | Q(
        status=ExportJob.Status.RUNNING, heartbeat_at__lt=_stale_before(now)
    )
    claimed = ExportJob.objects.filter(takeable, pk=job_id, attempts__lt=MAX_ATTEMPTS).update(
        status=ExportJob.Status.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        rows_done=0,
        error="",
    )
    if not claimed:
        return None
    return ExportJob.objects.select_related("campaign").get(pk=job_id)


def export_job_build(*, job_id: Any) -> ExportJob | None:
    """The task's work: claim, write the file to a temporary file, store it, mark the job done. Running it
    twice (a redelivered message) builds one file: the second claim finds nothing to take."""
    job = export_job_claim(job_id=job_id)
    if job is None:
        logger.info("export %s: nothing to claim (finished, or held by another worker)", job_id)
        return None
    mine = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING, attempts=job.attempts)
    filters = ExportFilters.from_json(job.campaign, job.filters)

    def beat(rows: int) -> None:
        if not mine.update(rows_done=rows, heartbeat_at=timezone.now()):
            raise ClaimLost(job.pk)

    stored = ""
    try:
        if not mine.update(rows_total=export_count(filters), heartbeat_at=timezone.now()):
            raise ClaimLost(job.pk)
        with tempfile.TemporaryFile() as spool:
            rows = export_write(
                filters=filters, fmt=job.format, out=spool, language=job.language, progress=beat
            )
            spool.seek(0)
            stored = default_storage.save(export_upload_to(job, ""), File(spool))
        done = mine.update(
            status=ExportJob.Status.DONE,
            file=stored,
            rows_done=rows,
            rows_total=rows,  # rows may have come in since the count
            finished_at=timezone.now(),
        )
        if not done:
            raise ClaimLost(job.pk)
    except ClaimLost:
        logger.warning("export %s: claim lost (taken over or deleted); this attempt's file dropped", job.pk)
        if stored:
            default_storage.delete(stored)
        return None
    except Exception as error:  # a failed export says so on its page; the requester can start it again
        logger.exception("export %s failed", job.pk)
        if stored:
            default_storage.delete(stored)
        message = mask_card_numbers(f"{type(error).__name__}: {error}"[:500], doubt=True)[0]
        mine.update(status=ExportJob.Status.FAILED, error=message, finished_at=timezone.now())
        return ExportJob.objects.get(pk=job.pk)
    logger.info("export %s done: %d rows", job.pk, rows)
    return ExportJob.objects.get(pk=job.pk)


def export_job_is_overdue(job: ExportJob, *, now: datetime | None = None) -> bool:
    """The file's retention time is over (the sweep deletes it; a download refuses it meanwhile)."""
    if job.finished_at is None:
        return False
    retention = timedelta(hours=settings.SLIPCHECK_EXPORT_RETENTION_HOURS)
    return job.finished_at + retention <= (now or timezone.now())


def export_job_expire(*, job: ExportJob) -> bool:
    """Deletes a finished job's file and marks it expired (the row stays: who exported what, when)."""
    if job.file.name:
        default_storage.delete(job.file.name)
    return bool(
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.DONE).update(
            status=ExportJob.Status.EXPIRED, file=""
        )
    )


@dataclass
class SweepReport:
    expired: int = 0  # files deleted after the retention time
    requeued: int = 0  # queued ones the broker lost, and running ones whose worker stopped
    failed: int = 0  # out of attempts


def exports_sweep(*, now: datetime | None = None, batch: int = 500) -> SweepReport:
    """The periodic task: deletes overdue files, sends lost jobs again, gives up on jobs that keep dying."""
    now = now or timezone.now()
    report = SweepReport()
    overdue = now - timedelta(hours=settings.SLIPCHECK_EXPORT_RETENTION_HOURS)
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, finished_at__lte=overdue)[:batch]:
        report.expired += export_job_expire(job=job)
    stale = _stale_before(now)
    lost = ExportJob.objects.filter(
        Q(status=ExportJob.Status.QUEUED, created_at__lt=stale)
        | Q(status=ExportJob.Status.RUNNING, heartbeat_at__lt=stale)
    ).order_by("created_at")
    for job in lost[:batch]:
        if job.attempts >= MAX_ATTEMPTS:
            report.failed += ExportJob.objects.filter(
                pk=job.pk, status=job.status, attempts=job.attempts
            ).update(
                status=ExportJob.Status.FAILED,
                error=gettext("The export stopped %(attempts)s times without finishing.")
                % {"attempts": job.attempts},
                finished_at=now,
            )
        elif export_job_enqueue(job_id=job.pk):
            report.requeued += 1
    if report.expired or report.requeued or report.failed:
        logger.info("exports sweep: %s", report)
    return report


def reason_code_choices() -> list[tuple[str, str]]:
    """Every reason code a submission can carry, for the filter: the codes, named as the report names them
    (reports.labels), in the reader's alphabetical order."""
    return sorted(((code, reason_label(code)) for code in MESSAGES), key=lambda choice: choice[1].casefold())
