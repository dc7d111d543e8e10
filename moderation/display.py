"""HTML fragments for the admin: the photo, and what was typed beside what was read."""

import json

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from promo.jobs import failure_kind
from promo.models import Recognition, Submission
from promo.reasons import render
from recognition.fiscal_qr import OPERATIONS, REFUNDS

COMPARED = (
    ("amount", "typed_amount"),
    ("card_last4", "typed_card_last4"),
    ("date", None),
    ("time", None),
    ("payment_system", None),
    ("merchant", None),
    ("rrn", None),
    ("auth_code", None),
    ("terminal_id", None),
)


def photo_html(submission: Submission, height: int) -> SafeString:
    if not submission.photo.name:
        return format_html("<em>{}</em>", _("photo erased"))
    url = reverse("moderation:photo", kwargs={"pk": submission.pk})
    return format_html(
        '<a href="{}" target="_blank"><img src="{}" alt="" loading="lazy" style="max-height:{}px;max-width:100%;'
        'border:1px solid #ccc"></a>',
        url,
        url,
        height,
    )


def recognition_of(submission: Submission) -> Recognition | None:
    try:
        return submission.recognition
    except Recognition.DoesNotExist:
        return None


def comparison_html(submission: Submission) -> SafeString:
    """A table a moderator reads in one glance: field, typed, read, confidence, runners-up."""
    recognition = recognition_of(submission)
    fields = recognition.fields if recognition else {}
    rows = []
    for name, typed_attr in COMPARED:
        read = fields.get(name, {})
        typed = getattr(submission, typed_attr) if typed_attr else ""
        value = read.get("value")
        mismatch = typed_attr is not None and value is not None and str(value) != str(typed)
        others = ", ".join(str(c["value"]) for c in read.get("candidates", [])[1:])
        rows.append(
            (
                name,
                typed if typed != "" else "",
                "—" if value is None else value,
                f"{read.get('confidence', 0):.2f}" if read else "",
                others,
                "background:#fde8e8" if mismatch else "",
            )
        )
    if recognition is not None and recognition.fiscal_fn:
        rows.append(fiscal_row(recognition))
    body = format_html_join(
        "",
        '<tr style="{5}"><th>{0}</th><td>{1}</td><td><b>{2}</b></td><td>{3}</td><td>{4}</td></tr>',
        rows,
    )
    kind = f"{recognition.kind} ({recognition.kind_confidence:.2f})" if recognition else "—"
    return format_html(
        # Scrolls sideways on a phone instead of being cut off by the admin's row.
        '<p>{}: <b>{}</b></p><div style="overflow-x:auto"><table><thead><tr><th></th><th>{}</th><th>{}</th>'
        "<th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table></div>",
        _("Document"),
        kind,
        _("typed"),
        _("read"),
        _("confidence"),
        _("other readings"),
        body,
    )


def fiscal_row(recognition: Recognition) -> tuple[str, str, str, str, str, str]:
    """The receipt's fiscal ids as its QR gave them, in the receipt's own terms (ФН, ФД, ФП, the operation it
    prints); a refund is marked: it proves no purchase."""
    operation = recognition.fiscal_operation
    ids = f"ФН {recognition.fiscal_fn} · ФД {recognition.fiscal_i} · ФП {recognition.fiscal_fp}"
    printed = OPERATIONS.get(operation, str(operation)).upper()
    return ("fiscal_qr", "", ids, "", printed, "background:#fde8e8" if operation in REFUNDS else "")


def reasons_html(submission: Submission) -> SafeString:
    reasons = format_html_join(
        "",
        "<div><code>{}</code> {}{}</div>",
        ((r["code"], render(r)["message"], _what_happened(r)) for r in submission.reasons),
    )
    return format_html("{}{}", redaction_html(submission), reasons)


# What went wrong in the attempts to read a photo (promo.jobs.FAILURE_KINDS), in the moderator's language.
FAILURES = {
    "worker_lost": gettext_lazy(
        "the worker reading it stopped (killed, crashed or stuck past its time limit)"
    ),
    "time_limit": gettext_lazy("reading it took too long"),
    "transient": gettext_lazy("the database or the photo storage failed"),
    "error": gettext_lazy("recognition failed on this photo"),
}


def _what_happened(stored: dict) -> SafeString:
    """For a photo that could not be read: how many attempts it had and what went wrong last, for the moderator."""
    details = stored.get("details", {})
    if stored["code"] != "recognition_failed" or "error" not in details:
        return mark_safe("")
    kind = details.get("failure") or failure_kind(details["error"])
    detail = (
        details["error"].partition(": ")[2] if details["error"].startswith(f"{kind}: ") else details["error"]
    )
    return format_html(
        "<br><small>{}: {} · {} <code>{}</code></small>",
        _("attempts to read"),
        details.get("attempts", "?"),
        FAILURES.get(kind, FAILURES["error"]),
        detail,
    )


def ocr_text_html(submission: Submission) -> SafeString:
    recognition = recognition_of(submission)
    if recognition is None:
        return mark_safe("—")
    if recognition.error:
        return format_html("<pre>{}</pre>", recognition.error)
    # PP-OCR's reading, then Tesseract's where it re-read the line (it reads the Cyrillic PP-OCR cannot).
    lines = format_html_join(
        "\n",
        "{}  <span style='color:#888'>({})</span>  <span style='color:#2451b3'>{}</span>",
        (
            (line["text"], f"{line['confidence']:.2f}", line.get("second_text", ""))
            for line in recognition.lines
        ),
    )
    return format_html(
        "<pre style='white-space:pre-wrap'>{}</pre><p>{} · {}</p>",
        lines,
        recognition.engine,
        ", ".join(f"{k} {v:.0f} ms" for k, v in recognition.timings_ms.items()),
    )


_OUTCOME_STYLE = {
    "pass": "color:#1a7f37",
    "fail": "color:#b42318;font-weight:bold",
    "unsure": "color:#b54708;font-weight:bold",
    "skipped": "color:#888",
}


def checks_html(submission: Submission) -> SafeString:
    """Every check of the automatic decision, in order, with its outcome and the evidence it saw."""
    if not submission.checks:
        return mark_safe("—")
    rows = (
        (
            check["check"],
            _OUTCOME_STYLE.get(check["outcome"], ""),
            check["outcome"],
            check.get("code", ""),
            json.dumps(check.get("evidence", {}), ensure_ascii=False, default=str),
        )
        for check in submission.checks
    )
    body = format_html_join(
        "",
        "<tr><th>{}</th><td style='{}'>{}</td><td><code>{}</code></td><td style='font-size:90%'>{}</td></tr>",
        rows,
    )
    return format_html("<table><tbody>{}</tbody></table>", body)


def earlier_submission_html(submission: Submission) -> SafeString:
    """The submission this one is a copy of (or looks like), beside it: its photo, status and what its participant
    typed. It may be the later upload: the one decided first wins."""
    earlier = submission.duplicate_of
    if earlier is None:
        return mark_safe("—")
    return format_html(
        "<div><b>{}</b> <a href='{}'>{}</a><br>{} · {} · {} {} / {}</div>{}",
        _("The same photo or slip as:"),
        reverse("admin:promo_submission_change", args=[earlier.pk]),
        earlier.pk,
        timezone.localtime(earlier.created_at).strftime("%Y-%m-%d %H:%M"),
        earlier.get_status_display(),
        _("typed"),
        earlier.typed_amount,
        earlier.typed_card_last4,
        photo_html(earlier, 500),
    )


def redaction_html(submission: Submission) -> SafeString:
    if not submission.needs_redaction:
        return mark_safe("")
    return format_html(
        "<div style='background:#fde8e8;padding:4px'><b>{}</b></div>",
        _("A full card number is on this photo: hide it before anyone else sees the photo."),
    )


def waited_html(submission: Submission) -> SafeString:
    """How long it has waited, red past the campaign's target, amber past half of it."""
    since = submission.waiting_since or submission.created_at
    minutes = max(0, int((timezone.now() - since).total_seconds() // 60))
    target = submission.campaign.moderation_target_minutes
    style = (
        "color:#b42318;font-weight:bold"
        if minutes >= target
        else "color:#b54708"
        if minutes * 2 >= target
        else ""
    )
    hours, rest = divmod(minutes, 60)
    waited = _("%(h)d h %(m)02d min") % {"h": hours, "m": rest} if hours else _("%(m)d min") % {"m": rest}
    return format_html(
        '<span style="{}" title="{}">{}</span><br><small>{} {}</small>',
        style,
        timezone.localtime(since).strftime("%Y-%m-%d %H:%M"),
        waited,
        _("target"),
        _("%(m)d min") % {"m": target},
    )


def typed_and_read_html(submission: Submission) -> SafeString:
    recognition = recognition_of(submission)
    read_amount = recognition.amount if recognition else None
    read_card = recognition.card_last4 if recognition else ""
    amount_style = (
        "background:#fde8e8" if read_amount is not None and read_amount != submission.typed_amount else ""
    )
    card_style = "background:#fde8e8" if read_card and read_card != submission.typed_card_last4 else ""
    return format_html(
        '<span style="{}">{} / {}</span><br><span style="{}">*{} / {}</span>',
        amount_style,
        submission.typed_amount,
        "—" if read_amount is None else read_amount,
        card_style,
        submission.typed_card_last4,
        read_card or "—",
    )


def reason_words_html(submission: Submission) -> SafeString:
    return format_html_join(
        "", "<div>{}</div>", ((render(r)["message"],) for r in submission.reasons[:3])
    ) or mark_safe("—")


def holder_html(submission: Submission) -> SafeString:
    claim = getattr(submission, "review_claim", None)
    if claim is None or claim.expires_at <= timezone.now():
        return mark_safe("")
    return format_html(
        "{} <small>({} {})</small>",
        claim.moderator.get_username(),
        _("until"),
        timezone.localtime(claim.expires_at).strftime("%H:%M"),
    )
