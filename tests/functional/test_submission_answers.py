"""What people type in the submission flow is kept as they meant it:
blank optional answers of every kind, dates and numbers written the
Vietnamese way, names typed decomposed (NFD) by a phone keyboard."""
import io
import re
import unicodedata
from datetime import datetime, timezone

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from congdichvu.eservices.models import SubmissionForm
from tests.functional.test_submission import (  # noqa: F401 - ``portal`` is a fixture
    PDF, _post_files, choose_delivery, citizen, fill_applicant, latest_dossier, portal, run, start,
)

KINDS = ("text", "textarea", "number", "date", "choice", "yesno")


def _ask(portal, code, fields):
    def save(db):
        form = db.get(SubmissionForm, code) or SubmissionForm(procedure_code=code)
        form.fields, form.updated_at, form.updated_by = fields, datetime.now(timezone.utc), "test"
        db.add(form)

    run(portal, save)


def _question(kind, required=False):
    return {"name": f"q_{kind}", "label": f"Câu hỏi {kind}", "kind": kind, "required": required, "help": "",
            "choices": ["Một", "Hai"] if kind == "choice" else []}


def _papers(page):
    """Every upload slot of the papers step filled with a PDF."""
    form = page.forms["papers"]
    slots = sorted({name for name in form.fields if re.fullmatch(r"paper-\d+", name)})
    import webtest

    fields = [(slot, webtest.Upload("giay.pdf", PDF, "application/pdf")) for slot in slots]
    return _post_files(page, form, fields, "next")


def _submit(browser, code, answers, **applicant):
    page = fill_applicant(start(browser, code), **applicant).follow()
    if "papers" not in page.forms:  # the procedure's own questions come first
        form = page.forms["step"]
        for name, value in answers.items():
            form[name] = value
        after = form.submit("next")
        assert after.status_int == 302, after.html.select_one("[role=alert]")
        page = after.follow()
    delivery = _papers(page).follow()
    form = delivery.forms["step"]
    choose_delivery(form, "counter")
    review = form.submit("next").follow()
    form = review.forms["step"]
    form["declaration"] = True
    done = form.submit("submit")
    assert done.status_int == 302, done.text[-3000:]
    return review, done.follow()


def test_optional_answers_of_every_kind_left_blank(portal):
    code = "1.003645"
    _ask(portal, code, [_question(kind) for kind in KINDS])
    browser = citizen(portal)
    review, page = _submit(browser, code, {})
    dossier = latest_dossier(portal, browser)
    answers = dossier.data["fields"]
    assert answers == {"q_text": "", "q_textarea": "", "q_number": "", "q_date": "", "q_choice": "",
                       "q_yesno": "false"}
    for shown in (review, page):
        assert "None" not in shown.text
        for kind in KINDS:
            assert f"Câu hỏi {kind}" in shown.text


def test_dates_and_numbers_are_read_as_vietnamese_write_them(portal):
    code = "1.003677"
    _ask(portal, code, [_question("date", required=True), _question("number", required=True)])
    browser = citizen(portal)
    details = fill_applicant(start(browser, code), birth_date="15.08.1990").follow()
    form = details.forms["step"]
    form["q_date"], form["q_number"] = "31/12/2024", "abc"
    refused = form.submit("next")
    assert "Nhập một số, ví dụ 1.500.000 hoặc 1,5" in refused.text
    form = refused.forms["step"]
    assert form["q_date"].value == "31/12/2024"  # nothing typed is lost
    form["q_date"] = "31-13-2024"
    refused = form.submit("next")
    assert "Nhập ngày theo dạng ngày/tháng/năm, ví dụ 31/12/1990" in refused.text
    browser2 = citizen(portal)
    review, page = _submit(browser2, code, {"q_date": "31.12.2024", "q_number": "1.500.000"},
                           birth_date="15/08/1990")
    dossier = latest_dossier(portal, browser2)
    assert dossier.data["fields"] == {"q_date": "2024-12-31", "q_number": "1500000"}
    assert dossier.data["applicant"]["birth_date"] == "1990-08-15"
    for shown in (review, page):
        assert "31/12/2024" in shown.text and "1.500.000" in shown.text and "15/08/1990" in shown.text


def test_a_decimal_comma_is_a_decimal(portal):
    code = "1.002755"
    _ask(portal, code, [_question("number", required=True)])
    browser = citizen(portal)
    _submit(browser, code, {"q_number": "1,5"})
    assert latest_dossier(portal, browser).data["fields"] == {"q_number": "1.5"}


def test_a_name_typed_decomposed_is_stored_and_printed_composed(portal):
    name = "Nguyễn Thị Thuỷ Tiên"
    browser = citizen(portal)
    code = "1.004199"
    _ask(portal, code, [])
    _review, page = _submit(browser, code, {}, full_name=unicodedata.normalize("NFD", name))
    dossier = latest_dossier(portal, browser)
    assert dossier.data["applicant"]["full_name"] == name
    receipt = next(f for f in dossier.files if f.filename.startswith("giay-tiep-nhan"))
    pdf = browser.get(f"/ho-so-cua-toi/{dossier.code}/tep/{receipt.id}").body
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert name in unicodedata.normalize("NFC", text)
    assert name in page.text


def test_a_date_written_right_that_is_not_on_the_calendar_says_so(portal):
    """29/02/2023 is written as asked: the problem is the day, not the format."""
    code = "1.003677"
    _ask(portal, code, [_question("date", required=True)])
    browser = citizen(portal)
    refused = fill_applicant(start(browser, code), birth_date="31/04/1990")
    assert "Ngày 31/04/1990 không có trên lịch" in refused.text
    details = fill_applicant(refused, birth_date="30/04/1990").follow()
    form = details.forms["step"]
    form["q_date"] = "29/02/2023"
    refused = form.submit("next")
    assert "Ngày 29/02/2023 không có trên lịch" in refused.text
    assert "Nhập ngày theo dạng" not in refused.text
    assert refused.forms["step"]["q_date"].value == "29/02/2023"


@pytest.mark.parametrize("typed", ["019.090.001.234", "019 090 001 234", "019-090-001-234"])
def test_a_card_number_is_read_however_its_digits_are_grouped(portal, typed):
    browser = citizen(portal)
    code = "1.004199"
    _ask(portal, code, [])
    _submit(browser, code, {}, id_number=typed, phone="0912.345.678")
    applicant = latest_dossier(portal, browser).data["applicant"]
    assert applicant["id_number"] == "019090001234" and applicant["phone"] == "0912345678"
