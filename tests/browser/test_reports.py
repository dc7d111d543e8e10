"""The campaign report in a real browser at 1366x768, in Russian and English, as a marketing user: every chart
is drawn (an SVG with bars), the page never scrolls sideways, and its CSV links download the numbers."""

import pytest
from django.contrib.auth.models import Group, Permission, User

from reports.figures import CHARTS
from tests.reports.fixtures import busy_campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREEN = {"width": 1366, "height": 768}
PASSWORD = "a-long-test-password"


def marketing_user() -> User:
    """A member of the marketing role; the role does not hold reports.view_reports yet (the lead's roles
    migration adds it), so the user is given it directly."""
    user = User.objects.create_user("marketing-browser", password=PASSWORD, is_staff=True)
    # A transactional test starts from an empty database: the role migration's group is made again.
    user.groups.add(Group.objects.get_or_create(name="marketing")[0])
    user.user_permissions.add(Permission.objects.get(codename="view_reports"))
    return user


@pytest.mark.parametrize("language", ["ru", "en"])
def test_marketing_sees_every_chart_drawn_at_1366x768(browser, live_server, screenshot, language):
    campaign = busy_campaign()
    marketing_user()
    context = browser.new_context(viewport=SCREEN, locale="ru-RU" if language == "ru" else "en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/reports/reportaccess/")
    page.fill("#id_username", "marketing-browser")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/reports/reportaccess/")
    page.goto(
        f"{live_server.url}/admin/reports/reportaccess/?campaign={campaign.pk}&date_from=2026-10-01&date_to=2026-10-31"
    )
    assert page.locator("html").get_attribute("lang") == language
    screenshot(page, f"reports-1366x768-{language}", full_page=True)
    for name in CHARTS:
        card = page.locator(f"#card-{name}")
        svg = card.locator("svg.chart")
        assert svg.count() == 1, name
        box = svg.bounding_box()
        assert box and box["width"] > 250 and box["height"] > 30, (name, box)
        assert card.locator("rect.bar").count() > 0, name
        assert svg.locator("title").first.text_content().strip(), name
        assert card.locator("a.csv").get_attribute("href").startswith("/admin/reports/reportaccess/csv/")
    # The cards sit side by side and nothing runs off the screen's width.
    assert page.evaluate("document.scrollingElement.scrollWidth") <= SCREEN["width"]
    for row in (("per_day", "per_hour"), ("outcomes", "reasons", "repairs")):
        tops = {round(page.locator(f"#card-{name}").bounding_box()["y"]) for name in row}
        assert len(tops) == 1, (row, tops)
    with page.expect_download() as download:
        page.locator("#card-merchants a.csv").click()
    assert download.value.suggested_filename == "report-busy-merchants-20261001-20261031.csv"
    context.close()
