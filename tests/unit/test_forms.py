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


# -- a POST that does not carry the form --------------------------------------


def _sent_by_a_browser(html):
    """The controls a browser sends for the form ``html`` as drawn, nothing
    changed: unticked boxes and unchosen radio buttons are left out."""
    controls = []
    for element in html.find_all(["input", "select", "textarea"]):
        name, kind = element.get("name"), element.get("type", "text")
        if not name or kind in ("submit", "button") or (kind in ("checkbox", "radio") and not element.has_attr("checked")):
            continue
        if element.name == "select":
            chosen = element.find("option", selected=True) or element.find("option")
            controls.append((name, chosen["value"]))
        elif element.name == "textarea":
            controls.append((name, element.text))
        else:
            controls.append((name, element.get("value", "")))
    return controls


@pytest.fixture
def drawn():
    """``drawn(schema, appstruct)``: (the form, the controls a browser sends for it as drawn)."""
    configure_deform({"congdichvu.templates_dir": str(ROOT / "templates")})
    testing.setUp()
    request = testing.DummyRequest()

    def draw(schema, appstruct=colander.null):
        form = make_form(schema, request, buttons=("save",))
        return form, _sent_by_a_browser(BeautifulSoup(form.render(appstruct), "html.parser"))

    yield draw
    testing.tearDown()


FILLED = {"agency": "a", "note": "x", "password": "p", "papers": [{"name": "Tờ khai", "required": False}] * 2}


def test_a_form_as_a_browser_sends_it_is_read_with_its_boxes_unticked(drawn):
    form, controls = drawn(EveryWidget(), FILLED)
    with pytest.raises(deform.ValidationFailure) as failure:  # (the radio choice is required)
        form.validate(controls)
    assert failure.value.cstruct["papers"][1]["name"] == "Tờ khai"


@pytest.mark.parametrize("left_out", ["__formid__", "note", "agency", "password", "papers", "name", "agencies"])
def test_a_post_without_part_of_its_form_is_refused_before_it_is_read(drawn, left_out):
    from congdichvu.forms import FormIncomplete

    form, controls = drawn(EveryWidget(), FILLED)
    if left_out in ("papers", "agencies"):  # a list: its markers and all it holds
        start = controls.index(("__start__", f"{left_out}:sequence"))
        end = controls.index(("__end__", f"{left_out}:sequence"), start)
        controls = controls[:start] + controls[end + 1:]
    else:
        controls = [control for control in controls if control[0] != left_out]
    with pytest.raises(FormIncomplete) as refused:
        form.validate(controls)
    assert refused.value.partial
    # the form can be filled again with what came, unless a list's markers were lost
    assert refused.value.keepable == (left_out not in ("papers", "agencies"))


def test_a_post_of_nothing_but_a_token_is_no_form_at_all(drawn):
    from congdichvu.forms import FormIncomplete

    form, _controls = drawn(EveryWidget(), FILLED)
    with pytest.raises(FormIncomplete) as refused:
        form.validate([("csrf_token", "t")])
    assert not refused.value.partial


def test_a_post_from_another_form_is_refused(drawn):
    from congdichvu.forms import FormIncomplete

    form, controls = drawn(EveryWidget(), FILLED)
    with pytest.raises(FormIncomplete):
        form.validate([(name, "other" if name == "__formid__" else value) for name, value in controls])
