"""The first thing every request meets: a tween above all others.

It does four things, so that nothing below it has to:

1. **The portal's own address.** Absolute URLs (API links, links in mail,
   redirects) are built from ``congdichvu.public_url``, never from the
   request's ``Host`` header, which anyone can forge: the WSGI environ's
   scheme and host are set from the setting before anything reads them.
   A page cached for one visitor can therefore never carry another host.
2. **Bytes that are not UTF-8** in the path or the query string, and form
   bodies that cannot be read (a multipart body without a boundary, a
   charset other than UTF-8, invalid UTF-8 in a field) are answered here
   with 400 and the portal's Vietnamese error page (JSON under ``/api/``),
   before a tween, the locale negotiator or a view trips over them.
   Cookies that are not plain ASCII are dropped rather than refused, so a
   browser holding a stray cookie is not locked out of the portal.
3. **Text as people meant it**: every query and form value is turned into
   NFC (some phone keyboards send decomposed Vietnamese) and stripped of
   control characters (NUL is refused by PostgreSQL), once, here.
4. Anything it cannot make sense of becomes a 400, never a 500.
"""
import logging
import re
from email.message import EmailMessage
from io import BytesIO
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from pyramid.renderers import render_to_response
from pyramid.response import Response
from pyramid.tweens import INGRESS

from .i18n import DEFAULT_LOCALE, LOCALE_COOKIE, LOCALES, _
from .eservices.storage import Limits
from .i18n.formatting import format_filesize
from .inputs import has_control, normalise_text, parse_int

log = logging.getLogger(__name__)

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
#: the names of the portal's file inputs (cms/forms.jinja2, eservices/_papers.jinja2,
#: eservices/dossier.jinja2); a file sent under any other name is refused, so
#: a view reading a text field never receives a file (a test checks the templates)
UPLOAD_FIELDS = re.compile(r"file|files|paper-[0-9]{1,3}")
#: the most fields one form may send (the longest procedure form has a few
#: hundred), and the most parts large enough for WebOb's parser to put in a
#: temporary file of their own (over 1,000 bytes: files, long texts) beyond
#: the files a dossier may hold: each is an open file until the request ends
MAX_FIELDS, MAX_LARGE_PARTS_BEYOND_FILES = 3000, 100
LARGE_PART = 1000
#: a form without files is never large: its body is refused beyond this
MAX_URLENCODED = 2 * 1024 * 1024
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
#: what a browser (and the API's clients) send; every other method would
#: otherwise reach the page's view and get the page (PUT, DELETE, TRACE …)
METHODS = ("GET", "HEAD", "POST")
#: the API only reads
API_METHODS = ("GET", "HEAD")


class BadInput(Exception):
    """The request cannot be read; ``part`` says which part (for the log)."""

    status = 400

    def __init__(self, part, message=None):
        super().__init__(part)
        self.part = part
        self.message = message


class TooLarge(BadInput):
    """The body is larger than any form of the portal accepts."""

    status = 413


class PublicURL:
    """``congdichvu.public_url`` (``https://dichvucong.example.vn``), applied
    to each request's environ."""

    def __init__(self, url):
        parts = urlsplit(url or "")
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/") \
                or parts.query or parts.fragment:
            raise ValueError(
                f"congdichvu.public_url must be like https://host[:port], without a path (got {url!r})")
        self.scheme, self.netloc = parts.scheme, parts.netloc
        self.server_name = parts.hostname
        self.server_port = str(parts.port or (443 if parts.scheme == "https" else 80))

    @property
    def url(self):
        return f"{self.scheme}://{self.netloc}"

    def apply(self, environ):
        environ["wsgi.url_scheme"] = self.scheme
        environ["HTTP_HOST"] = self.netloc
        environ["SERVER_NAME"] = self.server_name
        environ["SERVER_PORT"] = self.server_port
        environ.pop("HTTP_X_FORWARDED_HOST", None)


# -- checking ----------------------------------------------------------------


def _wsgi_bytes(value):
    """A PEP 3333 string (bytes decoded as latin-1) back to its bytes."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:  # already text (some test clients)
        return value.encode("utf-8")


def _check_path(environ):
    try:
        path = _wsgi_bytes(environ.get("PATH_INFO", "")).decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput("path") from None
    if has_control(path) or any(ch in path for ch in "\r\n"):
        raise BadInput("path")


def _clean_cookies(environ):
    """Keep only the cookies written in printable ASCII (all of the portal's are)."""
    header = environ.get("HTTP_COOKIE")
    if not header:
        return
    kept = [part for part in header.split(";") if all(" " <= ch <= "~" for ch in part)]
    if len(kept) != len(header.split(";")):
        environ["HTTP_COOKIE"] = ";".join(kept)


#: request headers WebOb parses only when asked, often after the view has
#: returned (a file response answering If-Modified-Since), where nothing can
#: catch its error: each is read here once and dropped if it cannot be
#: (a date in the year 99999, an offset of +99999999999999 …). Dropping
#: is what a server may do with a precondition or range it cannot use.
_PARSED_HEADERS = {
    "HTTP_IF_MODIFIED_SINCE": lambda request: request.if_modified_since,
    "HTTP_IF_UNMODIFIED_SINCE": lambda request: request.if_unmodified_since,
    "HTTP_IF_RANGE": lambda request: request.if_range,
    "HTTP_RANGE": lambda request: _usable_range(request),
    "HTTP_IF_MATCH": lambda request: request.if_match,
    "HTTP_IF_NONE_MATCH": lambda request: request.if_none_match,
    "HTTP_DATE": lambda request: request.date,
    "HTTP_ACCEPT": lambda request: request.accept.acceptable_offers(["text/html", "application/json"]),
    "HTTP_ACCEPT_LANGUAGE": lambda request: request.accept_language.lookup(["vi", "en"], default="vi"),
    "HTTP_ACCEPT_ENCODING": lambda request: request.accept_encoding.acceptable_offers(["gzip", "identity"]),
    "HTTP_ACCEPT_CHARSET": lambda request: request.accept_charset.acceptable_offers(["utf-8"]),
    "HTTP_CACHE_CONTROL": lambda request: request.cache_control.max_age,
    # addresses the portal compares with its own (typed_input, CSRF)
    "HTTP_REFERER": lambda request: _address(request.environ["HTTP_REFERER"]),
    "HTTP_ORIGIN": lambda request: _address(request.environ["HTTP_ORIGIN"]),
}


_EMPTY_SUFFIX = re.compile(r"\s*bytes\s*=\s*-\s*0+\s*", re.IGNORECASE)


def _usable_range(request):
    """The Range WebOb reads, refusing the empty suffix ``bytes=-0``, which
    it reads as ``bytes=0-`` (206 with the whole file)."""
    if _EMPTY_SUFFIX.fullmatch(request.environ["HTTP_RANGE"]):
        raise ValueError("empty range")
    return request.range


def _address(value):
    """Split an absolute address as the portal will; raises when it cannot."""
    parts = urlsplit(value)
    parts.port  # noqa: B018 - "http://host:99999" and "http://[" raise only here
    return parts


def _clean_headers(request):
    """Drop each header in ``_PARSED_HEADERS`` that cannot be read."""
    environ = request.environ
    for key, read in _PARSED_HEADERS.items():
        if key not in environ:
            continue
        try:
            read(request)
        except Exception:  # noqa: BLE001 - a header that cannot be read is ignored, like an absent one
            log.info("unreadable %s header ignored", key)
            del environ[key]


def _check_query(request):
    try:
        parse_qsl(_wsgi_bytes(request.environ.get("QUERY_STRING", "")).decode("utf-8", "strict"),
                  keep_blank_values=True, encoding="utf-8", errors="strict")
        request.GET  # noqa: B018 - WebOb's own parse must succeed too
    except Exception:  # noqa: BLE001 - whatever it is, the query cannot be read
        raise BadInput("query") from None


def form_kind(request):
    """How WebOb will read this request's body as a form: "urlencoded",
    "multipart", or None (not a form). A POST without a Content-Type is
    read as urlencoded by WebOb, so it is checked as one here."""
    content_type = request.content_type
    if content_type == FORM_TYPES[1]:
        return "multipart"
    if content_type == FORM_TYPES[0] or (not content_type and request.method in BODY_METHODS):
        return "urlencoded"
    return None


def _boundary(request):
    message = EmailMessage()
    message["Content-Type"] = request.headers.get("Content-Type", "")
    boundary = message.get_param("boundary")
    return boundary.encode("latin-1") if isinstance(boundary, str) and 0 < len(boundary) <= 200 else None


def part_sizes(stream, boundary, limit, chunk=64 * 1024):
    """The sizes (bytes, headers included) of the parts of a multipart body
    read from ``stream``, without parsing it or holding it in memory; stops
    once more than ``limit`` parts are seen."""
    delimiter = b"\r\n--" + boundary
    carry, offset, start, sizes = b"\r\n", -2, None, []  # the body may open with the boundary itself
    while len(sizes) <= limit:
        data = stream.read(chunk)
        buffer, searched = carry + data, 0
        while (found := buffer.find(delimiter, searched)) >= 0:
            if start is not None:
                sizes.append(offset + found - start)
            start, searched = offset + found + len(delimiter), found + len(delimiter)
        if not data:
            break
        cut = max(len(buffer) - len(delimiter) + 1, searched)  # a delimiter may straddle two chunks
        offset, carry = offset + cut, buffer[cut:]
    return sizes


def _check_shape(request, kind, files):
    """Refuse, before parsing, a form with more fields than any form has or
    more large parts than a dossier has files: parsing it would cost memory,
    time and open files out of all proportion."""
    if kind == "urlencoded":
        if (request.content_length or 0) > MAX_URLENCODED or len(request.body) > MAX_URLENCODED:
            raise TooLarge("urlencoded body", TOO_MANY)
        if request.body.count(b"&") >= MAX_FIELDS:
            raise TooLarge("fields", TOO_MANY)
        return
    boundary = _boundary(request)
    if boundary is None:
        raise BadInput("boundary")
    stream = request.body_file_seekable
    stream.seek(0)
    sizes = part_sizes(stream, boundary, MAX_FIELDS)
    stream.seek(0)
    if len(sizes) > MAX_FIELDS or sum(size > LARGE_PART for size in sizes) > files + MAX_LARGE_PARTS_BEYOND_FILES:
        raise TooLarge("parts", TOO_MANY)


def _check_body(request, files):
    kind = form_kind(request)
    if kind is None:
        return
    charset = (request.headers.get("Content-Type", "").lower().partition("charset=")[2].split(";")[0]
               .strip().strip('"\''))
    if charset and charset not in ("utf-8", "utf8"):
        raise BadInput("charset")
    _check_shape(request, kind, files)
    try:
        if kind == "urlencoded":
            parse_qsl(request.body.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict")
        fields = request.POST
    except Exception:  # noqa: BLE001 - a body that cannot be parsed is the sender's fault
        raise BadInput("body") from None
    for name, value in fields.items():
        # WebOb decodes multipart fields with replacement characters:
        # bytes that were not UTF-8 show up as U+FFFD; a part may lack a name
        if not isinstance(name, str) or "\ufffd" in name or (isinstance(value, str) and "\ufffd" in value):
            raise BadInput("body")
        if not isinstance(value, str) and not UPLOAD_FIELDS.fullmatch(name):
            raise BadInput("file where text is expected")


def _check_length(environ, limit):
    """Refuse a body larger than ``limit`` bytes before reading it (waitress's
    own limit, set a little higher, answers in English and only catches
    what slips past this: a chunked body)."""
    raw = environ.get("CONTENT_LENGTH") or ""
    if not raw:
        return
    length = parse_int(raw.strip())
    if length is None:
        raise BadInput("content length")
    if length > limit:
        raise TooLarge("body", _("What you sent is larger than ${limit}, the most the portal accepts at once. "
                                 "Send fewer or smaller files.", mapping={"limit": format_filesize(limit)}))


def check(request, limits):
    """Raise BadInput when ``request`` cannot be read as UTF-8 text (or is
    larger than the dossier ``limits`` allow)."""
    environ = request.environ
    _clean_cookies(environ)
    _clean_headers(request)
    _check_length(environ, limits.dossier_bytes + FORM_ROOM)
    _check_path(environ)
    _check_query(request)
    _check_body(request, limits.files)


# -- normalising -------------------------------------------------------------


def _normalised(pairs):
    return [(normalise_text(key), normalise_text(value) if isinstance(value, str) else value)
            for key, value in pairs]


def normalise(request):
    """Every query and form value in NFC, without control characters."""
    query = list(request.GET.items())
    cleaned = _normalised(query)
    if cleaned != query:
        request.environ["QUERY_STRING"] = urlencode(cleaned, quote_via=quote)
    if form_kind(request) is not None:
        fields = request.POST
        items = list(fields.items())
        cleaned = _normalised(items)
        if cleaned != items:
            fields.clear()
            for key, value in cleaned:
                fields.add(key, value)
        for value in fields.values():
            if getattr(value, "filename", None):
                value.filename = normalise_text(value.filename)


# -- answering ---------------------------------------------------------------


def _readable_locale(environ):
    """The language cookie if it names a language, else Vietnamese."""
    for part in environ.get("HTTP_COOKIE", "").split(";"):
        name, _eq, value = part.strip().partition("=")
        if name == LOCALE_COOKIE and value in LOCALES:
            return value
    return DEFAULT_LOCALE


NOT_ALLOWED = _("The portal does not answer this kind of request. Open the page in a web browser.")
TOO_MANY = _("This form sends more than any form of the portal does. Reload the page and send it again.")
#: under /api/ a program, not a person with a browser and a form, reads the answer
API_MESSAGES = {
    405: _("The API only reads: this address answers GET and HEAD requests."),
    413: _("The API reads no request body: put the parameters in the address (the query string)."),
}
MESSAGE = _("The portal could not read this request: the address or the form contains characters it does "
            "not understand. Go back, check what you typed and try again.")


def _is_api(environ):
    return _wsgi_bytes(environ.get("PATH_INFO", "")).startswith(b"/api/")


#: registry key: {path (bytes): answer(status) -> Response} of the addresses a
#: machine calls (the payment gateway's IPN) that expect their own answer,
#: even to a request refused here
MACHINE_ANSWERS = "congdichvu.machine_answers"


def bad_request(request, part, status=400, message=MESSAGE):
    """400 (or ``status``) with the portal's error page (JSON under /api/,
    a machine's own answer at its address), built from a request reduced
    to what is safe to read."""
    log.info("bad request (%s) from %s", part, request.client_addr)
    environ = request.environ
    machine = request.registry.get(MACHINE_ANSWERS, {}).get(_wsgi_bytes(environ.get("PATH_INFO", "")))
    if machine is not None:
        return machine(status)
    api = _is_api(environ)
    environ.update(PATH_INFO="/", QUERY_STRING="", CONTENT_LENGTH="0", REQUEST_METHOD="GET")
    environ["wsgi.input"] = BytesIO(b"")
    environ.pop("CONTENT_TYPE", None)
    environ.pop("webob._parsed_post_vars", None)
    environ.pop("webob._parsed_query_vars", None)
    request.locale_name = _readable_locale(environ)
    request.user = None  # the page is rendered outside the transaction: no database
    if api:
        body = {"error": request.localizer.translate(API_MESSAGES.get(status, message))}
        return Response(json_body=body, status=status, charset="utf-8", content_type="application/json")
    response = render_to_response("errors/bad_request.jinja2", {"message": message}, request=request)
    response.status = status
    return response


def ingress_tween_factory(handler, registry):
    public = PublicURL(registry.settings.get("congdichvu.public_url"))
    limits = Limits.from_settings(registry.settings)

    def ingress_tween(request):
        public.apply(request.environ)
        allowed = API_METHODS if _is_api(request.environ) else METHODS
        if request.method not in allowed:
            response = bad_request(request, f"method {request.method[:20]!r}", 405, NOT_ALLOWED)
            response.allow = allowed
            return response
        try:
            check(request, limits)
            normalise(request)
        except BadInput as bad:
            return bad_request(request, bad.part, bad.status, bad.message or MESSAGE)
        except Exception:  # noqa: BLE001 - whatever else cannot be read is still the sender's fault
            log.exception("unreadable request")
            return bad_request(request, "unreadable")
        return handler(request)

    return ingress_tween


def request_limit(settings):
    """The largest body the portal accepts (bytes): a dossier's papers at
    their limit, plus room for the form around them."""
    return Limits.from_settings(settings).dossier_bytes + FORM_ROOM


FORM_ROOM = 4 * 1024 * 1024


def _read_the_form_again(event):
    """A retried request (pyramid_retry, after a lost race) is built again
    from the same WSGI environ, where WebOb keeps the form it parsed,
    uploaded files included, already read to their end: the next attempt
    would find every upload empty. Dropping it makes WebOb parse the
    (rewound) body again; this tween then checks and composes it again."""
    event.environ.pop("webob._parsed_post_vars", None)


def _head_sets_no_cookie(event):
    """A HEAD changes nothing (its transaction is aborted, see
    typed_input.commit_veto), so it starts no session either. Cookies are
    set by response callbacks, after every tween: hence a subscriber."""
    if event.request.method == "HEAD" and "Set-Cookie" in event.response.headers:
        del event.response.headers["Set-Cookie"]


def includeme(config):
    # fail at start-up, not on the first request, when the setting is wrong
    PublicURL(config.get_settings().get("congdichvu.public_url"))
    config.add_tween("congdichvu.ingress.ingress_tween_factory", under=INGRESS)
    config.add_subscriber(_read_the_form_again, "pyramid_retry.IBeforeRetry")
    config.add_subscriber(_head_sets_no_cookie, "pyramid.events.NewResponse")
