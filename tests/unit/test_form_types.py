"""The form field types that read numbers and dates the Vietnamese way."""
from datetime import date
from decimal import Decimal

import colander
import pytest

from congdichvu.forms import DayDate, DecimalNumber, WholeNumber


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


@pytest.mark.parametrize("kind", [WholeNumber(), DecimalNumber(), DayDate()])
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


def test_text_boxes_read_one_line_and_text_areas_keep_their_lines():
    import deform
    from pyramid import testing

    from congdichvu.forms import make_form

    class Schema(colander.MappingSchema):
        name = colander.SchemaNode(colander.String(), title="Họ tên")
        note = colander.SchemaNode(colander.String(), title="Ghi chú", widget=deform.widget.TextAreaWidget())
        secret = colander.SchemaNode(colander.String(), title="Mật khẩu", widget=deform.widget.PasswordWidget())

    form = make_form(Schema(), testing.DummyRequest(), buttons=())
    data = form.validate([("name", "Lê Thị\r\n\r\nHồng   Nhung "),
                          ("note", "dòng một\r\ndòng hai"), ("secret", " hai  khoảng ")])
    assert data["name"] == "Lê Thị Hồng Nhung"
    assert data["note"] == "dòng một\r\ndòng hai"
    assert data["secret"] == "hai  khoảng"  # inner spaces kept (Deform strips the ends)
