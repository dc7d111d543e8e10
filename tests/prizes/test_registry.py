"""The registry stores check winners against: what the acceptance asserted, never more of a card than its last 4."""

import csv
import io
import re
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from moderation.models import FieldCorrection
from prizes import registry
from prizes.models import Draw, DrawWinner
from promo.models import Submission
from reports.csv_files import FORMULA_STARTS, csv_text
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


def csv_of(draw_or_codes, entries: bool = True) -> list[list[str]]:
    """The registry's CSV file as Excel reads its text, through the reports' shared CSV writer."""
    rows = registry.draw_registry(draw_or_codes) if entries else registry.code_holders_registry(draw_or_codes)
    body = csv_text(registry.headers("Rank", entries=entries), registry.csv_rows(rows, entries=entries))
    return parse(body.encode())


def test_csv_is_semicolon_separated_with_a_bom_and_text_for_formulas():
    campaign = CampaignFactory()
    hostile = [winner(campaign, merchant=m) for m in ("=HYPERLINK(\"http://x\")", "+7 shop", "-1", "@SUM(A1)", "\tTAB", "\rCR")]  # fmt: skip
    rows = csv_of(ran_draw(campaign, hostile))
    assert rows[0] == [
        "Rank",
        "Entry",
        "Status",
        "Uploaded",
        "Slip date",
        "Slip time",
        "Amount",
        "Merchant",
        "Card last 4",
    ]
    merchants = [row[7] for row in rows[1:]]
    assert merchants == ['\'=HYPERLINK("http://x")', "'+7 shop", "'-1", "'@SUM(A1)", "'\tTAB", "'\rCR"]
    assert rows[1][4:7] == ["2026-10-05", "14:05", "1999.90"]
    assert all(not cell.startswith(FORMULA_STARTS) for row in rows for cell in row)


def test_csv_amounts_have_the_readers_decimal_mark_as_the_report_files():
    campaign = CampaignFactory()
    draw = ran_draw(campaign, [winner(campaign)])
    with translation.override("ru"):
        russian = csv_of(draw)
    assert russian[0][6] == "Сумма" and russian[1][6] == "1999,90"  # Russian Excel's decimal comma
    assert csv_of(draw)[1][6] == "1999.90"


# What Excel in any locale turns into a number (losing leading zeros, or reading 12e4 as 120000), a date, a time
# or a percentage when it opens a CSV file: such a cell no longer shows the text written.
EXCEL_NOT_TEXT = re.compile(
    r"^\s*[-+(]?[\d\s]*[.,]?\d+(e[-+]?\d+)?%?\)?\s*$|^\d+[-/.:]\d+([-/.:]\d+)?$", re.I
)


@pytest.mark.parametrize("language", ["ru", "en"])
def test_csv_card_digits_and_entries_stay_text_in_excel(language):
    campaign = CampaignFactory()
    subs = [winner(campaign) for _ in range(3)]
    Submission.objects.filter(pk=subs[0].pk).update(typed_card_last4="0025")
    draw = ran_draw(campaign, subs)
    looks_like_numbers = ["000000123456" + "0" * 52, "12345678e123" + "0" * 52, "0123456789e1" + "0" * 52]
    winners = DrawWinner.objects.filter(draw=draw).order_by("rank")
    for winner_row, entry in zip(winners, looks_like_numbers, strict=True):
        DrawWinner.objects.filter(pk=winner_row.pk).update(entry=entry)
    with translation.override(language):
        rows = csv_of(draw)[1:]
    assert [row[1] for row in rows] == ["000000123456…", "12345678e123…", "0123456789e1…"]
    assert [row[8] for row in rows] == ["•••• 0025", "•••• 9012", "•••• 9012"]
    for row in rows:
        for cell in (row[1], row[8]):
            assert not EXCEL_NOT_TEXT.match(cell), cell
            assert not cell.startswith(FORMULA_STARTS)
    # The check tells a number from text: the old cells were numbers to Excel.
    assert all(
        EXCEL_NOT_TEXT.match(cell) for cell in ("0025", "000000123456", "12345678e123", "1999,90", "15.11")
    )


def test_the_code_holders_registry_has_no_entry_column():
    campaign = CampaignFactory()
    pool(campaign, 1)
    winner(campaign)
    rows = csv_of(campaign.promo_codes.all(), entries=False)
    assert "Entry" not in rows[0] and len(rows[0]) == len(rows[1]) == 8
    assert rows[1][0] == "CODE0000" and rows[1][7] == "•••• 9012"


def test_each_line_knows_whether_it_counts_and_when_its_slip_was_uploaded():
    campaign = CampaignFactory(timezone="Asia/Yekaterinburg")
    kept, revoked = winner(campaign), winner(campaign)
    uploaded = datetime(2026, 11, 15, 20, 30, tzinfo=ZoneInfo("UTC"))  # 16.11 01:30 in Yekaterinburg
    Submission.objects.filter(pk=kept.pk).update(created_at=uploaded)
    draw = ran_draw(campaign, [kept, revoked])
    move(revoked, Status.REVOKED)
    rows = registry.draw_registry(draw)
    assert [row.counts for row in rows] == [True, False]
    assert rows[0].uploaded_at.replace(tzinfo=None) == datetime(2026, 11, 16, 1, 30)
    assert (
        csv_of(draw)[1][3] == "2026-11-16 01:30"
    )  # the day the draw's period counts, in the campaign's zone


def test_no_more_than_four_digits_of_a_card_ever_appear():
    campaign = CampaignFactory()
    spaced = " ".join(CARD[i : i + 4] for i in range(0, 16, 4))
    subs = [
        winner(campaign, merchant=f"SHOP {spaced}"),
        winner(campaign, merchant=f"SHOP {CARD}"),
        winner(campaign, merchant="TERMINAL 00012345678"),  # a long run that is no card shape
    ]
    rows = registry.draw_registry(ran_draw(campaign, subs))
    body = csv_text(registry.headers("Rank", entries=True), registry.csv_rows(rows, entries=True))
    for row in parse(body.encode())[1:]:
        assert len(re.sub(r"\D", "", row[8])) <= 4
        assert max((len(run) for run in re.findall(r"\d+", row[7])), default=0) <= 4, row[7]
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
