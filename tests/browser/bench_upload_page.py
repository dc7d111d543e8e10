"""Benchmark, not a test (its name keeps it out of the suite): `make bench-upload-page` prints what the upload page
costs a participant on a phone: 360x800, the CPU slowed 4x and a "Fast 3G" network (Chrome DevTools' preset:
562.5 ms round trip, 1.44 Mbit/s down, 675 kbit/s up), set through the Chrome DevTools Protocol.

- the page weight: bytes transferred (compressed as sent) for the page with every resource it loads;
- first contentful paint, DOMContentLoaded, load, and when Send is usable (the page's script
  has wired the form: the `upload-ready` mark), as the median of RUNS cold loads (the cache disabled);
- a 5 MB camera photo sent on that network: with the page's script (shrunk in the browser first) and with the
  plain form (JavaScript off), from the tap on Send to the status page.

It runs on the test database through pytest-django's live server (the Django development server, no compression).
"""

import io
import re
import statistics
import time

import pytest
from PIL import Image

from promo.models import Submission
from tests.browser.test_upload_page import PHONE, choose_from_gallery, fill_the_form
from tests.conftest import generated_photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
RUNS = 5
FAST_3G = {"offline": False, "latency": 562.5, "downloadThroughput": 180_000, "uploadThroughput": 84_375}
CPU_SLOWDOWN = 4


def throttled(browser, javascript: bool = True):
    context = browser.new_context(viewport=PHONE, locale="ru-RU", is_mobile=True, has_touch=True, java_script_enabled=javascript)  # fmt: skip
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", FAST_3G)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    return context, page, cdp


def load_once(browser, url: str) -> dict:
    context, page, cdp = throttled(browser)
    transferred: dict[str, int] = {}
    urls: dict[str, str] = {}
    cdp.on(
        "Network.requestWillBeSent",
        lambda event: urls.__setitem__(event["requestId"], event["request"]["url"]),
    )
    cdp.on("Network.loadingFinished", lambda event: transferred.__setitem__(event["requestId"], event["encodedDataLength"]))  # fmt: skip
    page.goto(url, wait_until="load")
    page.wait_for_selector("#upload-form[data-ready]")
    timing = page.evaluate(
        """() => {
            const nav = performance.getEntriesByType("navigation")[0];
            const paint = performance.getEntriesByName("first-contentful-paint")[0];
            const ready = performance.getEntriesByName("upload-ready")[0];
            return {fcp: paint ? paint.startTime : null,
                    dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, ready: ready.startTime,
                    html: nav.decodedBodySize};
        }"""
    )
    page.wait_for_timeout(300)  # a favicon request, if any, finishes
    context.close()
    timing["bytes"] = sum(transferred.values())
    timing["resources"] = sorted(
        {urls.get(request, "?").replace(url.split("/c/")[0], "") for request in transferred}
    )
    return timing


def camera_photo(seed: int = 11) -> bytes:
    """A 3024x4032 slip photo with sensor noise: about what a phone camera stores (5 MB)."""
    photo, _ = generated_photo(seed)
    image = Image.open(io.BytesIO(photo)).convert("RGB").resize((3024, 4032), Image.Resampling.BICUBIC)
    image = Image.blend(image, Image.effect_noise(image.size, 32).convert("RGB"), 0.2)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def send_once(browser, url: str, photo: bytes, javascript: bool) -> tuple[float, float | None]:
    """Seconds from the tap on Send to the status page, and (with the script) until the last byte went up."""
    _, truth = generated_photo(11)
    context, page, _ = throttled(browser, javascript)
    page.goto(url)
    if javascript:
        choose_from_gallery(page, "IMG_5MB.jpg", photo)
        page.wait_for_selector("#preview[data-prepared=reduced]", state="attached", timeout=120_000)
    else:
        page.set_input_files("#id_photo", {"name": "IMG_5MB.jpg", "mimeType": "image/jpeg", "buffer": photo})
    fill_the_form(page, truth)
    started = time.perf_counter()
    page.click(
        "#send", timeout=300_000
    )  # without the script, the click waits for the whole upload's navigation
    uploaded = None
    if javascript:
        page.wait_for_function("document.getElementById('progress').value >= 100", timeout=300_000)
        uploaded = time.perf_counter() - started
    page.wait_for_url(re.compile(r"/s/[0-9a-f-]{36}/$"), timeout=300_000)
    total = time.perf_counter() - started
    context.close()
    return total, uploaded


def test_upload_page_weight_and_time_to_interactive(browser, live_server, campaign):
    url = f"{live_server.url}/c/{campaign.slug}/"
    load_once(browser, url)  # warm the server (templates, translations)
    runs = [load_once(browser, url) for _ in range(RUNS)]
    median = {key: statistics.median(run[key] for run in runs if run[key] is not None) for key in ("fcp", "dcl", "load", "ready", "bytes", "html")}  # fmt: skip
    print(
        f"\n=== upload page, 360x800, CPU {CPU_SLOWDOWN}x slower, Fast 3G (median of {RUNS} cold loads) ==="
    )
    print(f"transferred: {median['bytes']:.0f} bytes ({median['html']:.0f} bytes of HTML decoded); requests: {runs[0]['resources']}")  # fmt: skip
    print(f"first contentful paint {median['fcp']:.0f} ms · DOMContentLoaded {median['dcl']:.0f} ms · load {median['load']:.0f} ms · Send usable {median['ready']:.0f} ms")  # fmt: skip

    photo = camera_photo()
    size = Image.open(io.BytesIO(photo)).size
    enhanced, uploaded = send_once(browser, url, photo, javascript=True)
    shrunk = Submission.objects.order_by("-created_at").first().original.size
    plain, _ = send_once(browser, url, photo, javascript=False)
    print(
        f"=== a {len(photo) / 2**20:.1f} MB {size[0]}x{size[1]} camera photo on Fast 3G, CPU {CPU_SLOWDOWN}x ==="
    )
    print(f"page script: shrunk to {shrunk / 2**20:.2f} MB, uploaded in {uploaded:.1f} s, status page after {enhanced:.1f} s")  # fmt: skip
    print(f"plain form (no script): status page after {plain:.1f} s")
    assert Submission.objects.count() == 2
