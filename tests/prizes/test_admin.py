"""The prizes admin: each page checks its permission and the campaigns the user may see; draws are read-only."""

import json
import re
from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from prizes.models import CodeShortage, Draw, DrawWinner, PrizeSettings, PromoCode
from promo.models import Submission
from tests.factories import CampaignFactory
from tests.prizes.conftest import accepted, at, move, pool, staff

pytestmark = pytest.mark.django_db
CAMPAIGN_ADMIN = ["add_promocode", "view_promocode", "delete_promocode", "view_codeshortage", "change_codeshortage", "add_prizesettings", "change_prizesettings", "view_prizesettings", "view_draw", "run_draw", "view_registry", "moderate_any_campaign", "view_campaign", "view_submission"]  # fmt: skip
MARKETING = ["view_draw", "view_registry", "view_campaign"]


@pytest.fixture
def clock(monkeypatch):
    def set_to(when: datetime):
        monkeypatch.setattr(timezone, "now", lambda: when.replace(tzinfo=CampaignFactory.build().tz))

    return set_to


@pytest.fixture
def campaign():
    return CampaignFactory(starts_on=date(2026, 11, 1), ends_on=date(2026, 12, 31))


def login(client, *codenames, name="user"):
    user = staff(name, *codenames)
    client.force_login(user)
    return user


def draw_of(campaign, ran=True, name="Week 1") -> Draw:
    draw = Draw.objects.create(
        campaign=campaign, name=name, period_starts_on=date(2026, 12, 10), period_ends_on=date(2026, 12, 16),
        winners_count=1, seed="seed", seed_announced_at=timezone.now(), pseudonym_salt="x",
    )  # fmt: skip
    if ran:
        submission = accepted(campaign)
        DrawWinner.objects.create(draw=draw, rank=1, submission=submission, entry="a" * 64)
        Draw.objects.filter(pk=draw.pk).update(
            ran_at=timezone.now(), published={"seed": "seed", "winners": ["a" * 64], "entries": []}
        )
        draw.refresh_from_db()
    return draw


# --- codes -------------------------------------------------------------------------------------------------------


def test_the_campaign_admin_uploads_a_code_file_and_reads_the_counts(client, campaign):
    login(client, *CAMPAIGN_ADMIN)
    PromoCode.objects.create(campaign=campaign, code="A1")
    file = SimpleUploadedFile("codes.csv", b"code\nA1\nB2\nB2\nC3\n", content_type="text/csv")
    response = client.post(
        "/admin/prizes/promocode/upload/", {"campaign": campaign.pk, "file": file}, follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code == 200
    assert (
        "Codes added: 2; duplicates skipped: 2 (in the file: 1, already in the pool: 1)."
        in response.content.decode()
    )
    assert PromoCode.objects.filter(campaign=campaign).count() == 3


def test_a_file_in_the_wrong_encoding_is_refused_on_the_form(client, campaign):
    login(client, *CAMPAIGN_ADMIN)
    file = SimpleUploadedFile("codes.csv", "ПРИЗ\n".encode("cp1251"), content_type="text/csv")
    response = client.post(
        "/admin/prizes/promocode/upload/", {"campaign": campaign.pk, "file": file}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200 and "not UTF-8 text" in response.content.decode()
    assert not PromoCode.objects.exists()


def test_uploading_needs_the_permission_and_a_campaign_in_scope(client, campaign):
    login(client, "view_promocode", "view_campaign")
    assert client.get("/admin/prizes/promocode/upload/").status_code == 403
    client.logout()
    other = CampaignFactory()
    moderator = login(client, "add_promocode", "view_submission", name="mod")  # moderates `campaign` only
    campaign.moderators.add(moderator)
    file = SimpleUploadedFile("codes.csv", b"Z1\n")
    response = client.post("/admin/prizes/promocode/upload/", {"campaign": other.pk, "file": file})
    assert response.status_code == 200 and "errorlist" in response.content.decode()  # not a valid choice
    assert not PromoCode.objects.exists()


def test_code_list_and_shortages_are_scoped_and_take_constant_queries(
    client, campaign, django_assert_max_num_queries
):
    moderator = login(client, "view_promocode", "view_codeshortage", "view_submission", name="mod")
    campaign.moderators.add(moderator)
    pool(campaign, 1)
    for _ in range(30):
        accepted(campaign)  # one code, 29 shortages
    hidden = CampaignFactory()
    pool(hidden, 40, prefix="HIDDEN")
    with django_assert_max_num_queries(10):
        page = client.get("/admin/prizes/promocode/").content.decode()
    assert "CODE0000" in page and "HIDDEN" not in page
    with django_assert_max_num_queries(10):
        response = client.get("/admin/prizes/codeshortage/")
    assert response.context["cl"].result_count == 29


def test_marketing_sees_no_codes_and_cannot_upload(client, campaign):
    login(client, *MARKETING)
    assert client.get("/admin/prizes/promocode/").status_code == 403
    assert client.get("/admin/prizes/promocode/upload/").status_code == 403
    assert client.get("/admin/prizes/codeshortage/").status_code == 403


def test_the_give_codes_action_fills_shortages(client, campaign):
    login(client, *CAMPAIGN_ADMIN)
    pool(campaign, 1)
    accepted(campaign)
    short = accepted(campaign)
    pool(campaign, 1, prefix="MORE")
    response = client.post(
        "/admin/prizes/codeshortage/",
        {"action": "give_codes", "_selected_action": [CodeShortage.objects.get().pk]},
        follow=True, HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert "Codes given: 1; still without a code (the pool is empty): 0." in response.content.decode()
    assert PromoCode.objects.get(submission=short).code == "MORE0000"


def test_prize_settings_are_edited_in_the_admin(client, campaign):
    login(client, *CAMPAIGN_ADMIN)
    response = client.post(
        "/admin/prizes/prizesettings/add/", {"campaign": campaign.pk, "on_revoke": "return"}
    )
    assert response.status_code == 302
    assert PrizeSettings.objects.get(campaign=campaign).on_revoke == "return"


# --- draws -------------------------------------------------------------------------------------------------------


def test_the_campaign_admin_announces_then_runs_a_draw_once(client, campaign, clock):
    clock(datetime(2026, 12, 9, 12, 0))  # before logging in: the session must outlive the clock's moves
    login(client, *CAMPAIGN_ADMIN)
    response = client.post(
        "/admin/prizes/draw/announce/",
        {"campaign": campaign.pk, "name": "Week 2", "starts_on": "2026-12-10", "ends_on": "2026-12-16",
         "winners_count": 1, "seed": "public"},
    )  # fmt: skip
    draw = Draw.objects.get()
    assert response.status_code == 302 and draw.seed == "public"
    at(campaign, accepted(campaign), datetime(2026, 12, 12, 12, 0))
    clock(datetime(2026, 12, 17, 9, 0))
    assert client.get(f"/admin/prizes/draw/{draw.pk}/run/").status_code == 200
    ran = client.post(f"/admin/prizes/draw/{draw.pk}/run/", HTTP_ACCEPT_LANGUAGE="en")
    assert ran.status_code == 302, ran.content.decode()
    again = client.post(f"/admin/prizes/draw/{draw.pk}/run/", HTTP_ACCEPT_LANGUAGE="en")
    assert "runs once" in again.content.decode()
    assert DrawWinner.objects.count() == 1
    record = json.loads(client.get(f"/admin/prizes/draw/{draw.pk}/published.json").content)
    assert record["winners"] == [DrawWinner.objects.get().entry]


def test_announcing_after_the_period_is_refused_on_the_form(client, campaign, clock):
    clock(datetime(2026, 12, 17, 0, 0))
    login(client, *CAMPAIGN_ADMIN)
    response = client.post(
        "/admin/prizes/draw/announce/",
        {"campaign": campaign.pk, "name": "Late", "starts_on": "2026-12-10", "ends_on": "2026-12-16", "winners_count": 1},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert "before the period ends" in response.content.decode() and not Draw.objects.exists()


def test_a_draw_is_read_only_in_the_admin(client, campaign):
    login(client, *CAMPAIGN_ADMIN)
    draw = draw_of(campaign)
    page = client.get(f"/admin/prizes/draw/{draw.pk}/change/").content.decode()
    assert 'name="seed"' not in page and "seed" in page
    assert client.post(f"/admin/prizes/draw/{draw.pk}/change/", {"seed": "other"}).status_code == 403
    assert client.post(f"/admin/prizes/draw/{draw.pk}/delete/").status_code == 403
    assert client.get("/admin/prizes/draw/add/").status_code == 403
    draw.refresh_from_db()
    assert draw.seed == "seed"


def test_marketing_sees_draws_and_registry_but_cannot_announce_or_run(client, campaign, clock):
    login(client, *MARKETING)
    draw = draw_of(campaign)
    assert client.get("/admin/prizes/draw/").status_code == 200
    assert client.get(f"/admin/prizes/draw/{draw.pk}/published.json").status_code == 200
    assert client.get(f"/admin/prizes/draw/{draw.pk}/registry/csv/").status_code == 200
    assert client.get("/admin/prizes/draw/announce/").status_code == 403
    assert client.post(f"/admin/prizes/draw/{draw.pk}/run/").status_code == 403


def test_who_announced_a_draw_is_a_link_only_for_a_user_who_may_open_it(client, campaign, admin_user):
    draw = draw_of(campaign)
    Draw.objects.filter(pk=draw.pk).update(announced_by=admin_user, ran_by=admin_user)
    user_page = f"/admin/auth/user/{admin_user.pk}/change/"
    login(client, *MARKETING)
    assert client.get(user_page).status_code == 403
    page = client.get(f"/admin/prizes/draw/{draw.pk}/change/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert user_page not in page
    assert re.search(r"Announced by:</label>\s*<div class=\"readonly\">admin</div>", page)
    assert re.search(r"Ran by:</label>\s*<div class=\"readonly\">admin</div>", page)
    assert f'href="/admin/promo/campaign/{campaign.pk}/change/"' in page  # marketing may view campaigns
    client.force_login(admin_user)
    page = client.get(f"/admin/prizes/draw/{draw.pk}/change/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count(f'href="{user_page}"') == 2


def test_registry_needs_its_permission_and_the_campaign_in_scope(client, campaign):
    draw = draw_of(campaign)
    login(client, "view_draw", "view_campaign")
    assert client.get(f"/admin/prizes/draw/{draw.pk}/registry/print/").status_code == 403
    assert client.get("/admin/prizes/draw/code-holders/").status_code == 403
    client.logout()
    moderator = login(client, "view_draw", "view_registry", "view_submission", name="mod")
    other = CampaignFactory()
    other.moderators.add(moderator)  # moderates another campaign only
    assert client.get(f"/admin/prizes/draw/{draw.pk}/registry/print/").status_code == 404
    assert client.get(f"/admin/prizes/draw/{draw.pk}/published.json").status_code == 404
    assert client.get(f"/admin/prizes/draw/code-holders/{campaign.pk}/csv/").status_code == 404


def test_the_print_registry_is_an_a4_page_without_photos_or_contacts(
    client, campaign, django_assert_max_num_queries
):
    login(client, *MARKETING)
    draw = draw_of(campaign)
    for rank in range(2, 30):
        DrawWinner.objects.create(draw=draw, rank=rank, submission=accepted(campaign), entry=f"{rank:064x}")
    with django_assert_max_num_queries(8):
        page = client.get(f"/admin/prizes/draw/{draw.pk}/registry/print/").content.decode()
    assert "@page { size: A4" in page and page.count("<tr>") == 30
    winner = DrawWinner.objects.select_related("submission__participant").get(rank=1).submission
    assert winner.participant.contact not in page and str(winner.pk) not in page and "<img" not in page


def test_the_print_registry_marks_a_revoked_winner_and_says_which_date_the_period_counts(client, campaign):
    login(client, *MARKETING)
    draw = draw_of(campaign)  # its period: 10 to 16 December
    revoked = accepted(campaign)
    DrawWinner.objects.create(draw=draw, rank=2, submission=revoked, entry="b" * 64)
    move(revoked, Submission.Status.REVOKED)
    at(campaign, DrawWinner.objects.get(rank=1).submission, datetime(2026, 12, 10, 0, 40))
    page = client.get(
        f"/admin/prizes/draw/{draw.pk}/registry/print/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "1 line no longer counts (marked ✕ below): give no prize for it." in page
    void = re.findall(r'<tr class="void">(.*?)</tr>', page, re.S)
    assert len(void) == 1 and "✕ revoked" in void[0] and "No prize" in void[0] and "bbbbbbbbbbbb…" in void[0]
    assert (
        page.count('<tr class="void">') == 1 and "tr.void td.slip { text-decoration: line-through; }" in page
    )
    assert "<th>Uploaded</th><th>Slip date</th>" in page
    assert "10\xa0Dec\xa02026 00:40" in page  # the upload, in the campaign's time zone
    assert (
        "The draw covers slips uploaded from 10\xa0Dec\xa02026 to 16\xa0Dec\xa02026 (Europe/Moscow time)"
        in page
    )


def test_the_print_registry_says_nothing_of_void_lines_when_all_count(client, campaign):
    login(client, *MARKETING)
    draw = draw_of(campaign)
    page = client.get(
        f"/admin/prizes/draw/{draw.pk}/registry/print/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert 'class="warning"' not in page and '<tr class="void">' not in page


def test_the_code_holders_print_registry_has_no_entry_column(client, campaign):
    login(client, *MARKETING)
    pool(campaign, 1)
    accepted(campaign)
    page = client.get(f"/admin/prizes/draw/code-holders/{campaign.pk}/print/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "<th>Promo code</th><th>Status</th>" in html and "Entry" not in html
    assert html.count("<th>") == 9  # eight columns and "Checked"
    row = re.search(r"<tr><td>CODE0000</td>(.*?)</tr>", html, re.S).group(1)
    assert row.count("<td") == 8 and "<code>" not in row
    assert "The draw covers" not in html


def test_code_holders_registry_downloads(client, campaign):
    login(client, *MARKETING)
    pool(campaign, 2)
    accepted(campaign)
    assert campaign.name in client.get("/admin/prizes/draw/code-holders/").content.decode()
    response = client.get(f"/admin/prizes/draw/code-holders/{campaign.pk}/csv/", HTTP_ACCEPT_LANGUAGE="en")
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf") and b"CODE0000" in body
    assert body.decode("utf-8-sig").splitlines()[0].split(";")[:2] == [
        "Promo code",
        "Status",
    ]  # no entry column
    assert response["Content-Disposition"] == f'attachment; filename="code-holders-{campaign.slug}.csv"'
    assert client.get(f"/admin/prizes/draw/code-holders/{campaign.pk}/xml/").status_code == 404


def test_draw_list_takes_constant_queries(client, campaign, django_assert_max_num_queries):
    login(client, *CAMPAIGN_ADMIN)
    for i in range(25):
        draw_of(campaign, ran=False, name=f"Week {i}")
    with django_assert_max_num_queries(10):
        assert client.get("/admin/prizes/draw/").status_code == 200
