"""The campaign report in a real browser at 1366x768 and 1920x1080, in Russian and English, as a marketing user:
every chart is drawn (an SVG with bars), no label runs off its chart or is cut short, the page never scrolls
sideways, and its CSV links download the numbers. A period with no data says so in the page's language."""

import pytest
from django.contrib.auth.models import Group, Permission, User

from reports.figures import CHARTS
from tests.reports.fixtures import busy_campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENS = {"1366x768": {"width": 1366, "height": 768}, "1920x1080": {"width": 1920, "height": 1080}}
PASSWORD = "a-long-test-password"
URL = "/admin/reports/reportaccess/"

# Every text of every chart, with how far it runs past its SVG's box (0 when inside), and the texts cut short.
OVERFLOWS = """() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
  const box = svg.getBoundingClientRect();
  return [...svg.querySelectorAll(':scope > text, :scope > g > text')].map(t => {
    const r = t.getBoundingClientRect();
    const past = Math.max(box.left - r.left, r.right - box.right, box.top - r.top, r.bottom - box.bottom, 0);
    const shown = [...t.childNodes].filter(n => n.nodeName !== 'title').map(n => n.textContent).join(' ');
    return [svg.closest('section').id, shown, Math.round(past * 10) / 10];
  });
})"""


def marketing_user() -> User:
    """A member of the marketing role; the role does not hold reports.view_reports yet (the lead's roles
    migration adds it), so the user is given it directly."""
    user = User.objects.create_user("marketing-browser", password=PASSWORD, is_staff=True)
    # A transactional test starts from an empty database: the role migration's group is made again.
    user.groups.add(Group.objects.get_or_create(name="marketing")[0])
    user.user_permissions.add(Permission.objects.get(codename="view_reports"))
    return user


def logged_in(browser, live_server, screen: dict, language: str):
    context = browser.new_context(viewport=screen, locale="ru-RU" if language == "ru" else "en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next={URL}")
    page.fill("#id_username", "marketing-browser")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**{URL}")
    return context, page


def assert_no_label_runs_off_or_is_cut(page) -> None:
    texts = page.evaluate(OVERFLOWS)
    assert texts
    off = [(card, text, past) for card, text, past in texts if past > 0.5]
    assert not off, off
    cut = [(card, text) for card, text, _past in texts if "…" in text]
    assert not cut, cut


@pytest.mark.parametrize("size", list(SCREENS))
@pytest.mark.parametrize("language", ["ru", "en"])
def test_marketing_sees_every_chart_drawn(browser, live_server, screenshot, language, size):
    campaign = busy_campaign()
    marketing_user()
    screen = SCREENS[size]
    context, page = logged_in(browser, live_server, screen, language)
    page.goto(f"{live_server.url}{URL}?campaign={campaign.pk}&date_from=2026-10-01&date_to=2026-10-31")
    assert page.locator("html").get_attribute("lang") == language
    screenshot(page, f"reports-{size}-{language}", full_page=True)
    for name in CHARTS:
        card = page.locator(f"#card-{name}")
        svg = card.locator("svg.chart")
        assert svg.count() == 1, name
        box = svg.bounding_box()
        assert box and box["width"] > 250 and box["height"] > 30, (name, box)
        assert card.locator("rect.bar").count() > 0, name
        assert svg.locator("title").first.text_content().strip(), name
        assert card.locator("a.csv").get_attribute("href").startswith(f"{URL}csv/")
    assert_no_label_runs_off_or_is_cut(page)
    # The cards sit side by side and nothing runs off the screen's width.
    assert page.evaluate("document.scrollingElement.scrollWidth") <= screen["width"]
    # The outcomes' three cards side by side (on a wide screen the third may start the next row).
    rows = [("per_day", "per_hour"), ("outcomes", "machine")]
    if size == "1366x768":
        rows.append(("outcomes", "machine", "people"))
    for row in rows:
        tops = {round(page.locator(f"#card-{name}").bounding_box()["y"]) for name in row}
        assert len(tops) == 1, (row, tops)
    with page.expect_download() as download:
        page.locator("#card-merchants a.csv").click()
    assert download.value.suggested_filename == "report-busy-merchants-20261001-20261031.csv"
    # The first view (no filters) starts with the date fields filled with the period it shows.
    page.goto(f"{live_server.url}{URL}")
    assert page.input_value("#id_date_from") == campaign.starts_on.isoformat()
    assert page.input_value("#id_date_to") == campaign.ends_on.isoformat()
    context.close()


@pytest.mark.parametrize("language", ["ru", "en"])
def test_a_period_with_no_data_says_so_in_the_pages_language(browser, live_server, screenshot, language):
    campaign = busy_campaign()
    marketing_user()
    context, page = logged_in(browser, live_server, SCREENS["1366x768"], language)
    page.goto(f"{live_server.url}{URL}?campaign={campaign.pk}&date_from=2026-10-25&date_to=2026-10-31")
    screenshot(page, f"reports-empty-1366x768-{language}", full_page=True)
    text = page.locator("#report").inner_text()
    if language == "ru":
        assert "Нет данных за этот период" in text and "No data" not in text
    else:
        assert "No data for this period" in text
    assert "0,0 мин" not in text and "0.0 min" not in text  # no decisions: a dash, not a wait of nothing
    assert_no_label_runs_off_or_is_cut(page)
    # A backwards period: the fields show the period shown instead, and the error says which.
    page.goto(f"{live_server.url}{URL}?campaign={campaign.pk}&date_from=2026-10-20&date_to=2026-10-05")
    screenshot(page, f"reports-backwards-1366x768-{language}")
    assert page.input_value("#id_date_from") == "2026-10-01"
    assert page.input_value("#id_date_to") == "2026-10-31"
    assert "31" in page.locator("#report-filters .errorlist").inner_text()
    context.close()
