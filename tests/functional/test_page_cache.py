"""The page cache serves repeat visits and never serves stale content."""
from sqlalchemy import select

from congdichvu.catalog.models import Procedure


def _cache(testapp):
    return testapp.app.registry["page_cache"]


def test_a_change_is_visible_at_once(testapp, dbsession):
    for _ in range(3):  # the second request stores the page, the third is served from the cache
        page = testapp.get("/thu-tuc/1.001193")
    assert "<h1>Đăng ký khai sinh</h1>" in page.text
    procedure = dbsession.scalar(select(Procedure).where(Procedure.code == "1.001193"))
    procedure.name = "Đăng ký khai sinh (đã sửa)"
    dbsession.flush()
    assert "<h1>Đăng ký khai sinh (đã sửa)</h1>" in testapp.get("/thu-tuc/1.001193").text


def test_repeat_visits_are_served_without_rendering(testapp, query_counter):
    for _ in range(2):
        testapp.get("/thu-tuc/1.001193")
    query_counter.clear()
    page = testapp.get("/thu-tuc/1.001193")
    assert "Đăng ký khai sinh" in page.text
    assert len(query_counter) == 1  # only the content version


def test_languages_are_cached_apart(testapp):
    for _ in range(3):
        testapp.get("/thu-tuc/1.001193")
    testapp.set_cookie("_LOCALE_", "en")
    for _ in range(3):
        english = testapp.get("/thu-tuc/1.001193")
    assert "Papers to hand in" in english.text


def test_visitors_with_a_session_are_never_served_from_the_cache(testapp, query_counter):
    for _ in range(3):
        testapp.get("/thu-tuc/1.001193")
    testapp.set_cookie("congdichvu_session", "x")
    query_counter.clear()
    testapp.get("/thu-tuc/1.001193")
    assert len(query_counter) > 1


def test_a_hard_reload_renders_afresh(testapp, query_counter):
    for _ in range(3):
        testapp.get("/thu-tuc/1.001193")
    query_counter.clear()
    testapp.get("/thu-tuc/1.001193", headers={"Cache-Control": "no-cache"})
    assert len(query_counter) > 1


def test_errors_and_downloads_keep_their_headers(testapp):
    for _ in range(3):
        testapp.get("/thu-tuc/9.999999", status=404)
        download = testapp.get("/api/v1/catalog.json")
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.content_type == "application/json"


def test_the_cache_is_bounded():
    from congdichvu.pagecache import Entry, PageCache

    cache = PageCache(max_bytes=10_000)
    for number in range(100):
        cache.put(("vi", f"/p/{number}"), Entry("v", "200 OK", (), b"x" * 1000))
    assert cache.size <= 10_000
    assert cache.get(("vi", "/p/0")) is None and cache.get(("vi", "/p/99")) is not None
    cache.put(("vi", "/huge"), Entry("v", "200 OK", (), b"x" * 5000))
    assert cache.get(("vi", "/huge")) is None
