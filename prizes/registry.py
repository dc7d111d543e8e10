"""The registry stores check winners against at the prize desk: each winning slip's date, time, amount, merchant
and card last 4, never more of a card, never a photo or a contact.

Values are what the acceptance asserted (promo.acceptance.confirmed_values): the typed amount and card, unless a
moderator corrected them, and the reading's date, time and merchant, or a moderator's correction of them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from prizes.models import Draw, DrawWinner, PromoCode
from promo.acceptance import confirmed_values
from promo.models import Recognition, Submission
from recognition.cards import mask_card_numbers

# A spreadsheet runs a cell starting with one of these as a formula (or a DDE command): written as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_DIGIT_RUN = re.compile(r"\d{5,}")


@dataclass(frozen=True)
class RegistryRow:
    label: str  # the rank in a draw, or the promo code
    entry: str  # the draw entry's first characters (the published list's), blank for codes
    status: str  # the submission's status now: a revoked winner is refused at the desk
    slip_date: date | None
    slip_time: time | None
    amount: Decimal | None
    merchant: str
    card_last4: str


def card_last4(value: object) -> str:
    """At most the last four digits of whatever a column holds."""
    return re.sub(r"\D", "", str(value or ""))[-4:]


def safe_merchant(value: object) -> str:
    """A merchant name as read: a card number in it is masked, and any run of five digits or more shortened to its
    last four (a misread card would not always look like one)."""
    text, _masked = mask_card_numbers(str(value or ""), doubt=True)
    return _DIGIT_RUN.sub(lambda match: "…" + match.group()[-4:], text)


def _corrections() -> Prefetch:
    # moderation.FieldCorrection by its relation's name: prizes does not import moderation (same floor).
    return Prefetch("submission__corrections")


def _row(label: str, entry: str, submission: Submission) -> RegistryRow:
    corrections = {c.field: c.value for c in submission.corrections.all()}  # in id order: the latest wins
    values = confirmed_values(submission, corrections)
    try:
        recognition: Recognition | None = submission.recognition
    except Recognition.DoesNotExist:
        recognition = None

    def read(name: str):
        return values.get(name, getattr(recognition, name, None) if recognition else None)

    return RegistryRow(
        label=label,
        entry=entry,
        status=submission.get_status_display(),
        slip_date=read("date"),
        slip_time=read("time"),
        amount=values.get("amount"),
        merchant=safe_merchant(read("merchant")),
        card_last4=card_last4(values.get("card_last4")),
    )


def draw_registry(draw: Draw) -> list[RegistryRow]:
    winners = (
        DrawWinner.objects.filter(draw=draw)
        .select_related("submission__recognition")
        .prefetch_related(_corrections())
        .order_by("rank")
    )
    return [_row(str(w.rank), w.entry[:12], w.submission) for w in winners]


def code_holders_registry(codes: QuerySet[PromoCode]) -> list[RegistryRow]:
    held = (
        codes.filter(submission__isnull=False)
        .select_related("submission__recognition")
        .prefetch_related(_corrections())
        .order_by("assigned_at", "id")
    )
    return [_row(code.code, "", code.submission) for code in held]


def headers(first: str) -> list[str]:
    return [
        first,
        _("Entry"),
        _("Status"),
        _("Slip date"),
        _("Slip time"),
        _("Amount"),
        _("Merchant"),
        _("Card last 4"),
    ]


def spreadsheet_cell(value: object) -> str:
    """A cell that a spreadsheet shows as the text it is: a leading apostrophe before what would start a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cells(row: RegistryRow) -> list[str]:
    amount = (
        "" if row.amount is None else f"{row.amount:.2f}".replace(".", ",")
    )  # Russian Excel's decimal mark
    return [
        row.label,
        row.entry,
        row.status,
        row.slip_date.isoformat() if row.slip_date else "",
        row.slip_time.strftime("%H:%M") if row.slip_time else "",
        amount,
        row.merchant,
        row.card_last4,
    ]


def registry_csv(rows: Iterable[RegistryRow], first_header: str) -> bytes:
    """`;`-separated UTF-8 with a byte-order mark: what Excel in a Russian locale opens as columns and Cyrillic."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([spreadsheet_cell(h) for h in headers(first_header)])
    for row in rows:
        writer.writerow([spreadsheet_cell(cell) for cell in _cells(row)])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")
