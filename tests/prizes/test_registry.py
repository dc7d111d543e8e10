"""The registry stores check winners against: what the acceptance asserted, never more of a card than its last 4."""

import csv
import io
import re
from datetime import date, time
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from moderation.models import FieldCorrection
from prizes import registry
from prizes.models import Draw, DrawWinner
from promo.models import Submission
from tests.factories import CampaignFactory, RecognitionFactory
from tests.prizes.conftest import accepted, move, pool

Status = Submission.Status
pytestmark = pytest.mark.django_db
CARD = "4276123456789012"


def ran_draw(campaign, submissions) -> Draw:
    draw = Draw.objects.create(
        campaign=campaign, name="Week 1", period_starts_on=date(2026, 10, 1), period_ends_on=date(2026, 10, 7),
        winners_count=len(submissions), seed="s", seed_announced_at=timezone.now(), pseudonym_salt="x",
        ran_at=timezone.now(), published={"winners": []},
    )  # fmt: skip
    for rank, submission in enumerate(submissions, 1):
        DrawWinner.objects.create(draw=draw, rank=rank, submission=submission, entry=f"{rank:064x}")
    return draw


def winner(campaign, merchant="PYATEROCHKA 1234", **kwargs) -> Submission:
    submission = accepted(campaign, typed_amount=Decimal("1999.90"), typed_card_last4="9012")
    RecognitionFactory(
        submission=submission, campaign=campaign, amount=Decimal("1999.90"), date=date(2026, 10, 5),
        time=time(14, 5), card_last4="9012", merchant=merchant,
        full_text=f"CARD {CARD}\nTOTAL 1999.90", **kwargs,
    )  # fmt: skip
    return Submission.objects.get(pk=submission.pk)


def parse(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the Cyrillic right
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_rows_carry_the_slip_as_accepted_and_corrections_win():
    campaign = CampaignFactory()
    first, second = winner(campaign), winner(campaign)
    FieldCorrection.objects.create(submission=second, field="time", read_value="14:05", value="15:30")
    FieldCorrection.objects.create(submission=second, field="merchant", read_value="x", value="Магнит")
    rows = registry.draw_registry(ran_draw(campaign, [first, second]))
    assert [(r.label, r.slip_date, r.slip_time, r.amount, r.merchant, r.card_last4) for r in rows] == [
        ("1", date(2026, 10, 5), time(14, 5), Decimal("1999.90"), "PYATEROCHKA 1234", "9012"),
        ("2", date(2026, 10, 5), time(15, 30), Decimal("1999.90"), "Магнит", "9012"),
    ]


def test_csv_is_semicolon_separated_with_a_bom_decimal_commas_and_text_for_formulas():
    campaign = CampaignFactory()
    hostile = [winner(campaign, merchant=m) for m in ("=HYPERLINK(\"http://x\")", "+7 shop", "-1", "@SUM(A1)", "\tTAB", "\rCR")]  # fmt: skip
    with translation.override("en"):
        body = registry.registry_csv(registry.draw_registry(ran_draw(campaign, hostile)), "Rank")
    rows = parse(body)
    assert rows[0] == [
        "Rank",
        "Entry",
        "Status",
        "Slip date",
        "Slip time",
        "Amount",
        "Merchant",
        "Card last 4",
    ]
    merchants = [row[6] for row in rows[1:]]
    assert merchants == ['\'=HYPERLINK("http://x")', "'+7 shop", "'-1", "'@SUM(A1)", "'\tTAB", "'\rCR"]
    assert rows[1][3:6] == ["2026-10-05", "14:05", "1999,90"]
    assert all(not cell.startswith(registry.FORMULA_STARTS) for row in rows for cell in row)


def test_no_more_than_four_digits_of_a_card_ever_appear():
    campaign = CampaignFactory()
    spaced = " ".join(CARD[i : i + 4] for i in range(0, 16, 4))
    subs = [
        winner(campaign, merchant=f"SHOP {spaced}"),
        winner(campaign, merchant=f"SHOP {CARD}"),
        winner(campaign, merchant="TERMINAL 00012345678"),  # a long run that is no card shape
    ]
    rows = registry.draw_registry(ran_draw(campaign, subs))
    body = registry.registry_csv(rows, "Rank").decode("utf-8-sig")
    for row in parse(registry.registry_csv(rows, "Rank"))[1:]:
        assert len(re.sub(r"\D", "", row[7])) <= 4
        assert max((len(run) for run in re.findall(r"\d+", row[6])), default=0) <= 4, row[6]
    for window in (CARD[i : i + 5] for i in range(12)):
        assert window not in body.replace(" ", "")
    assert registry.card_last4(CARD) == "9012" and registry.card_last4("**** 9012") == "9012"


def test_code_holders_registry_lists_handed_out_codes_only():
    campaign = CampaignFactory()
    pool(campaign, 3)
    holder = winner(campaign)
    revoked = winner(campaign)
    move(revoked, Status.REVOKED)  # its code is voided: no longer in the registry
    rows = registry.code_holders_registry(campaign.promo_codes.all())
    assert [(r.label, r.card_last4) for r in rows] == [("CODE0000", "9012")]
    assert holder.promo_code.code == "CODE0000"


def test_a_winner_revoked_after_the_draw_says_so():
    campaign = CampaignFactory()
    revoked = winner(campaign)
    draw = ran_draw(campaign, [revoked])
    move(revoked, Status.REVOKED)
    with translation.override("en"):
        assert registry.draw_registry(draw)[0].status == "revoked"
