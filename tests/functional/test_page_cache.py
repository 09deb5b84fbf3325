"""The page cache serves repeat visits and never serves stale content."""
import pytest
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


def test_on_postgresql_servers_follow_announced_changes_without_asking(fresh_settings):
    """Two servers on one PostgreSQL database, each following the content
    version by LISTEN: a cached page costs no query, a change committed on
    one server shows on the other within moments, a rolled-back one never."""
    import time

    import transaction
    import webtest
    from sqlalchemy import event

    from congdichvu.config import configure
    from congdichvu.models import get_tm_session
    from tests.conftest import load_demo_catalogue

    if not fresh_settings["sqlalchemy.url"].startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    settings = dict(fresh_settings, **{"congdichvu.page_cache_listen": "true"})
    server_a = load_demo_catalogue(configure(settings).make_wsgi_app())
    server_b = configure(settings).make_wsgi_app()
    watcher = server_a.registry["content_version_watcher"]
    try:
        deadline = time.time() + 10
        while watcher.current() is None and time.time() < deadline:
            time.sleep(0.05)
        assert watcher.current() is not None
        visitor = webtest.TestApp(server_a, extra_environ={"HTTP_HOST": "example.com"})
        for _ in range(3):
            visitor.get("/thu-tuc/1.001193")
        statements = []
        event.listen(server_a.registry["dbengine"], "before_cursor_execute", lambda *args: statements.append(args[2]))
        assert "<h1>Đăng ký khai sinh</h1>" in visitor.get("/thu-tuc/1.001193").text
        assert statements == []  # served from memory, version from the announcement

        def rename(name, commit=True):
            manager = transaction.TransactionManager(explicit=True)
            manager.begin()
            db = get_tm_session(server_b.registry["dbsession_factory"], manager)
            db.scalar(select(Procedure).where(Procedure.code == "1.001193")).name = name
            db.flush()
            manager.commit() if commit else manager.abort()

        rename("Đăng ký khai sinh (chưa lưu)", commit=False)
        time.sleep(0.3)
        assert "<h1>Đăng ký khai sinh</h1>" in visitor.get("/thu-tuc/1.001193").text
        rename("Đăng ký khai sinh (đã sửa)")
        deadline = time.time() + 5
        while "(đã sửa)" not in visitor.get("/thu-tuc/1.001193").text and time.time() < deadline:
            time.sleep(0.05)
        assert "<h1>Đăng ký khai sinh (đã sửa)</h1>" in visitor.get("/thu-tuc/1.001193").text
    finally:
        watcher.stop()
        for server in (server_a, server_b):
            server.registry["dbengine"].dispose()


def test_urls_cost_their_length_and_very_long_ones_are_never_kept(app, testapp):
    from congdichvu.pagecache import MAX_KEY_LENGTH

    cache = app.registry["page_cache"]
    before = cache.size
    testapp.get("/thu-tuc", {"x": "a" * (MAX_KEY_LENGTH + 10)})
    testapp.get("/thu-tuc", {"x": "a" * (MAX_KEY_LENGTH + 10)})
    assert cache.size == before  # neither marked nor stored
    testapp.get("/thu-tuc", {"x": "b" * 300})
    assert cache.size - before >= 300 + 200  # the key counts


def test_a_procedure_page_is_kept_an_hour_at_most_for_its_real_performance(testapp, dbsession, monkeypatch):
    """Its figures from dossiers (stats.performance) change without the content
    version: the page is made again once ``PERFORMANCE_MAX_AGE`` has passed."""
    import time
    from datetime import date

    from congdichvu import pagecache
    from congdichvu.catalog.views import PERFORMANCE_MAX_AGE
    from congdichvu.i18n import formatting
    from tests.unit.stats.test_performance import resolved

    monkeypatch.setattr(formatting, "today_local", lambda now=None: date(2018, 3, 31))
    # the start of a window of its own (the app, and its cache, serve every test: later than any entry kept)
    clock = [(time.time() // PERFORMANCE_MAX_AGE + 10) * PERFORMANCE_MAX_AGE]
    monkeypatch.setattr(pagecache, "_now", lambda: clock[0])
    for _ in range(3):
        page = testapp.get("/thu-tuc/1.001193")
    assert "một nửa số hồ sơ" not in page.text
    resolved(dbsession)  # 20 dossiers resolved: the content version does not change
    assert "một nửa số hồ sơ" not in testapp.get("/thu-tuc/1.001193").text  # still the kept page
    clock[0] += PERFORMANCE_MAX_AGE
    page = testapp.get("/thu-tuc/1.001193")
    assert "một nửa số hồ sơ" in page.text


def test_the_home_page_follows_procedures_growing_stale_with_time(testapp):
    """"Fully disclosed" counts procedures reviewed within 12 months
    (cms.completeness): time passing changes it without any edit, so the
    home page is made again in each ``HOME_MAX_AGE`` window, counted as of
    the window's start (the same page all through a window)."""
    import time

    from congdichvu import pagecache
    from congdichvu.views import HOME_MAX_AGE

    start = (time.time() // HOME_MAX_AGE + 10) * HOME_MAX_AGE
    clock = [start]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pagecache, "_now", lambda: clock[0])
        for _ in range(3):
            page = testapp.get("/")
        assert "Công khai đầy đủ: 0 %" not in page.text
        clock[0] = start + HOME_MAX_AGE - 1  # later in the same window: the same page
        assert testapp.get("/").body == page.body
        # three years on (a window of its own): no procedure was reviewed in the last 12 months
        clock[0] = start + (3 * 365 * 86400 // HOME_MAX_AGE) * HOME_MAX_AGE
        assert "Công khai đầy đủ: 0 %" in testapp.get("/").text
