from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from promo.checks import CHECKS, check_document_kind, run_checks
from promo.decision import (
    DEFAULT_POLICY,
    CampaignRules,
    Candidate,
    DuplicateMatch,
    Facts,
    FieldRead,
    decide,
)
from promo.reasons import MESSAGES, reason, render

RULES = CampaignRules(starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30), min_amount=Decimal("100"))
GOOD = Facts(
    typed_amount=Decimal("1234.50"),
    typed_card_last4="4821",
    today=date(2026, 11, 25),
    kind="slip",
    # Read as surely as the engines read (calibrated): sure enough to refuse a participant who typed otherwise.
    amount=FieldRead.of(Decimal("1234.50"), 0.995),
    card_last4=FieldRead.of("4821", 0.995),
    date=FieldRead.of(date(2026, 11, 21)),
    payment_system=FieldRead.of("VISA"),
)


def run(facts: Facts = GOOD, rules: CampaignRules = RULES):
    decision = decide(run_checks(facts, rules), rules)
    return decision.status, [r["code"] for r in decision.reasons]


def with_(**changes) -> Facts:
    return replace(GOOD, **changes)


def test_matching_slip_in_period_is_accepted():
    assert run() == ("accepted", ["slip_matches"])


@pytest.mark.parametrize(
    ("facts", "codes"),
    [
        (with_(kind="other"), ["not_a_slip"]),
        (with_(kind="receipt"), ["receipt_not_slip"]),
        (with_(kind="other", photo_too_blurred=True), ["photo_unreadable"]),
        (with_(amount=FieldRead(), photo_too_dark=True), ["photo_unreadable"]),
        (with_(typed_amount=Decimal("1234.00")), ["amount_mismatch"]),
        (with_(typed_card_last4="1111"), ["card_mismatch"]),
        (with_(date=FieldRead.of(date(2026, 10, 31), 0.995)), ["date_before_start"]),
        (with_(date=FieldRead.of(date(2026, 12, 1), 0.995), today=date(2026, 12, 5)), ["date_after_end"]),
        (with_(amount=FieldRead.of(Decimal("99.99")), typed_amount=Decimal("99.99")), ["below_min_amount"]),
        (with_(duplicates=(DuplicateMatch("file", "earlier"),)), ["duplicate_photo"]),
        (with_(duplicates=(DuplicateMatch("photo", "earlier"),)), ["duplicate_photo"]),
        (with_(duplicates=(DuplicateMatch("slip", "earlier"),)), ["duplicate_slip"]),
    ],
)
def test_plain_failures_are_rejected_with_their_reason(facts, codes):
    assert run(facts) == ("rejected", codes)


@pytest.mark.parametrize(
    ("facts", "codes"),
    [
        (with_(amount=FieldRead()), ["amount_unread"]),
        (with_(card_last4=FieldRead()), ["card_unread"]),
        (with_(date=FieldRead()), ["date_unread"]),
        (with_(amount=FieldRead.of(Decimal("1234.50"), 0.3)), ["low_confidence"]),
        (with_(amount=FieldRead.of(Decimal("1234.00"), 0.3)), ["low_confidence"]),
        # One engine read what was typed, the other something else.
        (with_(amount=FieldRead.of(Decimal("1284.50"), 0.9, Decimal("1234.50"))), ["low_confidence"]),
        (with_(card_last4=FieldRead.of("4821", 0.4)), ["low_confidence"]),
        (
            with_(amount=FieldRead(), card_last4=FieldRead(), date=FieldRead()),
            ["amount_unread", "card_unread", "date_unread"],
        ),
        (with_(full_card_number=True), ["full_card_number"]),
        # A redaction goes to a person even when something else would reject.
        (with_(full_card_number=True, kind="other"), ["full_card_number", "not_a_slip"]),
    ],
)
def test_doubts_go_to_moderation_with_every_reason(facts, codes):
    assert run(facts) == ("moderation", codes)


def test_six_eight_repair_only_where_the_engines_disagreed():
    unsure_six = FieldRead((Candidate(Decimal("166.00"), 0.7, unsure=(1,)),))
    assert run(with_(amount=unsure_six, typed_amount=Decimal("186.00")))[0] == "accepted"
    clear_six = FieldRead.of(Decimal("166.00"), 0.995)
    assert run(with_(amount=clear_six, typed_amount=Decimal("188.00"))) == ("rejected", ["amount_mismatch"])
    # The unsure digit was the second 6, not the one typed differently.
    # Not forgiven, and read too unsurely to refuse on: a person looks, unless the campaign refuses earlier.
    assert run(with_(amount=unsure_six, typed_amount=Decimal("168.00"))) == ("moderation", ["low_confidence"])
    eager = replace(RULES, reject_confidence=0.6)
    assert run(with_(amount=unsure_six, typed_amount=Decimal("168.00")), eager) == (
        "rejected",
        ["amount_mismatch"],
    )


def test_a_us_style_date_with_a_reading_inside_the_period_goes_to_a_person():
    swapped = FieldRead((Candidate(date(2026, 12, 11), 0.9), Candidate(date(2026, 11, 12), 0.4)))
    assert run(with_(date=swapped, today=date(2026, 12, 20))) == ("moderation", ["low_confidence"])


def test_a_day_month_ambiguous_date_passes_or_fails_when_both_readings_agree():
    def ambiguous(first, second):
        return FieldRead((Candidate(first, 0.45), Candidate(second, 0.3)))

    both_inside = ambiguous(date(2026, 11, 6), date(2026, 6, 11))
    assert run(with_(date=both_inside), replace(RULES, starts_on=date(2026, 6, 1)))[0] == "accepted"
    assert run(with_(date=both_inside)) == ("moderation", ["low_confidence"])  # 11 June is before the start
    both_before = ambiguous(date(2026, 5, 6), date(2026, 6, 5))
    assert run(with_(date=both_before)) == ("moderation", ["low_confidence"])  # not sure enough to refuse
    surely_before = FieldRead((Candidate(date(2026, 5, 6), 0.6), Candidate(date(2026, 6, 5), 0.395)))
    assert run(with_(date=surely_before)) == ("rejected", ["date_before_start"])
    unrelated = FieldRead((Candidate(date(2026, 11, 6), 0.45), Candidate(date(2026, 11, 7), 0.3)))
    assert run(with_(date=unrelated)) == ("moderation", ["low_confidence"])


@pytest.mark.parametrize("read", [date(2026, 10, 31), date(2025, 11, 21)])
def test_a_date_outside_the_period_refuses_only_when_read_as_surely_as_a_contradicted_amount(read):
    assert run(with_(date=FieldRead.of(read, 0.9))) == ("moderation", ["low_confidence"])
    assert run(with_(date=FieldRead.of(read, 0.995))) == ("rejected", ["date_before_start"])


@pytest.mark.parametrize("read", [date(2026, 11, 26), date(2027, 3, 18)])
def test_a_date_in_the_future_is_a_misread_for_a_person_never_a_refusal(read):
    # Seen on a real photo: `03/18/2017` under a red stamp read `2027` by both engines, at 0.99.
    assert run(with_(date=FieldRead.of(read, 0.995))) == ("moderation", ["date_in_future"])
    assert run(with_(date=FieldRead.of(read, 0.9))) == ("moderation", ["low_confidence"])


def test_period_bounds_are_inclusive_and_today_is_not_the_future():
    assert run(with_(date=FieldRead.of(date(2026, 11, 1))))[0] == "accepted"
    assert run(with_(date=FieldRead.of(date(2026, 11, 30)), today=date(2026, 11, 30)))[0] == "accepted"


def test_payment_system_rules_apply_only_when_the_campaign_has_them():
    visa_only = replace(RULES, payment_systems=("VISA",))
    assert run(rules=visa_only)[0] == "accepted"
    assert run(with_(payment_system=FieldRead.of("MIR")), visa_only) == (
        "rejected",
        ["payment_system_not_allowed"],
    )
    assert run(with_(payment_system=FieldRead()), visa_only) == ("moderation", ["payment_system_unread"])
    assert run(with_(payment_system=FieldRead()))[0] == "accepted"


def test_participant_limits_count_accepted_slips():
    limited = replace(RULES, max_accepted_per_day=2, max_accepted_per_campaign=5)
    assert run(with_(accepted_today=1, accepted_in_campaign=4), limited)[0] == "accepted"
    assert run(with_(accepted_today=2, accepted_in_campaign=2), limited) == ("rejected", ["limit_per_day"])
    assert run(with_(accepted_today=0, accepted_in_campaign=5), limited) == (
        "rejected",
        ["limit_per_campaign"],
    )


def test_a_campaign_may_send_a_failure_to_moderation_instead():
    lenient = replace(RULES, policy=(("amount_mismatch", "moderation"),))
    assert run(with_(typed_amount=Decimal("1234.00")), lenient) == ("moderation", ["amount_mismatch"])


@pytest.mark.parametrize("field", ["amount", "card_last4"])
def test_a_mismatch_refuses_only_at_the_refusal_confidence_and_doubt_goes_to_a_person(field):
    """A 0.95 reading is wrong about one time in twenty on real photos: an honest participant who typed the
    truth is not refused on it, a moderator looks. A campaign may choose to refuse earlier."""
    other = {"amount": Decimal("1234.00"), "card_last4": "1111"}[field]
    typed = {"amount": "typed_amount", "card_last4": "typed_card_last4"}[field]
    mismatch = {typed: other, field: FieldRead.of(getattr(GOOD, field).best.value, 0.95)}
    assert run(with_(**mismatch)) == ("moderation", ["low_confidence"])
    assert run(with_(**mismatch), replace(RULES, reject_confidence=0.9)) == (
        "rejected",
        [f"{field.split('_')[0]}_mismatch"],
    )
    sure = {typed: other, field: FieldRead.of(getattr(GOOD, field).best.value, 0.995)}
    assert run(with_(**sure))[0] == "rejected"
    # Refusing never takes less than accepting does.
    strict = replace(RULES, reject_confidence=0.5, min_confidence=0.97)
    assert run(with_(**mismatch), strict)[0] == "moderation"


def test_the_operating_point_moves_with_the_campaigns_confidence_threshold():
    facts = with_(amount=FieldRead.of(Decimal("1234.50"), 0.7))
    assert run(facts)[0] == "accepted"
    assert run(facts, replace(RULES, min_confidence=0.8)) == ("moderation", ["low_confidence"])


def test_every_check_is_recorded_and_a_failed_gate_skips_the_rest():
    decision = decide(run_checks(with_(kind="other"), RULES), RULES)
    assert [c["check"] for c in decision.checks] == [
        check.__name__.removeprefix("check_") for check, _ in CHECKS
    ]
    outcomes = {c["check"]: c["outcome"] for c in decision.checks}
    assert outcomes["document_kind"] == "fail"
    assert outcomes["amount"] == outcomes["participant_limits"] == "skipped"
    amount = next(c for c in decide(run_checks(GOOD, RULES), RULES).checks if c["check"] == "amount")
    assert amount["outcome"] == "pass" and amount["evidence"]["typed"] == "1234.50"


def test_every_failure_has_a_default_action_and_a_message():
    assert set(DEFAULT_POLICY) <= set(MESSAGES)


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_reason_speaks_russian_and_english(code):
    stored = reason(code, read="1", typed="2", amount="1", minimum="2", date="2026-01-01", starts="a", ends="b",
                    system="MIR", allowed="VISA", note="n", field="amount", limit="3")  # fmt: skip
    with translation.override("en"):
        english = render(stored)["message"]
    with translation.override("ru"):
        russian = render(stored)["message"]
    assert english and russian and english != russian
    assert "%(" not in english and "%(" not in russian
    assert any("а" <= ch <= "я" for ch in russian.lower())


def test_unknown_reason_code_is_refused():
    with pytest.raises(KeyError):
        reason("looks_fine_to_me")


LOOK_ALIKE = DuplicateMatch("photo", "a", {"distance": 3}, certain=False)


@pytest.mark.parametrize(
    ("duplicates", "expected"),
    [
        ((LOOK_ALIKE,), ("moderation", ["possible_duplicate_photo"])),  # the picture alone never rejects
        ((LOOK_ALIKE, DuplicateMatch("file", "b")), ("rejected", ["duplicate_photo"])),  # certain wins
        ((LOOK_ALIKE, DuplicateMatch("slip", "c")), ("rejected", ["duplicate_slip"])),
    ],
)
def test_a_look_alike_photo_asks_a_person_and_a_certain_copy_rejects(duplicates, expected):
    assert run(with_(duplicates=duplicates)) == expected


# Documents a campaign accepts (promo.documents): the kind read, how sure the reader was, and what a receipt shows.
SLIP_ONLY, CARD, ANY = ("slip",), ("slip", "card_receipt"), ("slip", "card_receipt", "receipt")
CARD_RECEIPT_ONLY, RECEIPT_ONLY, RECEIPT_OR_CARD = (
    ("card_receipt",),
    ("receipt",),
    ("card_receipt", "receipt"),
)
NO_CARD_PRINTED = {"card_last4": FieldRead(), "payment_system": FieldRead()}


def documents(*names: str) -> CampaignRules:
    return replace(RULES, documents=names)


@pytest.mark.parametrize(
    ("accepted", "facts", "outcome", "code", "counts_as"),
    [
        # A slip: as a slip wherever slips or card receipts are taken (it proves the same card payment).
        (SLIP_ONLY, with_(kind="slip"), "pass", "", "slip"),
        (CARD, with_(kind="slip"), "pass", "", "slip"),
        (CARD_RECEIPT_ONLY, with_(kind="slip"), "pass", "", "slip"),
        (RECEIPT_OR_CARD, with_(kind="slip"), "pass", "", "slip"),
        (ANY, with_(kind="slip"), "pass", "", "slip"),
        # Under any receipt and neither of those, a sure slip goes to a person; an unsure one is a short receipt.
        (RECEIPT_ONLY, with_(kind="slip", kind_confidence=0.8), "unsure", "slip_not_receipt", None),
        (RECEIPT_ONLY, with_(kind="slip", kind_confidence=0.5), "pass", "", "receipt"),
        (ANY, with_(kind="slip", kind_confidence=0.5), "pass", "", "receipt"),
        (
            SLIP_ONLY,
            with_(kind="slip", kind_confidence=0.5),
            "pass",
            "",
            "slip",
        ),  # as before documents existed
        # A receipt showing the card payment: a tail or a scheme read is enough to be looked at.
        (SLIP_ONLY, with_(kind="receipt"), "fail", "receipt_not_slip", None),
        (CARD, with_(kind="receipt"), "pass", "", "card_receipt"),
        (CARD_RECEIPT_ONLY, with_(kind="receipt"), "pass", "", "card_receipt"),
        (CARD, with_(kind="receipt", card_last4=FieldRead()), "pass", "", "card_receipt"),
        (CARD, with_(kind="receipt", payment_system=FieldRead()), "pass", "", "card_receipt"),
        (CARD, with_(kind="receipt", **NO_CARD_PRINTED), "fail", "receipt_without_card", None),
        (CARD_RECEIPT_ONLY, with_(kind="receipt", **NO_CARD_PRINTED), "fail", "receipt_without_card", None),
        (SLIP_ONLY, with_(kind="receipt", **NO_CARD_PRINTED), "fail", "receipt_not_slip", None),
        # Any receipt: with or without the card, and counted as a receipt even where card receipts are taken too.
        (RECEIPT_ONLY, with_(kind="receipt", **NO_CARD_PRINTED), "pass", "", "receipt"),
        (RECEIPT_OR_CARD, with_(kind="receipt"), "pass", "", "receipt"),
        (ANY, with_(kind="receipt", **NO_CARD_PRINTED), "pass", "", "receipt"),
        # Not a document at all, whatever is accepted.
        (SLIP_ONLY, with_(kind="other"), "fail", "not_a_slip", None),
        (CARD, with_(kind="other"), "fail", "not_a_slip", None),
        (RECEIPT_ONLY, with_(kind="other"), "fail", "not_a_slip", None),
    ],
)
def test_document_kind_for_every_accepted_combination(accepted, facts, outcome, code, counts_as):
    result = check_document_kind(facts, documents(*accepted))
    assert (result.outcome, result.code, result.evidence.get("counts_as")) == (outcome, code, counts_as)
    if code:
        assert result.details == {"documents": ",".join(accepted)}  # the message says what to photograph


@pytest.mark.parametrize(
    ("accepted", "facts", "expected"),
    [
        # A German or UK receipt printing the card payment proves it as a slip does.
        (CARD, with_(kind="receipt"), ("accepted", ["slip_matches"])),
        (CARD, with_(kind="receipt", **NO_CARD_PRINTED), ("rejected", ["receipt_without_card"])),
        # A masked number is printed but no tail was made out of it (`Karta **** **** 01a`): a person reads it.
        (
            CARD,
            with_(kind="receipt", masked_number="Karta **** **** 01a", **NO_CARD_PRINTED),
            ("moderation", ["card_unread"]),
        ),
        # Accepted for its card payment, the card is checked as on a slip.
        (CARD, with_(kind="receipt", typed_card_last4="1111"), ("rejected", ["card_mismatch"])),
        (CARD, with_(kind="receipt", card_last4=FieldRead()), ("moderation", ["card_unread"])),
        # Any receipt: the card is not demanded...
        (RECEIPT_ONLY, with_(kind="receipt", **NO_CARD_PRINTED), ("accepted", ["slip_matches"])),
        (ANY, with_(kind="receipt", card_last4=FieldRead.of("4821", 0.3)), ("accepted", ["slip_matches"])),
        # ...but a different tail read with confidence is a sign of someone else's receipt: a person looks.
        (ANY, with_(kind="receipt", typed_card_last4="1111"), ("moderation", ["card_mismatch"])),
        (RECEIPT_ONLY, with_(kind="slip", kind_confidence=0.9), ("moderation", ["slip_not_receipt"])),
        # The other checks hold for every document.
        (ANY, with_(kind="receipt", typed_amount=Decimal("1234.00")), ("rejected", ["amount_mismatch"])),
        (
            ANY,
            with_(kind="receipt", date=FieldRead.of(date(2026, 10, 31), 0.995)),
            ("rejected", ["date_before_start"]),
        ),
    ],
)
def test_the_card_is_checked_where_the_campaign_asks_for_one(accepted, facts, expected):
    assert run(facts, documents(*accepted)) == expected


def test_card_checks_on_a_receipt_under_any_receipt_pass_without_a_card_and_say_so():
    rules = replace(RULES, documents=RECEIPT_ONLY)
    checks = {c.check: c for c in run_checks(with_(kind="receipt", **NO_CARD_PRINTED), rules)}
    assert checks["card_last4"].outcome == "pass" and checks["card_last4"].evidence["demanded"] is False
    on_slip = {c.check: c for c in run_checks(GOOD, RULES)}
    assert on_slip["card_last4"].evidence["demanded"] is True
    # A payment system the campaign does not take, read with confidence, is looked at even where not demanded.
    visa_rules = replace(rules, payment_systems=("VISA",))
    mir = run_checks(with_(kind="receipt", payment_system=FieldRead.of("MIR")), visa_rules)
    assert {c.check: (c.outcome, c.code) for c in mir}["payment_system"] == (
        "unsure",
        "payment_system_not_allowed",
    )
    unread = run_checks(with_(kind="receipt", **NO_CARD_PRINTED), visa_rules)
    assert {c.check: c.outcome for c in unread}["payment_system"] == "pass"


@pytest.mark.parametrize("accepted", [SLIP_ONLY, CARD, RECEIPT_ONLY, ANY])
@pytest.mark.parametrize("kind", ["slip", "receipt"])
def test_a_refund_is_refused_whatever_the_campaign_accepts(accepted, kind):
    facts = with_(kind=kind, refund="ВОЗВРАТ ПРИХОДА")
    status, codes = run(facts, documents(*accepted))
    if kind == "receipt" and accepted == SLIP_ONLY:
        assert (status, codes) == ("rejected", ["receipt_not_slip"])  # refused as a receipt before anything
    else:
        assert (status, codes) == ("rejected", ["refund"])
    refund = {c.check: c for c in run_checks(with_(refund="REFUND"), RULES)}["refund"]
    assert refund.evidence == {"printed": "REFUND"}


def test_a_refund_stops_the_checks_after_it_and_a_campaign_may_send_it_to_a_person():
    results = run_checks(with_(refund="STORNO", typed_amount=Decimal("1.00")), RULES)
    outcomes = {c.check: c.outcome for c in results}
    assert outcomes["refund"] == "fail" and outcomes["amount"] == "skipped"
    lenient = replace(RULES, policy=(("refund", "moderation"),))
    assert run(with_(refund="STORNO"), lenient) == ("moderation", ["refund"])


def test_a_participant_who_paid_a_tip_written_in_by_hand_goes_to_a_person_not_refused():
    # Seen on a US check: tip and total written in by hand (154.00), the printed total 118.46 read at 0.9996.
    printed = with_(amount=FieldRead.of(Decimal("118.46"), 0.9996), typed_amount=Decimal("154.00"))
    assert run(printed) == ("rejected", ["amount_mismatch"])
    open_tip = replace(printed, open_tip="TIP ________")
    assert run(open_tip) == ("moderation", ["low_confidence"])
    # Less than the printed total is no tip: still a mismatch.
    assert run(replace(open_tip, typed_amount=Decimal("100.00"))) == ("rejected", ["amount_mismatch"])
