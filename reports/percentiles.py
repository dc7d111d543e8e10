"""Percentiles computed by the database, never by pulling rows to Python.

PostgreSQL has `percentile_cont(f) WITHIN GROUP (ORDER BY x)`: every percentile of a set rides in the one
aggregate query that counts it. SQLite has no such aggregate, so there each percentile is read as the one or two
values around its position with an ordered `LIMIT 2 OFFSET k` query, and interpolated as percentile_cont does:
the same figures on both databases, one more small query per percentile on SQLite.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
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


@dataclass
class Counted:
    """A distribution kept as counts per value: how many, the lowest and highest value, and percentiles."""

    count: int
    lowest: Any
    highest: Any
    percentiles: dict[float, Any]
    above: int = 0  # how many are above the value asked for (`above`)


def counted_percentiles(
    grouped: QuerySet,
    fractions: Sequence[float],
    convert: Callable[[Any], Any] = lambda value: value,
    above: int | None = None,
) -> Counted:
    """Percentiles, as percentile_cont computes them over the rows, from a query of (`value`, `n`) rows with each
    value once (`.values("value").annotate(n=Sum("n"))`), in one query on both databases: a running sum (a
    window function) finds the value at each position, and Python interpolates between the two around it.
    `convert` turns a stored value into what is interpolated (a timedelta, a Decimal); `above`, a whole number
    of the stored unit, asks how many are above it too."""
    connection = connections[grouped.db]
    sql, params = grouped.query.sql_with_params()
    picks = []
    for _fraction in fractions:
        position = "FLOOR(CAST(%s AS DOUBLE PRECISION) * (counted.total - 1))"
        picks += [
            f"MIN(CASE WHEN counted.running > {position} THEN counted.value END)",
            f"MIN(CASE WHEN counted.running > {position} + 1 THEN counted.value END)",
        ]
    picks.append("SUM(CASE WHEN counted.value > %s THEN counted.n ELSE 0 END)")
    query = (
        f"SELECT MAX(counted.total), MIN(counted.value), MAX(counted.value), {', '.join(picks)} FROM ("
        # Running sums in floating point: exact for counts below 2**53, and faster than PostgreSQL's numeric.
        "SELECT grouped.value, grouped.n, SUM(CAST(grouped.n AS DOUBLE PRECISION)) OVER (ORDER BY grouped.value) "
        f"AS running, SUM(CAST(grouped.n AS DOUBLE PRECISION)) OVER () AS total FROM ({sql}) grouped) counted"
    )
    fraction_params = [float(f) for f in fractions for _twice in (1, 2)]
    with connection.cursor() as cursor:
        cursor.execute(query, (*fraction_params, int(above or 0), *params))
        row = cursor.fetchone()
    total = int(row[0] or 0)
    if not total:
        return Counted(count=0, lowest=None, highest=None, percentiles=dict.fromkeys(fractions))
    out = {}
    for i, fraction in enumerate(fractions):
        low, high = row[3 + 2 * i], row[4 + 2 * i]
        value = convert(low)
        position = fraction * (total - 1)
        if position > floor(position) and high is not None:
            value = value + (convert(high) - value) * _weight(position - floor(position), value)
        out[fraction] = value
    return Counted(
        count=total,
        lowest=convert(row[1]),
        highest=convert(row[2]),
        percentiles=out,
        above=int(row[3 + 2 * len(fractions)] or 0) if above is not None else 0,
    )
