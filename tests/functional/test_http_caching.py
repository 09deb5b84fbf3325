"""HTTP caching of public pages: freshness, validators, 304, and nothing
personal ever public (congdichvu.httpcache, pagecache, security._cache_policy)."""
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime

import pytest
from sqlalchemy import func, select

from congdichvu.catalog.models import Procedure
from congdichvu.search.models import SearchQuery
from tests.factories import sign_in

PUBLIC = ["/", "/thu-tuc/1.001193", "/thu-tuc?sort=name", "/linh-vuc", "/co-quan", "/api/v1/procedures",
          "/api/v1/procedures/1.001193", "/tim-kiem?q=khai+sinh", "/api/v1/search?q=khai+sinh",
          "/api/v1/search/suggest?q=khai", "/thong-ke", "/api/v1/statistics", "/tin-tuc", "/tin-tuc/atom.xml",
          "/opensearch.xml"]


def _twice(testapp, path, **kwargs):
    """The second answer: the first teaches the process that the path is public."""
    testapp.get(path, **kwargs)
    return testapp.get(path, **kwargs)


@pytest.mark.parametrize("path", PUBLIC)
def test_public_answers_say_who_may_keep_them_and_for_how_long(testapp, path):
    first = testapp.get(path)
    page = testapp.get(path)
    assert first.headers["ETag"] == page.headers["ETag"]  # the first answer has its validators too
    assert page.headers["Cache-Control"].startswith("public, max-age=")
    assert 0 < int(page.headers["Cache-Control"].rsplit("=", 1)[1]) <= 60
    etag = page.headers["ETag"]
    assert etag.removeprefix("W/").startswith('"') and etag.endswith('"')
    assert page.headers["Vary"] == "Cookie"
    assert parsedate_to_datetime(page.headers["Last-Modified"]) <= datetime.now(timezone.utc) + timedelta(seconds=1)
    again = testapp.get(path, headers={"If-None-Match": etag}, status=304)
    assert again.body == b""
    assert again.headers["ETag"] == etag and again.headers["Cache-Control"] == page.headers["Cache-Control"]


def test_a_current_copy_is_answered_304_without_rendering(testapp, query_counter):
    etag = _twice(testapp, "/thu-tuc/1.001193").headers["ETag"]
    query_counter.clear()
    testapp.get("/thu-tuc/1.001193", headers={"If-None-Match": f'"other", W/{etag}'}, status=304)
    assert len(query_counter) <= 1  # the content version, nothing else
    testapp.get("/thu-tuc/1.001193", headers={"If-None-Match": "*"}, status=304)


def test_a_change_gives_a_new_etag_and_a_whole_page(testapp, dbsession):
    first = _twice(testapp, "/thu-tuc/1.001193")
    dbsession.scalar(select(Procedure).where(Procedure.code == "1.001193")).name = "Đăng ký khai sinh (đã sửa)"
    dbsession.flush()
    page = testapp.get("/thu-tuc/1.001193", headers={"If-None-Match": first.headers["ETag"]}, status=200)
    assert "(đã sửa)" in page.text and page.headers["ETag"] != first.headers["ETag"]


def test_if_modified_since_counts_only_without_an_etag(testapp):
    page = _twice(testapp, "/linh-vuc")
    modified = parsedate_to_datetime(page.headers["Last-Modified"])
    testapp.get("/linh-vuc", headers={"If-Modified-Since": page.headers["Last-Modified"]}, status=304)
    later = format_datetime(modified + timedelta(days=1), usegmt=True)
    testapp.get("/linh-vuc", headers={"If-Modified-Since": later}, status=304)
    earlier = format_datetime(modified - timedelta(seconds=1), usegmt=True)
    testapp.get("/linh-vuc", headers={"If-Modified-Since": earlier}, status=200)
    # If-None-Match decides when both are sent (RFC 9110 §13.2.2)
    testapp.get("/linh-vuc", headers={"If-Modified-Since": later, "If-None-Match": '"stale"'}, status=200)


@pytest.mark.parametrize("header", ["If-None-Match", "If-Modified-Since"])
@pytest.mark.parametrize("value", ["", "garbage", '"', "W/", ",,,", "Mon, 99 Foo 2026 99:99:99 GMT", "é" * 300])
def test_unreadable_conditions_get_the_page(testapp, header, value):
    _twice(testapp, "/linh-vuc")
    testapp.get("/linh-vuc", headers={header: value.encode("utf-8").decode("latin-1")}, status=200)


def test_languages_have_their_own_etags(testapp):
    vietnamese = _twice(testapp, "/thu-tuc/1.001193").headers["ETag"]
    testapp.set_cookie("_LOCALE_", "en")
    english = _twice(testapp, "/thu-tuc/1.001193")
    assert english.headers["ETag"] != vietnamese
    testapp.get("/thu-tuc/1.001193", headers={"If-None-Match": vietnamese}, status=200)


def test_a_signed_in_visitor_gets_nothing_public(testapp, people):
    etag = _twice(testapp, "/thu-tuc/1.001193").headers["ETag"]
    sign_in(testapp, "citizen")
    for path in ["/thu-tuc/1.001193", "/tim-kiem?q=khai+sinh", "/api/v1/procedures", "/tai-khoan", "/ho-so-cua-toi"]:
        page = testapp.get(path, headers={"If-None-Match": etag})
        assert page.status_int == 200
        assert page.headers["Cache-Control"] == "private, no-store", path
        assert "ETag" not in page.headers


def test_forms_and_their_answers_are_never_kept(testapp, people):
    login = testapp.get("/dang-nhap")
    assert login.headers["Cache-Control"] == "private, no-store"  # it starts a session (the CSRF token)
    form = login.forms["deform"]
    form["login"], form["password"] = "citizen.test", "wrong"
    assert form.submit("submit").headers["Cache-Control"] == "private, no-store"


def test_other_anonymous_pages_are_asked_about_again(testapp):
    page = testapp.get("/thu-tuc/9.999999", status=404)
    assert page.headers["Cache-Control"] == "no-cache"


def test_a_search_answered_304_runs_no_search(testapp, dbsession):
    etag = _twice(testapp, "/tim-kiem?q=khai+sinh").headers["ETag"]
    logged = dbsession.scalar(select(func.count()).select_from(SearchQuery))
    testapp.get("/tim-kiem?q=khai+sinh", headers={"If-None-Match": etag}, status=304)
    assert dbsession.scalar(select(func.count()).select_from(SearchQuery)) == logged
    testapp.get("/tim-kiem?q=khai+sinh")  # a plain visit still runs, and is logged
    assert dbsession.scalar(select(func.count()).select_from(SearchQuery)) == logged + 1


def test_head_gets_the_same_headers(testapp):
    page = _twice(testapp, "/co-quan")
    head = testapp.head("/co-quan")
    assert head.headers["ETag"] == page.headers["ETag"]
    testapp.head("/co-quan", headers={"If-None-Match": page.headers["ETag"]}, status=304)


EXACT = [path for path in PUBLIC if "thong-ke" not in path and "statistics" not in path]


@pytest.mark.parametrize("path", EXACT)
def test_a_strong_etag_names_one_page_byte_for_byte(testapp, path):
    """Rendered twice afresh (each visitor's search, say, is its own render),
    a page under one strong ETag is the same bytes: a proxy or browser may
    then join ranges of it and trust its copy."""
    first = _twice(testapp, path)
    again = testapp.get(path, headers={"Cache-Control": "no-cache"})
    assert again.headers["ETag"] == first.headers["ETag"] and not first.headers["ETag"].startswith("W/")
    assert again.body == first.body


@pytest.mark.parametrize("path", ["/thong-ke", "/api/v1/statistics"])
def test_statistics_move_within_their_window_so_their_etag_is_weak(testapp, path):
    page = _twice(testapp, path)
    assert page.headers["ETag"].startswith('W/"')
    testapp.get(path, headers={"If-None-Match": page.headers["ETag"]}, status=304)
    testapp.get(path, headers={"If-None-Match": page.headers["ETag"][2:]}, status=304)  # weak comparison


def test_a_thesaurus_change_gives_searches_new_etags(testapp, dbsession):
    from congdichvu.search.models import ThesaurusEntry

    before = _twice(testapp, "/tim-kiem?q=khai+sinh").headers["ETag"]
    now = datetime.now(timezone.utc)
    dbsession.add(ThesaurusEntry(typed=["giấy khai sinh mới"], expansions=["khai sinh"], created_by="t",
                                 created_at=now, updated_by="t", updated_at=now))
    dbsession.flush()
    testapp.get("/tim-kiem?q=khai+sinh", headers={"If-None-Match": before}, status=200)
