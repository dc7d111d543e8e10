"""Money syntax: a read number is an amount only if its separators make sense.

Cheque readers learned it the hard way: `.` and `,` are both decimal marks, grouping comes in threes, and
anything else (`1.23.45`, `12,3456`) is a misread, not an amount.
"""

import re
from decimal import Decimal

# Candidates for an amount inside a line; parse_money decides whether each is valid money.
# A digit glued to a letter is part of a word or an id (`Py6`, `4EK4998`), not money; `@15.90` is a unit price.
_MONEY_TOKEN = re.compile(r"(?<![\w.,@])\d[\d \u00a0.,']*\d(?![\d]|[.,]\d)|(?<![\w.,@])\d(?![\w]|[.,]*\d)")
# Currency codes printed glued to the amount (`RM15.90`, `USD1,234.50`) are split off first.
_GLUED_CURRENCY = re.compile(r"(?<![A-Za-z])(RM|USD|EUR|GBP|RUB|MYR|SGD)(?=\d)", re.IGNORECASE)

_GROUPED = re.compile(r"^\d{1,3}(?P<sep>[ \u00a0.,'])\d{3}(?:(?P=sep)\d{3})*$")


def parse_money(token: str) -> Decimal | None:
    """The amount a token spells, or None when its syntax is not valid money.

    Valid: `1234`, `1234.50`, `1234,50`, `1 234,50`, `1,234.50`, `1.234,50`, `12 345 678.90`.
    The decimal part, when present, has exactly two digits and its mark differs from the grouping mark.
    """
    token = token.strip()
    if not token or not token[0].isdigit() or not token[-1].isdigit():
        return None
    integer_part, fraction = token, ""
    if len(token) >= 4 and token[-3] in ".," and token[-2:].isdigit():
        integer_part, fraction = token[:-3], token[-2:]
        decimal_mark = token[-3]
    else:
        decimal_mark = ""
    if integer_part.isdigit():
        digits = integer_part
    else:
        grouped = _GROUPED.match(integer_part)
        if not grouped or grouped.group("sep") == decimal_mark:
            return None
        if (
            not decimal_mark
            and grouped.group("sep") in ".,"
            and integer_part.count(grouped.group("sep")) == 1
        ):
            # `1,234` or `1.234`: grouping by the only rule that makes it money (a decimal part has two digits).
            pass
        digits = integer_part.replace(grouped.group("sep"), "")
    if len(digits) > 1 and digits.startswith("0"):
        return None
    return Decimal(f"{digits}.{fraction or '00'}")


def find_money(text: str) -> list[tuple[Decimal, tuple[int, int]]]:
    """Every valid amount in a line of text, with its span, left to right."""
    found = []
    text = _GLUED_CURRENCY.sub(r"\1 ", text)
    for match in _MONEY_TOKEN.finditer(text):
        token = match.group(0)
        value = parse_money(token)
        start = match.start()
        if value is None:
            found += _split_at_spaces(token, match.start())
        else:
            found.append((value, (start, match.end())))
    return found


def _split_at_spaces(token: str, start: int) -> list[tuple[Decimal, tuple[int, int]]]:
    """Numbers run together by spaces that make no valid amount as one (`2195,33 3`, `12 34,50`): from the left,
    the longest run of space-separated parts that is valid money, then the same for the rest."""
    parts = [(m.start(), m.end()) for m in re.finditer(r"[^ \u00a0]+", token)]
    found = []
    first = 0
    while first < len(parts):
        for last in range(len(parts) - 1, first - 1, -1):
            left, right = parts[first][0], parts[last][1]
            value = parse_money(token[left:right])
            if value is not None:
                found.append((value, (start + left, start + right)))
                first = last + 1
                break
        else:
            first += 1
    return found
