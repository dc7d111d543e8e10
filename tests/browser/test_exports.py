"""An export's job page in a real browser: the red failure note is seen only when the export failed, whether the
page was loaded so or learnt it by polling (the admin's `.errornote {display: block}` outranks the `hidden`
attribute, which once showed the note beside "done" and the Download button)."""

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from reports.models import ExportJob
from tests.factories import CampaignFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREEN = {"width": 1366, "height": 768}
PASSWORD = "a-long-test-password"
Status = ExportJob.Status


def logged_in_page(browser, live_server, language: str = "en"):
    user = User.objects.create_user("marketing-exports", password=PASSWORD, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["export_submissions", "view_reports"]))
    context = browser.new_context(viewport=SCREEN, locale="ru-RU" if language == "ru" else "en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/reports/exports/")
    page.fill("#id_username", "marketing-exports")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/reports/exports/")
    return user, page


def seen(page, selector: str) -> bool:
    """What a person sees: laid out (display), not invisible, with a box."""
    return page.locator(selector).evaluate(
        """el => {
            const style = getComputedStyle(el);
            return style.display !== "none" && style.visibility !== "hidden" && el.getClientRects().length > 0;
        }"""
    )


def a_job(user, status: str, **fields) -> ExportJob:
    campaign = CampaignFactory(slug=f"exp-{status}")
    return ExportJob.objects.create(
        user=user,
        campaign=campaign,
        format="csv",
        status=status,
        rows_total=1000,
        filters={"status": "rejected", "reason": "amount_mismatch"},
        **fields,
    )


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_failure_note_shows_only_on_failure(browser, live_server, screenshot, language):
    user, page = logged_in_page(browser, live_server, language)
    screenshot(page, f"exports-form-{language}", full_page=True)
    done = a_job(user, Status.DONE, rows_done=1000, file="exports/none.csv", finished_at=timezone.now())
    running = a_job(user, Status.RUNNING, rows_done=400, heartbeat_at=timezone.now())
    failed = a_job(user, Status.FAILED, rows_done=400, error="RuntimeError: disk full")

    page.goto(f"{live_server.url}/reports/exports/{done.pk}/")
    assert seen(page, "#export-download") and not seen(page, "#export-error")
    screenshot(page, f"exports-job-done-{language}", full_page=True)

    page.goto(f"{live_server.url}/reports/exports/{running.pk}/")
    assert not seen(page, "#export-error") and not seen(page, "#export-download")
    assert page.locator("#export-percent").text_content() == "40%"
    screenshot(page, f"exports-job-running-{language}", full_page=True)

    page.goto(f"{live_server.url}/reports/exports/{failed.pk}/")
    assert seen(page, "#export-error") and not seen(page, "#export-download")
    assert "disk full" in page.locator("#export-error").text_content()
    screenshot(page, f"exports-job-failed-{language}", full_page=True)
    page.context.close()


def test_a_polling_page_shows_the_note_when_the_job_fails_and_never_when_it_is_done(browser, live_server):
    user, page = logged_in_page(browser, live_server)
    to_fail = a_job(user, Status.RUNNING, rows_done=400, heartbeat_at=timezone.now())
    to_finish = a_job(user, Status.RUNNING, rows_done=400, heartbeat_at=timezone.now())

    page.goto(f"{live_server.url}/reports/exports/{to_fail.pk}/")
    assert not seen(page, "#export-error")
    ExportJob.objects.filter(pk=to_fail.pk).update(status=Status.FAILED, error="RuntimeError: disk full")
    page.wait_for_function(
        "document.getElementById('export-status').textContent === 'failed'", timeout=10_000
    )
    assert seen(page, "#export-error") and not seen(page, "#export-download")
    assert page.locator("#export-error-text").text_content() == "RuntimeError: disk full"

    page.goto(f"{live_server.url}/reports/exports/{to_finish.pk}/")
    ExportJob.objects.filter(pk=to_finish.pk).update(
        status=Status.DONE, rows_done=1000, file="exports/none.csv", finished_at=timezone.now()
    )
    page.wait_for_function("document.getElementById('export-status').textContent === 'done'", timeout=10_000)
    assert seen(page, "#export-download") and not seen(page, "#export-error")
    assert page.locator("#export-percent").text_content() == "100%"
    page.context.close()
