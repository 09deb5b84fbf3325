"""Questions' names: valid, unique in the form, never one the step form
posts itself, whatever an editor typed or older data holds."""
import pytest

from congdichvu.eservices.schemas import (
    RESERVED_NAMES,
    fields_schema,
    question_name_ok,
    unique_name,
    usable_specs,
)


@pytest.mark.parametrize("name", ["ho_ten", "a", "noi_sinh_2", "x" * 41])
def test_names_that_may_name_a_question(name):
    assert question_name_ok(name)


@pytest.mark.parametrize("name", ["csrf_token", "_charset_", "__formid__", "__start__", "next", "save", "back",
                                  "_x", "Ho_ten", "ho ten", "2_con", "", "x" * 42, "họ_tên", "ho_ten\n", None, 7])
def test_names_that_may_not(name):
    assert not question_name_ok(name)


def test_made_names_avoid_reserved_and_taken_ones():
    assert unique_name("csrf token", set()) == "csrf_token_2"
    assert unique_name("next", set()) == "next_2"
    assert unique_name("ho_ten", {"ho_ten", "ho_ten_2"}) == "ho_ten_3"
    assert unique_name("2 con trở lên", set()) == "cau_hoi_2_con_tr_l_n"
    assert unique_name("", set()) == "cau_hoi"
    assert unique_name("___", {"cau_hoi"}) == "cau_hoi_2"
    long = unique_name("a" * 80, {"a" * 36})
    assert long == "a" * 36 + "_2" and question_name_ok(long)


def _spec(name, label="Câu hỏi", kind="text", **extra):
    return dict({"name": name, "label": label, "kind": kind, "required": True, "help": "", "choices": []}, **extra)


def test_a_stored_form_with_unusable_names_is_asked_with_usable_ones():
    stored = [_spec("csrf_token", "Mã"), _spec("ho_ten", "Họ tên"), _spec("ho_ten", "Họ tên khác"),
              _spec("_charset_"), _spec("next"), _spec("cau_hoi_1"), _spec("Bad Name"), _spec(None)]
    names = [spec["name"] for spec in usable_specs(stored)]
    assert names[1] == "ho_ten" and names[5] == "cau_hoi_1"  # usable names are kept, the first of a pair too
    assert len(set(names)) == len(names) and all(question_name_ok(name) for name in names)
    assert names == ["cau_hoi_1_2", "ho_ten", "cau_hoi_3", "cau_hoi_4", "cau_hoi_5", "cau_hoi_1", "cau_hoi_7",
                     "cau_hoi_8"]
    assert usable_specs(stored) == usable_specs(stored)  # the same names on every request
    assert stored[0]["name"] == "csrf_token"  # the stored data is left as it is
    schema = fields_schema(stored)
    assert [node.name for node in schema.children] == ["csrf_token"] + names


def test_a_list_of_choices_without_choices_asks_for_text():
    assert usable_specs([_spec("noi_sinh", kind="choice", choices=["", ""])])[0]["kind"] == "text"
    assert usable_specs([_spec("noi_sinh", kind="choice", choices=["A", "B"])])[0]["kind"] == "choice"


def test_reserved_names_cover_the_step_forms_own_fields():
    assert {"csrf_token", "next", "save", "back"} <= RESERVED_NAMES
