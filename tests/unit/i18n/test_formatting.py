from datetime import date, datetime, timedelta, timezone

import pytest

from congdichvu.i18n.formatting import (
    TIMEZONE,
    format_date,
    format_datetime,
    format_iso,
    format_iso_utc,
    format_money,
    format_number,
    from_local,
    to_local,
    today_local,
    vietnamese_sort_key,
)


def test_money_groups_thousands_with_dots():
    assert format_money(1500000) == "1.500.000 ₫"
    assert format_money(0) == "0 ₫"
    assert format_money(999) == "999 ₫"
    assert format_money(1000) == "1.000 ₫"
    assert format_money(None) == ""


def test_number_keeps_a_decimal_comma():
    assert format_number(12345) == "12.345"
    assert format_number(1.5) == "1,5"
    assert format_number(15.0) == "15"


def test_date_is_day_month_year():
    assert format_date(date(2018, 3, 31)) == "31/03/2018"
    assert format_date(None) == ""


def test_datetime_is_shown_in_ho_chi_minh_city_time():
    moment = datetime(2018, 3, 31, 7, 5, tzinfo=timezone.utc)
    assert format_datetime(moment) == "31/03/2018 14:05"
    # late evening UTC is already the next day in Vietnam
    assert format_date(datetime(2018, 3, 31, 18, 0, tzinfo=timezone.utc)) == "01/04/2018"


def test_the_same_instant_shows_the_same_whatever_its_offset():
    utc = datetime(2018, 3, 31, 7, 5, tzinfo=timezone.utc)
    for moment in (utc, utc.astimezone(TIMEZONE), utc.astimezone(timezone(timedelta(hours=-5)))):
        assert format_datetime(moment) == "31/03/2018 14:05"
        assert format_iso(moment) == "2018-03-31T14:05:00+07:00"
        assert format_iso_utc(moment) == "2018-03-31T07:05:00Z"
        assert to_local(moment).utcoffset() == timedelta(hours=7)


def test_naive_datetimes_are_refused_not_guessed():
    naive = datetime(2018, 3, 31, 7, 5)
    for show in (to_local, format_datetime, format_date, format_iso, format_iso_utc, today_local):
        with pytest.raises(TypeError, match="naive"):
            show(naive)
    assert format_datetime(None) == format_date(None) == format_iso(None) == ""


def test_a_local_time_typed_by_a_person_becomes_its_utc_instant():
    typed = datetime(2018, 3, 31, 14, 5)  # a datetime-local field: the city's wall clock
    assert from_local(typed) == datetime(2018, 3, 31, 7, 5, tzinfo=timezone.utc)
    assert from_local(typed).tzinfo is timezone.utc
    # a value that says its offset keeps it
    assert from_local(datetime(2018, 3, 31, 14, 5, tzinfo=timezone.utc)) == datetime(2018, 3, 31, 14, 5,
                                                                                         tzinfo=timezone.utc)
    # and it reads back as typed
    assert format_datetime(from_local(typed)) == "31/03/2018 14:05"


def test_the_local_date_changes_at_local_midnight():
    assert today_local(datetime(2018, 3, 31, 16, 59, tzinfo=timezone.utc)) == date(2018, 3, 31)
    assert today_local(datetime(2018, 3, 31, 17, 0, tzinfo=timezone.utc)) == date(2018, 4, 1)


def _sorted(words):
    return sorted(words, key=vietnamese_sort_key)


def test_d_with_stroke_sorts_after_d_not_after_z():
    assert _sorted(["Zalo", "Đăng ký", "Dân số", "Cấp"]) == ["Cấp", "Dân số", "Đăng ký", "Zalo"]


def test_vietnamese_letters_follow_the_alphabet():
    assert _sorted(["ư", "u", "ơ", "ô", "o", "â", "ă", "a", "ê", "e"]) == [
        "a", "ă", "â", "e", "ê", "o", "ô", "ơ", "u", "ư",
    ]


def test_tones_break_ties_in_dictionary_order():
    assert _sorted(["bạ", "bá", "bã", "bả", "bà", "ba"]) == ["ba", "bà", "bả", "bã", "bá", "bạ"]
    # the letters decide before tones do
    assert _sorted(["bác", "bạ"]) == ["bạ", "bác"]


def test_shorter_word_first_and_case_ignored():
    assert _sorted(["Cấp lại", "cấp", "Cấp bản sao"]) == ["cấp", "Cấp bản sao", "Cấp lại"]


def test_sort_key_ignores_unicode_normal_form():
    import unicodedata

    word = "Đăng ký kết hôn"
    assert vietnamese_sort_key(unicodedata.normalize("NFD", word)) == vietnamese_sort_key(word)


def test_sort_key_is_safe_under_any_collation():
    assert set(vietnamese_sort_key("Đăng ký khai sinh (bản sao) 2024!")) <= set("0123456789abcdef")


def test_file_sizes_read_the_vietnamese_way():
    from congdichvu.i18n.formatting import format_filesize

    assert [format_filesize(n) for n in (900, 51_200, 1_572_864, 20 * 1024 * 1024)] == [
        "900 B", "50 KB", "1,5 MB", "20 MB"]
