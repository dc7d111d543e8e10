"""The registry stores check winners against at the prize desk: each winning slip's date, time, amount, merchant
and card last 4, never more of a card, never a photo or a contact; and when the slip was uploaded, which is what a
draw's period counts (a slip printed the day before the period is no reason to refuse the prize).

Values are what the acceptance asserted (promo.acceptance.confirmed_values): the typed amount and card, unless a
moderator corrected them, and the reading's date, time and merchant, or a moderator's correction of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from prizes.models import Draw, DrawWinner, PromoCode
from promo.acceptance import confirmed_values
from promo.models import Recognition, Submission
from recognition.cards import mask_card_numbers
from reports.csv_files import CARD_MASK
from reports.numbers import number_format

_DIGIT_RUN = re.compile(r"\d{5,}")
ENTRY_SHOWN = 12  # the entry's first characters: enough to find it in the published list


@dataclass(frozen=True)
class RegistryRow:
    label: str  # the rank in a draw, or the promo code
    entry: str  # the draw entry's first characters (the published list's), blank for codes
    status: str  # the submission's status now: a revoked winner is refused at the desk
    counts: bool  # still accepted: the line's prize is given
    uploaded_at: datetime  # in the campaign's time zone, the one a draw's period is counted in
    slip_date: date | None
    slip_time: time | None
    amount: Decimal | None
    merchant: str
    card_last4: str

    @property
    def entry_shown(self) -> str:
        """The entry's first characters and an ellipsis: it says the rest is cut, and no spreadsheet reads a number
        in it (`000123456789` would lose its zeros, `12345678e123` become 1.23E+130)."""
        return f"{self.entry}…" if self.entry else ""

    @property
    def card_shown(self) -> str:
        return CARD_MASK + self.card_last4 if self.card_last4 else ""


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
        counts=submission.status == Submission.Status.ACCEPTED,
        uploaded_at=timezone.localtime(submission.created_at, submission.campaign.tz),
        slip_date=read("date"),
        slip_time=read("time"),
        amount=values.get("amount"),
        merchant=safe_merchant(read("merchant")),
        card_last4=card_last4(values.get("card_last4")),
    )


def draw_registry(draw: Draw) -> list[RegistryRow]:
    winners = (
        DrawWinner.objects.filter(draw=draw)
        .select_related("submission__recognition", "submission__campaign")
        .prefetch_related(_corrections())
        .order_by("rank")
    )
    return [_row(str(w.rank), w.entry[:ENTRY_SHOWN], w.submission) for w in winners]


def code_holders_registry(codes: QuerySet[PromoCode]) -> list[RegistryRow]:
    held = (
        codes.filter(submission__isnull=False)
        .select_related("submission__recognition", "submission__campaign")
        .prefetch_related(_corrections())
        .order_by("assigned_at", "id")
    )
    return [_row(code.code, "", code.submission) for code in held]


def headers(first: str, *, entries: bool) -> list[str]:
    """The columns: a draw's registry has each winner's entry, a code holders' one has none to show."""
    return [
        first,
        *([_("Entry")] if entries else []),
        _("Status"),
        _("Uploaded"),
        _("Slip date"),
        _("Slip time"),
        _("Amount"),
        _("Merchant"),
        _("Card last 4"),
    ]


def csv_rows(rows: Iterable[RegistryRow], *, entries: bool) -> list[list[str]]:
    """Cells as text a spreadsheet keeps: the card and the entry carry a mark that no number has; the amount is in
    the reader's format (a decimal comma in Russian, as the reports' CSV files); dates are ISO, which Excel reads
    as dates in any locale. reports.csv_files guards every cell against formulas."""
    return [
        [
            row.label,
            *([row.entry_shown] if entries else []),
            row.status,
            row.uploaded_at.strftime("%Y-%m-%d %H:%M"),
            row.slip_date.isoformat() if row.slip_date else "",
            row.slip_time.strftime("%H:%M") if row.slip_time else "",
            "" if row.amount is None else number_format(row.amount, decimal_pos=2),
            row.merchant,
            row.card_shown,
        ]
        for row in rows
    ]
