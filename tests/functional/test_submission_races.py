"""Two tabs, a double click, parallel uploads on one draft: every change of
a draft is taken one after the other (flow.lock_draft), the second acting
on what the first committed, on SQLite and PostgreSQL.

Most tests make the other tab's request land at the worst moment, on
purpose: after this request has read the draft, just before its first
write to it (``meanwhile``). One test races real threads.
"""
import re
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import transaction
from sqlalchemy import event, func, select

from congdichvu.eservices import flow
from congdichvu.eservices.models import Dossier, DossierDraft
from congdichvu.models import get_tm_session
from tests.conftest import SMALL_UPLOADS, committing_portal
from tests.functional.test_cms_races import racing, together
from tests.functional.test_submission import (
    PDF, PNG, choose_delivery, citizen, fill_applicant, run, start, to_review, twin, upload,
)


@pytest.fixture(scope="module")
def portal(databases, tmp_path_factory):
    """A committing app (the limits of test_submission: 6 files a dossier),
    counting the requests it retries."""
    app = committing_portal(databases, tmp_path_factory, **SMALL_UPLOADS)
    yield app
    app.registry["dbengine"].dispose()


DRAFT_WRITE = re.compile(r"\s*(UPDATE|DELETE FROM)\s+dossier_draft\b", re.IGNORECASE)


@contextmanager
def meanwhile(portal, other_tab):
    """Send ``other_tab()`` (another request, which commits) just before
    this thread's first write to a draft: after this request read the
    draft, before it changes it. Yields {"answer": the other's response}."""
    thread, seen = threading.get_ident(), {}

    def before(conn, cursor, statement, parameters, context, executemany):
        if "answer" in seen or threading.get_ident() != thread or not DRAFT_WRITE.match(statement):
            return
        seen["answer"] = None  # the other request's own writes pass
        seen["answer"] = other_tab()

    engine = portal.registry["dbengine"]
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)
    assert seen.get("answer") is not None, "the other tab never got in"


def _draft(portal, token):
    def read(db):
        draft = db.scalar(select(DossierDraft).where(DossierDraft.token == token))
        return None if draft is None else {"data": draft.data, "dossier_id": draft.dossier_id,
                                           "secret": draft.lookup_secret}
    return run(portal, read)


def _token(page):
    return page.request.path.split("/")[3]


def _files_on_disk(portal, token):
    folder = Path(portal.registry.settings["congdichvu.data_dir"]) / "uploads" / token
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def _file_ids(data):
    return sorted(record["id"] for records in data.get("papers", {}).values() for record in records)


def test_files_sent_from_two_tabs_stay_within_the_limits_and_none_is_lost(portal):
    browser = citizen(portal)
    papers = fill_applicant(start(browser)).follow()
    other = twin(portal, browser)
    other_papers = other.get(papers.request.path)
    with meanwhile(portal, lambda: upload(other_papers, {1: [(f"anh-{n}.png", PNG) for n in range(4)]},
                                          button="save")) as seen:
        page = upload(papers, {0: [(f"to-khai-{n}.pdf", PDF) for n in range(4)]}, button="save")
    assert seen["answer"].status_int == 302
    # the second counted the first one's four files: two of its own fit, two are refused and said so
    assert page.status_int == 200 and "tối đa 6 tệp" in page.html.select_one("[role=alert]").text
    data = _draft(portal, _token(papers))["data"]
    assert sorted(len(records) for records in data["papers"].values()) == [2, 4]
    assert _file_ids(data) == _files_on_disk(portal, _token(papers))  # nothing on disk the draft does not hold


def test_answers_saved_from_two_tabs_are_both_kept(portal):
    browser = citizen(portal)
    first = start(browser)
    other = twin(portal, browser)

    def other_tab():
        form = other.get(first.request.path.replace("/nguoi-nop", "/nhan-ket-qua")).forms["step"]
        choose_delivery(form, "postal")
        form["postal_address"] = "Số 5, đường Quang Trung"
        return form.submit("save")

    form = first.forms["step"]
    form["address"] = "Số 12, tổ 3, đường Hoàng Văn Thụ"
    with meanwhile(portal, other_tab) as seen:
        assert form.submit("save").status_int == 302
    assert seen["answer"].status_int == 302
    data = _draft(portal, _token(first))["data"]
    assert data["applicant"]["address"] == "Số 12, tổ 3, đường Hoàng Văn Thụ"
    assert data["delivery"]["postal_address"] == "Số 5, đường Quang Trung"


def _delete_form(page):
    return page.forms[next(key for key in page.forms if "xoa" in page.forms[key].action)]


def test_files_sent_to_a_draft_deleted_in_another_tab_meanwhile(portal):
    browser = citizen(portal)
    papers = fill_applicant(start(browser)).follow()
    mine = twin(portal, browser).get("/ho-so-cua-toi")
    with meanwhile(portal, lambda: _delete_form(mine).submit()) as seen:
        answer = upload(papers, {0: [("to-khai.pdf", PDF)]})
    assert seen["answer"].status_int == 302
    assert answer.status_int == 302 and answer.location == "http://example.com/ho-so-cua-toi"
    assert "Đã xóa bản nháp" in answer.follow().html.select_one(".flash").text
    assert _draft(portal, _token(papers)) is None and _files_on_disk(portal, _token(papers)) == []


def test_deleting_a_draft_submitted_in_another_tab_meanwhile_keeps_the_dossier(portal):
    browser = citizen(portal)
    review = to_review(browser)
    form = twin(portal, browser).get(review.request.path).forms["step"]  # the other tab
    form["declaration"] = True
    mine = browser.get("/ho-so-cua-toi")
    with meanwhile(portal, lambda: form.submit("submit")) as seen:
        answer = _delete_form(mine).submit()
    assert answer.status_int == 302
    assert "vừa được nộp thành hồ sơ" in answer.follow().html.select_one(".flash").text
    draft = _draft(portal, _token(review))
    assert draft is not None and draft["dossier_id"] is not None
    # the receipt page still shows the lookup secret, once
    receipt = seen["answer"].follow()
    assert receipt.html.select_one(".secret") is not None
    assert run(portal, lambda db: db.scalar(select(func.count(Dossier.id)).where(
        Dossier.id == draft["dossier_id"]))) == 1


def test_a_step_sent_to_a_draft_submitted_meanwhile_shows_the_dossier(portal):
    browser = citizen(portal)
    review = to_review(browser)
    form = twin(portal, browser).get(review.request.path).forms["step"]  # the other tab
    form["declaration"] = True
    stale = browser.get(review.request.path.replace("/xac-nhan", "/nguoi-nop")).forms["step"]
    stale["address"] = "Địa chỉ gõ sau khi đã nộp"
    with meanwhile(portal, lambda: form.submit("submit")) as seen:
        answer = stale.submit("next")
    assert answer.status_int == 302 and answer.location.split("?")[0] == seen["answer"].location.split("?")[0]
    draft = _draft(portal, _token(review))
    assert draft["data"]["applicant"]["address"] != "Địa chỉ gõ sau khi đã nộp"


def test_uploads_racing_on_one_draft_keep_the_limit(portal):
    """Real threads, held until both have read the draft and reach their
    first write: neither a 500 nor a seventh file, and no lost file."""
    browser = citizen(portal)
    papers = fill_applicant(start(browser)).follow()
    tabs = [browser, twin(portal, browser)]
    pages = [tab.get(papers.request.path) for tab in tabs]
    sends = [lambda page=page, index=index: upload(page, {index: [(f"tep-{index}-{n}.pdf", PDF) for n in range(4)]},
                                                   button="save")
             for index, page in zip((0, 1), pages)]
    with racing(portal, retried=False):
        answers = together(*sends)
    assert sorted(answer.status_int for answer in answers) == [200, 302]
    data = _draft(portal, _token(papers))["data"]
    assert len(_file_ids(data)) == 6 and _file_ids(data) == _files_on_disk(portal, _token(papers))


def test_a_change_waits_for_the_change_another_request_holds(portal):
    """flow.lock_draft itself, with two sessions: the second waits until
    the first commits, then reads what it wrote."""
    browser = citizen(portal)
    token = _token(start(browser))
    factory = portal.registry["dbsession_factory"]
    first_manager = transaction.TransactionManager(explicit=True)
    first_manager.begin()
    first = get_tm_session(factory, first_manager)
    held = first.scalar(select(DossierDraft).where(DossierDraft.token == token))
    flow.lock_draft(first, held)
    flow.update_draft(held, "at", "giay-to")
    first.flush()
    seen = {}

    def second():
        manager = transaction.TransactionManager(explicit=True)
        with manager:
            db = get_tm_session(factory, manager)
            draft = db.scalar(select(DossierDraft).where(DossierDraft.token == token))
            seen["before"] = draft.data.get("at")
            flow.lock_draft(db, draft)
            seen["after"] = draft.data.get("at")

    thread = threading.Thread(target=second)
    try:
        thread.start()
        time.sleep(0.5)
        assert thread.is_alive(), "the second change did not wait"
    finally:
        first_manager.commit()
    thread.join(15)
    assert seen == {"before": None, "after": "giay-to"}
