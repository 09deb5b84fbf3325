"""The form field types that read numbers and dates the Vietnamese way."""
from datetime import date
from decimal import Decimal

import colander
import pytest

from congdichvu.forms import DayDate, DecimalNumber, LocalDateTime, WholeNumber, read_day


def _node(kind, **kw):
    return colander.SchemaNode(kind, **kw)


def test_whole_numbers_take_grouped_thousands_and_refuse_what_int_would_take():
    node = _node(WholeNumber(maximum=10**12))
    assert node.deserialize("1.500.000") == 1500000
    assert node.deserialize("25000") == 25000
    for raw in ("²", "٣", "1_000", "-1", "1,5", "99999999999999999999999", "1.5", "1e3"):
        with pytest.raises(colander.Invalid):
            node.deserialize(raw)
    assert node.serialize(1500000) == "1.500.000"


def test_a_whole_number_out_of_range_names_the_range():
    node = _node(WholeNumber(minimum=1, maximum=4))
    with pytest.raises(colander.Invalid) as refused:
        node.deserialize("5")
    assert "${min}" in refused.value.msg and refused.value.msg.mapping == {"min": "1", "max": "4"}


def test_decimal_numbers_read_and_show_with_a_comma():
    node = _node(DecimalNumber())
    assert node.deserialize("1,5") == Decimal("1.5")
    assert node.deserialize("1.500.000") == Decimal("1500000")
    assert node.serialize(Decimal("1.5")) == "1,5"
    with pytest.raises(colander.Invalid):
        node.deserialize("NaN")


@pytest.mark.parametrize("kind", [WholeNumber(), DecimalNumber(), DayDate(), LocalDateTime()])
def test_an_optional_field_left_blank_is_none(kind):
    node = _node(kind, missing=None)
    assert node.deserialize("") is None
    assert node.deserialize("   ") is None
    assert node.deserialize(colander.null) is None
    assert node.serialize(None) is colander.null


def test_dates_are_typed_day_month_year_and_shown_so():
    node = _node(DayDate())
    for raw in ("15/08/1990", "15-08-1990", "15.08.1990", "1990-08-15"):
        assert node.deserialize(raw) == date(1990, 8, 15)
    with pytest.raises(colander.Invalid) as refused:
        node.deserialize("08/15/1990")
    assert "31/12/1990" in refused.value.msg
    assert node.serialize(date(1990, 8, 15)) == "15/08/1990"


def test_a_date_that_is_not_on_the_calendar_is_named_not_reformatted():
    node = _node(DayDate())
    with pytest.raises(colander.Invalid) as refused:
        node.deserialize("29/02/2023")
    assert refused.value.msg.mapping == {"date": "29/02/2023"} and "calendar" in refused.value.msg
    assert read_day("29/02/2023") == (None, refused.value.msg)
    assert read_day("29/02/2024") == (date(2024, 2, 29), None)
    assert read_day("02/29/2024") == (None, DayDate.message)


def test_times_are_typed_day_month_year_hour_minute_in_the_city_and_shown_so():
    from datetime import datetime

    node = _node(LocalDateTime())
    for raw in ("30/11/2026 09:30", "30/11/2026 9h30", "2026-11-30T09:30"):
        assert node.deserialize(raw) == datetime(2026, 11, 30, 9, 30)  # a wall clock: no time zone yet
    with pytest.raises(colander.Invalid) as refused:
        node.deserialize("30/11/2026")
    assert "31/12/2026 08:00" in refused.value.msg
    with pytest.raises(colander.Invalid) as refused:
        node.deserialize("31/11/2026 09:30")
    assert refused.value.msg.mapping == {"date": "31/11/2026"}
    assert node.serialize(datetime(2026, 11, 30, 9, 30)) == "30/11/2026 09:30"


def test_text_boxes_read_one_line_and_text_areas_keep_their_lines():
    import deform
    from pyramid import testing

    from congdichvu.forms import make_form

    class Schema(colander.MappingSchema):
        name = colander.SchemaNode(colander.String(), title="Họ tên")
        note = colander.SchemaNode(colander.String(), title="Ghi chú", widget=deform.widget.TextAreaWidget())
        secret = colander.SchemaNode(colander.String(), title="Mật khẩu", widget=deform.widget.PasswordWidget())

    form = make_form(Schema(), testing.DummyRequest(), buttons=())
    data = form.validate([("__formid__", "deform"), ("name", "Lê Thị\r\n\r\nHồng   Nhung "),
                          ("note", "dòng một\r\ndòng hai"), ("secret", " hai  khoảng ")])
    assert data["name"] == "Lê Thị Hồng Nhung"
    assert data["note"] == "dòng một\r\ndòng hai"
    assert data["secret"] == "hai  khoảng"  # inner spaces kept (Deform strips the ends)
