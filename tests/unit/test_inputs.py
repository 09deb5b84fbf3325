"""Reading numbers, dates, text and redirect targets from what people send."""
from datetime import date, datetime
from decimal import Decimal

import pytest
from pyramid.httpexceptions import HTTPNotFound

from congdichvu.inputs import (
    MAX_INT64, NotOnCalendar, id_or_404, normalise_text, parse_date, parse_decimal, parse_int, read_date, read_datetime,
    safe_next, ungrouped,
)


@pytest.mark.parametrize("raw,expected", [
    ("0", 0), ("42", 42), ("007", 7), (str(MAX_INT64), MAX_INT64),
    ("²", None), ("٣", None), ("１２", None), ("1_000", None), (" 7 ", None), ("+7", None), ("-1", None),
    ("", None), ("1.5", None), (str(MAX_INT64 + 1), None), ("99999999999999999999999", None), (None, None),
    ("9" * 5000, None),
])
def test_parse_int_takes_ascii_digits_within_a_64_bit_column(raw, expected):
    assert parse_int(raw) == expected


def test_parse_int_bounds():
    assert parse_int("5", minimum=1, maximum=4) is None
    assert parse_int("4", minimum=1, maximum=4) == 4


def test_a_path_id_that_is_not_one_is_not_found():
    assert id_or_404("12") == 12
    for raw in ("²", "0", "-3", "99999999999999999999999", "abc"):
        with pytest.raises(HTTPNotFound):
            id_or_404(raw)


@pytest.mark.parametrize("raw,expected", [
    ("1.500.000", Decimal("1500000")), ("1500000", Decimal("1500000")), ("1,5", Decimal("1.5")),
    ("1.500,25", Decimal("1500.25")), ("1.5", Decimal("1.5")), ("0,75", Decimal("0.75")), ("-2,5", Decimal("-2.5")),
    (" 1 500 000 ", Decimal("1500000")),
    ("abc", None), ("NaN", None), ("Infinity", None), ("1e5", None), ("1,500.25", None), ("٣", None), ("", None),
    ("1.50.000", None), ("9" * 40, None),
])
def test_parse_decimal_reads_numbers_the_vietnamese_way(raw, expected):
    assert parse_decimal(raw) == expected


@pytest.mark.parametrize("raw,expected", [
    ("15/08/1990", date(1990, 8, 15)), ("15-08-1990", date(1990, 8, 15)), ("15.08.1990", date(1990, 8, 15)),
    ("1990-08-15", date(1990, 8, 15)), ("5/8/1990", date(1990, 8, 5)), (" 15/08/1990 ", date(1990, 8, 15)),
    ("31/02/2019", None), ("1990/08/15", None), ("15/08/90", None), ("hôm qua", None), ("99999-01-01", None),
    ("", None),
])
def test_parse_date_reads_day_month_year_and_iso(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw,written", [("29/02/2023", "29/02/2023"), ("31/4/2026", "31/04/2026"),
                                         ("2023-02-29", "29/02/2023"), ("30.02.2024", "30/02/2024")])
def test_a_date_written_right_that_names_no_day_is_told_apart_from_a_wrong_format(raw, written):
    with pytest.raises(NotOnCalendar) as missing:
        read_date(raw)
    assert missing.value.written == written
    assert parse_date(raw) is None


@pytest.mark.parametrize("raw", ["08/15/1990", "00/05/2020", "32/01/2020", "15/00/2020", "hôm qua", "29/02/1700"])
def test_a_date_not_written_day_month_year_is_none(raw):
    assert read_date(raw) is None


@pytest.mark.parametrize("raw,expected", [
    ("30/11/2026 09:30", datetime(2026, 11, 30, 9, 30)), ("30-11-2026 9:30", datetime(2026, 11, 30, 9, 30)),
    ("30.11.2026 9h30", datetime(2026, 11, 30, 9, 30)), ("30/11/2026 9h", datetime(2026, 11, 30, 9, 0)),
    ("30/11/2026 9 giờ 30", datetime(2026, 11, 30, 9, 30)), ("2026-11-30T09:30", datetime(2026, 11, 30, 9, 30)),
    ("2026-11-30 09:30:15", datetime(2026, 11, 30, 9, 30, 15)), (" 30/11/2026   08:00 ", datetime(2026, 11, 30, 8)),
    ("2026-11-30T09:30:00.000", datetime(2026, 11, 30, 9, 30)), ("30/11/2026 9H30", datetime(2026, 11, 30, 9, 30)),
    ("30/11/2026 09.30", datetime(2026, 11, 30, 9, 30)), ("30/11/2026 9 Giờ", datetime(2026, 11, 30, 9, 0)),
    ("30/11/2026", None), ("30/11/2026 25:00", None), ("30/11/2026 09:61", None), ("30/11/2026 9", None),
    ("2026-11-30T09:30:00+00:00", None), ("ngày mai 9 giờ", None), ("", None),
])
def test_a_time_is_read_as_day_month_year_hour_minute_or_iso(raw, expected):
    assert read_datetime(raw) == expected


def test_a_time_on_a_day_that_does_not_exist_says_so():
    with pytest.raises(NotOnCalendar):
        read_datetime("31/11/2026 09:30")


@pytest.mark.parametrize("raw,expected", [
    ("019.090.123.456", "019090123456"), ("019 090 123 456", "019090123456"), ("019-090-123-456", "019090123456"),
    ("0912.345.678", "0912345678"), ("(0208) 3855 123", "02083855123"), ("+84 912 345 678", "+84912345678"),
    ("01909012345x", "01909012345x"), (None, None),
])
def test_identifiers_written_in_digits_lose_only_their_grouping(raw, expected):
    assert ungrouped(raw) == expected


def test_text_is_composed_and_stripped_of_control_characters():
    assert normalise_text("\u0111a\u0306ng ky\u0301") == "đăng ký"
    assert normalise_text("Nguye\u0302\u0303n") == "Nguyễn"
    assert normalise_text("a\x00b\x1bc\td\ne\r\n") == "abc\td\ne\r\n"


@pytest.mark.parametrize("raw,expected", [
    ("Hoàng\u202eTEST", "HoàngTEST"),  # right-to-left override
    ("\u2067Trần\u2069 Văn", "Trần Văn"),  # isolates
    ("Trần\u200b Văn\u200d Ba\ufeff", "Trần Văn Ba"),  # zero-width space, joiner, byte-order mark
    ("Nguyễn\u00a0Văn\u3000An", "Nguyễn Văn An"),  # no-break and ideographic spaces
    ("đăng\u00adký\u200e", "đăngký"),  # soft hyphen, left-to-right mark
    ("Lê\U000E0041\U000E0020Văn", "LêVăn"),  # tag characters
    ("Văn\u3164Tám\u115f", "VănTám"),  # Hangul fillers
    ("X\ufe0f\u034fY\U0001D173Z\ufff9", "XYZ"),  # variation selector, grapheme joiner, musical and annotation format
    ("Dòng một\u2028Dòng hai\u2029", "Dòng một\nDòng hai\n"),  # Unicode's own line breaks
])
def test_invisible_characters_go_and_other_spaces_become_spaces(raw, expected):
    assert normalise_text(raw) == expected


def test_every_format_character_goes():
    import sys
    import unicodedata

    format_characters = "".join(chr(code) for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Cf")
    assert normalise_text("a" + format_characters + "b") == "ab"


@pytest.mark.parametrize("raw,expected", [
    ("/thu-tuc/1.001193", "/thu-tuc/1.001193"),
    ("/tim-kiem?q=khai+sinh&page=2", "/tim-kiem?q=khai+sinh&page=2"),
    ("/đăng-ký", "/%C4%91%C4%83ng-k%C3%BD"),
    ("/\r\nSet-Cookie: x=1", "/"),
    ("/%0d%0aSet-Cookie:x", "/%0d%0aSet-Cookie:x"),  # stays percent-encoded: no header is split
    ("//evil.example", "/"), ("/\\evil.example", "/"), ("https://evil.example/", "/"), ("evil", "/"),
    ("", "/"), (None, "/"), ("/a\x00b", "/"),
])
def test_safe_next_keeps_local_paths_and_encodes_the_rest(raw, expected):
    assert safe_next(raw) == expected
    assert safe_next(raw).isascii()
