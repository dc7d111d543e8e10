"""Percentiles computed by the database, never by pulling rows to Python.

PostgreSQL has `percentile_cont(f) WITHIN GROUP (ORDER BY x)`: every percentile of a set rides in the one
aggregate query that counts it. SQLite has no such aggregate, so there each percentile is read as the one or two
values around its position with an ordered `LIMIT 2 OFFSET k` query, and interpolated as percentile_cont does:
the same figures on both databases, one more small query per percentile on SQLite.
"""

from collections.abc import Sequence
from math import floor
from typing import Any

from django.db import connections
from django.db.models import Aggregate, Expression, Q, QuerySet


def uses_percentile_cont(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile of a number or an interval (the output field is the expression's)."""

    function = "percentile_cont"
    name = "PercentileCont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError(f"a fraction between 0 and 1, not {fraction}")
        # A literal from code, never from a request: written into the SQL as a number.
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


def percentile_aggregates(
    prefix: str, expression: Any, fractions: Sequence[float], condition: Q | None = None
) -> dict[str, Aggregate]:
    """Aggregates to add to an `.aggregate()` call on PostgreSQL, named `<prefix>_p<percent>`."""
    return {
        f"{prefix}_p{_percent_name(f)}": PercentileCont(expression, f, filter=condition) for f in fractions
    }


def percentiles(
    *,
    queryset: QuerySet,
    expression: Expression,
    fractions: Sequence[float],
    count: int,
    aggregated: dict[str, Any] | None = None,
    prefix: str = "",
) -> dict[float, Any]:
    """{fraction: value or None} of `expression` over `queryset` (rows where it is null are left out by the
    caller's filter). On PostgreSQL the values were computed by `percentile_aggregates` in the caller's
    aggregate (`aggregated`); elsewhere each is read with an ordered OFFSET query. `count` is the number of rows."""
    if uses_percentile_cont(queryset) and aggregated is not None:
        return {f: aggregated[f"{prefix}_p{_percent_name(f)}"] for f in fractions}
    ordered = queryset.annotate(_value=expression).order_by("_value").values_list("_value", flat=True)
    out: dict[float, Any] = {}
    for fraction in fractions:
        if count <= 0:
            out[fraction] = None
            continue
        position = fraction * (count - 1)
        low = floor(position)
        around = list(ordered[low : low + 2])
        if not around:  # rows changed between the count and this read
            out[fraction] = None
            continue
        value = around[0]
        if position > low and len(around) == 2:
            value = value + (around[1] - value) * _weight(position - low, value)
        out[fraction] = value
    return out


def _weight(fraction: float, value: Any) -> Any:
    """Timedeltas multiply by a float; Decimals by a Decimal (money stays Decimal)."""
    from decimal import Decimal

    return Decimal(str(fraction)) if isinstance(value, Decimal) else fraction


def _percent_name(fraction: float) -> str:
    return f"{fraction * 100:g}".replace(".", "_")
