import colander
import pytest
from pyramid import testing

from congdichvu.cms.submission_fields import SubmissionFormSchema, to_fields, to_questions


def _question(label, name="", kind="text", choices=""):
    return {"name": name, "label": label, "kind": kind, "required": True, "help": "", "choices": choices}


def test_questions_get_stable_unique_names():
    fields = to_fields([_question("Họ tên người được khai sinh"), _question("Họ tên người được khai sinh"),
                        _question("Nơi sinh", kind="choice", choices="Bệnh viện\n\n Tại nhà ")])
    assert [f["name"] for f in fields] == ["ho_ten_nguoi_duoc_khai_sinh", "ho_ten_nguoi_duoc_khai_sinh_2", "noi_sinh"]
    assert fields[2]["choices"] == ["Bệnh viện", "Tại nhà"]
    # a renamed question keeps its name, so open drafts keep their answers
    renamed = to_fields([dict(to_questions(fields)[0], label="Tên của trẻ")])
    assert renamed[0]["name"] == "ho_ten_nguoi_duoc_khai_sinh"


def test_a_tampered_or_reserved_name_is_never_stored():
    fields = to_fields([_question("Mã bảo mật", name="csrf_token"), _question("Nơi ở", name="_charset_"),
                        _question("CSRF token"), _question("Next"), _question("Họ tên", name="ho_ten"),
                        _question("Họ tên khác", name="ho_ten"), _question("Số con", name="a b'\"<>"),
                        _question("2 con trở lên")])
    names = [field["name"] for field in fields]
    assert names == ["ma_bao_mat", "noi_o", "csrf_token_2", "next_2", "ho_ten", "ho_ten_khac", "so_con",
                     "cau_hoi_2_con_tro_len"]


# -- a number question counting copies or pages, for fees per copy or page ------


@pytest.fixture
def schema():
    testing.setUp()
    yield SubmissionFormSchema().bind(request=testing.DummyRequest())
    testing.tearDown()


def _posted(*questions):
    return {"csrf_token": "t", "questions": [dict(q, required="true" if q["required"] else "false")
                                             for q in questions]}


def test_a_number_question_may_count_copies_and_it_is_stored(schema):
    questions = schema.deserialize(_posted(dict(_question("Số bản sao", kind="number"), counts="copy"),
                                           dict(_question("Số trang", kind="number"), counts="page"),
                                           _question("Họ tên")))["questions"]
    fields = to_fields(questions)
    assert [field.get("counts") for field in fields] == ["copy", "page", None]
    assert "counts" not in fields[2]  # a question that counts nothing is stored as before
    assert [q["counts"] for q in to_questions(fields)] == ["copy", "page", ""]


def test_only_a_number_question_counts(schema):
    with pytest.raises(colander.Invalid) as invalid:
        schema.deserialize(_posted(dict(_question("Số bản sao", kind="text"), counts="copy")))
    assert set(invalid.value.asdict()) == {"questions.0.counts"}


def test_one_question_at_most_counts_copies(schema):
    with pytest.raises(colander.Invalid) as invalid:
        schema.deserialize(_posted(dict(_question("Số bản sao", kind="number"), counts="copy"),
                                   dict(_question("Số trang", kind="number"), counts="page"),
                                   dict(_question("Số bản khác", kind="number"), counts="copy")))
    assert set(invalid.value.asdict()) == {"questions.2.counts"}


def test_counts_is_one_of_the_known_kinds(schema):
    with pytest.raises(colander.Invalid) as invalid:
        schema.deserialize(_posted(dict(_question("Số bản", kind="number"), counts="dossier")))
    assert set(invalid.value.asdict()) == {"questions.0.counts"}


def test_questions_stored_before_counts_existed_are_edited_as_before(schema):
    stored = [{"name": "ho_ten", "label": "Họ tên", "kind": "text", "required": True, "help": "", "choices": []}]
    assert to_fields(schema.deserialize(_posted(*to_questions(stored)))["questions"]) == stored


def test_counts_of_a_question_no_longer_a_number_is_dropped():
    assert "counts" not in to_fields([dict(_question("Số bản"), counts="copy")])[0]
