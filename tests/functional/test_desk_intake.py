"""Tiếp nhận tại quầy, qua bưu chính: an officer enters a dossier for an
applicant, on a database that really commits (scans reach the dossier
store only after a commit)."""
import re
import uuid
from pathlib import Path

import pytest
import transaction
import webtest
from sqlalchemy import select

from congdichvu.accounts import services as accounts
from congdichvu.catalog.models import Agency
from congdichvu.eservices.models import Dossier
from congdichvu.models import get_tm_session
from tests.conftest import SMALL_UPLOADS, committing_portal

BIRTH = "1.001193"  # Đăng ký khai sinh: commune level, organisations too, papers 0 and 1 required, 5 only shown
MARRIAGE = "1.000894"  # Đăng ký kết hôn: commune level, persons only, no postal channel
CITY_ONLY = "2.000528"  # a district-level procedure the city's agencies handle
WARD_A, WARD_B = "H56.01.P08", "H56.01.P05"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(scope="module")
def portal(databases, tmp_path_factory):
    app = committing_portal(databases, tmp_path_factory, **SMALL_UPLOADS)
    yield app
    app.registry["dbengine"].dispose()


def run(portal, work):
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        return work(get_tm_session(portal.registry["dbsession_factory"], manager))


def browser_of(portal, roles, agency_code=None):
    """A signed-in browser of a new account with ``roles`` (at ``agency_code``)."""
    name = f"{roles[0]}-{uuid.uuid4().hex[:8]}"

    def make(db):
        agency = db.scalar(select(Agency).where(Agency.code == agency_code)) if agency_code else None
        accounts.create_user(db, name, "mật-khẩu-dài-lắm", "Trần Thị Bình", roles, agency=agency,
                             email=f"{name}@example.invalid")

    run(portal, make)
    browser = webtest.TestApp(portal, extra_environ={"HTTP_HOST": "example.com"})
    form = browser.get("/dang-nhap").forms["deform"]
    form["login"], form["password"] = name, "mật-khẩu-dài-lắm"
    assert form.submit("submit").status_int == 302
    return browser


def choose(form, value, among=None):
    """Tick the radio button of ``value`` in the group that offers ``among``
    (``value`` itself by default): Deform names radio groups itself."""
    name = next(name for name, fields in form.fields.items()
                if any((among or value) in [o[0] for o in getattr(f, "options", None) or []] for f in fields))
    form[name] = value


def person(form, **changes):
    values = {"full_name": "Nguyễn Thị Hoa", "birth_date": "12/03/1950", "id_number": "019150001234",
              "phone": "0912345678", "email": "", "ward": WARD_A, "address": "Số 3, tổ 5, đường Lương Ngọc Quyến"}
    values.update(changes)
    for name, value in values.items():
        form.set(name, value, index=0)  # the applicant's, not the submitter's


def papers(form, indexes=(0, 1, 5)):
    for index in indexes:
        form[f"received-{index}"] = True


def send(form, files=None, status=302):
    """Post ``form`` with ``files`` {paper index: [(name, bytes)]}."""
    uploads = [(f"paper-{index}", name, content) for index, items in (files or {}).items()
               for name, content in items]
    return form.submit("enter", upload_files=uploads, status=status)


def dossier(portal, code):
    def read(db):
        row = db.scalar(select(Dossier).where(Dossier.code == code))
        return dict(
            state=row.state, channel=row.channel, agency_code=row.agency_code, applicant_id=row.applicant_id,
            kind=row.applicant_kind, name=row.applicant_name, folded=row.applicant_name_folded,
            id_number=row.applicant_id_number, tax_code=row.applicant_tax_code,
            representative=row.applicant_representative, phone=row.applicant_phone,
            submitter=row.submitter_name, submitter_id=row.submitter_id_number, result=row.result_channel,
            postal_address=row.postal_address, digitised=row.digitised, sets=row.dossier_count,
            appointment=row.appointment_at, due=row.due_at, received=row.received_at, ledger=row.ledger_number,
            data=row.data, files=[(f.kind, f.paper, f.storage_key) for f in row.files],
            actions=[e.action for e in row.events])

    return run(portal, read)


def code_of(answer):
    return answer.location.rstrip("/").rsplit("/", 1)[-1]


def test_an_officer_enters_a_persons_dossier_with_a_submitter(portal):
    officer = browser_of(portal, ["officer"], WARD_A)
    start = officer.get("/mot-cua/tiep-nhan")
    assert BIRTH in start.text and CITY_ONLY not in start.text
    page = officer.get("/mot-cua/tiep-nhan", params={"thu_tuc": BIRTH, "kenh": "in_person"}).follow()
    form = page.forms["intake"]
    person(form)
    form.set("full_name", "Lê Văn Nam", index=1)
    form.set("id_number", "019085004321", index=1)
    form["relationship"] = "Con trai"
    form["dossier_count"] = "2"
    papers(form)
    done = send(form, {0: [("to-khai.pdf", PDF)], 1: [("giay-chung-sinh.png", PNG)]})
    assert "/mot-cua/ho-so/" in done.location
    landed = done.follow()
    assert "Nguyễn Thị Hoa" in landed.text and "Lê Văn Nam" in landed.text
    row = dossier(portal, code_of(done))
    assert row["state"] == 4 and row["channel"] == "in_person" and row["agency_code"] == WARD_A
    assert row["applicant_id"] is None and row["appointment"] is not None and row["due"] == row["appointment"]
    assert row["ledger"] is not None and row["actions"] == ["submit", "receive", "start"]
    assert (row["kind"], row["name"], row["folded"], row["id_number"], row["phone"]) == (
        "person", "Nguyễn Thị Hoa", "nguyen thi hoa", "019150001234", "0912345678")
    assert (row["submitter"], row["submitter_id"]) == ("Lê Văn Nam", "019085004321")
    assert row["data"]["submitter"]["relationship"] == "Con trai" and row["sets"] == 2
    received = {p["paper"]: p for p in row["data"]["papers_received"]}
    assert received["Giấy chứng sinh"]["received"] and received["Giấy chứng sinh"]["originals"] == 1
    assert row["digitised"] is True
    # the scans and the receipt are in the dossier store, the temporary folder is gone
    data_dir = Path(portal.registry.settings["congdichvu.data_dir"])
    kinds = sorted(kind for kind, _paper, _key in row["files"])
    assert kinds == ["paper", "paper", "slip"]
    assert all((data_dir / "dossiers" / key).is_file() for _kind, _paper, key in row["files"])
    assert not list((data_dir / "uploads").glob("intake-*"))
    page = officer.get(f"/mot-cua/ho-so/{code_of(done)}")
    printed = page.click(href=r"/tep/\d+", description=re.compile("giay-tiep-nhan"))
    assert printed.content_type == "application/pdf" and printed.body.startswith(b"%PDF")
    text = pdf_text(printed.body)
    for words in ("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "Nguyễn Thị Hoa", "Lê Văn Nam", code_of(done),
                  "Quyển số", "Giấy chứng sinh", "NGƯỜI NỘP HỒ SƠ"):
        assert words in text, words


def test_without_every_required_scan_the_dossier_is_not_digitised(portal):
    officer = browser_of(portal, ["officer"], WARD_A)
    form = officer.get(f"/mot-cua/tiep-nhan/{BIRTH}").forms["intake"]
    person(form)
    papers(form)
    done = send(form, {0: [("to-khai.pdf", PDF)]})
    row = dossier(portal, code_of(done))
    assert row["state"] == 4 and row["digitised"] is False and row["submitter"] is None


def test_a_required_paper_not_received_and_bad_input_keep_what_was_typed(portal):
    officer = browser_of(portal, ["officer"], WARD_A)
    form = officer.get(f"/mot-cua/tiep-nhan/{BIRTH}").forms["intake"]
    person(form, id_number="01915000123")  # 11 digits
    papers(form, (0, 5))
    again = send(form, {0: [("to-khai.pdf", PDF)]}, status=400)
    assert "12 chữ số" in again.text  # the card number's message, in Vietnamese
    assert "chọn lại" in again.text  # the scans must be chosen again
    kept = again.forms["intake"]
    assert kept.get("full_name", index=0).value == "Nguyễn Thị Hoa" and kept["received-0"].checked
    assert not kept["received-1"].checked
    data_dir = Path(portal.registry.settings["congdichvu.data_dir"])
    assert not list((data_dir / "uploads").glob("intake-*"))


def test_an_organisation_with_a_wrong_check_digit_is_refused(portal):
    officer = browser_of(portal, ["officer"], WARD_A)
    form = officer.get(f"/mot-cua/tiep-nhan/{BIRTH}").forms["intake"]
    choose(form, "organisation")
    person(form, full_name="Phạm Quốc Hùng", birth_date="")
    form["organisation_name"] = "Công ty TNHH Ánh Dương"
    form["tax_code"] = "0100109107"
    papers(form)
    refused = send(form, status=400)
    assert "số kiểm tra" in refused.text
    form = refused.forms["intake"]
    form["tax_code"] = "0100109106-001"
    papers(form)
    done = send(form)
    row = dossier(portal, code_of(done))
    assert (row["kind"], row["name"], row["tax_code"], row["representative"], row["id_number"]) == (
        "organisation", "Công ty TNHH Ánh Dương", "0100109106-001", "Phạm Quốc Hùng", "019150001234")


def test_a_dossier_received_by_post_returned_by_post(portal):
    officer = browser_of(portal, ["officer"], WARD_A)
    form = officer.get(f"/mot-cua/tiep-nhan/{BIRTH}", params={"kenh": "postal"}).forms["intake"]
    person(form)
    choose(form, "postal", among="counter")  # the result, by post (the channel came preset from the link)
    form["postal_address"] = "Số 3, tổ 5, đường Lương Ngọc Quyến, phường Phan Đình Phùng"
    papers(form)
    done = send(form)
    row = dossier(portal, code_of(done))
    assert row["channel"] == "postal" and row["result"] == "postal"
    assert row["postal_address"].startswith("Số 3, tổ 5")


def test_a_procedure_without_postal_channel_takes_only_the_counter(portal):
    officer = browser_of(portal, ["officer"], WARD_A)
    form = officer.get(f"/mot-cua/tiep-nhan/{MARRIAGE}", params={"kenh": "postal"}).forms["intake"]
    options = [o[0] for fields in form.fields.values() for f in fields for o in (getattr(f, "options", None) or [])]
    assert "in_person" in options and "postal" not in options[:2] and "organisation" not in options


def test_citizens_visitors_and_other_agencies_cannot_enter(portal):
    anonymous = webtest.TestApp(portal, extra_environ={"HTTP_HOST": "example.com"})
    assert "/dang-nhap" in anonymous.get("/mot-cua/tiep-nhan").location
    assert "/dang-nhap" in anonymous.get(f"/mot-cua/tiep-nhan/{BIRTH}").location
    citizen = browser_of(portal, ["citizen"])
    assert citizen.get("/mot-cua/tiep-nhan", status=403)
    citizen.get(f"/mot-cua/tiep-nhan/{BIRTH}", status=404)
    citizen.post(f"/mot-cua/tiep-nhan/{BIRTH}", {"__formid__": "intake"}, status=(400, 403, 404))
    ward_officer = browser_of(portal, ["officer"], WARD_A)
    ward_officer.get(f"/mot-cua/tiep-nhan/{CITY_ONLY}", status=404)
    assert ward_officer.get("/mot-cua/tiep-nhan", params={"thu_tuc": CITY_ONLY}, status=400)
    # a dossier entered by ward A is not ward B's to see
    form = ward_officer.get(f"/mot-cua/tiep-nhan/{BIRTH}").forms["intake"]
    person(form)
    papers(form)
    code = code_of(send(form))
    browser_of(portal, ["officer"], WARD_B).get(f"/mot-cua/ho-so/{code}", status=404)
    city_officer = browser_of(portal, ["officer"], "H56.01")
    city_officer.get(f"/mot-cua/tiep-nhan/{BIRTH}", status=404)
    assert city_officer.get(f"/mot-cua/tiep-nhan/{CITY_ONLY}").forms["intake"]
    # an officer without an agency is told why there is nothing to choose
    assert "quản trị" in browser_of(portal, ["officer"]).get("/mot-cua/tiep-nhan").text


def test_a_scan_refused_enters_nothing_and_keeps_no_file(portal):
    officer = browser_of(portal, ["officer"], WARD_A)
    form = officer.get(f"/mot-cua/tiep-nhan/{BIRTH}").forms["intake"]
    person(form, full_name="Đỗ Minh Khoa")
    papers(form)
    refused = send(form, {0: [("to-khai.pdf", PDF)], 1: [("virus.exe", b"MZ\x90\x00" + b"\x00" * 200)]},
                   status=400)
    assert "virus" in refused.text and "chọn lại" in refused.text
    assert refused.forms["intake"].get("full_name", index=0).value == "Đỗ Minh Khoa"
    data_dir = Path(portal.registry.settings["congdichvu.data_dir"])
    assert not list((data_dir / "uploads").glob("intake-*"))
    assert run(portal, lambda db: db.scalar(select(Dossier.id).where(Dossier.applicant_name == "Đỗ Minh Khoa"))) \
        is None


def pdf_text(body):
    from io import BytesIO

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(body)).pages)


def _count_by_name(portal, name):
    from sqlalchemy import func

    return run(portal, lambda db: db.scalar(select(func.count(Dossier.id)).where(Dossier.applicant_name == name)))


def test_a_form_sent_twice_enters_one_dossier(portal):
    """A double click or a replayed POST: the second answer leads to the
    dossier the first made (the form's one-time key, migration 0021)."""
    officer = browser_of(portal, ["officer"], WARD_A)
    form = officer.get(f"/mot-cua/tiep-nhan/{BIRTH}").forms["intake"]
    person(form, full_name="Phan Thị Một Lần")
    papers(form)
    first = send(form)
    again = send(form)
    assert again.location == first.location
    assert "Biểu mẫu này đã được gửi trước đó" in again.follow().text
    assert _count_by_name(portal, "Phan Thị Một Lần") == 1


def test_a_form_sent_many_times_at_once_enters_one_dossier(portal):
    import threading

    officer = browser_of(portal, ["officer"], WARD_A)
    form = officer.get(f"/mot-cua/tiep-nhan/{BIRTH}").forms["intake"]
    person(form, full_name="Phan Văn Đồng Thời")
    papers(form)
    fields = form.submit_fields("enter")
    answers = []

    def post():
        browser = webtest.TestApp(portal, extra_environ={"HTTP_HOST": "example.com"}, cookiejar=officer.cookiejar)
        answers.append(browser.post(form.action, params=fields, status="*").status_int)

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [302] * 6
    assert _count_by_name(portal, "Phan Văn Đồng Thời") == 1
