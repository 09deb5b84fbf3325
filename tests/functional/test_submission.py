"""Nộp hồ sơ trực tuyến, walked through the running app on a database that
really commits (files reach the dossier store only after a commit)."""
import hashlib
import os
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
import transaction
import webtest
from pyramid.scripting import prepare
from sqlalchemy import func, select

from congdichvu.accounts import services as accounts
from congdichvu.config import configure
from congdichvu.eservices.models import Dossier, DossierDraft, DossierEvent
from congdichvu.models import get_tm_session
from tests.conftest import migrated_settings

PROCEDURE = "1.001193"  # Đăng ký khai sinh: commune level, online level 4, papers 1, 2 and 6 required
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 200


@pytest.fixture(scope="module")
def portal(databases, tmp_path_factory):
    """A committing app on its own migrated database with the demo catalogue,
    small upload limits so the limits can be reached."""
    settings = migrated_settings(databases, tmp_path_factory)
    settings.update({"congdichvu.upload_max_file_mb": "0.05", "congdichvu.upload_max_dossier_mb": "0.12",
                     "congdichvu.upload_max_files": "6"})
    app = configure(settings).make_wsgi_app()
    from congdichvu.scripts.catalog import load_demo

    env = prepare(registry=app.registry)
    try:
        with open(os.devnull, "w") as quiet:
            assert load_demo(env, out=quiet) == 0
    finally:
        env["closer"]()
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
    params = [("csrf_token", form["csrf_token"].value), (button, button)]
    return page.test_app.post(form.action, params=params + fields, content_type="multipart/form-data",
                              expect_errors=True)


REQUIRED = {0: [("to-khai.pdf", PDF)], 1: [("giay-chung-sinh.png", PNG)], 5: [("cccd.pdf", PDF)]}


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
    assert dossier.state == 1 and dossier.channel == "online" and dossier.code.startswith("H56.01.P05-")
    assert dossier.data["delivery"]["delivery"] == "postal"
    assert dossier.procedure_snapshot["code"] == PROCEDURE
    # each file is stored with its hash, downloadable as an attachment of the right type
    files = {f.filename: f for f in dossier.files}
    assert set(files) == {"to-khai.pdf", "giay-chung-sinh.png", "cccd.pdf", f"giay-tiep-nhan-{dossier.code}.pdf"}
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
    # and "Hồ sơ của tôi" lists it
    assert dossier.code in browser.get("/ho-so-cua-toi").text


def _detached(dossier):
    """A plain copy, readable after the session is gone."""
    columns = ("id", "code", "state", "channel", "data", "procedure_snapshot", "agency_code")
    copy = SimpleNamespace(**{name: getattr(dossier, name) for name in columns})
    copy.files = [SimpleNamespace(id=f.id, filename=f.filename, sha256=f.sha256, kind=f.kind, size=f.size,
                                  storage_key=f.storage_key) for f in dossier.files]
    copy.events = [SimpleNamespace(from_state=e.from_state, to_state=e.to_state, note=e.note) for e in dossier.events]
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
