"""Every form from make_form: no field is autofocused (Deform focuses the
first one by default), and tick boxes and radio buttons sit beside their
labels (templates/deform overrides)."""
import colander
import deform
import pytest
from bs4 import BeautifulSoup
from pyramid import testing

from congdichvu.forms import CSRFSchema, make_form
from congdichvu.i18n import configure_deform
from tests.conftest import ROOT

CHOICES = [("a", "Thứ nhất"), ("b", "Thứ hai"), ("c", "Thứ ba")]


class Paper(colander.MappingSchema):
    name = colander.SchemaNode(colander.String(), title="Tên giấy tờ")
    required = colander.SchemaNode(colander.Boolean(), title="Bắt buộc", widget=deform.widget.CheckboxWidget())


class Papers(colander.SequenceSchema):
    paper = Paper(title="Giấy tờ")


class EveryWidget(CSRFSchema):
    """The widget kinds the portal's forms use, a list of mappings included."""

    agency = colander.SchemaNode(colander.String(), title="Cơ quan",
                                 widget=deform.widget.SelectWidget(values=CHOICES))
    delivery = colander.SchemaNode(colander.String(), title="Nhận kết quả",
                                   widget=deform.widget.RadioChoiceWidget(values=CHOICES))
    agencies = colander.SchemaNode(colander.Set(), title="Cơ quan thực hiện",
                                   widget=deform.widget.CheckboxChoiceWidget(values=CHOICES))
    note = colander.SchemaNode(colander.String(), title="Ghi chú", widget=deform.widget.TextAreaWidget())
    password = colander.SchemaNode(colander.String(), title="Mật khẩu", widget=deform.widget.PasswordWidget())
    papers = Papers(title="Thành phần hồ sơ")
    declaration = colander.SchemaNode(colander.Boolean(), title="Tôi cam đoan", widget=deform.widget.CheckboxWidget())


@pytest.fixture
def page():
    """``page(schema)``: the form rendered through the portal's overrides, parsed."""
    configure_deform({"congdichvu.templates_dir": str(ROOT / "templates")})
    testing.setUp()
    request = testing.DummyRequest()
    yield lambda schema: BeautifulSoup(make_form(schema, request, buttons=("save",)).render(), "html.parser")
    testing.tearDown()


def test_no_field_is_autofocused(page):
    form = page(EveryWidget())
    assert form.find_all(["input", "select", "textarea"])
    assert form.find_all(autofocus=True) == []


def test_a_single_tick_box_is_labelled_beside_it_by_its_title(page):
    form = page(EveryWidget())
    box = form.find("input", attrs={"name": "declaration"})
    check = box.find_parent(class_="form-check")
    assert check.find("label", attrs={"for": box["id"]}).text.strip() == "Tôi cam đoan"
    # and not a second time above it
    assert [label.text.strip() for label in form.find_all("label", attrs={"for": box["id"]})] == ["Tôi cam đoan"]


def test_tick_boxes_and_radio_buttons_of_a_choice_each_have_their_label_beside_them(page):
    form = page(EveryWidget())
    for kind, role in (("radio", "radiogroup"), ("checkbox", "group")):
        boxes = [box for box in form.find_all("input", type=kind) if box.get("value") in dict(CHOICES)]
        assert len(boxes) == 3
        group = boxes[0].find_parent(attrs={"role": role})
        assert form.find(id=group["aria-labelledby"]).text.strip() in ("Nhận kết quả", "Cơ quan thực hiện")
        for box, (_, title) in zip(boxes, CHOICES):
            assert box.find_parent(class_="form-check").find("label", attrs={"for": box["id"]}).text.strip() == title


def test_a_tick_box_with_a_label_of_its_own_keeps_its_title_as_the_question(page):
    class Question(CSRFSchema):
        agree = colander.SchemaNode(colander.Boolean(), title="Đồng ý?", label="Có, tôi đồng ý",
                                    widget=deform.widget.CheckboxWidget())

    form = page(Question())
    box = form.find("input", attrs={"name": "agree"})
    assert form.find("label", class_="form-label").text.strip() == "Đồng ý?"
    assert box.find_parent(class_="form-check").label.text.strip() == "Có, tôi đồng ý"
