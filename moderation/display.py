"""HTML fragments for the admin: the photo, and what was typed beside what was read."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from promo.jobs import failure_kind
from promo.models import Recognition, Submission
from promo.reasons import render
from recognition.fiscal_qr import OPERATIONS, REFUNDS


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
        number_format(submission.typed_amount, 2, force_grouping=True),
        "—" if read_amount is None else number_format(read_amount, 2, force_grouping=True),
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
