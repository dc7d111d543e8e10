"""Instant prizes: a campaign's pool of promo codes, one handed to each accepted submission.

Codes are handed out inside the transaction that accepts (promo.signals.submission_moved, see prizes.receivers):
the acceptance and its code commit together. Concurrent acceptances each lock a different free code
(`SELECT ... FOR UPDATE SKIP LOCKED`) instead of queueing on the same one; the OneToOne from code to submission
is the database's guarantee that no submission ever holds two.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from prizes.models import CODE_MAX_LENGTH, CodeShortage, PrizeSettings, PromoCode
from promo.models import Campaign, Submission

# A pool file: plenty for a campaign (a 16-character code per line is 1 MB per 55,000 codes).
MAX_FILE_BYTES = getattr(settings, "SLIPCHECK_MAX_CODES_FILE_BYTES", 5 * 1024 * 1024)
MAX_CODES_PER_FILE = 200_000
# A first row reading like one of these is a header, not a code.
HEADERS = frozenset(
    {"code", "codes", "promo code", "promo_code", "promocode", "код", "коды", "промокод", "промокоды"}
)
_BATCH = 2000
_LISTED = 10  # line numbers said per kind of refusal


@dataclass
class UploadReport:
    added: int = 0
    duplicates_in_file: int = 0
    already_in_pool: int = 0
    empty_lines: int = 0
    too_long: list[int] = field(default_factory=list)  # line numbers
    invalid: list[int] = field(default_factory=list)  # control characters

    @property
    def duplicates_skipped(self) -> int:
        return self.duplicates_in_file + self.already_in_pool

    @property
    def rejected(self) -> int:
        return len(self.too_long) + len(self.invalid)


def _text_of(upload: IO[bytes], size: int | None) -> str:
    if size is not None and size > MAX_FILE_BYTES:
        raise ValidationError(_too_large())
    raw = upload.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise ValidationError(_too_large())
    if b"\x00" in raw:
        raise ValidationError(_("This is not a text file. Upload a CSV or text file, one code per line."))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ValidationError(
            _(
                'The file is not UTF-8 text (line %(line)d). Save it as "CSV UTF-8" (or plain text in UTF-8) '
                "and upload it again."
            )
            % {"line": line}
        ) from None


def _too_large() -> str:
    return _("The file is larger than %(limit)d MB: split it into smaller files.") % {
        "limit": MAX_FILE_BYTES // 2**20
    }


def parse_codes(text: str) -> tuple[list[str], UploadReport]:
    """The codes of a pool file: the first column of each row (`,`, `;` or tab separated, quotes allowed),
    stripped; a header row, empty rows and repeats skipped; too long or unprintable codes refused by line."""
    report = UploadReport()
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count) if any(d in first_line for d in ",;\t") else ","
    codes: list[str] = []
    seen: set[str] = set()
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise ValidationError(_("The file cannot be read as CSV: %(error)s") % {"error": error}) from None
    for number, row in enumerate(rows, 1):
        code = row[0].strip() if row else ""
        if not code:
            report.empty_lines += 1
            continue
        if number == 1 and code.casefold() in HEADERS:
            continue
        if len(code) > CODE_MAX_LENGTH:
            report.too_long.append(number)
            continue
        if not code.isprintable():
            report.invalid.append(number)
            continue
        if code in seen:
            report.duplicates_in_file += 1
            continue
        seen.add(code)
        codes.append(code)
    if len(codes) > MAX_CODES_PER_FILE:
        raise ValidationError(
            _("The file holds more than %(limit)d codes: split it into smaller files.")
            % {"limit": MAX_CODES_PER_FILE}
        )
    return codes, report


def promo_codes_upload(*, campaign: Campaign, upload: IO[bytes], size: int | None, user: Any) -> UploadReport:
    """Adds a file's codes to the campaign's pool; codes already in it are skipped, never doubled."""
    codes, report = parse_codes(_text_of(upload, size))
    with transaction.atomic():
        for start in range(0, len(codes), _BATCH):
            batch = codes[start : start + _BATCH]
            present = set(
                PromoCode.objects.filter(campaign=campaign, code__in=batch).values_list("code", flat=True)
            )
            new = [
                PromoCode(campaign=campaign, code=code, uploaded_by=user)
                for code in batch
                if code not in present
            ]
            # A concurrent upload of the same codes: the unique constraint skips them here too.
            PromoCode.objects.bulk_create(new, ignore_conflicts=True)
            report.already_in_pool += len(present)
            report.added += len(new)
    return report


def upload_summary(report: UploadReport) -> str:
    """What the admin says after an upload."""
    parts = [
        _(
            "Codes added: %(added)d; duplicates skipped: %(duplicates)d (in the file: %(in_file)d, already in the pool: %(in_pool)d)."
        )
        % {
            "added": report.added,
            "duplicates": report.duplicates_skipped,
            "in_file": report.duplicates_in_file,
            "in_pool": report.already_in_pool,
        }
    ]
    if report.too_long:
        parts.append(
            _("Refused as longer than %(limit)d characters: %(count)d (lines %(lines)s).")
            % {"limit": CODE_MAX_LENGTH, "count": len(report.too_long), "lines": _lines(report.too_long)}
        )
    if report.invalid:
        parts.append(
            _("Refused for characters that cannot be printed: %(count)d (lines %(lines)s).")
            % {"count": len(report.invalid), "lines": _lines(report.invalid)}
        )
    return " ".join(parts)


def _lines(numbers: list[int]) -> str:
    listed = ", ".join(str(n) for n in numbers[:_LISTED])
    return listed + (", …" if len(numbers) > _LISTED else "")


def on_revoke_of(campaign_id: int) -> str:
    value = PrizeSettings.objects.filter(campaign_id=campaign_id).values_list("on_revoke", flat=True).first()
    return value or PrizeSettings.OnRevoke.VOID


def free_codes(campaign_id: int) -> QuerySet[PromoCode]:
    return PromoCode.objects.filter(campaign_id=campaign_id, submission__isnull=True, voided_at__isnull=True)


def promo_code_hand_out(*, submission: Submission) -> PromoCode | None:
    """Binds one free code of the campaign to an accepted submission, inside the caller's transaction. A
    submission that already holds one keeps it; a campaign without codes gives none; an empty pool notes a
    shortage (the acceptance stands)."""
    held = PromoCode.objects.filter(submission=submission).first()
    if held is not None:
        return held
    if not PromoCode.objects.filter(campaign_id=submission.campaign_id).exists():
        return None
    now = timezone.now()
    with transaction.atomic():
        # Each concurrent acceptance locks a different free code, none waits for another's.
        code = free_codes(submission.campaign_id).select_for_update(skip_locked=True).order_by("id").first()
        if code is None:
            CodeShortage.objects.update_or_create(
                submission=submission, defaults={"campaign_id": submission.campaign_id, "resolved_at": None}
            )
            return None
        code.submission, code.assigned_at = submission, now
        code.save(update_fields=["submission", "assigned_at"])
        CodeShortage.objects.filter(submission=submission, resolved_at__isnull=True).update(resolved_at=now)
    return code


def promo_code_withdraw(*, submission: Submission) -> PromoCode | None:
    """A withdrawn acceptance (revoked, or rejected after a reopening) gives up its code: back to the pool or
    voided, as the campaign's prize settings say."""
    with transaction.atomic():
        code = PromoCode.objects.select_for_update().filter(submission=submission).first()
        if code is None:
            return None
        if on_revoke_of(submission.campaign_id) == PrizeSettings.OnRevoke.RETURN:
            code.submission, code.assigned_at = None, None
            code.save(update_fields=["submission", "assigned_at"])
        else:
            code.submission, code.voided_at, code.voided_from = None, timezone.now(), submission
            code.save(update_fields=["submission", "voided_at", "voided_from"])
    return code


def shortages_fill(*, shortages: QuerySet[CodeShortage]) -> tuple[int, int]:
    """Gives codes to the shortages' submissions that are still accepted and hold none, as far as the pools go.
    Returns (given, still short)."""
    given = short = 0
    for shortage in shortages.filter(resolved_at__isnull=True).select_related("submission"):
        with transaction.atomic():
            submission = Submission.objects.select_for_update().get(pk=shortage.submission_id)
            if submission.status != Submission.Status.ACCEPTED:
                continue
            if promo_code_hand_out(submission=submission) is None:
                short += 1
            else:
                given += 1
                CodeShortage.objects.filter(pk=shortage.pk, resolved_at__isnull=True).update(
                    resolved_at=timezone.now()
                )
    return given, short


def promo_code_extras(submission: Submission) -> dict[str, str]:
    """promo.extras provider: the code of an accepted submission (hidden while a reopened one is looked at
    again). Reads the joined relation: no query when the caller joined `promo_code`."""
    if submission.status != Submission.Status.ACCEPTED:
        return {}
    try:
        code = submission.promo_code
    except PromoCode.DoesNotExist:
        return {}
    return {"promo_code": code.code}
