"""HTTP caching of the public disclosure: validators, freshness, 304.

Public pages and API answers are the same for every anonymous visitor and
change only with the content version (congdichvu.catalog.versioning), or,
for pages that also show figures computed from dossiers or the search
index, at most every ``max_age`` seconds. So a browser, the reverse proxy
(deploy/nginx) or a CDN may keep them:

* ``Cache-Control: public, max-age=N`` (N from ``congdichvu.http_max_age``,
  seconds; 0 makes every cache ask again each time, with the validators);
* a strong ``ETag`` naming (content version, time window, language,
  address): two renders under the same name are the same page, byte for
  byte (a test renders each twice); a weak one (``W/``) for pages whose
  figures may move within their time window (statistics: RFC 9110 §8.8.1);
* ``Last-Modified``: when the content version was made (the token carries
  its time), or the start of the time window, whichever is later;
* ``Vary: Cookie``: the language cookie chooses the page's language, and a
  session cookie makes it personal (then it is ``private, no-store``).

A request whose ``If-None-Match`` names the current ETag (or, without it,
whose ``If-Modified-Since`` is not older than ``Last-Modified``) is answered
``304 Not Modified`` (RFC 9110 §13.1, §15.4.5) by the page cache tween,
before any view runs. This module only computes; the tween decides.
"""
import hashlib
from datetime import datetime, timezone

from pyramid.response import Response

#: the request headers a conditional answer depends on; the others of a
#: 200 that a 304 repeats (RFC 9110 §15.4.5)
VARY = "Cookie"
#: default seconds a browser or proxy may keep a public page without asking
DEFAULT_MAX_AGE = 60


class Validators:
    """What names one rendering of a public page: ``etag`` (quoted),
    ``last_modified`` (aware UTC datetime, whole seconds, or None when the
    content version does not say when it was made) and ``max_age``
    (seconds, for Cache-Control)."""

    __slots__ = ("opaque", "etag", "last_modified", "max_age")

    def __init__(self, opaque, last_modified, max_age, exact=True):
        #: the ETag's opaque tag, without quotes or weakness
        self.opaque = opaque
        self.etag = f'"{opaque}"' if exact else f'W/"{opaque}"'
        self.last_modified, self.max_age = last_modified, max_age

    def headers(self):
        """The caching headers, as (name, value) pairs, for a 200 or a 304."""
        pairs = [("Cache-Control", f"public, max-age={self.max_age}"), ("ETag", self.etag), ("Vary", VARY)]
        if self.last_modified is not None:
            pairs.append(("Last-Modified", _http_date(self.last_modified)))
        return pairs

    def apply(self, response):
        for name, value in self.headers():
            response.headers[name] = value


def _http_date(moment):
    from email.utils import format_datetime

    return format_datetime(moment, usegmt=True)


def window(now, max_age):
    """The time window ``now`` (epoch seconds) falls in, for a page kept at
    most ``max_age`` seconds: (number, start, end) in epoch seconds; every
    server agrees on it (wall clocks, not process start). None when the
    page changes only with the content version."""
    if not max_age:
        return None
    number = int(now // max_age)
    return number, number * max_age, (number + 1) * max_age


def validators(version, locale, path_qs, page_max_age, now, http_max_age, exact=True):
    """The validators of the page at ``path_qs`` in ``locale`` under content
    ``version`` at ``now`` (epoch seconds); ``page_max_age`` and ``exact`` as
    given to ``pagecache.mark_cacheable``."""
    span = window(now, page_max_age)
    name = "\x00".join((version, str(span[0] if span else ""), locale, path_qs))
    opaque = hashlib.blake2b(name.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
    made = version_time(version)
    if span is not None:
        made = max(made or 0, span[1])
    last_modified = datetime.fromtimestamp(made, timezone.utc) if made else None
    max_age = http_max_age if span is None else min(http_max_age, page_max_age)
    return Validators(opaque, last_modified, max_age, exact)


def version_time(version):
    """Epoch seconds a content version was made, read from its token
    (``<seconds>.<random>``, see versioning.bump); None for older tokens."""
    seconds, dot, _rest = version.partition(".")
    if not dot or not (seconds.isascii() and seconds.isdigit()) or len(seconds) > 12:
        return None
    return int(seconds)


def conditional(request):
    """Whether the request asks "only if changed" at all."""
    return "HTTP_IF_NONE_MATCH" in request.environ or "HTTP_IF_MODIFIED_SINCE" in request.environ


def not_modified(request, found):
    """Whether the visitor's copy is the page ``found`` (Validators) names:
    If-None-Match decides when sent (weak comparison, RFC 9110 §13.1.2),
    otherwise If-Modified-Since. Unreadable headers count as absent."""
    if "HTTP_IF_NONE_MATCH" in request.environ:
        try:
            return found.opaque in request.if_none_match
        except (ValueError, TypeError):  # WebOb reads leniently; never let a header decide a 500
            return False
    if found.last_modified is None or "HTTP_IF_MODIFIED_SINCE" not in request.environ:
        return False
    try:
        since = request.if_modified_since
    except (ValueError, TypeError, OverflowError):
        return False
    return since is not None and found.last_modified <= since


def not_modified_response(found):
    """``304 Not Modified`` carrying the validators and freshness of the 200."""
    response = Response(status=304)
    response.headerlist = [(name, value) for name, value in found.headers()]
    return response
