"""What the reports count as a repair's contribution: only repairs on fields whose check passed."""

import pytest

from promo.repairs import repairs_column, repairs_relied_on


def check(name: str, outcome: str = "pass", **evidence) -> dict:
    return {"check": name, "outcome": outcome, "code": "", "details": {}, "evidence": evidence}


FIELDS = {
    "date": {"rules": ["date_mask_repaired", "engines_agree"]},
    "time": {"rules": ["date_time_unglued"]},
    "card_last4": {"rules": ["card_tail_search"]},
    "payment_system": {"rules": ["payment_system_fuzzy"]},
    "amount": {"rules": ["total_is_sum_of_parts"]},
}


@pytest.mark.parametrize(
    ("checks", "fields", "expected"),
    [
        ([], FIELDS, []),
        ([check("date")], FIELDS, ["date_mask_repaired", "date_time_unglued"]),
        ([check("date", "fail")], FIELDS, []),
        ([check("date", "unsure")], FIELDS, []),
        (
            [check("card_last4"), check("payment_system")],
            FIELDS,
            ["card_tail_search", "payment_system_fuzzy"],
        ),
        ([check("card_last4", "skipped")], FIELDS, []),
        # The forgiven 6/8 digit is the amount check's own repair; arithmetic proofs are not repairs.
        ([check("amount", repaired_positions=[2])], FIELDS, ["amount_digit_repaired"]),
        ([check("amount", repaired_positions=[])], FIELDS, []),
        ([check("amount")], FIELDS, []),
        # Checks that read no field repaired nothing; fields missing or without rules are fine.
        ([check("participant_limits"), check("refund")], FIELDS, []),
        ([check("date"), check("card_last4")], {"date": {}, "card_last4": {"rules": None}}, []),
        (
            [check(name) for name in ("payment_system", "card_last4", "amount", "date")]
            + [check("amount", repaired_positions=[0])],
            FIELDS,
            [
                "date_mask_repaired",
                "amount_digit_repaired",
                "card_tail_search",
                "payment_system_fuzzy",
                "date_time_unglued",
            ],
        ),
    ],
)
def test_repairs_counted_are_those_a_passed_check_relied_on(checks, fields, expected):
    assert repairs_relied_on(checks=checks, fields=fields) == expected


def test_the_column_finds_each_code_with_a_like():
    assert (
        repairs_column(["date_mask_repaired", "card_tail_search"]) == " date_mask_repaired card_tail_search "
    )
    assert repairs_column([]) == ""
