"""The report page and its CSV files: who may see them, that they show figures and never a photo or a contact,
the filters, the CSV format, and a number of queries that does not grow with the campaign."""

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from promo.models import Submission
from reports.csv_files import csv_text, guard
from reports.figures import CHARTS
from reports.rollups import rollups_refresh
from tests.factories import CampaignFactory
from tests.reports.fixtures import add, autumn_campaign, participants

pytestmark = pytest.mark.django_db
URL = "/admin/reports/reportaccess/"
OCTOBER = {"date_from": "2026-10-01", "date_to": "2026-10-31"}
MODERATOR = ("view_queueitem", "change_queueitem", "view_submission", "moderate_any_campaign")


CARD = "4821"  # the fixture's typed card tail


def shows_the_card(text: str) -> bool:
    """The card's digits on their own (``4821``, ``**4821``), not inside a figure such as a wait of 74821.9 minutes,
    which the clock can make of any four digits."""
    return re.search(rf"(?<![\d.,]){CARD}(?![\d.,])", text) is not None


def staff(name: str, *perms: str, **flags) -> User:
    user = User.objects.create_user(name, password="x", is_staff=True, **flags)
    user.user_permissions.add(*Permission.objects.filter(codename__in=perms))
    return user


@pytest.fixture
def marketing(client):
    client.force_login(staff("marketing", "view_reports", "view_campaign"))
    return client


@pytest.fixture
def autumn():
    return autumn_campaign()


def test_the_card_check_tells_a_card_from_a_figure_that_holds_its_digits():
    assert shows_the_card("card;4821\r\n") and shows_the_card("**4821") and shows_the_card('"4821"')
    assert (
        not shows_the_card(";74811.1;74821.9")
        and not shows_the_card("48210")
        and not shows_the_card("1,4821")
    )


def test_the_page_is_in_the_admin_at_the_changelists_address():
    assert reverse("admin:reports_reportaccess_changelist") == URL


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    response = client.get(f"{URL}csv/outcomes/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("perms", [(), MODERATOR, ("view_campaign", "export_submissions")])
def test_staff_without_the_permission_are_refused(client, autumn, perms):
    client.force_login(staff("someone", *perms))
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}csv/outcomes/", {"campaign": autumn["campaign"].pk}).status_code == 403
    index = client.get("/admin/").content.decode()
    assert URL not in index


def test_marketing_sees_every_chart_with_its_csv_and_no_photo_or_contact(marketing, autumn):
    campaign = autumn["campaign"]
    response = marketing.get(URL, {"campaign": campaign.pk, **OCTOBER})
    assert response.status_code == 200
    html = response.content.decode()
    for name in CHARTS:
        assert f'id="card-{name}"' in html
        assert (
            f"{URL}csv/{name}/?campaign={campaign.pk}&amp;date_from=2026-10-01&amp;date_to=2026-10-31" in html
        )
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart ') == len(CHARTS)
    assert html.count('class="bar"') > 40
    # No photo, no contact, no typed card digits, anywhere.
    for secret in ("/moderation/photo/", "submissions/", ".jpg", "+7900", "<img"):
        assert secret not in html, secret
    assert not shows_the_card(html)
    # The admin index links the page.
    assert URL in marketing.get("/admin/").content.decode()


def test_the_campaign_filter_lists_every_campaign_to_marketing_and_defaults_to_the_newest(marketing, autumn):
    newest = CampaignFactory(
        slug="newest", name="Newest", starts_on=date(2027, 1, 1), ends_on=date(2027, 3, 1)
    )
    response = marketing.get(URL)
    form = response.context["form"]
    assert set(form.fields["campaign"].queryset) == {newest, autumn["campaign"], autumn["other"]}
    assert response.context["period"].campaign == newest
    # Its period up to today; before it starts, its first day.
    assert response.context["period"].date_from == newest.starts_on
    assert response.context["period"].date_to == max(newest.starts_on, min(newest.ends_on, newest.today()))


def date_inputs(html: str) -> tuple[str, str]:
    found = dict(re.findall(r'<input type="date" name="(date_from|date_to)" value="([\d-]*)"', html))
    return found.get("date_from", ""), found.get("date_to", "")


def test_an_unknown_campaign_is_said_to_be_unknown_not_that_there_are_none(marketing, autumn):
    response = marketing.get(URL, {"campaign": 999999}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and response.context["period"] is None
    html = response.content.decode()
    assert "There is no campaign “999999”, or it is not one you may see" in html
    assert "No campaign to report on." not in html
    assert marketing.get(f"{URL}csv/outcomes/", {"campaign": 999999}).status_code == 404
    assert marketing.get(f"{URL}csv/nothing/", {"campaign": autumn["campaign"].pk}).status_code == 404


def test_no_campaign_at_all_is_said_so(marketing):
    html = marketing.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No campaign to report on." in html


@pytest.mark.parametrize(
    ("date_from", "date_to", "error"),
    [
        ("2026-10-20", "2026-10-01", "The period ends before it starts."),
        ("2026-10-32", "2026-10-05", "Enter a valid date."),
        ("2024-01-01", "2026-10-05", "A report covers at most 400 days."),
    ],
)
def test_an_invalid_period_says_what_was_shown_instead_and_the_fields_show_it(
    marketing, autumn, date_from, date_to, error
):
    campaign = autumn["campaign"]
    response = marketing.get(
        URL, {"campaign": campaign.pk, "date_from": date_from, "date_to": date_to}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    period = response.context["period"]
    assert (period.date_from, period.date_to) == (date(2026, 10, 1), date(2026, 10, 31))  # the default
    html = response.content.decode()
    assert date_inputs(html) == ("2026-10-01", "2026-10-31")
    assert response.context["errors"] == [
        error,
        "Shown instead: the campaign's period, from 1\xa0Oct\xa02026 to 31\xa0Oct\xa02026.",
    ]
    assert "Shown instead" in html
    # A chart's CSV file is only of the period asked for.
    response = marketing.get(
        f"{URL}csv/outcomes/", {"campaign": campaign.pk, "date_from": date_from, "date_to": date_to}
    )
    assert response.status_code == 404


def test_the_first_view_fills_the_date_fields_with_the_period_shown(marketing, autumn):
    campaign = CampaignFactory(slug="newest", starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 20))
    html = marketing.get(URL).content.decode()
    assert date_inputs(html) == ("2026-11-01", "2026-11-20")
    html = marketing.get(URL, {"campaign": autumn["campaign"].pk}).content.decode()
    assert date_inputs(html) == ("2026-10-01", "2026-10-31")
    assert f'name="shown" value="{autumn["campaign"].pk}:2026-10-01:2026-10-31"' in html
    assert campaign.pk


def test_choosing_another_campaign_shows_its_own_period_and_says_so(marketing, autumn):
    spring = CampaignFactory(
        slug="spring", name="Spring", starts_on=date(2026, 3, 1), ends_on=date(2026, 5, 31)
    )
    shown = f"{autumn['campaign'].pk}:2026-10-01:2026-10-31"
    # The campaign changed, the dates left as they were: the new campaign's period, and a note.
    response = marketing.get(
        URL,
        {"campaign": spring.pk, "date_from": "2026-10-01", "date_to": "2026-10-31", "shown": shown},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    period = response.context["period"]
    assert (period.campaign, period.date_from, period.date_to) == (
        spring,
        date(2026, 3, 1),
        date(2026, 5, 31),
    )
    assert response.context["notes"] == [
        "“Spring” is shown for its own period, from 1\xa0Mar\xa02026 to 31\xa0May\xa02026 (the dates were the previous "
        "campaign's)."
    ]
    assert date_inputs(response.content.decode()) == ("2026-03-01", "2026-05-31")
    # The campaign and the dates changed together: the dates asked for; outside the campaign, said so.
    response = marketing.get(
        URL,
        {"campaign": spring.pk, "date_from": "2026-09-01", "date_to": "2026-09-30", "shown": shown},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    period = response.context["period"]
    assert (period.date_from, period.date_to) == (date(2026, 9, 1), date(2026, 9, 30))
    assert response.context["notes"] == [
        "“Spring” runs from 1\xa0Mar\xa02026 to 31\xa0May\xa02026: the period shown lies outside it, so it holds few "
        "submissions or none."
    ]
    # Inside the campaign, or the same campaign: no note.
    response = marketing.get(
        URL,
        {
            "campaign": autumn["campaign"].pk,
            "date_from": "2026-10-03",
            "date_to": "2026-10-05",
            "shown": shown,
        },
    )
    assert response.context["notes"] == [] and response.context["period"].date_from == date(2026, 10, 3)


def read_csv(response) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


def test_each_chart_has_a_csv_file_of_its_numbers(marketing, autumn):
    campaign = autumn["campaign"]
    for name in CHARTS:
        response = marketing.get(
            f"{URL}csv/{name}/", {"campaign": campaign.pk, **OCTOBER}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 200, name
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert (
            response["Content-Disposition"]
            == f'attachment; filename="report-autumn-{name}-20261001-20261031.csv"'
        )
        body = response.content.decode("utf-8")
        for secret in ("+7900", "submissions/"):
            assert secret not in body, (name, secret)
        assert not shows_the_card(body), name
    rows = read_csv(
        marketing.get(f"{URL}csv/outcomes/", {"campaign": campaign.pk, **OCTOBER}, HTTP_ACCEPT_LANGUAGE="en")
    )
    # Where the 11 submissions stand now (tests.reports.fixtures.autumn_campaign): one status each.
    assert rows == [
        ["status now", "submissions", "share, %"],
        ["accepted", "4", "36.4"],
        ["rejected", "4", "36.4"],
        ["revoked", "1", "9.1"],
        ["waiting for a moderator", "1", "9.1"],
        ["still being read", "1", "9.1"],
        ["all submissions", "11", "100.0"],
    ]
    rows = read_csv(
        marketing.get(f"{URL}csv/machine/", {"campaign": campaign.pk, **OCTOBER}, HTTP_ACCEPT_LANGUAGE="en")
    )
    assert rows == [
        ["the machine's decision", "submissions", "share of the machine's decisions, %"],
        ["accepted automatically", "4", "40.0"],
        ["rejected automatically", "3", "30.0"],
        ["sent to moderation", "3", "30.0"],
        ["decided by the machine", "10", "100.0"],
    ]
    rows = read_csv(
        marketing.get(f"{URL}csv/people/", {"campaign": campaign.pk, **OCTOBER}, HTTP_ACCEPT_LANGUAGE="en")
    )
    # Two decided after the machine sent them to moderation; three after it had decided itself (an appeal, a
    # reopening, a revocation): five people's decisions from three sent to moderation.
    assert rows == [
        [
            "people's decision",
            "submissions",
            "share of people's decisions, %",
            "sent to moderation by the machine",
            "after the machine's own decision (appeal, reopening, revocation)",
        ],
        ["accepted", "2", "40.0", "1", "1"],
        ["rejected", "2", "40.0", "1", "1"],
        ["revoked", "1", "20.0", "0", "1"],
        ["decided by people", "5", "100.0", "2", "3"],
    ]
    rows = read_csv(
        marketing.get(f"{URL}csv/per_day/", {"campaign": campaign.pk, **OCTOBER}, HTTP_ACCEPT_LANGUAGE="en")
    )
    assert rows[0] == ["day", "submissions", "upload page", "API", "batch command", "unknown"]
    assert rows[2] == ["2026-10-02", "3", "1", "0", "1", "1"]
    assert len(rows) == 32
    # A merchant name that a spreadsheet would run as a formula is written as text.
    rows = read_csv(marketing.get(f"{URL}csv/merchants/", {"campaign": campaign.pk, **OCTOBER}))
    assert ['\'=HYPERLINK("http://x")', "1"] in rows
    # Russian headers for a Russian reader; the decimal comma.
    rows = read_csv(
        marketing.get(f"{URL}csv/outcomes/", {"campaign": campaign.pk, **OCTOBER}, HTTP_ACCEPT_LANGUAGE="ru")
    )
    assert rows[1][2] == "36,4"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+79001234567", "'+79001234567"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Пятёрочка", "Пятёрочка"),
        ("a=b", "a=b"),
        (-5, -5),
        (Decimal("-1.5"), Decimal("-1.5")),
    ],
)
def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe(value, written):
    assert guard(value) == written


def test_csv_text_has_a_bom_semicolons_and_quotes_what_needs_it():
    text = csv_text(["name", "n"], [["Магнит; у дома", 3], ['say "hi"', 1]])
    assert text == '\ufeffname;n\r\n"Магнит; у дома";3\r\n"say ""hi""";1\r\n'


def test_the_export_link_opens_the_export_form_with_the_reports_filters(client, marketing, autumn):
    campaign = autumn["campaign"]
    html = marketing.get(URL, {"campaign": campaign.pk, **OCTOBER}).content.decode()
    assert "export-link" not in html  # this user may see reports, not export
    marketing.force_login(staff("exporter", "view_reports", "view_campaign", "export_submissions"))
    html = marketing.get(URL, {"campaign": campaign.pk, **OCTOBER}).content.decode()
    link = f"/reports/exports/?campaign={campaign.pk}&date_from=2026-10-01&date_to=2026-10-31"
    assert f'href="{link.replace("&", "&amp;")}"' in html
    form = marketing.get(link).content.decode()
    assert f'<option value="{campaign.pk}" selected>' in form
    assert 'value="2026-10-01"' in form and 'value="2026-10-31"' in form


def fill(campaign, n: int) -> None:
    """n submissions of every kind the report counts (channels, outcomes, repairs, waits, readings)."""
    people = participants(max(2, n // 5), prefix=f"+7{campaign.pk:03d}")
    start = timezone.now() - timedelta(days=3)
    kinds = [
        {"status": "accepted", "auto_outcome": "accepted", "repairs": " date_mask_repaired ", "channel": "page",
         "read": {"amount": Decimal("700.00"), "payment_system": "VISA", "merchant": "Магнит"}},
        {"status": "rejected", "auto_outcome": "rejected", "reason_codes": " amount_mismatch ", "channel": "api"},
        {"status": "moderation", "auto_outcome": "moderation", "channel": "batch",
         "waiting_since": timezone.now() - timedelta(minutes=70)},
        {"status": "accepted", "auto_outcome": "moderation", "moderation_wait": timedelta(minutes=20),
         "decided_at": timezone.now() - timedelta(hours=1), "channel": "",
         "read": {"amount": Decimal("2500.00"), "payment_system": "MIR", "merchant": "Лента"}},
        {"status": "processing"},
    ]  # fmt: skip
    rows = []
    for i in range(n):
        created = start + timedelta(minutes=37 * i % (3 * 24 * 60))
        row = {**kinds[i % len(kinds)], "participant": people[i % len(people)], "created_at": created}
        if row.get("auto_outcome"):
            row["auto_decided_at"] = created + timedelta(seconds=i % 50)
        rows.append(row)
    add(campaign, rows)


def settled(campaign) -> None:
    """The campaign's rollups built, and its rows last moved an hour ago: a view has nothing to recompute."""
    rollups_refresh(campaign=campaign)
    Submission.objects.filter(campaign=campaign).update(updated_at=timezone.now() - timedelta(hours=1))


def test_the_page_costs_the_same_queries_for_10_and_1000_submissions(
    marketing, django_assert_max_num_queries
):
    today = timezone.localdate()
    small = CampaignFactory(
        slug="small", starts_on=today - timedelta(days=5), ends_on=today + timedelta(days=5)
    )
    large = CampaignFactory(
        slug="large", starts_on=today - timedelta(days=5), ends_on=today + timedelta(days=5)
    )
    fill(small, 10)
    fill(large, 1000)
    counts = {}
    for campaign, n in ((small, 10), (large, 1000)):
        # The first view builds the campaign's rollups: one statement per table, whatever the rows.
        with CaptureQueriesContext(connection) as queries:
            response = marketing.get(URL, {"campaign": campaign.pk})
        assert response.status_code == 200
        assert response.context["report"].outcomes.total == n
        counts[("built", n)] = len(queries)
        # Later views with nothing changed (the rows were last moved an hour ago): the watermark, then reads.
        settled(campaign)
        # Session, user, permissions and campaigns, the rollups' watermark, then the report's own reads (on
        # SQLite one more small read per percentile of the backlog, which PostgreSQL computes in its aggregate).
        limit = 26 if connection.vendor == "sqlite" else 22
        with django_assert_max_num_queries(limit), CaptureQueriesContext(connection) as queries:
            response = marketing.get(URL, {"campaign": campaign.pk})
        assert response.status_code == 200
        assert response.context["report"].outcomes.total == n
        assert response.context["report"].backlog.count == n // 5
        counts[("fresh", n)] = len(queries)
    assert counts[("built", 10)] == counts[("built", 1000)], counts
    assert counts[("fresh", 10)] == counts[("fresh", 1000)], counts


def test_a_charts_csv_file_runs_only_its_own_queries(marketing, django_assert_max_num_queries):
    campaign = CampaignFactory(slug="csv-queries")
    fill(campaign, 50)
    settled(campaign)
    # Session, user, permissions and campaigns, the rollups' watermark and the merchants' one read.
    with django_assert_max_num_queries(10):
        response = marketing.get(f"{URL}csv/merchants/", {"campaign": campaign.pk, "date_from": "2026-01-01"})
    assert response.status_code == 200
