"""The numbers behind a chart as a CSV file that Excel in a Russian locale opens as it is.

`;` separates (Russian Excel reads `,` as the decimal comma), a UTF-8 byte order mark makes it read Cyrillic as
UTF-8, and a text cell that a spreadsheet would take for a formula (it starts with = + - @, a tab or a carriage
return) gets a leading apostrophe: a merchant name printed on a slip is anyone's text.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

# What a spreadsheet evaluates at the start of a cell (OWASP's CSV injection list); exports guard with it too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
# Before a card's last 4, as the slip prints it: Excel keeps `•••• 0025` as text, where a bare `0025` becomes the
# number 25 (the exports' CSV and the draw's registry).
CARD_MASK = "•••• "


def guard(value: Any) -> Any:
    """Text as a spreadsheet will show it, never run; numbers are left as numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([guard(str(cell)) for cell in header])
    for row in rows:
        writer.writerow([guard(cell) for cell in row])
    return BOM + buffer.getvalue()


def csv_response(*, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """An attachment whose name the server decided (ASCII: a slug, a chart name and dates)."""
    response = HttpResponse(csv_text(header, rows).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
