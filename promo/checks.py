"""The decision's checks, in the order they run. Each is a small function of the facts and the campaign's rules
that says pass, fail or unsure, with a reason code (its message is in promo.reasons) and the evidence a
moderator needs. `run_checks` runs them all; a failed gate (a duplicate, an unreadable photo, a document the
campaign does not accept, a refund) marks the checks after it as skipped, since a field read off a cat proves
nothing either way.
"""

from __future__ import annotations

from collections.abc import Callable

from promo.decision import (
    FAIL,
    PASS,
    SKIPPED,
    UNSURE,
    CampaignRules,
    Candidate,
    CheckResult,
    Facts,
    FieldRead,
    strongest,
)
from promo.documents import CARD_RECEIPT, RECEIPT, SLIP
from recognition.rules import compare_amount_with_typed

Check = Callable[[Facts, CampaignRules], CheckResult]


def _candidates(read: FieldRead) -> list[dict[str, object]]:
    return [{"value": c.value, "confidence": round(c.confidence, 3)} for c in read.candidates]


def check_full_card_number(facts: Facts, rules: CampaignRules) -> CheckResult:
    """A full card number on the photo: masked in what was stored; the photo itself needs a moderator."""
    if facts.full_card_number:
        return CheckResult("full_card_number", UNSURE, "full_card_number")
    return CheckResult("full_card_number", PASS)


def _duplicate_check(name: str, kinds: tuple[str, ...], code: str) -> Check:
    def check(facts: Facts, rules: CampaignRules) -> CheckResult:
        match = strongest([match for match in facts.duplicates if match.kind in kinds])
        if match is None:
            return CheckResult(name, PASS)
        evidence = {"other": match.submission_id, "how": match.kind, **match.evidence}
        if match.certain:
            return CheckResult(name, FAIL, code, evidence=evidence)
        return CheckResult(name, UNSURE, f"possible_{code}", evidence=evidence)

    check.__name__ = check.__qualname__ = f"check_{name}"
    check.__doc__ = (
        f"Fails on another submission of the campaign found to be the same ({', '.join(kinds)}); unsure when "
        "only the picture looks the same."
    )
    return check


check_same_photo = _duplicate_check("same_photo", ("file", "photo"), "duplicate_photo")
# The same receipt by its fiscal QR, or the same slip by what was read: the same purchase uploaded again.
check_same_slip = _duplicate_check("same_slip", ("fiscal", "slip"), "duplicate_slip")

_KEY_FIELDS = ("amount", "card_last4", "date")


def check_photo_legible(facts: Facts, rules: CampaignRules) -> CheckResult:
    """Too dark or too blurred to read: the participant is asked for a retake. A poor photo that still gave up
    its fields passes: it was legible enough."""
    evidence = {"too_dark": facts.photo_too_dark, "too_blurred": facts.photo_too_blurred}
    unread = [name for name in _KEY_FIELDS if getattr(facts, name).value is None]
    if (facts.photo_too_dark or facts.photo_too_blurred) and (facts.kind == "other" or unread):
        return CheckResult("photo_legible", FAIL, "photo_unreadable", evidence=evidence | {"unread": unread})
    return CheckResult("photo_legible", PASS, evidence=evidence)


def card_payment_printed(facts: Facts) -> bool:
    """Whether a receipt shows the card payment: a card tail or a payment system was read on it, at any
    confidence. Either is enough, because this only decides whether the receipt is refused outright as
    showing no card: acceptance still needs the typed tail read with confidence (check_card), so a stray
    `VISA` from a 'we accept' sticker costs a moderator's look, never a wrong acceptance. Demanding both would
    refuse honest receipts where the tail or the scheme was missed (German girocard receipts print no scheme
    we know), and the tail alone would refuse those whose tail was misread."""
    return facts.card_last4.best is not None or facts.payment_system.best is not None


def counts_as(facts: Facts, rules: CampaignRules) -> str | None:
    """Which of the campaign's accepted documents the photo counts as, or None when it counts as none.

    - A "slip" the reader is unsure of (short, with no slip markers: as likely a short cash receipt) counts as
      a receipt where any receipt is accepted, so it is not asked for a card a cash receipt would not be.
    - Otherwise a slip counts as a slip where slips or receipts showing the card are accepted: it proves the
      very card payment such a receipt shows. Under a campaign taking any receipt and neither of those, a sure
      slip counts as none, and a person looks rather than a refusal (check_document_kind): a short receipt
      that prints the card payment reads like a slip to the reader too.
    - A receipt counts as a receipt where any receipt is accepted (then the card is not demanded of it, even
      when it shows one), else as a card receipt where those are accepted and it shows the card payment.
    """
    accepted = set(rules.documents)
    if facts.kind == "slip":
        if RECEIPT in accepted and facts.kind_confidence < rules.min_confidence:
            return RECEIPT
        return SLIP if accepted & {SLIP, CARD_RECEIPT} else None
    if facts.kind == "receipt":
        if RECEIPT in accepted:
            return RECEIPT
        if CARD_RECEIPT in accepted and card_payment_printed(facts):
            return CARD_RECEIPT
    return None


def card_demanded(facts: Facts, rules: CampaignRules) -> bool:
    """The card is checked on a slip or a receipt accepted for its card payment; a campaign taking any receipt
    does not ask a receipt for a card (a cash receipt has none)."""
    return counts_as(facts, rules) in (SLIP, CARD_RECEIPT)


def check_document_kind(facts: Facts, rules: CampaignRules) -> CheckResult:
    """A document the campaign accepts. A refusal names what to photograph for this campaign (the message
    renders `documents` in the reader's language)."""
    evidence = {
        "kind": facts.kind,
        "kind_confidence": facts.kind_confidence,
        "accepted": list(rules.documents),
    }
    details = {"documents": ",".join(rules.documents)}
    document = counts_as(facts, rules)
    if document is not None:
        return CheckResult("document_kind", PASS, evidence=evidence | {"counts_as": document})
    if facts.kind == "slip":  # a sure slip under a campaign taking receipts only
        return CheckResult("document_kind", UNSURE, "slip_not_receipt", details, evidence)
    if facts.kind == "receipt":
        if CARD_RECEIPT in rules.documents:
            if facts.masked_number:  # a card number is printed, its tail not made out: a person reads it
                evidence |= {"masked_number": facts.masked_number}
                return CheckResult("document_kind", UNSURE, "card_unread", details, evidence)
            return CheckResult("document_kind", FAIL, "receipt_without_card", details, evidence)
        return CheckResult("document_kind", FAIL, "receipt_not_slip", details, evidence)
    return CheckResult("document_kind", FAIL, "not_a_slip", details, evidence)


def check_refund(facts: Facts, rules: CampaignRules) -> CheckResult:
    """A refund or return (`Возврат прихода`, `REFUND`, `Rückgabe`, ...) proves money given back, not a
    purchase: never accepted, whatever document it is."""
    if facts.refund:
        return CheckResult("refund", FAIL, "refund", evidence={"printed": facts.refund})
    return CheckResult("refund", PASS)


def _typed_among_runners_up(read: FieldRead, typed: object) -> Candidate | None:
    return next((c for c in read.candidates[1:] if c.value == typed), None)


def check_amount(facts: Facts, rules: CampaignRules) -> CheckResult:
    """The typed amount against the read one. Confusable digits (6/8 and friends) are forgiven only where the
    engines disagreed; a clear, confident mismatch is a mismatch."""
    read, typed = facts.amount, facts.typed_amount
    evidence = {"typed": typed, "read": _candidates(read)}
    best = read.best
    if best is None:
        return CheckResult("amount", UNSURE, "amount_unread", evidence=evidence)
    if best.value == typed:
        if best.confidence >= rules.min_confidence:
            return CheckResult("amount", PASS, evidence=evidence)
        return CheckResult("amount", UNSURE, "low_confidence", {"field": "amount"}, evidence)
    if _typed_among_runners_up(read, typed):
        # One engine read what was typed, the other something else: a person looks.
        return CheckResult("amount", UNSURE, "low_confidence", {"field": "amount"}, evidence)
    comparison = compare_amount_with_typed(best.value, typed, best.unsure)
    if comparison.matches and best.confidence >= rules.min_confidence:
        evidence |= {"repaired_positions": list(comparison.positions)}
        return CheckResult("amount", PASS, evidence=evidence)
    if facts.open_tip and typed > best.value:
        # The tip line is blank on the print: a tip written in by hand is charged on top of the printed total.
        evidence |= {"open_tip": facts.open_tip}
        return CheckResult("amount", UNSURE, "low_confidence", {"field": "amount"}, evidence)
    if best.confidence >= refusal_confidence(rules):  # as sure as readings get, and no repair reconciles it
        return CheckResult(
            "amount", FAIL, "amount_mismatch", {"read": f"{best.value:.2f}", "typed": typed}, evidence
        )
    return CheckResult("amount", UNSURE, "low_confidence", {"field": "amount"}, evidence)


def refusal_confidence(rules: CampaignRules) -> float:
    """How sure a reading that contradicts the participant must be to refuse them: never less than what it
    takes to accept."""
    return max(rules.reject_confidence, rules.min_confidence)


def check_card(facts: Facts, rules: CampaignRules) -> CheckResult:
    """The typed card tail against the one read, where the campaign asks this document for a card. Where it
    does not (any receipt), an unread tail passes, but a confident different one is still a sign of someone
    else's receipt: a person looks rather than a refusal, since the card was never a condition."""
    read, typed = facts.card_last4, facts.typed_card_last4
    demanded = card_demanded(facts, rules)
    evidence = {"typed": typed, "read": _candidates(read), "demanded": demanded}
    best = read.best
    if not demanded:
        if (
            best is not None
            and best.confidence >= rules.min_confidence
            and best.value != typed
            and not _typed_among_runners_up(read, typed)
        ):
            return CheckResult(
                "card_last4", UNSURE, "card_mismatch", {"read": best.value, "typed": typed}, evidence
            )
        return CheckResult("card_last4", PASS, evidence=evidence)
    if best is None:
        return CheckResult("card_last4", UNSURE, "card_unread", evidence=evidence)
    if best.value == typed and best.confidence >= rules.min_confidence:
        return CheckResult("card_last4", PASS, evidence=evidence)
    if best.value == typed or _typed_among_runners_up(read, typed):
        return CheckResult("card_last4", UNSURE, "low_confidence", {"field": "card_last4"}, evidence)
    if best.confidence >= refusal_confidence(rules):
        return CheckResult(
            "card_last4", FAIL, "card_mismatch", {"read": best.value, "typed": typed}, evidence
        )
    return CheckResult("card_last4", UNSURE, "low_confidence", {"field": "card_last4"}, evidence)


def check_date(facts: Facts, rules: CampaignRules) -> CheckResult:
    """Printed inside the campaign period (the shop's local date, compared with the campaign's days) and not
    after today in the campaign's time zone. When another reading of the date (a day/month swap on a US-style
    slip) gets another verdict, a person decides."""
    read = facts.date
    evidence = {
        "read": _candidates(read),
        "starts": rules.starts_on,
        "ends": rules.ends_on,
        "today": facts.today,
    }
    best = read.best
    if best is None:
        return CheckResult("date", UNSURE, "date_unread", evidence=evidence)

    def problem(day) -> str | None:
        if day > facts.today:
            return "date_in_future"
        if day < rules.starts_on:
            return "date_before_start"
        if day > rules.ends_on:
            return "date_after_end"
        return None

    code = problem(best.value)
    # `06/08/26` is 6 August or 8 June: when every such reading gets the same verdict, which one is printed
    # does not matter, and together they are as sure as their summed confidence.
    swapped = [c for c in read.candidates[1:] if _day_month_swap(c.value, best.value)]
    if swapped and {problem(c.value) for c in swapped} == {code}:
        together = min(1.0, best.confidence + sum(c.confidence for c in swapped))
        if together >= (rules.min_confidence if code is None else refusal_confidence(rules)):
            evidence |= {"day_month_ambiguous": True}
            if code is None:
                return CheckResult("date", PASS, evidence=evidence)
            details = {"date": best.value.isoformat(), "starts": rules.starts_on, "ends": rules.ends_on}
            return CheckResult("date", FAIL, code, details, evidence)
    if best.confidence < rules.min_confidence:
        return CheckResult("date", UNSURE, "low_confidence", {"field": "date"}, evidence)
    if code is None:
        return CheckResult("date", PASS, evidence=evidence)
    # A date outside the period refuses the participant only when read as surely as a contradicted amount: a
    # misread year (`03/18/207` read as a future date) goes to a person, not to a wrong "no".
    if best.confidence < refusal_confidence(rules) or any(
        problem(c.value) is None for c in read.candidates[1:]
    ):
        return CheckResult("date", UNSURE, "low_confidence", {"field": "date"}, evidence)
    details = {"date": best.value.isoformat(), "starts": rules.starts_on, "ends": rules.ends_on}
    return CheckResult("date", FAIL, code, details, evidence)


def _day_month_swap(first, second) -> bool:
    return first != second and (first.year, first.day, first.month) == (second.year, second.month, second.day)


def check_min_amount(facts: Facts, rules: CampaignRules) -> CheckResult:
    """On the amount the slip proves: the typed one when it matched, else a confident reading."""
    if not rules.min_amount:
        return CheckResult("min_amount", PASS)
    best = facts.amount.best
    if best is None or best.confidence < rules.min_confidence:
        return CheckResult("min_amount", SKIPPED, evidence={"why": "amount not read with confidence"})
    amount = best.value
    if compare_amount_with_typed(best.value, facts.typed_amount, best.unsure).repaired:
        amount = min(amount, facts.typed_amount)  # the repaired digit could be either: the smaller counts
    evidence = {"amount": amount, "minimum": rules.min_amount}
    if amount < rules.min_amount:
        return CheckResult(
            "min_amount", FAIL, "below_min_amount", {"amount": amount, "minimum": rules.min_amount}, evidence
        )
    return CheckResult("min_amount", PASS, evidence=evidence)


def check_payment_system(facts: Facts, rules: CampaignRules) -> CheckResult:
    """The campaign's payment systems, where it asks this document for a card. Where it does not (a campaign
    taking any receipt, which the model refuses to combine with payment systems), only a confident reading of
    another system counts, and a person looks."""
    read = facts.payment_system
    demanded = card_demanded(facts, rules)
    evidence = {"read": _candidates(read), "allowed": list(rules.payment_systems), "demanded": demanded}
    if not rules.payment_systems:
        return CheckResult("payment_system", PASS, evidence=evidence)
    best = read.best
    if not demanded:
        if (
            best is not None
            and best.confidence >= rules.min_confidence
            and best.value not in rules.payment_systems
        ):
            details = {"system": best.value, "allowed": ", ".join(rules.payment_systems)}
            return CheckResult("payment_system", UNSURE, "payment_system_not_allowed", details, evidence)
        return CheckResult("payment_system", PASS, evidence=evidence)
    if best is None:
        return CheckResult("payment_system", UNSURE, "payment_system_unread", evidence=evidence)
    if best.confidence < rules.min_confidence:
        return CheckResult("payment_system", UNSURE, "low_confidence", {"field": "payment_system"}, evidence)
    if best.value not in rules.payment_systems:
        details = {"system": best.value, "allowed": ", ".join(rules.payment_systems)}
        return CheckResult("payment_system", FAIL, "payment_system_not_allowed", details, evidence)
    return CheckResult("payment_system", PASS, evidence=evidence)


def check_participant_limits(facts: Facts, rules: CampaignRules) -> CheckResult:
    """Accepted submissions of this participant, today and in the whole campaign, against the campaign's limits."""
    evidence = {
        "accepted_today": facts.accepted_today,
        "accepted_in_campaign": facts.accepted_in_campaign,
        "max_per_day": rules.max_accepted_per_day,
        "max_per_campaign": rules.max_accepted_per_campaign,
    }
    if (
        rules.max_accepted_per_campaign is not None
        and facts.accepted_in_campaign >= rules.max_accepted_per_campaign
    ):
        details = {"limit": rules.max_accepted_per_campaign}
        return CheckResult("participant_limits", FAIL, "limit_per_campaign", details, evidence)
    if rules.max_accepted_per_day is not None and facts.accepted_today >= rules.max_accepted_per_day:
        return CheckResult(
            "participant_limits", FAIL, "limit_per_day", {"limit": rules.max_accepted_per_day}, evidence
        )
    return CheckResult("participant_limits", PASS, evidence=evidence)


# (check, gate): after a gate fails, the checks below it are skipped.
CHECKS: tuple[tuple[Check, bool], ...] = (
    (check_full_card_number, False),
    (check_same_photo, True),
    (check_photo_legible, True),
    (check_document_kind, True),
    (check_refund, True),
    (check_amount, False),
    (check_card, False),
    (check_date, False),
    (check_min_amount, False),
    (check_payment_system, False),
    (check_same_slip, False),
    (check_participant_limits, False),
)


def run_checks(facts: Facts, rules: CampaignRules) -> list[CheckResult]:
    results: list[CheckResult] = []
    stopped_by = ""
    for check, gate in CHECKS:
        if stopped_by:
            name = check.__name__.removeprefix("check_")
            results.append(CheckResult(name, SKIPPED, evidence={"after": stopped_by}))
            continue
        result = check(facts, rules)
        results.append(result)
        if gate and result.outcome == FAIL:
            stopped_by = result.check
    return results
