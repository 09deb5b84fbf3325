"""A page cache for the public disclosure, checked against the database,
and the HTTP caching of the same pages (congdichvu.httpcache).

Rendering a procedure page costs ~10 ms of Python; citizens ask for the same
few hundred pages again and again. Views opt in with ``mark_cacheable``; the
tween then keeps the rendered body keyed by (content version, locale, path
and query). The content version is a token in the database that changes in
the same transaction as any change to disclosed content, so every process
of every server sees a change: the cache is an optimisation kept coherent
by the shared database, never state of its own. With
``congdichvu.page_cache_listen`` on PostgreSQL, each process follows the
version from the database's change announcements (LISTEN/NOTIFY) and a
cached page costs no query at all; while that connection is down, or
without it, the version read is trusted for ``congdichvu.page_cache_recheck``
seconds (``RecentVersion``; a change made by the same process is seen at
once).

A page that also shows what the content version does not follow (a
procedure's real performance, computed from its dossiers) is marked with a
``max_age``: it is made again in each time window of that length.

The same tween gives every such answer its HTTP validators and freshness
(``Cache-Control: public``, ``ETag``, ``Last-Modified``, ``Vary``) and
answers a conditional request whose copy is current with 304 before any
view runs, so browsers, the reverse proxy and a CDN can keep them too.

Not cached, here or elsewhere: anything but GET and HEAD, requests carrying
a session cookie (pages may then hold personal data or CSRF tokens; they
are ``private, no-store``, see security._cache_policy), responses that set
cookies, and requests with ``Cache-Control: no-cache`` (a browser's hard
reload), which still refresh the entry.
"""
import threading
import time
from collections import OrderedDict

from pyramid.response import Response
from pyramid.tweens import EXCVIEW

from . import httpcache
from .catalog import versioning
from .settings import asbool

CACHEABLE = "congdichvu.cacheable"
#: set by views whose page also shows what the content version does not
#: follow (figures computed from dossiers, the search index): the seconds
#: it may lag behind them
MAX_AGE = "congdichvu.cacheable.max_age"
#: False for pages cached by browsers and proxies only, never kept here
#: (a search: each one run is logged for the editors' report)
KEEP = "congdichvu.cacheable.keep"
#: False for pages whose figures may move within their time window: weak ETags
EXACT = "congdichvu.cacheable.exact"
SESSION_COOKIE = "congdichvu_session"


class Entry:
    """A cached page, or (``body is None``) only the knowledge that the path
    is cacheable, and how (its ``max_age``, whether it is ``keep``-t here)."""

    __slots__ = ("version", "status", "headerlist", "body", "key_size", "max_age", "keep", "etag", "exact")

    def __init__(self, version=None, status=None, headerlist=(), body=None, key_size=0, max_age=None, keep=True,
                 etag=None, exact=True):
        self.version, self.status, self.headerlist, self.body = version, status, headerlist, body
        self.key_size = key_size
        #: seconds the page may lag behind what the content version does not follow (None: it follows all)
        self.max_age = max_age
        self.keep = keep
        #: the page's ETag, which also names its time window (httpcache.validators)
        self.etag = etag
        self.exact = exact

    def fresh(self, version, etag):
        """Whether the kept page may be served for content ``version`` now
        that the page's ETag is ``etag`` (a new time window: made again)."""
        return self.body is not None and self.version == version and self.etag == etag

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


def _now():
    """Epoch seconds, for the time windows every server agrees on."""
    return time.time()


def mark_cacheable(request, max_age=None, keep=True, exact=True):
    """Say that this response is the same for every anonymous visitor;
    with ``max_age`` (seconds), that it also shows something the content
    version does not follow, so it is kept at most that long (a view that
    computes such figures as of ``window_start(max_age)`` shows the same
    page all through the window); with ``exact=False``, that two renders in
    one window may still differ (weak ETags); with ``keep=False``, that
    browsers and proxies may keep it but this cache must not (its view must
    run for each visitor who reaches the portal)."""
    request.environ[CACHEABLE] = True
    if max_age is not None:
        request.environ[MAX_AGE] = max_age
    if not keep:
        request.environ[KEEP] = False
    if not exact:
        request.environ[EXACT] = False


def window_start(max_age):
    """The start (aware UTC datetime) of the current time window of pages
    kept ``max_age`` seconds: figures computed as of it are the same for
    every render of the window, on every server."""
    from datetime import datetime, timezone

    return datetime.fromtimestamp(httpcache.window(_now(), max_age)[1], timezone.utc)


#: longer URLs are served but never kept: every distinct URL is an entry,
#: and nobody links to a page with a query this long
MAX_KEY_LENGTH = 512


def _wants_fresh(request):
    return "no-cache" in request.headers.get("Cache-Control", "")


class RecentVersion:
    """The content version as last read, trusted for ``recheck`` seconds.

    Where no database announces changes (SQLite, or PostgreSQL without
    ``page_cache_listen``), a cached page would otherwise cost a query for
    the version; a version a second old costs nothing and is as fresh as any
    proxy's copy (``congdichvu.http_max_age``). A change committed by this
    process is seen at once (``forget``, on commit); another process's (a
    command-line import) within ``recheck`` seconds. ``recheck`` 0 reads it
    every time (the tests, whose changes no other connection sees)."""

    def __init__(self, recheck):
        self.recheck = recheck
        self._seen = None  # (version, _clock() when read)

    def current(self):
        seen = self._seen
        if seen is None or _clock() - seen[1] >= self.recheck:
            return None
        return seen[0]

    def seen(self, version):
        if self.recheck > 0:
            self._seen = (version, _clock())

    def forget(self):
        self._seen = None


class Versions:
    """Where the page cache gets the content version: from a watcher
    (PostgreSQL LISTEN, or ``RecentVersion``) when it knows, else from the
    database in the request's transaction."""

    def __init__(self, read, watcher=None, recent=None):
        self._read, self.watcher, self.recent = read, watcher, recent

    def current(self):
        """The version if it costs nothing to know, else None."""
        for source in (self.watcher, self.recent):
            version = source.current() if source is not None else None
            if version is not None:
                return version
        return None

    def read(self, request):
        """The version, from the request's database session only when no
        watcher knows it (a session costs even unused)."""
        version = self.current()
        if version is None:
            version = self._read(request.dbsession)
            if self.recent is not None:
                self.recent.seen(version)
        return version


def _marked(request, response):
    """Whether the view said this answer is everyone's and it is a whole page."""
    return (request.environ.get(CACHEABLE) and response.status_int == 200
            and "Set-Cookie" not in response.headers)


def page_cache_tween_factory(handler, registry):
    cache = registry.get("page_cache")
    if cache is None:
        return handler
    versions = registry["content_versions"]
    http_max_age = int(registry.settings.get("congdichvu.http_max_age", httpcache.DEFAULT_MAX_AGE))

    def found(version, key, max_age, exact=True):
        return httpcache.validators(version, key[0], key[1], max_age, _now(), http_max_age, exact)

    def first_visit(request, key):
        """A path this process has not seen cacheable: render, and learn."""
        # read before the view, as below; free while a watcher knows it (at most
        # a query a second for all such requests together, see RecentVersion)
        version = versions.read(request)
        response = handler(request)
        if not _marked(request, response):
            return response
        max_age, exact = request.environ.get(MAX_AGE), request.environ.get(EXACT, True)
        cache.put(key, Entry(key_size=len(key[1]), max_age=max_age, keep=request.environ.get(KEEP, True),
                             exact=exact))
        validators = found(version, key, max_age, exact)
        if httpcache.not_modified(request, validators):
            return httpcache.not_modified_response(validators)
        validators.apply(response)
        return response

    def page_cache_tween(request):
        if request.method not in ("GET", "HEAD") or SESSION_COOKIE in request.cookies \
                or len(request.path_qs) > MAX_KEY_LENGTH:
            return handler(request)
        key = (request.locale_name, request.path_qs)
        known = cache.get(key)
        if known is None:
            return first_visit(request, key)
        # Read before the view (in the view's transaction, or as last
        # announced, which is never ahead of what the view will read): a page
        # is never stored under a version newer than the data it shows.
        version = versions.read(request)
        validators = found(version, key, known.max_age, known.exact)
        fresh_wanted = _wants_fresh(request)
        if not fresh_wanted and httpcache.not_modified(request, validators):
            return httpcache.not_modified_response(validators)
        if request.method == "GET" and known.fresh(version, validators.etag) and not fresh_wanted:
            return Response(body=known.body, status=known.status, headerlist=list(known.headerlist))
        response = handler(request)
        if not _marked(request, response):
            return response
        validators.apply(response)
        if request.method == "GET" and known.keep:
            cache.put(key, Entry(version, response.status, tuple(response.headerlist), response.body,
                                 len(key[1]), max_age=known.max_age, keep=True, etag=validators.etag,
                                 exact=known.exact))
        return response

    return page_cache_tween


def _forget_on_commit(recent):
    def after_commit(session):
        if session.info.pop(versioning.BUMPED, False):
            recent.forget()
    return after_commit


def includeme(config):
    settings = config.get_settings()
    megabytes = int(settings.get("congdichvu.page_cache_mb", 64))
    if megabytes <= 0 or not asbool(settings.get("congdichvu.page_cache", True)):
        return
    config.registry["page_cache"] = PageCache(megabytes * 1024 * 1024)
    engine = config.registry.get("dbengine")
    watcher = None
    if asbool(settings.get("congdichvu.page_cache_listen", False)) and engine is not None \
            and engine.dialect.name == "postgresql":
        # no database round trip for a cached page: PostgreSQL announces changes
        watcher = versioning.VersionWatcher.for_engine(engine).start()
        config.registry["content_version_watcher"] = watcher
    recent = RecentVersion(float(settings.get("congdichvu.page_cache_recheck", 1.0)))
    factory = config.registry.get("dbsession_factory")
    if factory is not None:
        from sqlalchemy import event

        event.listen(factory, "after_commit", _forget_on_commit(recent))
    config.registry["content_versions"] = Versions(config.registry["content_version"], watcher, recent)
    config.add_tween("congdichvu.pagecache.page_cache_tween_factory", under="pyramid_tm.tm_tween_factory", over=EXCVIEW)
