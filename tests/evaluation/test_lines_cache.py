"""The engines' lines cached on disk: read once by the pipeline's own steps, then given back unchanged."""

from unittest import mock

from evaluation.lines_cache import engine_lines
from recognition.engines import get_rapid_engine
from tests.conftest import generated_photo


def test_lines_are_read_once_and_given_back_from_the_cache(tmp_path):
    photo, truth = generated_photo(3, "slip", "ru")
    engine = get_rapid_engine()
    first = engine_lines(photo, engine, None, tmp_path)
    assert any(truth.card_last4 in line.text for line in first)
    assert len(list(tmp_path.glob("*.json"))) == 1
    with mock.patch.object(engine, "read_upright", side_effect=AssertionError("read again")):
        again = engine_lines(photo, engine, None, tmp_path)
    assert [(line.text, line.box) for line in again] == [(line.text, line.box) for line in first]
