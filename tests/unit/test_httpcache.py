"""Validators of public pages (congdichvu.httpcache) and the version the
page cache trusts for a moment (pagecache.RecentVersion)."""
from datetime import datetime, timezone

from pyramid.testing import DummyRequest
from webob import Request

from congdichvu import httpcache, pagecache


def _found(version="1764500000.ab", locale="vi", path="/thu-tuc/1", page_max_age=None, now=1764500100.0):
    return httpcache.validators(version, locale, path, page_max_age, now, 60)


def test_the_etag_names_version_language_address_and_window():
    base = _found()
    assert base.etag == _found().etag
    assert len({base.etag, _found(version="1764500001.cd").etag, _found(locale="en").etag,
                _found(path="/thu-tuc/2").etag}) == 4
    assert _found(page_max_age=300, now=1764500100.0).etag == _found(page_max_age=300, now=1764500199.0).etag
    assert _found(page_max_age=300, now=1764500100.0).etag != _found(page_max_age=300, now=1764500400.0).etag


def test_last_modified_is_when_the_version_was_made_or_the_window_began():
    assert _found().last_modified == datetime.fromtimestamp(1764500000, timezone.utc)
    assert _found(page_max_age=300, now=1764500500.0).last_modified == datetime.fromtimestamp(1764500400, timezone.utc)
    assert _found(version="0").last_modified is None
    assert _found(version="5f2a9c").last_modified is None  # tokens made before versions carried their time


def test_freshness_is_the_shorter_of_the_setting_and_the_window():
    assert _found().max_age == 60
    assert _found(page_max_age=30).max_age == 30


def test_version_time_reads_only_its_own_tokens():
    assert httpcache.version_time("1764500000.ab") == 1764500000
    for token in ("", "0", "abc.def", ".x", "9" * 40 + ".x", "١٢٣.x"):
        assert httpcache.version_time(token) is None


def _request(**headers):
    return Request.blank("/", headers=headers)


def test_matching():
    found = _found()
    assert httpcache.not_modified(_request(**{"If-None-Match": found.etag}), found)
    assert httpcache.not_modified(_request(**{"If-None-Match": "W/" + found.etag}), found)
    assert httpcache.not_modified(_request(**{"If-None-Match": '"a", ' + found.etag}), found)
    assert httpcache.not_modified(_request(**{"If-None-Match": "*"}), found)
    assert not httpcache.not_modified(_request(**{"If-None-Match": '"a"'}), found)
    assert not httpcache.not_modified(_request(), found)
    assert httpcache.not_modified(_request(**{"If-Modified-Since": "Sun, 30 Nov 2025 10:53:20 GMT"}), found)
    assert not httpcache.not_modified(_request(**{"If-Modified-Since": "Sun, 30 Nov 2025 10:53:19 GMT"}), found)
    assert not httpcache.not_modified(_request(**{"If-Modified-Since": "yesterday"}), found)
    assert not httpcache.not_modified(_request(**{"If-Modified-Since": "Sun, 30 Nov 2025 10:53:20 GMT"}),
                                      _found(version="0"))


def test_the_304_repeats_the_validators_and_has_no_body():
    response = httpcache.not_modified_response(_found())
    assert response.status_int == 304 and response.body == b""
    assert dict(response.headerlist)["Cache-Control"] == "public, max-age=60"


def test_a_recent_version_is_trusted_for_its_recheck_only(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(pagecache, "_clock", lambda: clock[0])
    recent = pagecache.RecentVersion(1.0)
    reads = []
    request = DummyRequest(dbsession="db")
    versions = pagecache.Versions(lambda db: reads.append(db) or f"v{len(reads)}", recent=recent)
    assert versions.current() is None
    assert versions.read(request) == "v1" and versions.read(request) == "v1" and reads == ["db"]
    clock[0] += 1.0
    assert versions.read(request) == "v2"
    recent.forget()  # this process committed a change
    assert versions.read(request) == "v3"
    never = pagecache.Versions(lambda db: reads.append(db) or f"v{len(reads)}", recent=pagecache.RecentVersion(0))
    assert never.read(request) != never.read(request)


def test_a_committed_change_is_seen_at_once_by_its_process():
    """The session that bumps the version tells the page cache on commit."""
    from congdichvu.catalog import versioning

    recent = pagecache.RecentVersion(60)
    hook = pagecache._forget_on_commit(recent)

    class Session:
        info = {}

    recent.seen("old")
    hook(Session())  # a commit that changed no content
    assert recent.current() == "old"
    Session.info = {versioning.BUMPED: True}
    hook(Session())
    assert recent.current() is None and versioning.BUMPED not in Session.info
