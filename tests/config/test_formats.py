"""English dates name the month (config/formats/en): `09/02/2026` reads 9 February in New York and 2 September
in Moscow, where the campaigns run. Russian keeps Django's `02.09.2026`, which has one reading."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from django.utils.formats import date_format, get_format

SEPTEMBER_2 = date(2026, 9, 2)
EVENING = datetime(2026, 9, 2, 18, 5, tzinfo=ZoneInfo("Europe/Moscow"))


@pytest.mark.parametrize(
    ("language", "short_date", "short_datetime"),
    [("en", "2\xa0Sep\xa02026", "2\xa0Sep\xa02026, 6:05 p.m."), ("ru", "02.09.2026", "02.09.2026 18:05")],
)
def test_short_dates_have_one_reading(language, short_date, short_datetime):
    with translation.override(language):
        assert date_format(SEPTEMBER_2, "SHORT_DATE_FORMAT") == short_date
        assert date_format(EVENING, "SHORT_DATETIME_FORMAT") == short_datetime


def test_what_english_forms_accept_and_the_long_formats_stay_djangos():
    with translation.override("en"):
        assert get_format("DATE_INPUT_FORMATS")[0] == "%Y-%m-%d"
        assert "%m/%d/%Y" in get_format("DATE_INPUT_FORMATS")  # typed dates are read as before
        assert date_format(SEPTEMBER_2) == "Sept. 2, 2026"
