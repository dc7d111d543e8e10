"""Shared fixtures: media in a temp folder, and slip photos the tests generate themselves."""

import functools
import io
import random
from datetime import date

import pytest

from evaluation.synthetic import DocumentTruth, photograph, random_truth, render_document
from tests.factories import CampaignFactory

# Every generated document in the tests falls in this period; campaigns in the tests cover it. It lies in the
# past, so that no generated slip is dated in the future whenever the suite runs.
PERIOD = (date(2026, 10, 1), date(2026, 10, 31))


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@functools.cache
def generated_photo(
    seed: int, kind: str = "slip", locale: str | None = "ru", strength: float = 0.2
) -> tuple[bytes, DocumentTruth]:
    """A phone-photo JPEG of a generated document, and what it says. Cached: rendering and reading cost time."""
    rng = random.Random(seed)
    truth = random_truth(rng, kind=kind, locale=locale, start=PERIOD[0], end=PERIOD[1])
    image = photograph(render_document(truth, rng), rng, strength=strength)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue(), truth


@pytest.fixture
def slip():
    """A legible Russian slip photo and its truth."""
    return generated_photo(11, "slip", "ru")


@pytest.fixture
def landscape():
    return generated_photo(5, "other", None)[0]


@pytest.fixture
def campaign(db):
    return CampaignFactory(slug="autumn", name="Autumn", starts_on=PERIOD[0], ends_on=PERIOD[1])
