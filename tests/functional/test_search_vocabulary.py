"""Editors grow the vocabulary: the weekly report of searches, the result
links that record what was opened, and the thesaurus kept in the
database, applied to every server's searches without a restart."""
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from congdichvu.accounts.models import AuditEvent
from congdichvu.catalog.services import catalog_for
from congdichvu.ratelimit import RateLimit
from congdichvu.search import report, synonyms, thesaurus
from congdichvu.search.analysis import fold
from congdichvu.search.index import IndexManager
from congdichvu.search.models import SearchOpen, SearchQuery, ThesaurusEntry, ThesaurusRevision
from congdichvu.search.services import WhooshSearchService
from tests.conftest import committing_portal
from tests.factories import sign_in
from tests.functional.layout import assert_tables_stack
from tests.functional.test_submission import citizen, run

REPORT = "/quan-tri/tim-kiem"
THESAURUS = "/quan-tri/tim-kiem/tu-dong-nghia"
#: found nothing in the demo catalogue; "khai sinh" is what it means (its
#: syllables are ones the catalogue knows: an unknown one such as "chào" is
#: rewritten by query.resegment/corrected, and the thesaurus then looked up
#: on the rewritten words, so an entry for "chào đời" does nothing yet)
UNKNOWN = "đứa bé ra đời"
BIRTH = "1.001193"


def _log(dbsession, query, results, at, opened=(), shown=BIRTH):
    row = SearchQuery(query=query, folded=fold(query), results=results, created_at=at, shown=shown)
    dbsession.add(row)
    dbsession.flush()
    for code in opened:
        dbsession.add(SearchOpen(query_id=row.id, procedure_code=code, created_at=at))
    return row


def _rows(page, section):
    """{folded query: [cell texts]} of one list of the report (which of the
    spellings folding alike it shows depends on the database's collation)."""
    table = page.html.select_one(f"section[aria-labelledby=h-{section}] table")
    if table is None:
        return {}
    return {fold(tr.th.get_text(strip=True)): [td.get_text(" ", strip=True) for td in tr.find_all("td")[:3]]
            for tr in table.tbody.find_all("tr", recursive=False)}


# -- the weekly report ------------------------------------------------------------------


def test_the_report_counts_searches_by_city_week(testapp, dbsession, people):
    now = datetime.now(timezone.utc)
    weeks = report.weeks(now)
    this_week = weeks[0].start + (now - weeks[0].start) / 2  # inside this week, whatever day it is
    for _ in range(3):
        _log(dbsession, "Vé Số Đỏ", 0, this_week)
    _log(dbsession, "vé số đỏ", 0, this_week)  # the same search, typed another way
    _log(dbsession, "giấy hẹn ấy", 4, this_week, opened=[BIRTH, BIRTH])
    _log(dbsession, "giấy hẹn ấy", 4, this_week)
    _log(dbsession, "giấy lạ lẫm", 2, this_week)
    _log(dbsession, "tuần trước ấy", 0, weeks[1].start + timedelta(hours=1))
    # the first hour of this week's Monday in the city is still last week in UTC
    _log(dbsession, "đầu tuần ấy", 0, weeks[0].start + timedelta(minutes=30))
    _log(dbsession, "cuối tuần trước", 0, weeks[0].start - timedelta(minutes=30))
    _log(dbsession, "xa lắm rồi ấy", 0, weeks[-1].start - timedelta(days=1))  # before the eighth week

    sign_in(testapp, "editor")
    page = testapp.get(REPORT)
    assert_tables_stack(page)
    assert page.html.select_one("#report-week option[selected]")["value"] == weeks[0].key
    frequent, nothing, unopened = (_rows(page, name) for name in ("frequent", "nothing", "unopened"))
    assert frequent["ve so do"] == ["4", "0", "0"]  # one row for the spellings that fold alike
    assert frequent["giay hen ay"] == ["2", "4", "1"]  # two searches, one followed by two opens
    assert nothing.keys() == {"ve so do", "dau tuan ay"}
    assert unopened == {"giay la lam": ["1", "2", "0"]}
    assert "cuoi tuan truoc" not in frequent and "tuan truoc ay" not in frequent

    last_week = _rows(testapp.get(REPORT, params={"tuan": weeks[1].key}), "nothing")
    assert last_week.keys() == {"tuan truoc ay", "cuoi tuan truoc"}
    everything = _rows(testapp.get(REPORT, params={"tuan": "tat-ca"}), "nothing")
    assert "tuan truoc ay" in everything and "ve so do" in everything and "xa lam roi ay" not in everything
    # a week not offered (or nonsense) shows the current one
    for odd in ("2001-W01", "'; DROP TABLE x", "tat-ca" * 50):
        assert _rows(testapp.get(REPORT, params={"tuan": odd}), "nothing").keys() == nothing.keys()


def test_the_report_is_for_editors(testapp, people):
    assert testapp.get(REPORT).status_int in (302, 303, 403)
    sign_in(testapp, "citizen")
    testapp.get(REPORT, status=403)
    testapp.get(THESAURUS, status=403)
    sign_in(testapp, "admin")
    testapp.get(REPORT)


# -- the click route -----------------------------------------------------------------------


def test_result_links_record_the_open_and_lead_to_the_procedure(testapp, dbsession):
    page = testapp.get("/tim-kiem", params={"q": "khai sinh"})
    link = page.html.select_one(".procedure-name")["href"]
    assert link.startswith("/tim-kiem/mo?")
    assert parse_qs(urlsplit(link).query)["q"] == ["khai sinh"]  # the words: the page is everyone's
    logged = dbsession.scalar(select(SearchQuery.id).where(SearchQuery.folded == "khai sinh")
                              .order_by(SearchQuery.id.desc()).limit(1))
    answer = testapp.get(link, status=303)
    assert answer.location == f"http://example.com/thu-tuc/{BIRTH}" and answer.headers["Cache-Control"] == "private, no-store"
    assert [(o.query_id, o.procedure_code) for o in dbsession.scalars(
        select(SearchOpen).where(SearchOpen.query_id == logged))] == [(logged, BIRTH)]
    assert "<h1>Đăng ký khai sinh</h1>" in answer.follow().text
    # an open of a procedure that search did not show is not recorded (opens cannot be made up)
    testapp.get("/tim-kiem/mo", params={"q": "khai sinh", "ma": "2.000620"}, status=303)  # bán lẻ rượu
    assert dbsession.scalar(select(func.count(SearchOpen.id)).where(SearchOpen.procedure_code == "2.000620")) == 0
    # the search page's own later pages link to the procedures directly (they are not logged)
    later = testapp.get("/tim-kiem", params={"q": "đăng ký", "page": "2"})
    assert later.html.select_one(".procedure-name")["href"].startswith("/thu-tuc/")


def test_the_click_route_never_leads_elsewhere_and_never_fails(testapp, dbsession):
    before = dbsession.scalar(select(func.count(SearchOpen.id)))
    for odd in ("abc", "-1", "0", "1.5", "99999999999999999999999", "١٢", "", " 7", "khai sinh " * 100, "\u200b"):
        answer = testapp.get("/tim-kiem/mo", params={"q": odd, "ma": BIRTH}, status=303)
        assert answer.location == f"http://example.com/thu-tuc/{BIRTH}"
    testapp.get("/tim-kiem/mo", params={"q": "không ai tìm cái này", "ma": BIRTH}, status=303)  # no such search
    for code in ("//evil.example/x", "https://evil.example", "/thu-tuc/1.001193", "0.000000", "", "x" * 500,
                 "1.001193\r\nLocation: https://evil.example", "../dang-xuat"):
        testapp.get("/tim-kiem/mo", params={"q": "1", "ma": code}, status=404)
    testapp.get("/tim-kiem/mo", status=404)
    testapp.get("/tim-kiem/mo?q=1&ma=%ZZ", status=[400, 404])
    testapp.get("/tim-kiem/mo?q=1&ma=%C3", status=[400, 404])
    assert dbsession.scalar(select(func.count(SearchOpen.id))) == before


def test_opens_are_rate_limited_like_the_log(testapp, dbsession, monkeypatch):
    monkeypatch.setattr(report, "OPENED_PER_ADDRESS", RateLimit("search_open.test", 2, timedelta(hours=1)))
    logged = _log(dbsession, "khai sinh", 3, datetime.now(timezone.utc))
    for _ in range(4):
        testapp.get("/tim-kiem/mo", params={"q": "Khai Sinh", "ma": BIRTH}, status=303)
    assert dbsession.scalar(select(func.count(SearchOpen.id)).where(SearchOpen.query_id == logged.id)) == 2


# -- entries: refusal, preview, edit, delete ---------------------------------------------


def _entry_form(testapp, typed, expansions):
    form = testapp.get(THESAURUS + "/them").forms["entry-form"]
    form["typed"], form["expansions"] = typed, expansions
    return form


def test_the_thesaurus_is_seeded_from_the_shipped_file(dbsession):
    stored = {tuple(row.typed): row.expansions for row in dbsession.scalars(select(ThesaurusEntry))}
    shipped = thesaurus.shipped_entries()
    assert stored and len(stored) == len({entry.typed for entry in shipped})
    assert all(stored[entry.typed] == list(entry.expansions) for entry in shipped)
    assert thesaurus.load_table(dbsession) == synonyms.table(shipped)


@pytest.mark.parametrize("typed, expansions, said", [
    ("thủ tục", "khai sinh", "gần như mọi câu tìm kiếm"),
    ("làm hồ sơ, cấp", "khai sinh", "gần như mọi câu tìm kiếm"),
    ("ho so", "khai sinh", "gần như mọi câu tìm kiếm"),
    ("2024", "khai sinh", "gần như mọi câu tìm kiếm"),
    ("câp", "dịch vụ karaoke", "gần như mọi câu tìm kiếm"),  # a typo of "cấp" meets "cap" unaccented
    ("chứng nhận", "khai sinh", "gần như mọi câu tìm kiếm"),  # in most procedures' names
    ("thủ-tục.", "khai sinh", "gần như mọi câu tìm kiếm"),
    ("Sổ Đỏ", "khai sinh", "đã có trong mục số"),  # one phrase, one meaning
    ("", "khai sinh", "ít nhất một cụm từ người dân gõ"),
    ("...", "khai sinh", "không có từ nào"),
    (UNKNOWN, "", "ít nhất một cụm từ"),
    (UNKNOWN, "  |  \n ", "ít nhất một cụm từ"),
    (UNKNOWN, "!!!", "không có từ nào"),
])
def test_entries_that_would_change_every_search_or_have_an_empty_side_are_refused(testapp, dbsession, people,
                                                                                    typed, expansions, said):
    sign_in(testapp, "editor")
    before = dbsession.scalar(select(func.count(ThesaurusEntry.id)))
    page = _entry_form(testapp, typed, expansions).submit("save", status=400)
    assert said in page.html.select_one(".form-error").text
    assert dbsession.scalar(select(func.count(ThesaurusEntry.id))) == before


def test_an_entry_added_from_the_report_is_previewed_then_saved(testapp, dbsession, people):
    _log(dbsession, UNKNOWN, 0, datetime.now(timezone.utc))
    sign_in(testapp, "editor")
    page = testapp.get(REPORT)
    form = next(f for f in page.forms.values() if "typed" in f.fields and f["typed"].value == UNKNOWN)
    form["expansions"] = "khai sinh"
    preview = form.submit("preview")
    before, after = preview.html.select_one("#preview-before").parent, preview.html.select_one("#preview-after").parent
    assert "0 thủ tục" in before.h3.text and not before.select("li")
    assert BIRTH in after.select("li")[0].text and "mới" in after.select("li")[0].text
    assert dbsession.scalar(select(func.count(ThesaurusEntry.id)).where(ThesaurusEntry.created_by == "editor.test")) == 0
    saved = preview.forms["entry-form"].submit("save", status=302)
    assert urlsplit(saved.location).path == REPORT
    row = dbsession.scalar(select(ThesaurusEntry).where(ThesaurusEntry.created_by == "editor.test"))
    assert (row.typed, row.expansions, row.active) == ([UNKNOWN], ["khai sinh"], True)
    assert "Đã thêm vào từ điển đồng nghĩa" in saved.follow().text
    event = dbsession.scalar(select(AuditEvent).where(AuditEvent.action == "thesaurus.added"))
    assert event.actor == "editor.test" and event.details == {"entry": row.id, "revision": 1}
    # the request's own session sees it: a search in this transaction finds the procedure
    table = thesaurus.load_table(dbsession)
    assert table[("dua", "be", "ra", "doi")] == {("đứa", "bé", "ra", "đời"): ["khai sinh"]}


def test_an_entry_is_edited_and_deleted_with_its_history_and_audit(testapp, dbsession, people):
    sign_in(testapp, "editor")
    _entry_form(testapp, UNKNOWN, "khai sinh").submit("save", status=302)
    row = dbsession.scalar(select(ThesaurusEntry).where(ThesaurusEntry.created_by == "editor.test"))
    listed = testapp.get(THESAURUS, params={"tim": "DUA BE"})
    assert_tables_stack(listed)
    assert len(listed.html.select("main tbody tr")) == 1
    edit = testapp.get(f"{THESAURUS}/{row.id}")
    form = edit.forms["entry-form"]
    stale = form["version"].value
    form["typed"] = f"{UNKNOWN}, em bé chào đời"
    form["expansions"] = "khai sinh\nđăng ký khai sinh"
    form["concept"] = "Hộ tịch"
    form.submit("save", status=302).follow()
    dbsession.refresh(row)
    assert (row.typed, row.expansions, row.concept, row.version) == (
        [UNKNOWN, "em bé chào đời"], ["khai sinh", "đăng ký khai sinh"], "Hộ tịch", 2)
    # a form drawn before that change is refused, not applied over it
    form["typed"] = "something else"
    form["version"] = stale
    conflict = form.submit("save", status=409)
    assert "Người khác đã sửa" in conflict.text
    dbsession.refresh(row)
    assert row.typed == [UNKNOWN, "em bé chào đời"]

    # switched off: kept, listed as such, not used by searches
    form = testapp.get(f"{THESAURUS}/{row.id}").forms["entry-form"]
    form["active"] = False
    form.submit("save", status=302)
    assert ("dua", "be", "ra", "doi") not in thesaurus.load_table(dbsession)
    assert "Không (đã tắt)" in testapp.get(THESAURUS, params={"tim": "dua be"}).text

    page = testapp.get(f"{THESAURUS}/{row.id}")
    assert_tables_stack(page)
    page.forms["delete-form"].submit(status=302)
    dbsession.refresh(row)
    assert row.deleted and row.version == 4
    assert row.id not in [int(a["href"].rsplit("/", 1)[1]) for a in testapp.get(THESAURUS).html.select("main tbody a")]
    testapp.get(f"{THESAURUS}/{row.id}", status=404)
    assert ("dua", "be", "ra", "doi") not in thesaurus.load_table(dbsession)
    assert [(r.number, r.action, r.active) for r in thesaurus.revisions(dbsession, row.id)] == [
        (4, "deleted", False), (3, "changed", False), (2, "changed", True), (1, "added", True)]
    actions = dbsession.scalars(select(AuditEvent.action).where(AuditEvent.action.like("thesaurus.%"))
                                .order_by(AuditEvent.id)).all()
    assert actions == ["thesaurus.added", "thesaurus.changed", "thesaurus.changed", "thesaurus.deleted"]
    sign_in(testapp, "admin")
    log = testapp.get("/quan-tri/nhat-ky", params={"action": "thesaurus.deleted"})
    assert "Từ điển đồng nghĩa: xóa mục" in log.text and UNKNOWN in log.text


def test_odd_entry_requests_do_not_fail(testapp, people):
    sign_in(testapp, "editor")
    for path in (f"{THESAURUS}/abc", f"{THESAURUS}/0", f"{THESAURUS}/99999999999", f"{THESAURUS}/2147483000"):
        testapp.get(path, status=404)
    token = testapp.get(THESAURUS + "/them").forms["entry-form"]["csrf_token"].value
    testapp.post(THESAURUS + "/them", {"csrf_token": token}, status=400)  # not the form
    # without the token: nothing done, the form again with what was typed
    back = testapp.post(THESAURUS + "/them", {"typed": UNKNOWN, "expansions": "khai sinh", "save": "1",
                                              "__formid__": "thesaurus_entry"},
                        headers={"Origin": "http://example.com"}, status=302).follow()
    assert back.forms["entry-form"]["typed"].value == UNKNOWN
    testapp.post(f"{THESAURUS}/2147483000/xoa", {"csrf_token": token, "__formid__": "thesaurus_delete"}, status=404)


# -- applied to every server without a restart ---------------------------------------------


@pytest.fixture(scope="module")
def portal(databases, tmp_path_factory):
    app = committing_portal(databases, tmp_path_factory)
    yield app
    app.registry["dbengine"].dispose()


def _codes(manager, portal, text):
    return run(portal, lambda db: [r.code for r in WhooshSearchService(manager, db).search(text).results])


def test_an_entry_reaches_the_running_search_and_another_server(portal, tmp_path):
    # another server on the same database, with its own index directory
    other = IndexManager(tmp_path / "search", catalog_for, sessionmaker(bind=portal.registry["dbengine"]))
    other.ensure()
    assert _codes(other, portal, UNKNOWN) == []
    editor = citizen(portal, role="editor")
    assert editor.get("/tim-kiem", params={"q": UNKNOWN}).html.select(".procedure-name") == []

    form = _entry_form(editor, UNKNOWN, "khai sinh")
    form.submit("save", status=302)
    # this server: the next search uses it, no restart
    found = editor.get("/tim-kiem", params={"q": UNKNOWN}).html.select(".procedure-name")
    assert found and BIRTH in found[0]["href"]
    # the other server keeps its table until it follows the outbox, then finds it too
    assert _codes(other, portal, UNKNOWN) == []
    assert other.apply_outbox() >= 1
    assert _codes(other, portal, UNKNOWN)[0] == BIRTH

    row = run(portal, lambda db: db.scalar(select(ThesaurusEntry.id).where(ThesaurusEntry.created_by == editor.username)))
    page = editor.get(f"{THESAURUS}/{row}")
    page.forms["delete-form"].submit(status=302)  # deleted
    assert editor.get("/tim-kiem", params={"q": UNKNOWN}).html.select(".procedure-name") == []
    other.apply_outbox()
    assert _codes(other, portal, UNKNOWN) == []
    assert run(portal, lambda db: db.scalar(select(func.count(ThesaurusRevision.id))
                                            .where(ThesaurusRevision.entry_id == row))) == 2

