from datetime import date
from decimal import Decimal

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


def test_a_question_counting_copies_takes_a_whole_number_from_1_to_1000(request_):
    schema = fields_schema([{"name": "so_ban_sao", "label": "Số bản sao", "kind": "number", "required": True,
                             "counts": "copy"}]).bind(request=request_)
    assert schema.deserialize({"csrf_token": "t", "so_ban_sao": "3"})["so_ban_sao"] == 3
    assert schema.deserialize({"csrf_token": "t", "so_ban_sao": "1.000"})["so_ban_sao"] == 1000
    for wrong in ("0", "-2", "2,5", "1001"):
        with pytest.raises(colander.Invalid) as invalid:
            schema.deserialize({"csrf_token": "t", "so_ban_sao": wrong})
        assert set(invalid.value.asdict()) == {"so_ban_sao"}
    # a number question counting nothing takes any number, as before
    plain = fields_schema([{"name": "dien_tich", "label": "Diện tích", "kind": "number", "required": True}])
    assert plain.bind(request=request_).deserialize({"csrf_token": "t", "dien_tich": "2,5"})["dien_tich"] == \
        Decimal("2.5")


def test_the_postage_is_paid_online_at_level_four_and_on_delivery_otherwise(request_):
    online = _delivery(request_, online=True)["delivery"].description
    assert "paid online with the fees" in online and online.mapping == {"fee": "25.000 ₫"}
    assert "paid when the result is delivered" in _delivery(request_)["delivery"].description
