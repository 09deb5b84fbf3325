from datetime import date

import colander
import pytest
from pyramid import testing

from congdichvu.eservices.schemas import DeliverySchema, cccd_problem, fields_schema


@pytest.fixture
def request_():
    testing.setUp()
    yield testing.DummyRequest()
    testing.tearDown()


@pytest.mark.parametrize("number, birth, ok", [
    ("019090001234", date(1990, 5, 17), True),
    ("001305012345", date(2005, 1, 1), True),  # 3: a woman born in the 2000s
    ("019090001234", date(1985, 5, 17), False),  # the card says 1990
    ("01909000123", None, False),  # 11 digits
    ("0190900012345", None, False),
    ("01909000123a", None, False),
    ("003090001234", None, False),  # 003 is no province
    ("", None, False),
])
def test_citizen_identity_numbers(number, birth, ok):
    assert (cccd_problem(number, birth) is None) is ok


def test_questions_become_a_schema(request_):
    schema = fields_schema([
        {"name": "ten_tre", "label": "Tên trẻ", "kind": "text", "required": True},
        {"name": "so_con", "label": "Số con", "kind": "number", "required": False},
        {"name": "ngay", "label": "Ngày", "kind": "date", "required": True},
        {"name": "noi", "label": "Nơi sinh", "kind": "choice", "required": True, "choices": ["Bệnh viện", "Tại nhà"]},
        {"name": "dung_han", "label": "Đúng hạn?", "kind": "yesno"},
    ]).bind(request=request_)
    good = schema.deserialize({"csrf_token": "t", "ten_tre": "Na", "so_con": "", "ngay": "2026-11-20",
                               "noi": "Tại nhà", "dung_han": "true"})
    assert good["ngay"] == date(2026, 11, 20) and good["so_con"] is None and good["dung_han"] is True
    with pytest.raises(colander.Invalid) as invalid:
        schema.deserialize({"csrf_token": "t", "ten_tre": "", "ngay": "hôm qua", "noi": "Trên trời"})
    assert set(invalid.value.asdict()) == {"ten_tre", "ngay", "noi"}


def _delivery(request, online=False):
    return DeliverySchema().bind(request=request, agencies=[("A", "UBND A")], online=online, postal_fee=25000)


def test_post_needs_an_address_and_online_needs_level_four(request_):
    schema = _delivery(request_)
    with pytest.raises(colander.Invalid) as invalid:
        schema.deserialize({"csrf_token": "t", "agency": "A", "delivery": "postal", "postal_address": ""})
    assert "postal_address" in invalid.value.asdict()
    with pytest.raises(colander.Invalid):
        schema.deserialize({"csrf_token": "t", "agency": "A", "delivery": "online"})
    assert _delivery(request_, online=True).deserialize({"csrf_token": "t", "agency": "A", "delivery": "online"})
    with pytest.raises(colander.Invalid):  # an agency not handling the procedure
        schema.deserialize({"csrf_token": "t", "agency": "B", "delivery": "counter"})
