"""The tune/report split and the reliability table of evaluate_recognition."""

from evaluation.recognition_scores import half_of, in_half, reliability


def test_the_split_is_fixed_by_the_name_and_roughly_even():
    names = [f"photo_{i}.jpg" for i in range(400)]
    halves = [half_of(name) for name in names]
    assert halves == [half_of(name) for name in names]  # the same every run, on every machine
    assert 150 < halves.count("tune") < 250


def test_reliability_bins_reads_by_confidence_and_counts_the_right_ones():
    pairs = [
        ({"amount": 10.0}, {"amount": "10.00", "confidence": {"amount": 0.97}}),
        ({"amount": 10.0}, {"amount": "11.00", "confidence": {"amount": 0.96}}),
        ({"amount": 10.0}, {"amount": "10.00", "confidence": {"amount": 0.55}}),
        ({"amount": 10.0}, {"amount": None, "confidence": {"amount": 0.0}}),  # unread: not in the table
        ({}, {"amount": "3.00", "confidence": {"amount": 0.99}}),  # unlabelled: not in the table
    ]
    table = reliability(pairs, ["amount"])["amount"]
    assert [(row["from"], row["read"], row["right"]) for row in table] == [(0.5, 1, 1.0), (0.95, 2, 0.5)]


def test_in_half_keeps_one_half_or_all():
    labels = [{"image": f"photo_{i}.jpg"} for i in range(40)]
    tune, report = in_half(labels, "tune"), in_half(labels, "report")
    assert tune and report and len(tune) + len(report) == 40
    assert all(half_of(label["image"]) == "tune" for label in tune)
    assert in_half(labels, "all") == labels
