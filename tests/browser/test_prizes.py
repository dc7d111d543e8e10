"""A draw's page and its store registry in a real browser, as a marketing user, at 1366x768 and 1920x1080, in
Russian and English: the tools never cover the page's headings, who ran the draw is text (their user page would be
a 403), and the printable registry marks a revoked winner with more than colour."""

from datetime import date, datetime

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from prizes.models import Draw, DrawWinner
from promo.models import Submission
from tests.factories import CampaignFactory
from tests.prizes.conftest import accepted, at, move

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"
MARKETING = ["view_draw", "view_registry", "view_campaign"]

# The rectangles of each heading's text and each tool, and whether any tool meets any heading.
OVERLAP = """() => {
  const box = r => [r.left, r.top, r.right, r.bottom];
  const text = [...document.querySelectorAll('#content h1, #content h2')].flatMap(h => {
    const range = document.createRange(); range.selectNodeContents(h); return [...range.getClientRects()].map(box);
  });
  const tools = [...document.querySelectorAll('.object-tools a')].map(a => box(a.getBoundingClientRect()));
  const meet = (a, b) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
  return {headings: text.length, tools: tools.length, overlap: text.some(a => tools.some(b => meet(a, b)))};
}"""


def ran_draw_with_a_revoked_winner(user: User) -> Draw:
    campaign = CampaignFactory(name="Slipcheck demo", starts_on=date(2026, 11, 1), ends_on=date(2026, 12, 31))
    draw = Draw.objects.create(
        campaign=campaign, name="Неделя 47", period_starts_on=date(2026, 11, 16), period_ends_on=date(2026, 11, 22),
        winners_count=3, seed="seed", seed_announced_at=timezone.now(), pseudonym_salt="x", announced_by=user,
        ran_by=user, ran_at=timezone.now(), published={"seed": "seed", "winners": [], "entries": []},
    )  # fmt: skip
    winners = [at(campaign, accepted(campaign), datetime(2026, 11, 16 + rank, 12, 0)) for rank in range(3)]
    for rank, submission in enumerate(winners, 1):
        DrawWinner.objects.create(draw=draw, rank=rank, submission=submission, entry=f"{rank:064x}")
    move(winners[1], Submission.Status.REVOKED)
    return draw


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=["1366x768", "1920x1080"])
def test_a_draw_page_and_its_registry_read_right(browser, live_server, screenshot, language, size):
    width, height = size
    announcer = User.objects.create_superuser("organiser", password=PASSWORD)
    draw = ran_draw_with_a_revoked_winner(announcer)
    marketing = User.objects.create_user("marketing-browser", password=PASSWORD, is_staff=True)
    marketing.user_permissions.add(*Permission.objects.filter(codename__in=MARKETING))
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="ru-RU" if language == "ru" else "en-US"
    )
    page = context.new_page()
    change = f"/admin/prizes/draw/{draw.pk}/change/"
    page.goto(f"{live_server.url}/admin/login/?next={change}")
    page.fill("#id_username", "marketing-browser")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**{change}")
    assert page.locator("html").get_attribute("lang") == language
    screenshot(page, f"prizes-draw-{width}x{height}-{language}")
    layout = page.evaluate(OVERLAP)
    # The page's title and the draw's name; the tools JSON, print, CSV and history.
    assert layout["headings"] >= 2 and layout["tools"] == 4, layout
    assert not layout["overlap"], layout
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    assert "Неделя 47" in page.locator("#content h2").text_content()
    assert page.locator(f'a[href*="/admin/auth/user/{announcer.pk}/"]').count() == 0
    assert page.locator(".field-announced_by_text .readonly").text_content().strip() == "organiser"

    page.locator(".object-tools a[href$='/registry/print/']").click()
    page.wait_for_url("**/registry/print/")
    registry = page
    screenshot(registry, f"prizes-registry-{width}x{height}-{language}", full_page=True)
    void = registry.locator("tr.void")
    assert void.count() == 1 and registry.locator("p.warning").is_visible()
    assert "✕" in void.locator("td.status").text_content() and "✕" in void.locator("td.check").text_content()
    struck = void.locator("td.slip").first.evaluate("td => getComputedStyle(td).textDecorationLine")
    assert struck == "line-through"
    frame = void.locator("td").first.evaluate("td => parseFloat(getComputedStyle(td).borderTopWidth)")
    assert frame >= 3  # a frame that prints in black and white, unlike the status's colour
    assert registry.evaluate("document.scrollingElement.scrollWidth") <= width
    context.close()
