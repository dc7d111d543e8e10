"""The confidence calibration: isotonic fit, monotone map, and fields mapped without changing their ranking."""

import json
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from recognition.calibration import CALIBRATION_FILE, Calibration, Curve, default_calibration, fit_isotonic
from recognition.types import Candidate, FieldReading


def test_fit_gives_each_confidence_the_share_that_was_right():
    # Raw 0.9 is right half of the time, raw 0.6 never, raw 0.99 always: the curve says so (smoothed).
    samples = [(0.6, False)] * 20 + [(0.9, True), (0.9, False)] * 10 + [(0.99, True)] * 40
    curve = fit_isotonic(samples)
    assert curve(0.6) < 0.1
    assert 0.4 < curve(0.9) < 0.6
    assert 0.95 < curve(0.99) < 1.0  # (40 + 1) / (40 + 2): never a promise of 1.0


def test_fit_pools_violators_into_a_monotone_curve():
    samples = [(0.5, True)] * 10 + [(0.7, False)] * 10 + [(0.9, True)] * 10
    values = [y for _, y in fit_isotonic(samples).points]
    assert values == sorted(values)


@given(
    st.lists(st.tuples(st.floats(0, 1), st.booleans()), min_size=1, max_size=200),
    st.floats(0, 1),
    st.floats(0, 1),
)
def test_the_map_is_monotone_and_within_0_1(samples, a, b):
    curve = fit_isotonic(samples)
    low, high = sorted((a, b))
    assert 0.0 <= curve(low) <= curve(high) <= 1.0


def test_calibration_keeps_the_best_candidate_and_maps_the_confidences():
    reading = FieldReading.from_candidates(
        [Candidate(Decimal("12.50"), 0.95, "label"), Candidate(Decimal("1.00"), 0.94, "currency")]
    )
    curve = Curve(((0.5, 0.2), (0.97, 0.6)))  # flat-ish: both candidates fall on one slope
    out = Calibration({"amount": curve}).apply({"amount": reading, "date": FieldReading.empty()})
    assert out["amount"].value == Decimal("12.50")
    assert out["amount"].candidates[0].confidence > out["amount"].candidates[1].confidence
    assert out["amount"].confidence < 0.6
    assert out["date"] == FieldReading.empty()


def test_the_shipped_calibration_loads_and_round_trips():
    shipped = default_calibration()
    data = json.loads(CALIBRATION_FILE.read_text("utf-8"))
    assert set(shipped.curves) == set(data["curves"])
    assert {"amount", "date"} <= set(shipped.curves)
    assert Calibration.from_json(shipped.as_json()) == shipped
