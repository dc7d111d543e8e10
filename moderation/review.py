"""What the review page shows a moderator, gathered in a fixed number of queries: typed beside read, each check
in words, the repairs that fired, the other copy of a suspected duplicate, and the participant's history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from moderation.models import FieldCorrection
from moderation.outcomes import REJECT_REASONS
from promo.amounts import format_amount
from promo.models import Recognition, Submission
from promo.reasons import MESSAGES, reason, render, short_label

Status = Submission.Status

FIELD_LABELS = {
    "amount": _("Amount"),
    "card_last4": _("Card, last 4"),
    "date": _("Date"),
    "time": _("Time"),
    "payment_system": _("Payment system"),
    "merchant": _("Merchant"),
    "rrn": _("RRN"),
    "auth_code": _("Auth code"),
    "terminal_id": _("Terminal"),
}
TYPED = {"amount": "typed_amount", "card_last4": "typed_card_last4"}
# One colour per field, for its box on the photo and its row in the table.
COLOURS = {
    "amount": "#d92d20",
    "card_last4": "#7a5af8",
    "date": "#0e9384",
    "time": "#0e9384",
    "payment_system": "#dc6803",
    "merchant": "#2e90fa",
    "rrn": "#667085",
    "auth_code": "#667085",
    "terminal_id": "#667085",
}


def box_of(stored: dict[str, Any]) -> tuple[float, float, float, float] | None:
    """The stored corners as (left, top, width, height), or None for a field read off no printed line."""
    corners = stored.get("box")
    if not corners:
        return None
    xs, ys = [float(x) for x, _ in corners], [float(y) for _, y in corners]
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


CHECK_LABELS = {
    "full_card_number": _("Full card number"),
    "same_photo": _("The same photo"),
    "photo_legible": _("Legible photo"),
    "document_kind": _("Document"),
    "refund": _("Not a refund"),
    "amount": _("Amount"),
    "card_last4": _("Card"),
    "date": _("Date in the period"),
    "min_amount": _("Minimum amount"),
    "payment_system": _("Payment system"),
    "same_slip": _("The same slip"),
    "participant_limits": _("Participant's limits"),
}
OUTCOME_LABELS = {
    "pass": _("passed"),
    "fail": _("failed"),
    "unsure": _("unsure"),
    "skipped": _("skipped"),
}


def reason_label(code: str) -> str:
    return short_label(code)


# The repairs and verdicts recognition records on a field (recognition.rules, recognition.corroborate, ...).
RULE_LABELS = {
    "date_mask_repaired": _("date mask XX/XX/XY repaired"),
    "card_tail_search": _("card tail found after ** mask"),
    "payment_system_fuzzy": _("payment system spotted fuzzily"),
    "date_time_unglued": _("date and time read glued together"),
    "card_payment_amount": _("amount of the card payment line"),
    "total_is_sum_of_parts": _("total = subtotal + tax and tip"),
    "total_is_cash_minus_change": _("total = cash − change"),
    "total_is_sum_of_items": _("total = sum of the items"),
    "engines_agree": _("both engines agree"),
    "engines_disagree": _("the engines disagree"),
    "second_engine_only": _("read by the second engine only"),
    "document_crop_undone": _("read on the whole photo"),
    "fiscal_qr": _("from the fiscal QR"),
    "confirmed_by_moderator": _("confirmed by a moderator"),
}


@dataclass
class FieldRow:
    name: str
    label: Any
    typed: str
    read: str
    confidence: float | None
    others: str
    rules: list[str]
    source: str
    corrected: str = ""
    mismatch: bool = False
    # Where it was printed (recognition.pipeline.field_boxes_on_photo): left, top, width, height as fractions.
    box: tuple[float, float, float, float] | None = None
    colour: str = ""


@dataclass
class CheckRow:
    label: Any
    outcome: str
    outcome_label: Any
    message: str
    evidence: str


@dataclass
class Review:
    submission: Submission
    recognition: Recognition | None
    fields: list[FieldRow]
    checks: list[CheckRow]
    reasons: list[dict[str, str]]
    duplicate: Submission | None
    duplicate_fields: list[FieldRow]
    history: list[Submission]
    history_counts: dict[str, int]
    corrections: list[FieldCorrection]
    reject_reasons: list[tuple[int, str, Any]] = field(default_factory=list)


def recognition_of(submission: Submission) -> Recognition | None:
    try:
        return submission.recognition
    except Recognition.DoesNotExist:
        return None


def shown(name: str, value: Any) -> str:
    """A value as the reader's locale writes it: amounts grouped with its decimal mark, dates in its order."""
    if value in (None, ""):
        return ""
    try:
        if name == "amount":
            return format_amount(Decimal(str(value)))
        if name == "date":
            return date_format(date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
    except (ValueError, ArithmeticError):
        pass
    return str(value)


def field_rows(
    submission: Submission, recognition: Recognition | None, corrected: dict[str, str]
) -> list[FieldRow]:
    fields = recognition.fields if recognition else {}
    rows = []
    for name, label in FIELD_LABELS.items():
        read = fields.get(name) or {}
        value = read.get("value")
        typed = str(getattr(submission, TYPED[name])) if name in TYPED else ""
        candidates = read.get("candidates") or []
        source = candidates[0].get("source", "") if candidates else ""
        printed = "" if value in (None, "") else str(value)
        if not printed and name not in TYPED and name not in corrected:
            continue
        rows.append(
            FieldRow(
                name=name,
                label=label,
                typed=shown(name, typed),
                read=shown(name, value),
                confidence=float(read["confidence"]) if printed and "confidence" in read else None,
                others=", ".join(shown(name, c.get("value")) for c in candidates[1:4]),
                rules=[str(RULE_LABELS.get(rule, rule)) for rule in read.get("rules") or []],
                source=source.partition(": ")[2] or source,
                corrected=shown(name, corrected.get(name, "")),
                mismatch=bool(typed) and printed != typed and corrected.get(name, printed) != typed,
                box=box_of(read) if printed else None,
                colour=COLOURS.get(name, "#667085"),
            )
        )
    return rows


def evidence_words(evidence: dict[str, Any]) -> str:
    """The evidence of a check as `name: value` pairs a person reads (candidates as `value (confidence)`)."""
    parts = []
    for key, value in evidence.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            value = ", ".join(f"{v.get('value')} ({v.get('confidence')})" for v in value[:3])
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        if value in (None, "", []):
            continue
        parts.append(f"{key.replace('_', ' ')}: {value}")
    return " · ".join(parts)


def check_rows(submission: Submission) -> list[CheckRow]:
    rows = []
    for check in submission.checks:
        code = check.get("code", "")
        message = (
            render(reason(code, **check.get("details", {})) if code in MESSAGES else {"code": code})[
                "message"
            ]
            if code
            else ""
        )
        rows.append(
            CheckRow(
                label=CHECK_LABELS.get(check["check"], check["check"]),
                outcome=check["outcome"],
                outcome_label=OUTCOME_LABELS.get(check["outcome"], check["outcome"]),
                message=message,
                evidence=evidence_words(check.get("evidence", {})) if check["outcome"] != "skipped" else "",
            )
        )
    return rows


def participant_history(submission: Submission) -> tuple[list[Submission], dict[str, int]]:
    """The participant's other submissions in the campaign (latest ten) and how many ended in each status."""
    others = Submission.objects.filter(
        campaign_id=submission.campaign_id, participant_id=submission.participant_id
    ).exclude(pk=submission.pk)
    counts = others.aggregate(
        total=Count("pk"),
        accepted=Count("pk", filter=Q(status=Status.ACCEPTED)),
        rejected=Count("pk", filter=Q(status=Status.REJECTED)),
        revoked=Count("pk", filter=Q(status=Status.REVOKED)),
    )
    latest = list(others.select_related("recognition").order_by("-created_at")[:10])
    return latest, counts


def review_of(submission: Submission) -> Review:
    recognition = recognition_of(submission)
    corrections = list(FieldCorrection.objects.filter(submission=submission).select_related("moderator"))
    corrected = {c.field: c.value for c in corrections}
    duplicate = None
    if submission.duplicate_of_id:
        duplicate = (
            Submission.objects.select_related("recognition", "campaign")
            .filter(pk=submission.duplicate_of_id)
            .first()
        )
    history, counts = participant_history(submission)
    return Review(
        submission=submission,
        recognition=recognition,
        fields=field_rows(submission, recognition, corrected),
        checks=check_rows(submission),
        reasons=[render(r) for r in submission.reasons],
        duplicate=duplicate,
        duplicate_fields=field_rows(duplicate, recognition_of(duplicate), {}) if duplicate else [],
        history=history,
        history_counts=counts,
        corrections=corrections,
        reject_reasons=[(i + 1, code, label) for i, (code, label) in enumerate(REJECT_REASONS)],
    )


def reason_counts(queue: QuerySet[Submission], codes: list[str]) -> dict[str, int]:
    """How many waiting submissions carry each reason: one query whatever the queue's length."""
    counts = queue.aggregate(
        **{code: Count("pk", filter=Q(reason_codes__contains=f" {code} ")) for code in codes}
    )
    return {code: n for code, n in counts.items() if n}
