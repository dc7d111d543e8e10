"""Full card numbers printed on a photo: found, then masked in everything that is kept.

A slip normally prints the card masked (`**** 1234`); an unmasked number (a badly configured terminal, a photo
of the card itself) must never reach the database or a log. Recognition masks it in the text before anything
leaves the pipeline and paints it over in a copy of the photo, which replaces the upload; the submission goes to
a moderator, who checks that nothing else shows it.

The guard errs towards masking. Two engines read every line and either may misread a digit, and a detector
may cut one printed number into several boxes, so a number is looked for in both readings, in the boxes of a
printed row joined left to right, with look-alike letters read as digits, and with the digits the engines
disagreed on tried both ways. A run that has a card's prefix and length but no reading that proves it (Luhn) is
still masked where cards of that shape are common. Only the last four digits are kept (`************1111`):
they are what the campaign checks, and keeping fewer digits than PCI DSS allows costs nothing.

Joining boxes finds numbers, and also makes them out of fields that only sit side by side: on real receipts a
barcode, a quantity and a price (`6194020100124 | 4 | 11.32`), an id and a date (`CB#:45976049320 |
25/Feb/2017`), a time and an invoice number (`20:48 | 1009 001 0010411`) read as card numbers. So the digits of
a date or a time never join a number, and a run of a row's boxes counts only when its digit groups are printed
the way card numbers are (4-4-4-4..., 4-6-5, 6-6-4, or all in one), allowing for what a detector and an engine
do to a printed number: the boxes may cut up to two groups, and an engine may drop one separator. Where the boxes
are not known (a log line, an error, a quoted source), any grouping is tried.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace

import cv2
import numpy as np

from recognition.fields.rows import page_angle
from recognition.text import skeleton, text_for_search
from recognition.types import Box, OcrLine

CARD_LENGTHS = range(13, 20)
KEPT_DIGITS = 4  # the last four: what campaigns and prize desks check
# Issuer prefixes and lengths of the payment systems we know. Receipts print many long numbers that pass Luhn
# by chance (one in ten): 13-digit product barcodes, loyalty cards (`Shell Loyalty Card 601884...`), tax ids.
# Measured on SROIE's 150 receipts, a looser "starts with 2-6" rule flagged four of them.
_CARD_FORMATS = (
    # VISA: 16 or 19 digits. 13-digit Visa cards have not been issued for decades, while 13-digit runs that
    # start with 4 are everywhere (EAN-13 barcodes of German goods, an AID `A000...` misread as digits).
    (re.compile(r"^4"), (16, 19)),  # VISA
    (re.compile(r"^(?:5[1-5]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720)"), (16,)),  # Mastercard
    (re.compile(r"^220[0-4]"), (16, 17, 18, 19)),  # MIR
    (re.compile(r"^3[47]"), (15,)),  # Amex
    (re.compile(r"^35(?:2[89]|[3-8]\d)"), (16, 17, 18, 19)),  # JCB
    (re.compile(r"^(?:62|81)"), (16, 17, 18, 19)),  # UnionPay
    (re.compile(r"^(?:50|5[6-8]|6304|6759|676[1-3])"), (16, 17, 18, 19)),  # Maestro
    (re.compile(r"^(?:6011|64[4-9]|65)"), (16, 19)),  # Discover, which some terminals print for UnionPay
)
# The shapes of the cards slips here are paid with. A run of this shape that no reading proves is still masked:
# an engine misreading one digit breaks Luhn, and no receipt id we know has these prefixes and lengths.
_DOUBTFUL_FORMATS = (
    (re.compile(r"^4"), (16,)),  # VISA
    (re.compile(r"^5[1-5]"), (16,)),  # Mastercard
    (re.compile(r"^220[0-4]"), (16, 17, 18, 19)),  # MIR
)
# Labels of ids that are not cards, with the exact lengths those ids have: a run right after such a label is
# exempt only when it has one of them (`ФН 9999078900012345`, `MID: 378282246310005`, `GST NO: 6000394528768`).
# A card number after any other label (`Ref`, `Invoice`, `Чек`) is still a card number.
_ID_LENGTHS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("ИНН", (10, 12)),
    ("ФН", (16,)),
    ("РН ККТ", (16,)),
    ("РН", (16,)),
    ("РНМ", (16,)),
    ("ФД", tuple(range(1, 11))),
    ("ФПД", tuple(range(1, 11))),
    ("ФП", tuple(range(1, 11))),
    ("RRN", (12,)),
    ("Ref", (12,)),
    ("TID", (8,)),
    ("Terminal", (8,)),
    ("Терминал", (8,)),
    ("AID", tuple(range(10, 17))),  # the chip application, A0000000031010 (Visa), often misread as digits
    ("MID", (12, 15)),
    ("Merchant", (12, 15)),
    ("Мерчант", (12, 15)),
    ("GST", (12, 13)),  # SROIE: `GST NO: 6000394528768`, `GST ID: 001531760640`
    ("SST", (12, 13)),
    ("Tax", (12, 13)),
    ("Reg", (12,)),  # `Co Reg No: 201901012345`
)
# A card label between an id label and the run means the run is the card (`ФН ... Карта 4111...`).
_CARD_LABELS = ("Карта", "Card", "PAN", "Номер карты", "Card No")

# Letters engines read for digits. A token made only of these and digits is read as digits too (`4I11`, `111l`).
_LOOKALIKE_LETTERS = {
    "O": "0", "o": "0", "О": "0", "о": "0", "B": "8", "В": "8", "S": "5", "s": "5", "I": "1", "l": "1",
    "Z": "2", "z": "2", "G": "6", "б": "6", "Б": "6", "З": "3", "з": "3",
}  # fmt: skip
# Digits engines confuse with each other: where two readings disagree, each may be any of these.
_LOOKALIKE_DIGIT_PAIRS = ("68", "38", "08", "56", "17", "49")
_LOOKALIKE_DIGITS: dict[str, set[str]] = defaultdict(set)
for _a, _b in _LOOKALIKE_DIGIT_PAIRS:
    _LOOKALIKE_DIGITS[_a].add(_b)
    _LOOKALIKE_DIGITS[_b].add(_a)
# Two readings of one number differ in at most this many digits; more, and they are two numbers.
_MAX_DISAGREEMENT = 3
# In a box that held part of a card number, any other run this long is masked too: an engine that dropped a
# digit of the number (15 of 16) would otherwise keep nearly all of it.
_CATCH_ALL_DIGITS = 8
# What a detector and an engine do to a printed number: cut a group between two boxes, or drop a separator (one at
# most). A number in three boxes has two cuts; more departures than that from a card's layout and the groups are
# other fields side by side (`506 | 6194020100124 | 4 | 11.32`).
_MAX_DEPARTURES = 2
_MAX_DROPPED_SEPARATORS = 1

# Dates and times are fields of their own; no card number has a colon or a two-digit group between slashes.
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|янв|фев|мар|апр|ма[йя]|июн|июл|авг|сен|окт|ноя|дек"
_DATES_AND_TIMES = re.compile(
    r"(?<![\d:])\d{1,2}:\d{2}(?::\d{2})?(?![\d:])"  # 20:48, 07:43:54
    r"|(?<![\d./-])(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}[./-]\d{1,2}[./-]\d{1,2})(?![\d]|[./-]\d)"
    rf"|(?<!\d)\d{{1,2}}[\s./-]?(?:{_MONTHS})[a-zа-яё]*\.?[\s./-]?(?:\d{{4}}|\d{{2}})(?!\d)"  # 25/Feb/2017
    rf"|(?<![a-zа-яё])(?:{_MONTHS})[a-zа-яё]*\.?\s?\d{{1,2}},?\s\d{{4}}(?!\d)",  # Feb 25, 2017
    re.IGNORECASE,
)

_TOKEN = re.compile(r"[0-9A-Za-zА-Яа-яЁё]+")
_GROUP = re.compile(r"\d+")
_SEPARATOR = re.compile(r"\s{1,3}|\s?[.\-–—]\s?")


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _shaped(digits: str, formats: tuple[tuple[re.Pattern[str], tuple[int, ...]], ...]) -> bool:
    return any(prefix.match(digits) and len(digits) in lengths for prefix, lengths in formats)


def card_format(digits: str) -> bool:
    """A payment card's issuer prefix and length."""
    return _shaped(digits, _CARD_FORMATS)


def _label_pattern(label: str) -> re.Pattern[str]:
    words = r"[^0-9A-Z]+".join(re.escape(word) for word in skeleton(label).split())
    return re.compile(rf"(?<![0-9A-Z]){words}(?![0-9A-Z])")


_ID_PATTERNS = tuple((_label_pattern(label), lengths) for label, lengths in _ID_LENGTHS)
_CARD_PATTERNS = tuple(_label_pattern(label) for label in _CARD_LABELS)


def _card_labelled(zone: str) -> bool:
    searchable = text_for_search(zone)
    return any(pattern.search(searchable) for pattern in _CARD_PATTERNS)


def _exempt_lengths(zone: str) -> frozenset[int]:
    """The run lengths that the text before a run (back to the previous run) exempts as a non-card id."""
    searchable = text_for_search(zone)
    if _card_labelled(zone):
        return frozenset()
    return frozenset(n for pattern, lengths in _ID_PATTERNS if pattern.search(searchable) for n in lengths)


def _lettered(text: str) -> str:
    """The text with tokens made of digits and look-alike letters read as digits; one character per character."""

    def as_digits(match: re.Match[str]) -> str:
        token = match.group(0)
        if all(ch.isdigit() or ch in _LOOKALIKE_LETTERS for ch in token):
            return "".join(_LOOKALIKE_LETTERS.get(ch, ch) for ch in token)
        return token

    return _TOKEN.sub(as_digits, text)


def _in_dates_and_times(text: str) -> set[int]:
    """Positions of the text's dates and times, whose digits never join a card number."""
    return {position for match in _DATES_AND_TIMES.finditer(text) for position in range(*match.span())}


def _layouts(length: int) -> Iterator[tuple[int, ...]]:
    """The group lengths card numbers of this length are printed in."""
    yield (length,)
    yield (4,) * (length // 4) + ((length % 4,) if length % 4 else ())
    yield (4, 6, length - 10)
    yield (6, 6, length - 12)


def _printed_like_a_card(groups: tuple[int, ...], cut_before: tuple[bool, ...]) -> bool:
    """Digit groups (their lengths) fit a card's layout. A group boundary that is also a boundary of boxes may
    cut a printed group (`cut_before[i]`: the boundary before group i+1 is between boxes); a boundary inside a
    box must be one of the layout's, and one of the layout's boundaries may be missing; two departures at most."""
    edges, position = [], 0
    for group, between_boxes in zip(groups, (*cut_before, False), strict=True):
        position += group
        edges.append((position, between_boxes))
    edges.pop()
    for layout in _layouts(position):
        layout_edges = set(itertools.accumulate(layout[:-1]))
        if any(edge not in layout_edges and not between_boxes for edge, between_boxes in edges):
            continue
        cuts = sum(edge not in layout_edges for edge, _ in edges)
        dropped = len(layout_edges - {edge for edge, _ in edges})
        if cuts + dropped <= _MAX_DEPARTURES and dropped <= _MAX_DROPPED_SEPARATORS:
            return True
    return False


def _chains(text: str) -> Iterator[list[tuple[int, int]]]:
    """Runs of digit groups split by one separator each (`4111 1111-1111.1111`), as (start, end) of the groups."""
    chain: list[tuple[int, int]] = []
    for match in _GROUP.finditer(text):
        if chain and not _SEPARATOR.fullmatch(text[chain[-1][1] : match.start()]):
            yield chain
            chain = []
        chain.append(match.span())
    if chain:
        yield chain


# --- one printed row, as each engine read it ----------------------------------------------------------------


@dataclass(frozen=True)
class _Segment:
    """Where one box's text sits in a row's joined text; `field` is the OcrLine field it was taken from."""

    line: int
    field: str
    start: int
    length: int


@dataclass(frozen=True)
class _RowReading:
    raw: str
    segments: tuple[_Segment, ...]
    # False for text whose boxes are not known (a log line, a field's source): anyone may have joined boxes into
    # it, so its digit groups say nothing of how a number was printed.
    boxes_known: bool = True

    def locate(self, position: int) -> tuple[_Segment, int] | None:
        for segment in self.segments:
            if segment.start <= position < segment.start + segment.length:
                return segment, position - segment.start
        return None  # the space the boxes were joined with

    def between_boxes(self, end: int, start: int) -> bool:
        """Whether two digit groups (the first ends at `end`, the next starts at `start`) are in different boxes."""
        before, after = self.locate(end - 1), self.locate(start)
        return before is None or after is None or before[0] != after[0]


@dataclass(frozen=True)
class _Window:
    """13-19 digits of one reading of a row that may be one card number."""

    reading: int
    digits: str
    positions: tuple[int, ...]
    exempt: bool
    lines: frozenset[int]
    # Its digit groups are printed the way card numbers are: only such a run is a card number on its own
    # evidence; another is masked only as the other engine's reading of one.
    card_like: bool
    # A card label (`Карта`, `Card`) stands before it in this reading: no other reading's id label exempts it.
    card_labelled: bool = False


def _row_reading(lines: list[OcrLine], row: list[int], field: str, boxes_known: bool) -> _RowReading:
    """The row's boxes joined left to right with a space; a box the second engine did not read stands in with
    the first engine's text."""
    parts, segments, offset = [], [], 0
    for index in row:
        line = lines[index]
        own = getattr(line, field)
        text, taken_from = (own, field) if own else (line.text, "text")
        offset += 1 if parts else 0
        segments.append(_Segment(index, taken_from, offset, len(text)))
        parts.append(text)
        offset += len(text)
    return _RowReading(" ".join(parts), tuple(segments), boxes_known)


def _windows(reading: _RowReading, index: int) -> list[_Window]:
    found: dict[tuple[int, ...], _Window] = {}
    lettered = _lettered(reading.raw)
    apart = _in_dates_and_times(reading.raw) | _in_dates_and_times(lettered)
    for variant in dict.fromkeys((reading.raw, lettered)):
        variant = "".join("#" if i in apart and ch.isdigit() else ch for i, ch in enumerate(variant))
        previous_end = 0
        for chain in _chains(variant):
            zone = reading.raw[previous_end : chain[0][0]]
            exempt_lengths, card_labelled = _exempt_lengths(zone), _card_labelled(zone)
            previous_end = chain[-1][1]
            cut_before = tuple(reading.between_boxes(a[1], b[0]) for a, b in itertools.pairwise(chain))
            for first in range(len(chain)):
                positions: list[int] = []
                for last, (start, end) in enumerate(chain[first:], first):
                    positions += range(start, end)
                    if len(positions) > max(CARD_LENGTHS):
                        break
                    if len(positions) in CARD_LENGTHS and tuple(positions) not in found:
                        located = (reading.locate(p) for p in positions)
                        groups = tuple(e - s for s, e in chain[first : last + 1])
                        found[tuple(positions)] = _Window(
                            index,
                            "".join(variant[p] for p in positions),
                            tuple(positions),
                            len(positions) in exempt_lengths,
                            frozenset(where[0].line for where in located if where),
                            not reading.boxes_known or _printed_like_a_card(groups, cut_before[first:last]),
                            card_labelled,
                        )
    return list(found.values())


def _agreed_reading_is_a_card(first: str, second: str, differing: list[int]) -> bool:
    """Some reading of the digits two engines disagreed on (either engine's, or a look-alike of either) makes
    a Luhn-valid card number."""
    options = [
        sorted({first[i], second[i], *_LOOKALIKE_DIGITS[first[i]], *_LOOKALIKE_DIGITS[second[i]]})
        for i in differing
    ]
    digits = list(first)
    for choice in itertools.product(*options):
        for i, digit in zip(differing, choice, strict=True):
            digits[i] = digit
        candidate = "".join(digits)
        if card_format(candidate) and luhn_valid(candidate):
            return True
    return False


def _same_number(first: _Window, second: _Window) -> list[int] | None:
    """Positions where two engines' readings of one number differ; None when they are not one number."""
    if first.reading == second.reading or len(first.digits) != len(second.digits):
        return None
    if not first.lines & second.lines:
        return None
    differing = [i for i, (a, b) in enumerate(zip(first.digits, second.digits, strict=True)) if a != b]
    return differing if len(differing) <= _MAX_DISAGREEMENT else None


def _exempt_in_either_reading(window: _Window, windows: list[_Window]) -> bool:
    """An id label read by either engine exempts the run: one engine misreads the label (`ФН` as Greek `ΦH`,
    `AID:` as `АТО:`) as often as the other misreads the digits."""
    if window.card_labelled:
        return False
    return window.exempt or any(
        other.exempt
        and other.reading != window.reading
        and other.lines & window.lines
        and len(other.digits) == len(window.digits)
        for other in windows
    )


def _flagged(windows: list[_Window], doubt: bool) -> list[_Window]:
    flagged: dict[tuple[int, tuple[int, ...]], _Window] = {}

    def flag(window: _Window) -> None:
        flagged[(window.reading, window.positions)] = window

    for window in windows:
        if not window.card_like or _exempt_in_either_reading(window, windows):
            continue
        proven = card_format(window.digits) and luhn_valid(window.digits)
        if proven or (doubt and _shaped(window.digits, _DOUBTFUL_FORMATS)):
            flag(window)
        else:
            for other in windows:
                differing = _same_number(window, other)
                if differing and _agreed_reading_is_a_card(window.digits, other.digits, differing):
                    flag(window)
                    break
    # The other engine's reading of a flagged number is the same number, however it was misread or labelled.
    for window in list(flagged.values()):
        for other in windows:
            if _same_number(window, other) is not None:
                flag(other)
    return list(flagged.values())


# --- rows, masks and paint ------------------------------------------------------------------------------------


def _rows(lines: list[OcrLine]) -> list[list[int]]:
    """Indices of the lines on each printed row, left to right (along the page's own direction, for tilted
    photos). Generous on purpose: a wrongly joined row only costs a search, a missed one a leak."""
    angle = page_angle(lines)
    cos, sin = math.cos(angle), math.sin(angle)
    placed = []
    for index, line in enumerate(lines):
        across = [-x * sin + y * cos for x, y in line.box]
        along = min(x * cos + y * sin for x, y in line.box)
        placed.append((min(across), max(across), along, index))
    rows: list[list[tuple[float, float, float, int]]] = []
    for item in sorted(placed):
        top, bottom = item[0], item[1]
        for row in rows:
            row_top, row_bottom = min(r[0] for r in row), max(r[1] for r in row)
            overlap = min(row_bottom, bottom) - max(row_top, top)
            if overlap > 0.3 * min(bottom - top, row_bottom - row_top):
                row.append(item)
                break
        else:
            rows.append([item])
    return [[r[3] for r in sorted(row, key=lambda r: (r[2], r[3]))] for row in rows]


Edits = dict[tuple[int, str], dict[int, str]]


def _mask(edits: Edits, reading: _RowReading, positions: tuple[int, ...], digits: str) -> None:
    """All but the last four digits starred, and the separators between them dropped (`************1111`)."""
    kept_from = len(positions) - KEPT_DIGITS
    previous: tuple[_Segment, int] | None = None
    for n, position in enumerate(positions):
        where = reading.locate(position)
        if where is None:
            previous = None
            continue
        segment, local = where
        changes = edits.setdefault((segment.line, segment.field), {})
        if previous is not None and previous[0] == segment:
            for between in range(previous[1] + 1, local):
                changes.setdefault(between, "")
        if n < kept_from:
            changes[local] = "*"
        elif changes.get(local) != "*":
            changes[local] = digits[n]
        previous = where


def _catch_all(edits: Edits, lines: list[OcrLine]) -> None:
    """In each box where one engine's reading held part of a number and the other's did not, mask the long runs
    of the other: it misread the number past recognizing (dropped a digit), but may still show most of it."""
    for line_index in sorted({line for line, _ in edits}):
        line = lines[line_index]
        for field in ("text", "alternative"):
            if (line_index, field) in edits:
                continue
            text = getattr(line, field)
            reading = _RowReading(text, (_Segment(line_index, field, 0, len(text)),))
            for variant in dict.fromkeys((text, _lettered(text))):
                for chain in _chains(variant):
                    positions = tuple(p for start, end in chain for p in range(start, end))
                    changes = edits.get((line_index, field), {})
                    if len(positions) >= _CATCH_ALL_DIGITS and not any(p in changes for p in positions):
                        _mask(edits, reading, positions, "".join(variant[p] for p in positions))


def _applied(text: str, changes: dict[int, str]) -> str:
    return "".join(changes.get(i, ch) for i, ch in enumerate(text))


def _span_of(line: OcrLine, changes: dict[int, str]) -> Box:
    """The part of the box that printed the changed characters, assuming characters of even width, grown by
    three characters and a tenth of the box each way (the estimate is rough: a label's letters are wider)."""
    length = max(len(line.text), 1)
    first, last = min(changes), max(changes) + 1
    start = max(first / length - 3 / length - 0.1, 0.0)
    end = min(last / length + 3 / length + 0.1, 1.0)
    if start <= 0.0 and end >= 1.0:
        return line.box
    top_left, top_right, bottom_right, bottom_left = line.box

    def at(a: tuple[float, float], b: tuple[float, float], f: float) -> tuple[float, float]:
        return (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f)

    return (
        at(top_left, top_right, start),
        at(top_left, top_right, end),
        at(bottom_left, bottom_right, end),
        at(bottom_left, bottom_right, start),
    )


def _guard(lines: list[OcrLine], doubt: bool, boxes_known: bool = True) -> Edits:
    """The character edits that mask every card number in the lines."""
    edits: Edits = {}
    for row in _rows(lines):
        readings = [_row_reading(lines, row, "text", boxes_known)]
        if any(lines[i].alternative for i in row):
            readings.append(_row_reading(lines, row, "alternative", boxes_known))
        windows = [w for index, reading in enumerate(readings) for w in _windows(reading, index)]
        for window in _flagged(windows, doubt):
            _mask(edits, readings[window.reading], window.positions, window.digits)
    _catch_all(edits, lines)
    return edits


def redact_lines(lines: list[OcrLine]) -> tuple[list[OcrLine], list[Box]]:
    """Lines with full card numbers masked in both engines' readings (also numbers split across the boxes of a
    row, misread by one engine, or only likely), and the regions of the photo to paint over: the part of each
    box that printed a number, or the whole box where the first engine's text does not place it."""
    edits = _guard(lines, doubt=True)
    redacted, paint = [], []
    for index, line in enumerate(lines):
        in_text, in_alternative = edits.get((index, "text"), {}), edits.get((index, "alternative"), {})
        if not (in_text or in_alternative):
            redacted.append(line)
            continue
        redacted.append(
            replace(
                line,
                text=_applied(line.text, in_text),
                alternative=_applied(line.alternative, in_alternative),
            )
        )
        paint.append(_span_of(line, in_text) if in_text else line.box)
    return redacted, paint


_NO_BOX: Box = ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0))


def mask_card_numbers(text: str, *, doubt: bool = False) -> tuple[str, bool]:
    """The text with every full card number masked but its last four digits (`************1234`). With `doubt`,
    also runs shaped like the cards slips are paid with that no reading proves (what the pipeline masks)."""
    edits = _guard([OcrLine(text, 1.0, _NO_BOX)], doubt=doubt, boxes_known=False)
    changes = edits.get((0, "text"), {})
    return _applied(text, changes), bool(changes)


def redact_photo(pixels: np.ndarray, boxes: list[Box], quality: int = 90) -> bytes:
    """The photo (RGB pixels, as recognition.images.load_photo gives) as JPEG with the given regions painted
    over, grown: a text box hugs its characters, and a half-covered digit is still a digit."""
    covered = pixels.copy()
    for box in boxes:
        corners = np.array(box, dtype=np.float32)
        along = (corners[1] - corners[0] + corners[2] - corners[3]) / 2
        across = (corners[3] - corners[0] + corners[2] - corners[1]) / 2
        grow_along = along * 0.05 + along / max(float(np.linalg.norm(along)), 1.0) * 0.3 * float(
            np.linalg.norm(across)
        )
        grow_across = across * 0.2
        grown = corners + np.array(
            [
                -grow_along - grow_across,
                grow_along - grow_across,
                grow_along + grow_across,
                -grow_along + grow_across,
            ],
            dtype=np.float32,
        )
        cv2.fillPoly(covered, [np.round(grown).astype(np.int32)], (0, 0, 0))
    if covered.ndim == 3 and covered.shape[2] == 3:
        covered = cv2.cvtColor(covered, cv2.COLOR_RGB2BGR)  # imencode writes BGR
    ok, encoded = cv2.imencode(".jpg", covered, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("could not encode the redacted photo")
    return encoded.tobytes()
