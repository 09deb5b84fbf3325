"""Nộp hồ sơ trực tuyến, walked through the running app on a database that
really commits (files reach the dossier store only after a commit)."""
import hashlib
import re
import threading
import unicodedata
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
import transaction
import webtest
from sqlalchemy import func, select

from congdichvu.accounts import services as accounts
from congdichvu.eservices.models import Dossier, DossierDraft
from congdichvu.models import get_tm_session
from congdichvu.notify.models import Notification
from tests.conftest import SMALL_UPLOADS, committing_portal
from tests.factories import HOSTILE_ZIPS
from tests.functional.layout import assert_tables_stack

PROCEDURE = "1.001193"  # Đăng ký khai sinh: commune level, online level 4, papers 1 and 2 required, 6 only shown
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 200


@pytest.fixture(scope="module")
def portal(databases, tmp_path_factory):
    """A committing app on its own migrated database with the demo catalogue,
    small upload limits so the limits can be reached."""
    app = committing_portal(databases, tmp_path_factory, **SMALL_UPLOADS)
    yield app
    app.registry["dbengine"].dispose()


def run(portal, work):
    """Run ``work(dbsession)`` in its own committed transaction."""
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        return work(get_tm_session(portal.registry["dbsession_factory"], manager))


def citizen(portal, role="citizen"):
    """A new signed-in browser of a new person."""
    name = f"{role}-{uuid.uuid4().hex[:8]}"
    run(portal, lambda db: accounts.create_user(db, name, "mật-khẩu-dài-lắm", "Nguyễn Văn An", [role],
                                                email=f"{name}@example.invalid", phone=f"09{uuid.uuid4().int % 10**8:08d}",
                                                verified=True))
    browser = webtest.TestApp(portal, extra_environ={"HTTP_HOST": "example.com"})
    form = browser.get("/dang-nhap").forms["deform"]
    form["login"], form["password"] = name, "mật-khẩu-dài-lắm"
    assert form.submit("submit").status_int == 302
    browser.username = name
    return browser


def start(browser, code=PROCEDURE):
    page = browser.get(f"/thu-tuc/{code}/nop-truc-tuyen")
    return page.forms["start"].submit().follow()


def fill_applicant(page, **changes):
    form = page.forms["step"]
    values = {"birth_date": "1990-05-17", "id_number": "019090001234", "ward": "H56.01.P05",
              "address": "Số 12, tổ 3, đường Hoàng Văn Thụ"}
    values.update(changes)
    for name, value in values.items():
        form[name] = value
    return form.submit("next")


def upload(page, files, button="next"):
    """``files``: {paper index: [(name, bytes)]}."""
    form = page.forms["papers"]
    fields = []
    for index, items in files.items():
        for name, content in items:
            fields.append((f"paper-{index}", webtest.Upload(name, content, "application/octet-stream")))
    return form.submit(button, upload_files=[]) if not fields else _post_files(page, form, fields, button)


def _post_files(page, form, fields, button):
    params = [("csrf_token", form["csrf_token"].value), ("__formid__", form["__formid__"].value), (button, button)]
    return page.test_app.post(form.action, params=params + fields, content_type="multipart/form-data",
                              expect_errors=True)


REQUIRED = {0: [("to-khai.pdf", PDF)], 1: [("giay-chung-sinh.png", PNG)]}


def choose_delivery(form, value):
    """Deform names its radio buttons itself; find them by their choices."""
    name = next(name for name, fields in form.fields.items()
                if any(getattr(field, "options", None) and value in [o[0] for o in field.options] for field in fields)
                and name != "agency")
    form[name] = value


def to_review(browser, delivery="counter"):
    papers = fill_applicant(start(browser)).follow()
    delivery_page = upload(papers, REQUIRED).follow()
    form = delivery_page.forms["step"]
    choose_delivery(form, delivery)
    if delivery == "postal":
        form["postal_address"] = "Số 5, đường Quang Trung, phường Phan Đình Phùng"
    return form.submit("next").follow()


def test_signing_in_comes_back_to_the_procedure(portal):
    anonymous = webtest.TestApp(portal, extra_environ={"HTTP_HOST": "example.com"})
    answer = anonymous.get(f"/thu-tuc/{PROCEDURE}/nop-truc-tuyen")
    assert answer.status_int == 302 and "/dang-nhap" in answer.location and "nop-truc-tuyen" in answer.location


def test_a_citizen_submits_a_dossier_and_gets_a_receipt(portal):
    browser = citizen(portal)
    step1 = start(browser)
    assert step1.forms["step"]["full_name"].value == "Nguyễn Văn An"  # prefilled from the account
    assert "Bước 1/4" in step1.text  # no questions of its own: four steps
    review = to_review(browser, "postal")
    assert "Số 5, đường Quang Trung" in review.text and "to-khai.pdf" in review.text and "17/05/1990" in review.text
    form = review.forms["step"]
    form["declaration"] = True
    done = form.submit("submit")
    receipt_url = done.location
    page = done.follow()
    assert "Hồ sơ của bạn đã được nộp" in page.text
    secret = page.html.select_one(".secret").text.strip()
    assert len(secret) == 8
    assert "Hồ sơ của bạn đã được nộp" in page.text
    # the secret is shown once
    assert browser.get(receipt_url).html.select_one(".secret") is None
    dossier = latest_dossier(portal, browser)
    assert dossier.channel == "online" and dossier.code.startswith("H56.01.P05-")
    assert dossier.data["delivery"]["delivery"] == "postal"
    # free of fees, but a level-4 procedure's postage is paid online first (payments.fees)
    assert dossier.state == 6 and "/thanh-toan" in receipt_url and dossier.data["fees"]["total"] > 0
    assert dossier.procedure_snapshot["code"] == PROCEDURE
    # each file is stored with its hash, downloadable as an attachment of the right type
    files = {f.filename: f for f in dossier.files}
    assert set(files) == {"to-khai.pdf", "giay-chung-sinh.png", f"giay-tiep-nhan-{dossier.code}.pdf"}
    png = browser.get(f"/ho-so-cua-toi/{dossier.code}/tep/{files['giay-chung-sinh.png'].id}")
    assert png.content_type == "image/png" and png.body == PNG
    assert png.headers["Content-Disposition"].startswith("attachment")
    assert files["giay-chung-sinh.png"].sha256 == hashlib.sha256(PNG).hexdigest()
    receipt = browser.get(f"/ho-so-cua-toi/{dossier.code}/tep/{files[f'giay-tiep-nhan-{dossier.code}.pdf'].id}")
    assert receipt.content_type == "application/pdf" and receipt.body.startswith(b"%PDF")
    # the draft's temporary files are gone, the mail went out
    data_dir = Path(portal.registry.settings["congdichvu.data_dir"])
    assert not any((data_dir / "uploads").glob("*/*"))
    mails = sorted((data_dir / "mail").glob("*"), key=lambda p: p.stat().st_mtime)
    assert dossier.code in mails[-1].read_text(errors="replace")
    # and "Hồ sơ của tôi" lists it, with its receipt
    mine = browser.get("/ho-so-cua-toi")
    assert dossier.code in mine.text
    assert mine.click(href=f"/tep/{files[f'giay-tiep-nhan-{dossier.code}.pdf'].id}$").body.startswith(b"%PDF")


def _detached(dossier):
    """A plain copy, readable after the session is gone."""
    columns = ("id", "code", "state", "channel", "data", "procedure_snapshot", "agency_code", "postal_fee")
    copy = SimpleNamespace(**{name: getattr(dossier, name) for name in columns})
    copy.files = [SimpleNamespace(id=f.id, filename=f.filename, sha256=f.sha256, kind=f.kind, size=f.size,
                                  storage_key=f.storage_key) for f in dossier.files]
    copy.events = [SimpleNamespace(from_state=e.from_state, to_state=e.to_state, note=e.note, action=e.action)
                   for e in dossier.events]
    return copy


def latest_dossier(portal, browser):
    return run(portal, lambda db: _detached(db.scalar(select(Dossier).where(
        Dossier.applicant_id == _user_id(db, browser)).order_by(Dossier.id.desc()).limit(1))))


def test_submitting_twice_makes_one_dossier(portal):
    browser = citizen(portal)
    form = to_review(browser).forms["step"]
    form["declaration"] = True
    first = form.submit("submit")
    again = form.submit("submit")  # the same POST, replayed
    assert first.status_int == again.status_int == 302
    assert again.location.split("?")[0] == first.location.split("?")[0]
    count = run(portal, lambda db: db.scalar(select(func.count(Dossier.id)).join(
        DossierDraft, DossierDraft.dossier_id == Dossier.id).where(DossierDraft.user_id == _user_id(db, browser))))
    assert count == 1


def _user_id(db, browser):
    from congdichvu.accounts.models import User

    return db.scalar(select(User.id).where(User.username == browser.username))


def twin(portal, browser):
    """A second browser with the same cookies (the same person, another tab)."""
    other = webtest.TestApp(portal, extra_environ={"HTTP_HOST": "example.com"})
    for name, value in browser.cookies.items():
        other.set_cookie(name, value)
    other.username = browser.username
    return other


def test_two_submits_at_the_same_moment_make_one_dossier(portal):
    browser = citizen(portal)
    review = to_review(browser)
    form = review.forms["step"]
    form["declaration"] = True
    fields = form.submit_fields("submit")
    tabs = [browser, twin(portal, browser)]
    barrier, answers = threading.Barrier(2), []

    def click(tab):
        barrier.wait()
        answers.append(tab.post(review.request.path, params=fields, expect_errors=True))

    threads = [threading.Thread(target=click, args=(tab,)) for tab in tabs]
    [thread.start() for thread in threads]
    [thread.join() for thread in threads]
    assert sorted(answer.status_int for answer in answers) == [302, 302]
    assert len({answer.location for answer in answers}) == 1
    # whichever answer the browser follows shows the lookup secret, and only once
    assert sum(answer.follow().html.select_one(".secret") is not None for answer in answers) == 1
    count = run(portal, lambda db: db.scalar(select(func.count(Dossier.id)).where(
        Dossier.applicant_id == _user_id(db, browser))))
    assert count == 1


def test_wrong_answers_are_explained_and_nothing_typed_is_lost(portal):
    browser = citizen(portal)
    page = fill_applicant(start(browser), id_number="12345", phone="12345", birth_date="2099-01-01")
    assert page.status_int == 200
    alert = page.html.select_one("[role=alert]").text
    assert "12 chữ số" in alert and "số điện thoại di động" in alert.lower() and "tương lai" in alert
    assert page.html.select_one("#" + page.forms["step"]["id_number"].id)["aria-invalid"] == "true"
    # a card number whose year does not match the date of birth
    page = fill_applicant(page, birth_date="1985-02-03", phone="0912345678")
    assert "sinh năm 1990" in page.text
    # saving keeps what was typed, even when it is not valid yet
    form = page.forms["step"]
    form["phone"] = "0912 345 678"
    saved = form.submit("save").follow()
    assert "Đã lưu bản nháp" in saved.text
    assert saved.forms["step"]["birth_date"].value == "1985-02-03"
    assert saved.forms["step"]["phone"].value == "0912 345 678"
    assert saved.forms["step"]["address"].value == "Số 12, tổ 3, đường Hoàng Văn Thụ"
    # and "Hồ sơ của tôi" offers to continue it
    assert "Đăng ký khai sinh" in browser.get("/ho-so-cua-toi").text


def test_going_back_keeps_the_papers_and_answers(portal):
    browser = citizen(portal)
    papers = fill_applicant(start(browser)).follow()
    back = upload(papers, {0: [("to-khai.pdf", PDF)]}, button="back").follow()
    assert back.forms["step"]["id_number"].value == "019090001234"
    again = back.forms["step"].submit("next").follow()
    assert "to-khai.pdf" in again.text


def test_bad_files_are_refused_with_the_reason_and_good_ones_kept(portal):
    browser = citizen(portal)
    papers = fill_applicant(start(browser)).follow()
    page = upload(papers, {0: [("to-khai.pdf", PDF), ("virus.pdf", EXE), ("trong.pdf", b""),
                               ("to.pdf", PDF + b"0" * 60_000), ("../../etc/giay\x07to.pdf", PDF)]})
    assert page.status_int == 200
    alert = page.html.select_one("[role=alert]").text
    assert "virus.pdf" in alert and "không phải tệp PDF" in alert
    assert "trong.pdf" in alert and "0 byte" in alert
    assert "“to.pdf” lớn hơn 51 KB" in alert
    kept = [li.select_one("span").text for li in page.html.select(".file-list li")]
    assert kept == ["to-khai.pdf", "giayto.pdf"]  # no directories, no control characters
    # a required paper with no file stops "Continue", and says which
    page = upload(page, {})
    assert page.status_int == 200 and "Giấy tờ này là bắt buộc" in page.text
    # too many files, and too many bytes in all
    page = upload(page, {1: [(f"anh-{n}.png", PNG) for n in range(5)]})
    assert "tối đa 6 tệp" in page.html.select_one("[role=alert]").text
    assert len(page.html.select(".file-list li")) == 6


def test_hostile_zips_are_refused_as_papers_and_good_ones_kept(portal, monkeypatch):
    """The break-test's zip bomb (400 MB behind 415 KB), encrypted entry and
    compression method 97, under the real limits: refused with the usual
    reason, never a 500, nothing of them left on disk."""
    monkeypatch.setitem(portal.registry.settings, "congdichvu.upload_max_file_mb", "25")
    monkeypatch.setitem(portal.registry.settings, "congdichvu.upload_max_dossier_mb", "100")
    browser = citizen(portal)
    papers = fill_applicant(start(browser)).follow()
    hostile = [(name, build()) for name, build in sorted(HOSTILE_ZIPS.items())]
    page = upload(papers, {0: hostile + [("to-khai.pdf", PDF)]})
    assert page.status_int == 200
    alert = page.html.select_one("[role=alert]").text
    for name, _content in hostile:
        assert f"Tệp “{name}” không phải tệp PDF" in alert
    assert [li.select_one("span").text for li in page.html.select(".file-list li")] == ["to-khai.pdf"]
    data_dir = Path(portal.registry.settings["congdichvu.data_dir"])
    token = page.request.path.split("/")[3]
    assert len(list((data_dir / "uploads" / token).iterdir())) == 1


def test_the_dossier_size_limit_counts_every_paper(portal):
    browser = citizen(portal)
    papers = fill_applicant(start(browser)).follow()
    big = PDF + b"0" * 45_000
    page = upload(papers, {0: [("a.pdf", big)], 1: [("b.pdf", big)], 4: [("c.pdf", big)]})
    assert "Tổng dung lượng" in page.html.select_one("[role=alert]").text
    assert len(page.html.select(".file-list li")) == 2


def test_a_post_without_the_csrf_token_changes_nothing(portal):
    browser = citizen(portal)
    step = start(browser)
    answer = browser.post(step.request.path, params={"full_name": "Kẻ Giả Mạo", "next": "next"}, expect_errors=True)
    assert answer.status_int == 302 and answer.location.endswith(step.request.path)  # back to the form
    assert browser.get(step.request.path).forms["step"]["full_name"].value == "Nguyễn Văn An"


def submitted(portal, browser):
    form = to_review(browser).forms["step"]
    form["declaration"] = True
    form.submit("submit")
    return latest_dossier(portal, browser)


def test_another_citizen_sees_nothing_of_it(portal):
    owner, stranger = citizen(portal), citizen(portal)
    draft_page = start(owner)
    dossier = submitted(portal, owner)
    paper = next(f for f in dossier.files if f.kind == "paper")
    for url in (draft_page.request.path, f"/ho-so-cua-toi/{dossier.code}",
                f"/ho-so-cua-toi/{dossier.code}/tep/{paper.id}"):
        assert stranger.get(url, expect_errors=True).status_int == 404
    csrf = stranger.get(f"/thu-tuc/{PROCEDURE}/nop-truc-tuyen").forms["start"]["csrf_token"].value
    answer = stranger.post(f"/ho-so-cua-toi/{dossier.code}/rut", params={"csrf_token": csrf, "reason": "Tôi muốn rút"},
                           expect_errors=True)
    assert answer.status_int == 404
    assert latest_dossier(portal, owner).state == 1


def test_a_citizen_withdraws_a_dossier_not_yet_received(portal):
    browser = citizen(portal)
    dossier = submitted(portal, browser)
    page = browser.get(f"/ho-so-cua-toi/{dossier.code}")
    form = page.forms["withdraw"]
    form["reason"] = "ok"
    short = form.submit(expect_errors=True)
    assert short.status_int == 400 and "lý do" in short.text
    form["reason"] = "Tôi nộp nhầm thủ tục"
    done = form.submit().follow()
    assert "Đã rút hồ sơ" in done.text and "Tôi nộp nhầm thủ tục" in done.text
    assert latest_dossier(portal, browser).state == 7
    replay = form.submit().follow()
    assert "Không thể rút" in replay.text
    assert [e.to_state for e in latest_dossier(portal, browser).events] == [1, 7]


def all_at_once(tabs, send):
    """``send(tab)`` from every tab at the same moment; the answers."""
    barrier, answers = threading.Barrier(len(tabs)), []

    def go(tab):
        barrier.wait()
        answers.append(send(tab))

    threads = [threading.Thread(target=go, args=(tab,)) for tab in tabs]
    [thread.start() for thread in threads]
    [thread.join() for thread in threads]
    return answers


def _flashes(answers):
    return sorted(answer.follow().html.select_one(".flash, [role=status]").text.strip() for answer in answers)


def test_six_withdrawals_at_the_same_moment_make_one_event(portal):
    browser = citizen(portal)
    dossier = submitted(portal, browser)
    form = browser.get(f"/ho-so-cua-toi/{dossier.code}").forms["withdraw"]
    form["reason"] = "Tôi nộp nhầm thủ tục"
    fields = form.submit_fields()
    answers = all_at_once([twin(portal, browser) for _n in range(6)],
                          lambda tab: tab.post(form.action, params=fields, expect_errors=True))
    assert [answer.status_int for answer in answers] == [302] * 6
    after = latest_dossier(portal, browser)
    assert after.state == 7 and [(e.from_state, e.to_state) for e in after.events] == [(None, 1), (1, 7)]
    flashes = _flashes(answers)
    assert flashes.count("Đã rút hồ sơ.") == 1 and sum("Không thể rút" in text for text in flashes) == 5


def _ask_for_papers(portal, dossier, note="Bản sao giấy đăng ký kết hôn của cha mẹ"):
    from congdichvu.eservices import services

    run(portal, lambda db: services.transition(db, db.get(Dossier, dossier.id), 5, "officer.test", note))


def test_six_supplements_at_the_same_moment_add_one_set_of_papers(portal):
    browser = citizen(portal)
    dossier = submitted(portal, browser)
    _ask_for_papers(portal, dossier)
    form = browser.get(f"/ho-so-cua-toi/{dossier.code}").forms["supplement"]
    params = [("csrf_token", form["csrf_token"].value), ("__formid__", form["__formid__"].value)]
    answers = all_at_once([twin(portal, browser) for _n in range(6)], lambda tab: tab.post(
        form.action, params=params + [("files", webtest.Upload("ket-hon.pdf", PDF))],
        content_type="multipart/form-data", expect_errors=True))
    assert [answer.status_int for answer in answers] == [302] * 6
    after = latest_dossier(portal, browser)
    assert after.state == 1 and [(e.from_state, e.to_state) for e in after.events] == [(None, 1), (1, 5), (5, 1)]
    supplements = [f for f in after.files if f.kind == "supplement"]
    assert len(supplements) == 1
    data_dir = Path(portal.registry.settings["congdichvu.data_dir"])
    assert (data_dir / "dossiers" / supplements[0].storage_key).read_bytes() == PDF
    assert not list((data_dir / "uploads" / f"supplement-{dossier.id}").glob("*"))  # the others' files are gone
    flashes = _flashes(answers)
    assert flashes.count("Đã bổ sung giấy tờ. Cơ quan giải quyết đã được thông báo.") == 1, flashes
    assert flashes.count("Hồ sơ này không ở trạng thái chờ bổ sung.") == 5


def test_a_citizen_adds_the_papers_an_officer_asked_for(portal):
    browser = citizen(portal)
    dossier = submitted(portal, browser)
    _ask_for_papers(portal, dossier, "Bản sao giấy đăng ký kết hôn của cha mẹ")
    page = browser.get(f"/ho-so-cua-toi/{dossier.code}")
    assert "Bản sao giấy đăng ký kết hôn của cha mẹ" in page.text
    form = page.forms["supplement"]
    params = [("csrf_token", form["csrf_token"].value), ("__formid__", form["__formid__"].value)]
    refused = browser.post(form.action, params=params + [("files", webtest.Upload("ket-hon.pdf", EXE))],
                           content_type="multipart/form-data", expect_errors=True)
    assert refused.status_int == 400 and "ket-hon.pdf" in refused.text
    assert latest_dossier(portal, browser).state == 5
    added = browser.post(form.action, params=params + [("files", webtest.Upload("ket-hon.pdf", PDF))],
                         content_type="multipart/form-data").follow()
    assert "Đã bổ sung giấy tờ" in added.text
    after = latest_dossier(portal, browser)
    # asked before reception: back to be received (Decree 61/2018, Art. 15)
    assert after.state == 1 and [e.to_state for e in after.events] == [1, 5, 1]
    supplement = next(f for f in after.files if f.kind == "supplement")
    assert browser.get(f"/ho-so-cua-toi/{dossier.code}/tep/{supplement.id}").body == PDF


def test_editors_define_the_questions_a_procedure_asks(portal):
    code = "1.000894"
    editor = citizen(portal, role="editor")
    page = editor.get(f"/quan-tri/thu-tuc/{code}/cau-hoi-nop-truc-tuyen")
    form = page.forms["deform"]
    form.set("label", "Họ tên người được khai sinh", index=0)
    form.set("kind", "text", index=0)
    form.set("required", True, index=0)
    saved = form.submit("save").follow()
    assert "Đã lưu các câu hỏi" in saved.text
    form = saved.forms["deform"]
    form.set("label", "Nơi sinh", index=1)
    form.set("kind", "choice", index=1)
    form.set("choices", "Cơ sở y tế", index=1)
    refused = form.submit("save")
    assert "ít nhất hai lựa chọn" in refused.text
    form = refused.forms["deform"]
    form.set("choices", "Cơ sở y tế\nTại nhà", index=1)
    form.submit("save").follow()
    browser = citizen(portal)
    details = fill_applicant(start(browser, code)).follow()
    assert "Bước 2/5" in details.text and "Thông tin hồ sơ" in details.text
    missing = details.forms["step"].submit("next")
    assert missing.status_int == 200 and "Họ tên người được khai sinh" in missing.html.select_one("[role=alert]").text
    form = missing.forms["step"]
    form["ho_ten_nguoi_duoc_khai_sinh"] = "Nguyễn Bé Na"
    form["noi_sinh"] = "Tại nhà"
    papers = form.submit("next").follow()
    assert "Giấy tờ" in papers.text
    # the citizen's own page is not for editors' eyes, nor the editor's for citizens
    assert browser.get(f"/quan-tri/thu-tuc/{code}/cau-hoi-nop-truc-tuyen", expect_errors=True).status_int == 403


def test_every_page_of_the_flow_is_in_vietnamese(portal):
    from tests.functional.test_i18n import _english_ui_strings

    english = _english_ui_strings()
    browser = citizen(portal)
    pages = [browser.get(f"/thu-tuc/{PROCEDURE}/nop-truc-tuyen")]
    step1 = start(browser)
    pages.append(step1)
    pages.append(step1.forms["step"].submit("next"))  # with errors
    papers = fill_applicant(step1).follow()
    pages.append(papers)
    pages.append(upload(papers, {}))  # with errors
    review = to_review(browser)
    pages.append(review)
    form = review.forms["step"]
    form["declaration"] = True
    pages.append(form.submit("submit").follow())
    pages.append(browser.get("/ho-so-cua-toi"))
    for page in pages:
        assert '<html lang="vi">' in page.text
        assert sorted(s for s in english if s in page.text) == [], page.request.path


def test_fifty_simultaneous_submissions_get_codes_one_to_fifty(portal, monkeypatch):
    """Fifty dossiers for one agency submitted at the same moment: distinct
    codes, numbered 1..50 without a gap (PostgreSQL and SQLite)."""
    monkeypatch.setitem(portal.registry.settings, "congdichvu.max_open_drafts", "50")  # one person's fifty drafts
    monkeypatch.setitem(portal.registry.settings, "congdichvu.max_dossiers_per_day", "50")  # and dossiers
    agency = "H56.01.P07"
    browser = citizen(portal)
    reviews = []
    for _n in range(50):
        papers = fill_applicant(start(browser)).follow()
        form = upload(papers, REQUIRED).follow().forms["step"]
        form["agency"] = agency
        review = form.submit("next").follow()
        form = review.forms["step"]
        form["declaration"] = True
        reviews.append((review.request.path, form.submit_fields("submit")))
    barrier, answers = threading.Barrier(len(reviews)), []

    def submit(review):
        tab = twin(portal, browser)
        barrier.wait()
        answers.append(tab.post(review[0], params=review[1], expect_errors=True))

    threads = [threading.Thread(target=submit, args=(review,)) for review in reviews]
    [thread.start() for thread in threads]
    [thread.join() for thread in threads]
    assert [answer.status_int for answer in answers] == [302] * 50
    codes = run(portal, lambda db: list(db.scalars(select(Dossier.code).where(Dossier.agency_code == agency))))
    assert len(set(codes)) == 50
    assert sorted(int(code.rsplit("-", 1)[1]) for code in codes) == list(range(1, 51))
    # "Hồ sơ của tôi" lists all fifty, with their receipts, in a few queries (no query per dossier)
    from sqlalchemy import event

    statements = []
    engine = portal.registry["dbengine"]

    def count(*args):
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        page = browser.get("/ho-so-cua-toi")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(page.html.select("tbody tr")) >= 50
    assert len(page.html.select("tbody td a")) >= 50  # a receipt link per dossier
    assert len(statements) < 15, statements


def test_a_file_can_be_removed_and_a_draft_deleted(portal):
    browser = citizen(portal)
    papers = fill_applicant(start(browser)).follow()
    page = upload(papers, {0: [("mot.pdf", PDF), ("hai.pdf", PDF)]}, button="upload").follow()
    assert [li.select_one("span").text for li in page.html.select(".file-list li")] == ["mot.pdf", "hai.pdf"]
    page = page.forms["papers"].submit("remove", index=0).follow()
    assert [li.select_one("span").text for li in page.html.select(".file-list li")] == ["hai.pdf"]
    mine = browser.get("/ho-so-cua-toi")
    deleted = mine.forms[next(k for k in mine.forms if "xoa" in mine.forms[k].action)].submit().follow()
    assert "Đã xóa bản nháp" in deleted.text and "Bạn chưa có bản nháp nào" in deleted.text
    assert browser.get(page.request.path, expect_errors=True).status_int == 404
    data_dir = Path(portal.registry.settings["congdichvu.data_dir"])
    token = page.request.path.split("/")[3]
    assert not (data_dir / "uploads" / token).exists()


def test_the_receipt_is_vietnamese_even_for_an_english_interface(portal):
    from io import BytesIO

    from pypdf import PdfReader

    browser = citizen(portal)
    browser.set_cookie("_LOCALE_", "en")
    review = to_review(browser)
    assert "Review and submit" in review.text
    form = review.forms["step"]
    form["declaration"] = True
    form.submit("submit")
    dossier = latest_dossier(portal, browser)
    receipt = next(f for f in dossier.files if f.kind == "receipt")
    pdf = browser.get(f"/ho-so-cua-toi/{dossier.code}/tep/{receipt.id}").body
    text = unicodedata.normalize("NFC", PdfReader(BytesIO(pdf)).pages[0].extract_text())
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text and "Nhận kết quả: Tại Bộ phận" in text


def test_continuing_a_draft_resumes_where_it_was_left(portal):
    browser = citizen(portal)
    papers = fill_applicant(start(browser)).follow()
    upload(papers, {0: [("to-khai.pdf", PDF)]}, button="save").follow()
    link = browser.get("/ho-so-cua-toi").html.select_one(".procedure-list a.procedure-name")["href"]
    assert link.endswith("/giay-to")


def test_registering_on_the_way_to_a_submission_comes_back_to_it(portal):
    anonymous = webtest.TestApp(portal, extra_environ={"HTTP_HOST": "example.com"})
    login = anonymous.get(f"/thu-tuc/{PROCEDURE}/nop-truc-tuyen").follow()
    register = login.click(description="Đăng ký")
    form = register.forms["deform"]
    email = f"moi-{uuid.uuid4().hex[:8]}@example.invalid"
    form["full_name"], form["email"] = "Trần Thị Mới", email
    form["password"], form["password-confirm"] = "mật-khẩu-mới-dài", "mật-khẩu-mới-dài"
    assert email in form.submit("submit").text  # "we have sent a link to …"
    data_dir = Path(portal.registry.settings["congdichvu.data_dir"])
    mail = max((data_dir / "mail").glob("*"), key=lambda p: p.stat().st_mtime).read_text(errors="replace")
    link = re.search(r"http://example\.com(/xac-minh/\S+)", mail.replace("=\n", "")).group(1)
    confirmed = anonymous.get(link.replace("=3D", "="))
    sign_in = confirmed.click(description="Đăng nhập", index=1)
    form = sign_in.forms["deform"]
    form["login"], form["password"] = email, "mật-khẩu-mới-dài"
    assert form.submit("submit").location.endswith(f"/thu-tuc/{PROCEDURE}/nop-truc-tuyen")


def test_the_demo_procedure_with_questions_asks_them(portal):
    browser = citizen(portal)
    details = fill_applicant(start(browser, "1.004873")).follow()
    assert "Bước 2/5" in details.text and "Mục đích sử dụng Giấy xác nhận tình trạng hôn nhân" in details.text
    form = details.forms["step"]
    form["muc_dich_su_dung"] = "Vay vốn ngân hàng"
    form["da_tung_ket_hon"] = True
    papers = form.submit("next").follow()
    form = papers.forms["papers"]
    assert "/giay-to" in papers.request.path
    review = browser.get(papers.request.path.replace("/giay-to", "/xac-nhan"))
    assert "Vay vốn ngân hàng" in review.text and "Có" in review.text


def test_result_by_post_needs_an_address_and_the_choice_is_a_labelled_group(portal):
    browser = citizen(portal)
    papers = fill_applicant(start(browser)).follow()
    delivery = upload(papers, REQUIRED).follow()
    group = delivery.html.select_one("[role=radiogroup]")
    assert group is not None and delivery.html.find(id=group["aria-labelledby"]).text.strip() == \
        "Bạn muốn nhận kết quả bằng cách nào?"
    assert "25.000 ₫" in delivery.text  # the postal fee, shown before choosing
    form = delivery.forms["step"]
    choose_delivery(form, "postal")
    page = form.submit("next")
    assert page.status_int == 200
    summary = page.html.select(".error-summary li a")
    assert [a.text for a in summary] == ["Địa chỉ nhận kết quả qua bưu chính"]
    field = page.html.find(id=summary[0]["href"][1:])
    assert field["aria-invalid"] == "true" and "ghi đầy đủ địa chỉ" in page.html.find(id=field["aria-describedby"]).text
    # the declaration is required, and says so next to the box
    form = page.forms["step"]
    form["postal_address"] = "Số 5, đường Quang Trung, phường Phan Đình Phùng"
    review = form.submit("next").follow()
    refused = review.forms["step"].submit("submit")
    box = refused.html.find("input", attrs={"name": "declaration"})
    assert box["aria-invalid"] == "true" and "cam đoan" in refused.html.find(id=box["aria-describedby"]).text


def test_my_dossiers_label_every_cell_for_phones(portal):
    browser = citizen(portal)
    start(browser)  # a draft
    submitted(portal, browser)
    mine = browser.get("/ho-so-cua-toi")
    assert mine.html.select(".procedure-list li") and len(mine.html.select("main table tbody tr")) == 1
    assert_tables_stack(mine)


def test_no_step_of_the_flow_autofocuses_a_field(portal):
    """Deform focuses the first field, and its radio buttons wrote
    autofocus="False" (which browsers obey) on every choice after the first."""
    browser = citizen(portal)
    applicant = start(browser)
    papers = fill_applicant(applicant).follow()
    delivery = upload(papers, REQUIRED).follow()
    assert len(delivery.html.select("input[type=radio]")) == 3
    review = to_review(browser)
    for page in (applicant, papers, delivery, review):
        assert page.html.find(autofocus=True) is None, page.request.path


def _facts(page, selector="dl.facts"):
    """{label: value} of the definition lists ``selector`` matches."""
    rows = [row for dl in page.html.select(selector) for row in dl.select(":scope > div")]
    return {row.dt.text.strip(): row.dd.text.strip() for row in rows}


def _submit(review):
    form = review.forms["step"]
    form["declaration"] = True
    return form.submit("submit").follow()


def test_the_address_names_the_ward_not_its_committee(portal):
    browser = citizen(portal)
    review = to_review(browser)
    address = "Số 12, tổ 3, đường Hoàng Văn Thụ, Phường Gia Sàng"
    assert _facts(review, "dl.summary")["Địa chỉ"] == address
    page = _submit(review)
    assert _facts(page, "dl.summary")["Địa chỉ"] == address
    assert latest_dossier(portal, browser).data["ward_name"] == "Phường Gia Sàng"
    # the receiving agency is the committee, and keeps its full name
    assert _facts(page, ".receipt dl.facts")["Cơ quan tiếp nhận"] == "UBND phường Gia Sàng"


def _mail_about(portal, code):
    import email
    from email import policy

    data_dir = Path(portal.registry.settings["congdichvu.data_dir"])
    for path in sorted((data_dir / "mail").glob("*"), key=lambda p: p.stat().st_mtime, reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if code in str(message["Subject"]):
            return message
    raise AssertionError(f"no mail about {code}")


def test_a_dossier_no_officer_received_is_called_submitted_everywhere(portal):
    from io import BytesIO

    from pypdf import PdfReader

    browser = citizen(portal)
    page = _submit(to_review(browser))
    dossier = latest_dossier(portal, browser)
    facts = _facts(page, ".receipt dl.facts")
    assert facts["Trạng thái"] == "Đã nộp, chờ tiếp nhận"
    assert "Thời điểm tiếp nhận" not in facts
    assert page.html.select_one("#receipt-h").text == "Nộp hồ sơ và hẹn trả kết quả"
    submitted_at = facts["Ngày nộp"]
    row = next(tr for tr in browser.get("/ho-so-cua-toi").html.select("tbody tr") if dossier.code in tr.text)
    assert [td.text.strip() for td in row.select("td")][1:3] == ["Đã nộp, chờ tiếp nhận", submitted_at]
    mail = _mail_about(portal, dossier.code)
    assert mail["Subject"] == f"Đã nộp hồ sơ {dossier.code}"
    # through the outbox, sent after the commit
    [sent] = run(portal, lambda db: [(n.channel, n.kind, n.sent_at is not None) for n in db.scalars(
        select(Notification).where(Notification.dossier_id == dossier.id))])
    assert sent == ("email", "dossier.submit", True)
    body = mail.get_body(("plain",)).get_content()
    assert f"Thời điểm nộp: {submitted_at}" in body and "Thời điểm tiếp nhận" not in body
    receipt = next(f for f in dossier.files if f.kind == "receipt")
    pdf = browser.get(f"/ho-so-cua-toi/{dossier.code}/tep/{receipt.id}").body
    text = " ".join(unicodedata.normalize("NFC", PdfReader(BytesIO(pdf)).pages[0].extract_text()).split())
    day, time = submitted_at.split()  # the form writes "12 giờ 36 phút, ngày 30 tháng 11 năm 2026"
    (d, m, y), (hh, mm) = day.split("/"), time.split(":")
    written = f"{hh} giờ {mm} phút, ngày {d} tháng {m} năm {y}"
    assert f"Thời gian nộp hồ sơ: {written}" in text and "Tiếp nhận hồ sơ của" not in text


def test_a_paper_only_shown_for_comparison_is_no_upload_slot(portal):
    from io import BytesIO

    from pypdf import PdfReader

    shown = "Giấy tờ tùy thân của người đi đăng ký khai sinh"
    browser = citizen(portal)
    start_page = browser.get(f"/thu-tuc/{PROCEDURE}/nop-truc-tuyen")
    assert shown in start_page.html.select_one(".to-show").text
    papers = fill_applicant(start(browser)).follow()
    assert "paper-5" not in papers.forms["papers"].fields and "paper-4" in papers.forms["papers"].fields
    assert shown in papers.html.select_one(".to-show").text
    assert not any(shown in legend.text for legend in papers.html.select(".paper-slot legend"))
    # the two papers handed in are enough; a file posted for the shown paper is not kept
    delivery = upload(papers, {**REQUIRED, 5: [("cccd.pdf", PDF)]})
    assert delivery.status_int == 302
    review = delivery.follow().forms["step"].submit("next").follow()
    assert "cccd.pdf" not in review.text and shown in review.html.select_one(".to-show").text
    _submit(review)
    dossier = latest_dossier(portal, browser)
    assert len(dossier.data["papers"]) == 5 and not any(shown in p["paper"] for p in dossier.data["papers"])
    assert {f.filename for f in dossier.files if f.kind == "paper"} == {"to-khai.pdf", "giay-chung-sinh.png"}
    receipt = next(f for f in dossier.files if f.kind == "receipt")
    text = unicodedata.normalize("NFC", PdfReader(BytesIO(browser.get(
        f"/ho-so-cua-toi/{dossier.code}/tep/{receipt.id}").body)).pages[0].extract_text())
    assert "Tờ khai đăng ký khai sinh" in text and "Giấy chứng sinh" in text and "tùy thân" not in text


def test_an_administrator_gets_404_on_a_citizens_dossier_and_drafts(portal):
    owner, admin = citizen(portal), citizen(portal, role="admin")
    dossier = submitted(portal, owner)
    draft_page = start(owner)  # a new draft, still open
    draft_path = draft_page.request.path
    paper = next(f for f in dossier.files if f.kind == "paper")
    for url in (draft_path, f"/ho-so-cua-toi/{dossier.code}", f"/ho-so-cua-toi/{dossier.code}/tep/{paper.id}"):
        assert admin.get(url, expect_errors=True).status_int == 404, url
    csrf = admin.get(f"/thu-tuc/{PROCEDURE}/nop-truc-tuyen").forms["start"]["csrf_token"].value
    posts = {f"/ho-so-cua-toi/{dossier.code}/rut": {"reason": "Quản trị rút hộ"},
             f"/ho-so-cua-toi/{dossier.code}/bo-sung": {},
             draft_path.rsplit("/", 1)[0] + "/xoa": {},
             draft_path: {"full_name": "Quản Trị Sửa Hộ", "next": "next"}}
    for url, fields in posts.items():
        assert admin.post(url, params={"csrf_token": csrf, **fields}, expect_errors=True).status_int == 404, url
    after = latest_dossier(portal, owner)
    assert after.state == 1 and [e.to_state for e in after.events] == [1]
    assert owner.get(f"/ho-so-cua-toi/{dossier.code}").status_int == 200
    assert owner.get(draft_path).forms["step"]["full_name"].value == "Nguyễn Văn An"
    assert admin.get("/quan-tri/nhat-ky").status_int == 200  # the rest of the portal is the administrator's


def _procedure_columns(portal, code, values=None):
    """The procedure's columns named in ``values`` before setting them to
    ``values`` (committed, as an editor's change would be)."""
    from sqlalchemy import update

    from congdichvu.catalog.models import Procedure

    def change(db):
        procedure = db.scalar(select(Procedure).where(Procedure.code == code))
        before = {name: getattr(procedure, name) for name in values}
        db.execute(update(Procedure).where(Procedure.code == code).values(**values))
        return before

    return run(portal, change)


@pytest.mark.parametrize("change", [{"status": "archived"}, {"online_level": 2}], ids=["archived", "level-lowered"])
def test_a_draft_whose_procedure_left_online_submission_can_only_be_deleted(portal, change):
    browser = citizen(portal)
    papers = fill_applicant(start(browser)).follow()
    step = papers.request.path
    before = _procedure_columns(portal, PROCEDURE, change)
    try:
        mine = browser.get("/ho-so-cua-toi")
        item = mine.html.select_one(".procedure-list li")
        assert item.select_one("a") is None  # no link that would lead nowhere
        assert item.select_one(".procedure-name").text.strip() == "Đăng ký khai sinh"
        assert "Thủ tục này không còn nhận hồ sơ trực tuyến nên không thể tiếp tục bản nháp" in item.text
        token = mine.forms[next(k for k in mine.forms if "xoa" in mine.forms[k].action)]["csrf_token"].value
        # its steps, read or posted, lead to "Hồ sơ của tôi" with the reason
        for answer in (browser.get(step), browser.post(step, {"csrf_token": token, "next": "next"}),
                       browser.get(step.replace("/giay-to", "/xac-nhan"))):
            assert answer.status_int == 302 and answer.location == "http://example.com/ho-so-cua-toi"
        shown = browser.get(step).follow()
        assert "Thủ tục của bản nháp này không còn nhận hồ sơ trực tuyến" in shown.html.select_one(".flash").text
        form = shown.forms[next(k for k in shown.forms if "xoa" in shown.forms[k].action)]
        assert "Đã xóa bản nháp" in form.submit().follow().text
    finally:
        _procedure_columns(portal, PROCEDURE, before)
    assert browser.get(step, expect_errors=True).status_int == 404  # deleted: it is gone


def _open_drafts(portal, browser):
    return run(portal, lambda db: db.scalar(select(func.count(DossierDraft.id)).where(
        DossierDraft.user_id == _user_id(db, browser), DossierDraft.dossier_id.is_(None))))


def test_a_person_keeps_at_most_twenty_open_drafts_even_starting_six_at_once(portal):
    from congdichvu.accounts.models import User
    from congdichvu.eservices import flow

    browser = citizen(portal)
    run(portal, lambda db: [flow.new_draft(db, db.get(User, _user_id(db, browser)), SimpleNamespace(code=PROCEDURE))
                            for _n in range(18)])
    page = browser.get(f"/thu-tuc/{PROCEDURE}/nop-truc-tuyen")
    fields = page.forms["start"].submit_fields()
    answers = all_at_once([twin(portal, browser) for _n in range(6)], lambda tab: tab.post(
        page.forms["start"].action, params=fields, expect_errors=True))
    assert [answer.status_int for answer in answers] == [302] * 6
    assert sorted(answer.location.endswith("/nguoi-nop") for answer in answers) == [False] * 4 + [True] * 2
    assert _open_drafts(portal, browser) == 20
    refused = page.forms["start"].submit()
    assert refused.location == "http://example.com/ho-so-cua-toi" and _open_drafts(portal, browser) == 20
    mine = refused.follow()
    assert "Bạn đang có 20 bản nháp chưa nộp" in mine.html.select_one(".flash").text
    # a submitted dossier frees its place; so does a deleted draft
    mine.forms[next(k for k in mine.forms if "xoa" in mine.forms[k].action)].submit()
    assert page.forms["start"].submit().location.endswith("/nguoi-nop") and _open_drafts(portal, browser) == 20


def test_a_double_click_on_submit_still_shows_the_secret_once(portal):
    """The browser sends the submit twice and follows the second answer,
    which carries the cookies it had before the first one came back."""
    browser = citizen(portal)
    review = to_review(browser)
    form = review.forms["step"]
    form["declaration"] = True
    fields = form.submit_fields("submit")
    second_click = twin(portal, browser)  # the same browser, as it was when it clicked
    first = browser.post(review.request.path, params=fields)
    second = second_click.post(review.request.path, params=fields)
    assert second.status_int == 302 and second.location == first.location and second.location.endswith("?moi=1")
    page = second.follow()
    assert "Hồ sơ của bạn đã được nộp" in page.text
    secret = page.html.select_one(".secret").text.strip()
    assert len(secret) == 8
    # once: not on the first answer's page, nor on a reload
    assert first.follow().html.select_one(".secret") is None
    assert second_click.get(second.location).html.select_one(".secret") is None
    # and it is the dossier's: the public lookup takes it
    dossier = latest_dossier(portal, browser)
    lookup = webtest.TestApp(portal, extra_environ={"HTTP_HOST": "example.com"}).get("/tra-cuu-ho-so").forms["lookup"]
    lookup["code"], lookup["secret"] = dossier.code, secret
    assert "Không có hồ sơ nào" not in lookup.submit().text and dossier.code in lookup.submit().text


def test_a_head_request_does_not_use_up_the_secret(portal):
    """HEAD runs the receipt's GET view for its headers only: its
    transaction is aborted, so the secret shown once is left for the GET."""
    browser = citizen(portal)
    form = to_review(browser).forms["step"]
    form["declaration"] = True
    receipt = form.submit("submit").location
    assert browser.head(receipt).status_int == 200
    assert len(browser.get(receipt).html.select_one(".secret").text.strip()) == 8


def test_a_swept_draft_keeps_its_answers_and_asks_for_the_papers_again(portal):
    from datetime import timedelta

    from sqlalchemy import update

    from congdichvu.eservices import sweep
    from congdichvu.eservices.flow import now_utc
    from congdichvu.eservices.storage import FileStore

    browser = citizen(portal)
    papers = fill_applicant(start(browser)).follow()
    saved = upload(papers, {0: [("to-khai.pdf", PDF)]}, button="save").follow()
    token = saved.request.path.split("/")[3]
    run(portal, lambda db: db.execute(update(DossierDraft).where(DossierDraft.token == token).values(
        updated_at=now_utc() - timedelta(days=91))))
    data_dir = Path(portal.registry.settings["congdichvu.data_dir"])
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        db = get_tm_session(portal.registry["dbsession_factory"], manager)
        swept = sweep.sweep(db, FileStore(data_dir), manager.get(), timedelta(days=90))
    assert token in swept.drafts and not (data_dir / "uploads" / token).exists()
    page = browser.get(saved.request.path)
    assert "đã bị xóa vì bản nháp không được dùng trong thời gian dài" in page.html.select_one(".notice").text
    assert not page.html.select(".file-list li")
    back = browser.get(saved.request.path.replace("/giay-to", "/nguoi-nop"))
    assert back.forms["step"]["id_number"].value == "019090001234"  # the answers stay


def test_the_mail_about_a_dossier_goes_to_the_account_never_to_the_address_typed_in_it(portal):
    """The portal is no mail relay: the email typed in the form stays in
    the dossier for the officers, and the mail (with the lookup secret)
    goes to the signed-in account's confirmed email."""
    browser = citizen(portal)
    papers = fill_applicant(start(browser), email="nguoi.la@example.invalid").follow()
    form = upload(papers, REQUIRED).follow().forms["step"]
    choose_delivery(form, "counter")
    _submit(form.submit("next").follow())
    dossier = latest_dossier(portal, browser)
    assert dossier.data["applicant"]["email"] == "nguoi.la@example.invalid"
    assert _mail_about(portal, dossier.code)["To"] == f"{browser.username}@example.invalid"


def test_an_account_without_a_confirmed_email_gets_no_mail_about_its_dossier(portal):
    from congdichvu.accounts.models import User

    browser = citizen(portal, role="admin")  # staff may submit too; this one's email was never confirmed
    run(portal, lambda db: setattr(db.get(User, _user_id(db, browser)), "email_verified", False))
    _submit(to_review(browser))
    with pytest.raises(AssertionError, match="no mail about"):
        _mail_about(portal, latest_dossier(portal, browser).code)


def _review_ready(browser):
    form = to_review(browser).forms["step"]
    form["declaration"] = True
    return form


def _post_of(form):
    """(address, fields) of submitting ``form``: to send from another tab."""
    return form.response.request.path, form.submit_fields("submit")


def test_a_person_submits_at_most_the_daily_limit_and_the_next_draft_stays(portal, monkeypatch):
    from datetime import datetime, time, timedelta

    from congdichvu.i18n.formatting import from_local, today_local

    monkeypatch.setitem(portal.registry.settings, "congdichvu.max_dossiers_per_day", "2")
    browser = citizen(portal)
    for _n in range(2):
        assert _review_ready(browser).submit("submit").status_int == 302
    form = _review_ready(browser)
    refused = form.submit("submit", expect_errors=True)
    assert refused.status_int == 429
    assert "Hôm nay bạn đã nộp 2 hồ sơ" in refused.html.select_one("[role=alert]").text
    assert refused.forms["step"]["declaration"].checked  # nothing typed is lost, the tick included
    kept = run(portal, lambda db: db.scalar(select(DossierDraft.data).where(
        DossierDraft.user_id == _user_id(db, browser), DossierDraft.dossier_id.is_(None))))
    assert kept["applicant"]["id_number"] == "019090001234" and kept["papers"]
    # the day is the city's: dossiers of yesterday (local) no longer count
    yesterday = from_local(datetime.combine(today_local(), time())) - timedelta(seconds=1)
    run(portal, lambda db: [setattr(dossier, "submitted_at", yesterday) for dossier in db.scalars(
        select(Dossier).where(Dossier.applicant_id == _user_id(db, browser)))])
    assert refused.forms["step"].submit("submit").status_int == 302


def test_the_daily_limit_holds_for_submissions_at_the_same_moment(portal, monkeypatch):
    monkeypatch.setitem(portal.registry.settings, "congdichvu.max_dossiers_per_day", "2")
    browser = citizen(portal)
    posts = [_post_of(_review_ready(browser)) for _n in range(4)]
    answers = all_at_once([twin(portal, browser) for _n in posts],
                          lambda tab: tab.post(*posts.pop(), expect_errors=True))
    assert sorted(answer.status_int for answer in answers) == [302, 302, 429, 429]
    assert run(portal, lambda db: db.scalar(select(func.count(Dossier.id)).where(
        Dossier.applicant_id == _user_id(db, browser)))) == 2


def test_files_of_a_paper_the_procedure_no_longer_asks_for_are_let_go(portal):
    """An editor removed, renamed or marked "shown only" a paper a draft
    had files for: the applicant can neither see nor remove them, so they
    neither count against the limits nor stay on disk once papers are sent."""
    browser = citizen(portal)
    papers = fill_applicant(start(browser)).follow()
    token = papers.request.path.split("/")[3]
    folder = Path(portal.registry.settings["congdichvu.data_dir"]) / "uploads" / token
    folder.mkdir(parents=True)
    stale = []
    for _n in range(5):
        stale.append({"id": uuid.uuid4().hex, "name": "cu.pdf", "type": ".pdf", "size": len(PDF), "sha256": "-"})
        (folder / stale[-1]["id"]).write_bytes(PDF)

    def give_stale_files(db):
        draft = db.scalar(select(DossierDraft).where(DossierDraft.token == token))
        draft.data = dict(draft.data, papers={"Giấy tờ thủ tục không còn yêu cầu": stale})

    run(portal, give_stale_files)
    page = upload(papers, {0: [("mot.pdf", PDF), ("hai.pdf", PDF)]}, button="save")
    assert page.status_int == 302
    data = run(portal, lambda db: db.scalar(select(DossierDraft.data).where(DossierDraft.token == token)))
    assert [[f["name"] for f in files] for files in data["papers"].values()] == [["mot.pdf", "hai.pdf"]]
    assert sorted(p.name for p in folder.iterdir()) == sorted(f["id"] for files in data["papers"].values()
                                                               for f in files)
