"""A page cache for the public disclosure, checked against the database.

Rendering a procedure page costs ~10 ms of Python; citizens ask for the same
few hundred pages again and again. Views opt in with ``mark_cacheable``; the
tween then keeps the rendered body keyed by (content version, locale, path
and query). The content version is a token in the database that changes in
the same transaction as any change to disclosed content, so every process
of every server sees a change at once: the cache is an optimisation kept
coherent by the shared database, never state of its own. With
``congdichvu.page_cache_listen`` on PostgreSQL, each process follows the
version from the database's change announcements (LISTEN/NOTIFY) and a
cached page costs no query at all; while that connection is down, the
version is read from the database as before.

A page that also shows what the content version does not follow (a
procedure's real performance, computed from its dossiers) is marked with a
``max_age`` and made again once that has passed.

Not cached: anything but GET, requests carrying a session cookie (pages may
then hold personal data or CSRF tokens), responses that set cookies, and
requests with ``Cache-Control: no-cache`` (a browser's hard reload), which
still refresh the entry.
"""
import threading
import time
from collections import OrderedDict

from pyramid.response import Response
from pyramid.tweens import EXCVIEW

from .settings import asbool

CACHEABLE = "congdichvu.cacheable"
#: set by views whose page also shows what the content version does not
#: follow (figures computed from dossiers): the seconds an entry may be kept
MAX_AGE = "congdichvu.cacheable.max_age"
SESSION_COOKIE = "congdichvu_session"


class Entry:
    """A cached page, or (``body is None``) only the knowledge that the path
    is cacheable: the version is read before the view runs only for such
    paths, so other requests never pay for the cache."""

    __slots__ = ("version", "status", "headerlist", "body", "key_size", "expires")

    def __init__(self, version=None, status=None, headerlist=(), body=None, key_size=0, expires=None):
        self.version, self.status, self.headerlist, self.body = version, status, headerlist, body
        self.key_size = key_size
        #: _clock() after which the page is made again (None: while the version holds)
        self.expires = expires

    def fresh(self, version, now):
        """Whether the kept page may be served for content ``version`` at ``now`` (monotonic)."""
        return self.body is not None and self.version == version and (self.expires is None or now < self.expires)

    @property
    def size(self):
        """What the entry costs: its page, its key (the URL) and some overhead."""
        return len(self.body or b"") + self.key_size + 200


class PageCache:
    """A thread-safe LRU of entries, bounded by their total size."""

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.size = 0
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key, entry):
        if entry.size > self.max_bytes // 8:
            return  # one huge page must not evict everything else
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= old.size
            self._entries[key] = entry
            self.size += entry.size
            while self.size > self.max_bytes:
                _key, evicted = self._entries.popitem(last=False)
                self.size -= evicted.size

    def __len__(self):
        return len(self._entries)


def _clock():
    """Seconds, for entries' ages (monotonic: a clock set back keeps nothing longer)."""
    return time.monotonic()


def mark_cacheable(request, max_age=None):
    """Say that this response is the same for every anonymous visitor;
    with ``max_age`` (seconds), that it also shows something the content
    version does not follow, so it is kept at most that long."""
    request.environ[CACHEABLE] = True
    if max_age is not None:
        request.environ[MAX_AGE] = max_age


#: longer URLs are served but never kept: every distinct URL is an entry,
#: and nobody links to a page with a query this long
MAX_KEY_LENGTH = 512


def _wants_fresh(request):
    return "no-cache" in request.headers.get("Cache-Control", "")


def _storable(request, response):
    return (
        request.environ.get(CACHEABLE)
        and response.status_int == 200
        and "Set-Cookie" not in response.headers
    )


def page_cache_tween_factory(handler, registry):
    cache = registry.get("page_cache")
    if cache is None:
        return handler
    version_of = registry["content_version"]
    watcher = registry.get("content_version_watcher")

    def page_cache_tween(request):
        if request.method != "GET" or SESSION_COOKIE in request.cookies or len(request.path_qs) > MAX_KEY_LENGTH:
            return handler(request)
        key = (request.locale_name, request.path_qs)
        key_size = len(key[1])
        known = cache.get(key)
        if known is None:
            response = handler(request)
            if _storable(request, response):
                cache.put(key, Entry(key_size=key_size))
            return response
        # Read before the view (in the view's transaction, or as last
        # announced, which is never ahead of what the view will read): a page
        # is never stored under a version newer than the data it shows.
        version = watcher.current() if watcher is not None else None
        if version is None:
            version = version_of(request.dbsession)
        if known.fresh(version, _clock()) and not _wants_fresh(request):
            return Response(body=known.body, status=known.status, headerlist=list(known.headerlist))
        response = handler(request)
        if _storable(request, response):
            max_age = request.environ.get(MAX_AGE)
            expires = _clock() + max_age if max_age is not None else None
            cache.put(key, Entry(version, response.status, tuple(response.headerlist), response.body, key_size,
                                 expires))
        return response

    return page_cache_tween


def includeme(config):
    settings = config.get_settings()
    megabytes = int(settings.get("congdichvu.page_cache_mb", 64))
    if megabytes <= 0 or not asbool(settings.get("congdichvu.page_cache", True)):
        return
    config.registry["page_cache"] = PageCache(megabytes * 1024 * 1024)
    engine = config.registry.get("dbengine")
    if asbool(settings.get("congdichvu.page_cache_listen", False)) and engine is not None \
            and engine.dialect.name == "postgresql":
        # no database round trip for a cached page: PostgreSQL announces changes
        from .catalog.versioning import VersionWatcher

        config.registry["content_version_watcher"] = VersionWatcher.for_engine(engine).start()
    config.add_tween("congdichvu.pagecache.page_cache_tween_factory", under="pyramid_tm.tm_tween_factory", over=EXCVIEW)
