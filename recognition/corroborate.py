"""Two engines' readings of one field, combined as classic cheque readers combine classifiers.

Agreement raises the confidence, disagreement lowers it; which digits the engines disagreed on is kept, so a
later repair (6<->8 and friends) may touch only characters nobody was sure of.
"""

from __future__ import annotations

from typing import Literal

from recognition.serialize import json_value
from recognition.types import Candidate, FieldReading

Method = Literal["min", "avg", "bayes"]


def combine_agreeing(first: float, second: float, method: Method = "bayes") -> float:
    """Confidence that a value both engines read is right.

    min: pessimistic, isolates errors; avg: robust to one engine's quirks; bayes: sharp when both are good
    (two independent 90% readers agreeing are right ~99% of the time).
    """
    if method == "min":
        return min(first, second)
    if method == "avg":
        return (first + second) / 2
    agree = first * second
    disagree = (1 - first) * (1 - second)
    bayes = agree / (agree + disagree) if agree + disagree else 0.0
    # Field confidences are not calibrated probabilities: a weak second reading of the same value is still
    # agreement, never evidence against it (plain Bayes would pull 0.56 and 0.21 down to 0.25).
    return max(bayes, first, second)


def combine_disagreeing(chosen: float, other: float) -> float:
    """Confidence in the chosen value when the other engine read something else: Bayes over the two readings,
    capped at the chosen engine's own confidence (a dissenting engine is never evidence for a value)."""
    for_chosen = chosen * (1 - other)
    for_other = (1 - chosen) * other
    bayes = for_chosen / (for_chosen + for_other) if for_chosen + for_other else 0.0
    return min(bayes, chosen)


# Rules under which a value is the result of the document's own arithmetic (the parts add up to it, the cash
# less the change is it): a misread digit would have to be misread in the parts too, the same way.
PROVEN_BY_ARITHMETIC = frozenset({"total_is_sum_of_parts", "total_is_cash_minus_change"})


# Two readings of one print differ in a character or two; more, and the engines read two different numbers.
MAX_UNSURE = 2


def differing_positions(first: str, second: str) -> tuple[int, ...]:
    """Character positions where two readings of equal length differ; all positions when lengths differ."""
    if len(first) != len(second):
        return tuple(range(max(len(first), len(second))))
    return tuple(i for i, (a, b) in enumerate(zip(first, second, strict=True)) if a != b)


def corroborate(primary: FieldReading, secondary: FieldReading, method: Method = "bayes") -> FieldReading:
    """One reading from two engines' readings of the same field."""
    if secondary.value is None:
        return primary
    if primary.value is None:
        return _with_rules(secondary, ("second_engine_only",))
    if primary.value == secondary.value:
        confidence = combine_agreeing(primary.confidence, secondary.confidence, method)
        best = Candidate(primary.value, confidence, primary.candidates[0].source if primary.candidates else "",
                         _merged_rules(primary, secondary, "engines_agree"))  # fmt: skip
        others = [c for c in (*primary.candidates[1:], *secondary.candidates[1:]) if c.value != primary.value]
        return FieldReading.from_candidates([best, *others])
    chosen, other = (
        (primary, secondary) if primary.confidence >= secondary.confidence else (secondary, primary)
    )
    unsure = differing_positions(str(json_value(chosen.value)), str(json_value(other.value)))
    if len(unsure) > MAX_UNSURE or PROVEN_BY_ARITHMETIC.intersection(chosen.rules):
        # The other engine read another number (`23.00` for `56.38`), not the same print with a digit in doubt;
        # or the document's own sums pin every digit. Either way no 6/8 (or 1/7) is left to forgive.
        unsure = ()
    confidence = combine_disagreeing(chosen.confidence, other.confidence)
    best = Candidate(
        chosen.value,
        confidence,
        chosen.candidates[0].source if chosen.candidates else "",
        (*chosen.rules, "engines_disagree"),
        unsure=unsure,
    )
    runner_up = Candidate(other.value, combine_disagreeing(other.confidence, chosen.confidence),
                          other.candidates[0].source if other.candidates else "", ("engines_disagree",), unsure=unsure)  # fmt: skip
    rest = [
        c
        for c in (*chosen.candidates[1:], *other.candidates[1:])
        if c.value not in (chosen.value, other.value)
    ]
    return FieldReading.from_candidates([best, runner_up, *rest])


def _merged_rules(first: FieldReading, second: FieldReading, verdict: str) -> tuple[str, ...]:
    """The repairs either engine's reading needed, then how the engines compared."""
    return (*dict.fromkeys((*first.rules, *second.rules)), verdict)


def _with_rules(reading: FieldReading, rules: tuple[str, ...]) -> FieldReading:
    candidates = list(reading.candidates)
    if candidates:
        first = candidates[0]
        candidates[0] = Candidate(
            first.value, first.confidence, first.source, first.rules + rules, first.unsure
        )
    return FieldReading.from_candidates(candidates)
