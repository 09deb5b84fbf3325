from datetime import datetime
from decimal import Decimal

import pytest

from congdichvu.documents.dates import place_and_date, working_days, written_date, written_instant
from tests.unit.documents.samples import TRANSLATE, utc


def test_an_instant_is_written_in_words_in_the_city_s_time():
    assert written_instant(utc(2018, 3, 31, 7, 5), TRANSLATE) == "14 giờ 05 phút, ngày 31 tháng 03 năm 2018"
    # 23:30 UTC is already the next day in Thái Nguyên
    assert written_instant(utc(2018, 12, 31, 23, 30), TRANSLATE) == "06 giờ 30 phút, ngày 01 tháng 01 năm 2019"
    assert written_instant(None, TRANSLATE) == ""


def test_the_date_line_names_the_place_given():
    assert place_and_date("Thái Nguyên", utc(2018, 3, 31, 7, 5), TRANSLATE) == "Thái Nguyên, ngày 31 tháng 03 năm 2018"
    assert place_and_date("", utc(2018, 3, 31, 7, 5), TRANSLATE) == "Ngày 31 tháng 03 năm 2018"
    assert written_date(utc(2018, 3, 4, 17, 0), TRANSLATE) == "ngày 05 tháng 03 năm 2018"


def test_a_naive_instant_is_refused_rather_than_guessed():
    with pytest.raises(TypeError):
        written_instant(datetime(2018, 3, 31, 14, 5), TRANSLATE)


@pytest.mark.parametrize("days, written", [(5, "05 ngày làm việc"), (12, "12 ngày làm việc"),
                                           (Decimal("0.5"), "0,5 ngày làm việc"), (Decimal("3"), "03 ngày làm việc")])
def test_processing_times_are_written_in_working_days(days, written):
    assert working_days(days, TRANSLATE) == written
