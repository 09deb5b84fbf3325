"""The slips a dossier's actions issue (Forms 01–05), read back from the
PDFs the portal stores and serves, and the messages that go with them, on
an app that really commits (slips are written after commit)."""
import re
import uuid
from datetime import datetime, timezone
from io import BytesIO

import pytest
import transaction
import webtest
from pypdf import PdfReader
from sqlalchemy import select

from congdichvu.accounts import services as accounts
from congdichvu.calendar.service import WorkingCalendar
from congdichvu.catalog.models import Agency
from congdichvu.catalog.services import catalog_for
from congdichvu.eservices import services
from congdichvu.eservices.models import Dossier
from congdichvu.models import get_tm_session
from congdichvu.notify.models import Notification
from tests.conftest import committing_portal

WARD, CITY = "H56.01.P08", "H56.01"
WARD_PHONE = "0208 3856 088"
PASSWORD = "mật-khẩu-dài-của-phiếu"
APPLICANT = {"full_name": "Đỗ Thị Thu", "birth_date": "1985-04-05", "id_number": "019185012345",
             "phone": "0912345678", "email": "thu@example.invalid", "address": "Số 9, tổ 2"}
WRITTEN = re.compile(r"\d{2} giờ \d{2} phút, ngày \d{2} tháng \d{2} năm \d{4}")


@pytest.fixture(scope="module")
def portal(databases, tmp_path_factory):
    app = committing_portal(databases, tmp_path_factory)

    def phone(db):  # the demo catalogue gives the ward no phone
        db.scalar(select(Agency).where(Agency.code == WARD)).phone = WARD_PHONE

    run(app, phone)
    yield app
    app.registry["dbengine"].dispose()


def run(portal, work):
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        return work(get_tm_session(portal.registry["dbsession_factory"], manager))


def person(portal, roles, agency=None):
    name = f"{roles[0]}-{uuid.uuid4().hex[:8]}"

    def make(db):
        found = db.scalar(select(Agency).where(Agency.code == agency)) if agency else None
        accounts.create_user(db, name, PASSWORD, f"Cán bộ {name}", roles, agency=found,
                             email=f"{name}@example.invalid", verified=True)

    run(portal, make)
    browser = webtest.TestApp(portal, extra_environ={"HTTP_HOST": "example.com"})
    form = browser.get("/dang-nhap").forms["deform"]
    form["login"], form["password"] = name, PASSWORD
    assert form.submit("submit").status_int == 302
    browser.username = name
    return browser


def submitted(portal, citizen):
    def make(db):
        user = accounts.account_named(db, citizen.username)
        procedure = catalog_for(db).procedure("1.004873")
        dossier, _secret = services.create_dossier(db, procedure, WARD, user, {"applicant": APPLICANT},
                                                   WorkingCalendar(), "online", "secret",
                                                   now=datetime.now(timezone.utc))
        return dossier.code

    return run(portal, make)


def text_of(response):
    assert response.content_type == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(response.body)).pages)
    return " ".join(text.split())  # lines wrap where the page is full


def act(browser, code, name, **fields):
    form = browser.get(f"/mot-cua/ho-so/{code}").forms[name]
    for field, value in fields.items():
        if isinstance(value, list):
            for index, item in enumerate(value):
                form.set(field, item, index=index)
        else:
            form[field] = value
    return form.submit(status=302)


def slip_link(page, title):
    return page.click(href=r"/tep/\d+", description=re.compile(title))


def messages(portal, code):
    def read(db):
        dossier = db.scalar(select(Dossier).where(Dossier.code == code))
        return [(row.kind, row.channel) for row in db.scalars(
            select(Notification).where(Notification.dossier_id == dossier.id).order_by(Notification.id))]

    return run(portal, read)


def test_reception_issues_form_01_to_the_citizen_and_tells_them(portal):
    citizen, officer = person(portal, ["citizen"]), person(portal, ["officer"], WARD)
    code = submitted(portal, citizen)
    act(officer, code, "receive")
    page = citizen.get(f"/ho-so-cua-toi/{code}")
    assert "Bộ phận một cửa đã tiếp nhận hồ sơ" in page.text
    text = text_of(page.click(href=r"/tep/\d+", description=re.compile("biên nhận|giấy tiếp nhận|Tải", re.I)))
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text and code in text and "Đỗ Thị Thu" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Quyển số" in text
    assert len(WRITTEN.findall(text)) >= 2  # received and appointment, written out
    assert "Thái Nguyên, ngày" in text
    assert ("dossier.receive", "email") in messages(portal, code)


def test_supplement_refusal_apology_and_control_sheet(portal):
    citizen, officer = person(portal, ["citizen"]), person(portal, ["officer"], WARD)
    leader = person(portal, ["leader"], CITY)
    code = submitted(portal, citizen)
    act(officer, code, "receive")
    act(officer, code, "request_supplement", paper=["Tờ khai đăng ký"], paper_reason=["Thiếu chữ ký của người khai"],
        note="Mang bản chính để đối chiếu")
    page = citizen.get(f"/ho-so-cua-toi/{code}")
    text = text_of(slip_link(page, "Form 02|Mẫu 02|bổ sung"))
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "Tờ khai đăng ký" in text and "Thiếu chữ ký của người khai" in text
    assert "đã tiếp nhận hồ sơ của: Đỗ Thị Thu" in text and "Hồ sơ của:" not in text
    # the other guidance is a paragraph of its own, not a paper of the table; the agency's phone to call
    assert "Hướng dẫn khác: Mang bản chính để đối chiếu" in text
    assert f"số điện thoại {WARD_PHONE} để được hướng dẫn" in text
    assert ("dossier.request_supplement", "email") in messages(portal, code)

    # the leader above the ward signs an apology with a new date
    act(leader, code, "apology", new_appointment="31/12/2026 16:00",
        reason="Chờ xác minh tại cơ quan khác")
    text = text_of(slip_link(citizen.get(f"/ho-so-cua-toi/{code}"), "Form 04|Mẫu 04|xin lỗi"))
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text and "31 tháng 12 năm 2026" in text
    assert "Chờ xác minh tại cơ quan khác" in text
    assert "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ (Ký, ghi rõ họ tên và đóng dấu)" in text and "LÃNH ĐẠO" not in text

    # the office's own control sheet, for staff only
    sheet = officer.get(f"/mot-cua/ho-so/{code}/phieu-kiem-soat.pdf")
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text_of(sheet)
    citizen.get(f"/mot-cua/ho-so/{code}/phieu-kiem-soat.pdf", status=404)

    other = submitted(portal, citizen)
    act(officer, other, "refuse", reason="Không thuộc thẩm quyền giải quyết của phường", confirm="1")
    text = text_of(slip_link(citizen.get(f"/ho-so-cua-toi/{other}"), "Form 03|Mẫu 03|từ chối"))
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text and "Không thuộc thẩm quyền" in text
    assert ("dossier.refuse", "email") in messages(portal, other)


def test_papers_asked_for_before_reception_are_not_said_to_be_received(portal):
    citizen, officer = person(portal, ["citizen"]), person(portal, ["officer"], WARD)
    code = submitted(portal, citizen)
    act(officer, code, "request_supplement", paper=["Tờ khai đăng ký"], paper_reason=["Chưa ký"], note="")
    text = text_of(slip_link(citizen.get(f"/ho-so-cua-toi/{code}"), "Form 02|Mẫu 02|bổ sung"))
    assert "Hồ sơ của Đỗ Thị Thu, nộp vào lúc" in text and "chưa được tiếp nhận" in text
    assert "đã tiếp nhận" not in text and "Hướng dẫn khác" not in text


def _control_sheet_rows(text):
    """The rows of Form 05's table, from "1. " on, each without spaces (the cells wrap)."""
    table = text[text.index("Ghi chú 1. "):].removeprefix("Ghi chú ")
    return [row.replace(" ", "") for row in re.split(r"(?:^| )\d\. ", table) if row]


def test_the_control_sheet_goes_from_the_citizen_to_the_desk_to_the_departments_and_back(portal):
    citizen, officer = person(portal, ["citizen"]), person(portal, ["officer"], WARD)
    code = submitted(portal, citizen)

    def handed_in_for_them(db):
        db.scalar(select(Dossier).where(Dossier.code == code)).submitter_name = "Trần Văn Nộp"

    run(portal, handed_in_for_them)
    act(officer, code, "receive")
    act(officer, code, "hand_over", department="Công chức Tư pháp - Hộ tịch")
    form = officer.get(f"/mot-cua/ho-so/{code}").forms["processed"]
    form["files"] = [webtest.Upload("ket-qua.pdf", b"%PDF-1.4\n%%EOF\n")]
    form.submit(status=302)
    act(officer, code, "return_result", way="counter", receiver="Đỗ Thị Thu")
    rows = _control_sheet_rows(text_of(officer.get(f"/mot-cua/ho-so/{code}/phieu-kiem-soat.pdf")))
    name = f"Cánbộ{officer.username}".replace(" ", "")
    desk = "BộphậntiếpnhậnvàtrảkếtquảUBNDphườngPhanĐìnhPhùng"
    assert len(rows) == 4, rows
    # 1: the one who handed it in for the applicant gives it to the desk and the officer who received it
    assert rows[0].startswith("Ngườigiao:TrầnVănNộpNhận:" + desk + "Ngườinhận:" + name), rows[0]
    # 2: the desk hands it to the department, given by the officer who recorded it
    assert rows[1].startswith(f"Giao:{desk}Ngườigiao:{name}Nhận:UBNDphườngPhanĐìnhPhùng,"
                              "CôngchứcTưpháp-Hộtịch"), rows[1]
    # 3: the department records the result
    assert rows[2].startswith(f"Giao:UBNDphườngPhanĐìnhPhùng,CôngchứcTưpháp-HộtịchNgườigiao:{name}"), rows[2]
    # 4: the desk returns it to the applicant
    assert rows[3].startswith(f"Giao:{desk}Ngườigiao:{name}Ngườinhận:ĐỗThịThu"), rows[3]
    assert "Trướchạn" in rows[3] or "Đúnghạn" in rows[3]


def test_the_control_sheet_is_kept_when_the_result_is_returned(portal):
    """Form 05 is kept with the dossier once the office is done with it,
    its last line the return of the result to the person who took it."""
    from pathlib import Path

    from congdichvu.eservices.models import DossierFile

    citizen, officer = person(portal, ["citizen"]), person(portal, ["officer"], WARD)
    code = submitted(portal, citizen)
    act(officer, code, "receive")
    form = officer.get(f"/mot-cua/ho-so/{code}").forms["processed"]
    form["files"] = [webtest.Upload("ket-qua.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")]
    assert form.submit().status_int == 302
    act(officer, code, "return_result", way="counter", receiver="Đỗ Văn Nhận")

    def kept(db):
        dossier = db.scalar(select(Dossier).where(Dossier.code == code))
        return [row.storage_key for row in db.scalars(select(DossierFile).where(
            DossierFile.dossier_id == dossier.id, DossierFile.slip == "05"))]

    keys = run(portal, kept)
    assert len(keys) == 1
    body = (Path(portal.registry.settings["congdichvu.data_dir"]) / "dossiers" / keys[0]).read_bytes()
    text = " ".join("\n".join(page.extract_text() for page in PdfReader(BytesIO(body)).pages).split())
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text and "Đỗ Văn Nhận" in text
