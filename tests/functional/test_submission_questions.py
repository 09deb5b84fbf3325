"""A procedure's questions never lock citizens out: a question named like a
field of the step form itself (``csrf_token``), or two with one name,
made a procedure impossible to submit (the break-test's finding)."""
from sqlalchemy import select

from congdichvu.eservices.models import SubmissionForm
from tests.functional.test_submission import citizen, latest_dossier, portal, run  # noqa: F401 - a fixture
from tests.functional.test_submission_answers import _ask, _submit


def _stored_names(portal, code):
    return run(portal, lambda db: [f["name"] for f in db.scalar(
        select(SubmissionForm).where(SubmissionForm.procedure_code == code)).fields])


def test_the_questions_editor_never_stores_a_name_the_step_form_uses(portal):
    code = "1.004884"
    editor = citizen(portal, role="editor")
    form = editor.get(f"/quan-tri/thu-tuc/{code}/cau-hoi-nop-truc-tuyen").forms["deform"]
    form.set("label", "CSRF token", index=0)  # a label that folds to a reserved name
    form.set("kind", "text", index=0)
    form.set("required", True, index=0)
    saved = form.submit("save").follow()
    form = saved.forms["deform"]
    form.set("name", "csrf_token", index=0)  # the hidden name, tampered with
    form.set("label", "Họ tên", index=1)
    form.set("kind", "text", index=1)
    form.set("name", "csrf_token", index=1)
    form.submit("save").follow()
    names = _stored_names(portal, code)
    assert names == ["csrf_token_2", "ho_ten"]
    browser = citizen(portal)
    _submit(browser, code, {"csrf_token_2": "Mã của tôi", "ho_ten": "Nguyễn Văn An"})
    assert latest_dossier(portal, browser).data["fields"] == {"csrf_token_2": "Mã của tôi", "ho_ten": "Nguyễn Văn An"}


def test_a_stored_form_with_reserved_or_repeated_names_can_still_be_submitted(portal):
    code = "1.001022"
    question = {"label": "", "kind": "text", "required": True, "help": "", "choices": []}
    _ask(portal, code, [dict(question, name="csrf_token", label="Mã hồ sơ cũ"),
                        dict(question, name="noi_o", label="Nơi ở"), dict(question, name="noi_o", label="Nơi ở cũ"),
                        dict(question, name="next", label="Bước tiếp"), dict(question, name="_charset_", label="Mã")])
    browser = citizen(portal)
    answers = {"cau_hoi_1": "HS-01", "noi_o": "Tổ 3", "cau_hoi_3": "Tổ 5", "cau_hoi_4": "Không", "cau_hoi_5": "X"}
    review, page = _submit(browser, code, answers)
    dossier = latest_dossier(portal, browser)
    assert dossier.data["fields"] == answers
    for shown in (review, page):
        for label, value in (("Mã hồ sơ cũ", "HS-01"), ("Nơi ở cũ", "Tổ 5"), ("Bước tiếp", "Không")):
            assert label in shown.text and value in shown.text
