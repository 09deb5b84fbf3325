"""Two staff members doing the same thing at the same moment, on an app that
commits (pyramid_tm, pyramid_retry): each check-then-insert of the CMS,
made to race, gives the answer the request would give had it come second.

The race is forced: the first two INSERTs into the table are held until
both requests have reached them (so both made their checks before either
wrote). The loser's insert then fails on the unique key; the request is
sent through again, sees the winner's row and answers from it.
"""
import hashlib
import io
import re
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import webtest
from sqlalchemy import event, select

from congdichvu.calendar.models import CalendarOverride
from congdichvu.catalog.models import Procedure
from congdichvu.catalog.models import FormTemplate
from congdichvu.cms.models import Article, ArticleRevision, ProcedureRevision
from congdichvu.eservices.models import SubmissionForm
from tests.conftest import committing_portal
from tests.functional.test_cms import new_procedure_form
from tests.functional.test_submission import citizen, run


@pytest.fixture(scope="module")
def staff_portal(databases, tmp_path_factory):
    """A committing app on its own database, counting the requests it retries."""
    app = committing_portal(databases, tmp_path_factory)
    yield app
    app.registry["dbengine"].dispose()


@contextmanager
def racing(app, retried=True, parties=2):
    """Hold the first write of each of the next ``parties`` requests until
    all of them are there: each has made its checks before any writes."""
    barrier, lock, held = threading.Barrier(parties, timeout=10), threading.Lock(), {}
    write = re.compile(r"\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)

    def before(conn, cursor, statement, parameters, context, executemany):
        thread = threading.get_ident()
        if not write.match(statement):
            return
        with lock:
            if thread in held or len(held) == parties:
                return
            held[thread] = statement
        try:
            barrier.wait()
        except threading.BrokenBarrierError:  # the other request never got here: no race to force
            pass

    engine = app.registry["dbengine"]
    before_retries = len(app.retried)
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", before)
    assert len(held) == parties and not barrier.broken, f"the requests did not race: {held}"
    if retried is None:  # either: the backend decides (SQLite may refuse a stale write and retry it)
        pass
    elif retried:
        assert len(app.retried) > before_retries, "the losing request was not tried again"
    else:
        assert len(app.retried) == before_retries, "a request was tried again"


def together(*sends):
    """Run the ``sends`` (each a callable sending one request) at once."""
    with ThreadPoolExecutor(len(sends)) as pool:
        return [future.result() for future in [pool.submit(send) for send in sends]]


def _detached(db, query):
    rows = db.scalars(query).all()
    for row in rows:
        db.expunge(row)
    return rows


def test_two_editors_saving_one_procedure_both_get_a_revision(staff_portal):
    code = "1.004859"
    editors = [citizen(staff_portal, role="editor") for _ in range(2)]
    forms = [editor.get(f"/quan-tri/thu-tuc/{code}/sua").forms["deform"] for editor in editors]
    for number, form in enumerate(forms, start=1):
        form.set("name", f"Tên sửa lần {number}", index=0)
    with racing(staff_portal):
        answers = together(*(lambda form=form: form.submit("save") for form in forms))
    assert [answer.status_int for answer in answers] == [302, 302]
    revisions = run(staff_portal, lambda db: [(r.number, r.state, r.name) for r in _detached(
        db, select(ProcedureRevision).where(ProcedureRevision.procedure_code == code)
        .order_by(ProcedureRevision.number))])
    # the second to commit made revision 2 (its number counted again) and the working draft
    assert [(number, state) for number, state, _name in revisions] == [(1, "historic"), (2, "draft")]
    assert {name for _n, _s, name in revisions} == {"Tên sửa lần 1", "Tên sửa lần 2"}
    assert {answer.location.split("saved=")[1] for answer in answers} == {"1", "2"}


def _audit_count(portal, action, target):
    from congdichvu.accounts.models import AuditEvent

    return run(portal, lambda db: len(db.scalars(select(AuditEvent.id).where(
        AuditEvent.action == action, AuditEvent.target == target)).all()))


def _pending(portal, code, name):
    editor = citizen(portal, role="editor")
    form = editor.get(f"/quan-tri/thu-tuc/{code}/sua").forms["deform"]
    form.set("name", name, index=0)
    assert form.submit("submit_for_review").status_int == 302


def _action(page, action):
    return next(f for f in page.forms.values() if "action" in f.fields and f["action"].value == action)


def test_two_reviewers_publishing_one_revision_publish_it_once(staff_portal):
    code = "1.000894"
    _pending(staff_portal, code, "Đăng ký kết hôn, duyệt cùng lúc")
    reviewers = [citizen(staff_portal, role="reviewer") for _ in range(2)]
    forms = [_action(reviewer.get(f"/quan-tri/thu-tuc/{code}/lich-su"), "publish") for reviewer in reviewers]
    with racing(staff_portal, retried=None):
        answers = together(*(lambda form=form: form.submit(expect_errors=True) for form in forms))
    assert sorted(answer.status_int for answer in answers) == [302, 409]
    assert "Đã có người khác" in next(a for a in answers if a.status_int == 409).text
    assert _audit_count(staff_portal, "procedure.published", code) == 1


def test_a_draft_saved_while_a_reviewer_publishes_leaves_the_published_revision_published(staff_portal):
    """The save makes the working revisions history: it must not make
    history of the one the reviewer has just published."""
    code = "1.000656"
    _pending(staff_portal, code, "Đăng ký khai tử, bản chờ duyệt")
    reviewer, editor = citizen(staff_portal, role="reviewer"), citizen(staff_portal, role="editor")
    publish = _action(reviewer.get(f"/quan-tri/thu-tuc/{code}/lich-su"), "publish")
    edit = editor.get(f"/quan-tri/thu-tuc/{code}/sua").forms["deform"]
    edit.set("name", "Đăng ký khai tử, bản sửa tiếp", index=0)
    with racing(staff_portal, retried=None):
        published, saved = together(lambda: publish.submit(expect_errors=True), lambda: edit.submit("save"))
    assert saved.status_int == 302 and published.status_int in (302, 409)
    states = dict(run(staff_portal, lambda db: [(r.number, r.state) for r in _detached(
        db, select(ProcedureRevision).where(ProcedureRevision.procedure_code == code))]))
    name = run(staff_portal, lambda db: db.scalar(select(Procedure.name).where(Procedure.code == code)))
    if published.status_int == 302:
        assert states == {1: "published", 2: "draft"} and name == "Đăng ký khai tử, bản chờ duyệt"
    else:  # the save came first: what the reviewer read is history, and nothing was published
        assert states == {1: "historic", 2: "draft"} and name != "Đăng ký khai tử, bản chờ duyệt"


def test_two_reviewers_publishing_one_article_publish_it_once(staff_portal):
    editor = citizen(staff_portal, role="editor")
    edit_url = _article_form(editor, "thong-bao-mot-lan", "Thông báo một lần", kind="news").submit(
        "submit_for_review").location.split("?")[0]
    reviewers = [citizen(staff_portal, role="reviewer") for _ in range(2)]
    forms = [_action(reviewer.get(edit_url), "publish") for reviewer in reviewers]
    with racing(staff_portal, retried=None):
        answers = together(*(lambda form=form: form.submit(expect_errors=True) for form in forms))
    assert sorted(answer.status_int for answer in answers) == [302, 409]
    assert _audit_count(staff_portal, "news.published", "thong-bao-mot-lan") == 1


def test_comments_sent_at_once_from_one_address_keep_to_its_limit(staff_portal):
    from congdichvu.cms.articles import COMMENTS_PER_ADDRESS
    from congdichvu.cms.models import Comment

    editor, reviewer = citizen(staff_portal, role="editor"), citizen(staff_portal, role="reviewer")
    edit_url = _article_form(editor, "hoi-dap-cung-luc", "Hỏi đáp", kind="news").submit(
        "submit_for_review").location.split("?")[0]
    _action(reviewer.get(edit_url), "publish").submit()
    senders = [webtest.TestApp(staff_portal, extra_environ={"HTTP_HOST": "example.com", "REMOTE_ADDR": "198.51.100.7"})
               for _ in range(COMMENTS_PER_ADDRESS.limit + 3)]
    forms = [sender.get("/tin-tuc/hoi-dap-cung-luc").forms["deform"] for sender in senders]
    for number, form in enumerate(forms):
        form["name"], form["email"], form["text"] = f"Người {number}", "a@example.invalid", "Ý kiến đóng góp"
    with racing(staff_portal, retried=None, parties=len(forms)):
        answers = together(*(lambda form=form: form.submit("submit", expect_errors=True) for form in forms))
    assert sorted(answer.status_int for answer in answers).count(429) == 3
    assert run(staff_portal, lambda db: len(db.scalars(select(Comment.id).where(
        Comment.address == "198.51.100.7")).all())) == COMMENTS_PER_ADDRESS.limit


def test_two_editors_creating_one_procedure_code_the_second_is_told_it_exists(staff_portal):
    code = "1.999321"
    editors = [citizen(staff_portal, role="editor") for _ in range(2)]
    forms = [new_procedure_form(editor, code, f"Thủ tục mới {number}") for number, editor in enumerate(editors)]
    with racing(staff_portal):
        answers = together(*(lambda form=form: form.submit("save") for form in forms))
    assert sorted(answer.status_int for answer in answers) == [200, 302]
    refused = next(answer for answer in answers if answer.status_int == 200)
    assert "Mã thủ tục này đã có" in refused.html.select_one("p[id^=error-]").text
    revisions = run(staff_portal, lambda db: [(r.number, r.state) for r in _detached(
        db, select(ProcedureRevision).where(ProcedureRevision.procedure_code == code))])
    assert revisions == [(1, "draft")]


def _article_form(editor, slug, title, kind="page"):
    form = editor.get("/quan-tri/bai-viet/them", params={"kind": kind}).forms["deform"]
    form["title"], form["slug"], form["body"] = title, slug, "<p>Nội dung</p>"
    return form


def test_two_editors_creating_one_address_the_second_is_told_it_is_taken(staff_portal):
    editors = [citizen(staff_portal, role="editor") for _ in range(2)]
    forms = [_article_form(editor, "lich-tiep-cong-dan", f"Lịch tiếp công dân {n}") for n, editor in enumerate(editors)]
    with racing(staff_portal):
        answers = together(*(lambda form=form: form.submit("save") for form in forms))
    assert sorted(answer.status_int for answer in answers) == [200, 302]
    refused = next(answer for answer in answers if answer.status_int == 200)
    assert "Đã có trang hoặc bài viết khác dùng địa chỉ này." in refused.text
    assert run(staff_portal, lambda db: len(db.scalars(select(Article).where(
        Article.slug == "lich-tiep-cong-dan")).all())) == 1


def test_two_editors_saving_one_article_both_get_a_revision(staff_portal):
    editor, reviewer = citizen(staff_portal, role="editor"), citizen(staff_portal, role="reviewer")
    saved = _article_form(editor, "thong-bao-nghi-le", "Thông báo nghỉ lễ", kind="news").submit("submit_for_review")
    edit_url = saved.location.split("?")[0]
    page = reviewer.get(edit_url)
    next(f for f in page.forms.values() if "action" in f.fields and f["action"].value == "publish").submit()
    editors = [editor, citizen(staff_portal, role="editor")]
    forms = [other.get(edit_url).forms["deform"] for other in editors]
    for number, form in enumerate(forms, start=1):
        form["title"] = f"Thông báo nghỉ lễ, sửa lần {number}"
    with racing(staff_portal, retried=False):
        answers = together(*(lambda form=form: form.submit("save") for form in forms))
    assert [answer.status_int for answer in answers] == [302, 302]
    article_id = int(edit_url.rstrip("/").split("/")[-2])
    revisions = run(staff_portal, lambda db: [(r.number, r.state) for r in _detached(
        db, select(ArticleRevision).where(ArticleRevision.article_id == article_id).order_by(ArticleRevision.number))])
    # one after the other on the article's row, the second counting after the first
    assert revisions == [(1, "published"), (2, "historic"), (3, "draft")]


def test_two_editors_creating_one_procedure_s_questions_make_one_form(staff_portal):
    code = "1.005461"
    editors = [citizen(staff_portal, role="editor") for _ in range(2)]
    forms = [editor.get(f"/quan-tri/thu-tuc/{code}/cau-hoi-nop-truc-tuyen").forms["deform"] for editor in editors]
    for number, form in enumerate(forms, start=1):
        form.set("label", f"Câu hỏi của người {number}", index=0)
        form.set("kind", "text", index=0)
    with racing(staff_portal):
        answers = together(*(lambda form=form: form.submit("save") for form in forms))
    assert [answer.status_int for answer in answers] == [302, 302]
    labels = run(staff_portal, lambda db: [f["label"] for f in db.get(SubmissionForm, code).fields])
    assert labels in (["Câu hỏi của người 1"], ["Câu hỏi của người 2"])


def test_two_administrators_declaring_one_day_the_second_is_told_it_is_there(staff_portal):
    admins = [citizen(staff_portal, role="admin") for _ in range(2)]
    forms = [next(f for f in admin.get("/quan-tri/lich").forms.values() if "day" in f.fields) for admin in admins]
    for number, form in enumerate(forms, start=1):
        form["day"], form["kind"], form["note"] = "02/01/2027", "off", f"Quyết định số {number}"
    with racing(staff_portal):
        answers = together(*(lambda form=form: form.submit() for form in forms))
    assert sorted(answer.status_int for answer in answers) == [200, 302]
    refused = next(answer for answer in answers if answer.status_int == 200)
    assert "Ngày này đã được khai báo" in refused.text
    assert run(staff_portal, lambda db: len(db.scalars(select(CalendarOverride)).all())) == 1


def test_two_administrators_removing_one_day_remove_it_once(staff_portal):
    admins = [citizen(staff_portal, role="admin") for _ in range(2)]
    form = next(f for f in admins[0].get("/quan-tri/lich").forms.values() if "day" in f.fields)
    form["day"], form["kind"], form["note"] = "09/01/2027", "off", "Nghỉ bù"
    assert form.submit().status_int == 302
    number = str(run(staff_portal, lambda db: db.scalar(select(CalendarOverride.id).where(
        CalendarOverride.note == "Nghỉ bù"))))
    forms = [next(f for f in admin.get("/quan-tri/lich").forms.values() if "remove" in f.fields and f["remove"].value == number)
             for admin in admins]
    with racing(staff_portal, retried=None):
        answers = together(*(lambda form=form: form.submit(expect_errors=True) for form in forms))
    assert sorted(answer.status_int for answer in answers) == [302, 409]
    assert _audit_count(staff_portal, "calendar.removed", "2027-01-09") == 1


def _docx(text):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", f"<w:document>{text}</w:document>")
    return buffer.getvalue()


def _stored_form(portal, name):
    row = run(portal, lambda db: _detached(db, select(FormTemplate).where(FormTemplate.filename == name)))
    path = Path(portal.registry.settings["congdichvu.data_dir"]) / "forms" / name
    return row, path


def test_two_editors_uploading_one_blank_form_leave_the_file_its_row_describes(staff_portal):
    name = "to-khai-dang-ky-giam-ho.docx"
    editors = [citizen(staff_portal, role="editor") for _ in range(2)]
    forms = [editor.get("/quan-tri/bieu-mau").forms[1] for editor in editors]
    contents = [_docx(f"Phiên bản {number}") for number in range(2)]
    for form, content in zip(forms, contents):
        form["file"], form["target"] = webtest.Upload("to-khai.docx", content), name
    with racing(staff_portal):
        answers = together(*(lambda form=form: form.submit() for form in forms))
    assert all(f"Đã lưu: {name}" in answer.text for answer in answers)
    [row], path = _stored_form(staff_portal, name)
    assert row.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() and row.size == path.stat().st_size
    assert path.read_bytes() in contents
    assert not list(path.parent.glob(".*"))  # nothing waiting or half-written is left


def test_an_uploaded_blank_form_is_served_once_committed(staff_portal):
    editor = citizen(staff_portal, role="editor")
    page = editor.get("/quan-tri/bieu-mau")
    name = "to-khai-dang-ky-lai-ket-hon.docx"
    form = page.forms[1]
    form["file"], form["target"] = webtest.Upload("Tờ khai đăng ký lại kết hôn.docx", _docx("Kết hôn")), name
    assert f"Đã lưu: {name}" in form.submit().text
    download = webtest.TestApp(staff_portal, extra_environ={"HTTP_HOST": "example.com"}).get(f"/bieu-mau/{name}")
    assert download.body == _docx("Kết hôn")


def test_a_blank_form_whose_transaction_fails_leaves_the_stored_one(staff_portal):
    """The file goes into place only when its row is committed: a request
    that fails after storing it changes nothing on disk."""
    import transaction

    from congdichvu.catalog import forms
    from congdichvu.models import get_tm_session

    name = "to-khai-dang-ky-khai-sinh.docx"
    before_row, path = _stored_form(staff_portal, name)
    before = path.read_bytes()
    upload = Path(staff_portal.registry.settings["congdichvu.data_dir"]) / "upload-test" / name
    upload.parent.mkdir(exist_ok=True)
    upload.write_bytes(_docx("Không bao giờ lưu"))
    manager = transaction.TransactionManager(explicit=True)
    with pytest.raises(RuntimeError), manager:
        db = get_tm_session(staff_portal.registry["dbsession_factory"], manager)
        forms.add_file(db, staff_portal.registry.settings, upload)
        db.flush()
        raise RuntimeError("a later step of the request fails")
    assert path.read_bytes() == before and _stored_form(staff_portal, name)[0][0].sha256 == before_row[0].sha256
    assert not list(path.parent.glob(".*"))
