"""Nothing typed is lost when a session or a form's token has expired.

A citizen may spend half an hour on a long form; meanwhile the session
(and with it the sign-in and the CSRF token) expires, or another tab signs
in again and changes the token. The form that then arrives cannot be
acted on — but what it carries must not be thrown away:

1. the error views (a refused CSRF token, an anonymous POST to a page that
   needs signing in) call :func:`keep` — the text fields are stored
   server-side (``typed_input``; a long CMS form does not fit in a cookie)
   under a random token kept in the session, for the page the form came
   from;
2. the browser is sent to that page (through signing in when needed);
3. ``request.kept_input`` (:func:`kept_input`) gives it back once, on the
   GET of that page: ``forms.make_form`` fills a Deform form with it (with a
   fresh token), plain forms read their fields from it, and the layout
   shows a polite notice. Nothing is acted on until the person sends the
   form again.

Passwords and secrets are never kept. Input is kept only when the browser
says the form came from this portal (``Origin``/``Referer``), so another
site cannot plant values in someone's form.

Kept input belongs to the person who typed it. A session that expired no
longer says who that was, so each kept form is stored with the *visitor
key* of the browser: an opaque key of the user (an HMAC of their id with
the portal's secret) in an HttpOnly cookie set at sign-in (and on any page
of a signed-in visitor whose browser lacks it) and kept after signing out,
or the signed-in user's own key. Kept after signing out, because people
sign out in one tab while a form waits in another; whoever signs in next
on that browser has another key and gets nothing. It is given back, and carried
across signing in, only to the same key: an editor whose session expired
gets their text back on signing in again, the colleague who signs in next
on that computer does not.

The same module keeps a form that arrived without part of its structure
(``forms.FormIncomplete``: a page drawn before a field was added), so it
can be sent again.
"""
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from pyramid.authentication import SessionAuthenticationHelper
from sqlalchemy import JSON, Index, String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from .i18n import _
from .inputs import safe_next
from .models.meta import Base, UTCDateTime
from .security import USER_NAME, client_address
from .settings import asbool

SESSION_KEY = "typed_input"
SESSION_COOKIE = "congdichvu_session"
#: the browser's visitor key (see the module's docstring), and how long it
#: lasts: input kept up to KEEP_FOR after a sign-in's session expired
VISITOR_COOKIE = "congdichvu_visitor"
VISITOR_MAX_AGE = 30 * 24 * 3600
_VISITOR_KEY = re.compile(r"[0-9a-f]{32}")
KEEP_FOR = timedelta(days=1)
#: pages whose input is kept at most (oldest forgotten first)
MAX_PAGES = 5
#: fields never kept: the expired token and Deform's bookkeeping; and any
#: field whose name says "password" or "secret" (forms name them so)
SECRET_FIELDS = frozenset({"csrf_token", "__formid__", "_charset_"})
#: what one kept form may hold (characters of all its values, fields), and
#: how many forms one browser (its session) and one address may have kept
#: in an hour: a form arriving with an expired token costs the sender
#: nothing, it must cost us little. The address's bound is the storage's:
#: far above one browser's, so that someone behind the same address (a
#: mobile carrier's or an office's NAT) sending forged forms does not switch
#: keeping off for everyone else there after a few dozen
MAX_CHARACTERS, MAX_FIELDS, MAX_PER_SESSION, MAX_PER_ADDRESS = 200_000, 1_000, 30, 300
#: where the session counts the forms it had kept (times, seconds since the epoch)
KEPT_TIMES = "typed_input.kept_at"
#: why a form was kept: its session or token expired, or it arrived
#: without part of itself (``forms.FormIncomplete``)
EXPIRED, INCOMPLETE = "expired", "incomplete"
_WHY = "__why__"
PATH_LENGTH = 2000
#: the error view asks pyramid_tm to commit what it wrote (see config's commit veto)
COMMIT_AFTER_ERROR = "congdichvu.commit_after_error"

MESSAGE = _("Your session had expired, so the form was not sent. We kept what you typed: check it and send "
            "it again.")
INCOMPLETE_MESSAGE = _("The form had changed since the page was opened, so it was not sent. We kept what you "
                       "typed: check it, fill in what is new and send it again.")
FILES_MESSAGE = _("Files cannot be kept: please choose them again.")


class TypedInput(Base):
    """What one browser typed in a form that could not be accepted."""

    __tablename__ = "typed_input"
    __table_args__ = (Index("ix_typed_input_created_at", "created_at"),
                      Index("ix_typed_input_address_created_at", "address", "created_at"))

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    path: Mapped[str] = mapped_column(String(PATH_LENGTH))
    fields: Mapped[list] = mapped_column(JSON)
    address: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: the visitor key of whoever typed it (None: a browser that never signed in)
    owner: Mapped[str | None] = mapped_column(String(64))


def _now():
    return datetime.now(timezone.utc)


def _is_secret(name):
    return name in SECRET_FIELDS or "password" in name or "secret" in name


def _same_origin(request, value):
    if not value:
        return False
    parts = urlsplit(value)
    return f"{parts.scheme}://{parts.netloc}" == request.application_url.rstrip("/")


def form_page(request):
    """The page the form was on: the same-origin Referer's path (a form may
    post to an action URL), else the requested path."""
    referer = request.headers.get("Referer")
    if _same_origin(request, referer):
        parts = urlsplit(referer)
        page = safe_next(parts.path + (f"?{parts.query}" if parts.query else ""), request.path)
    else:
        page = safe_next(request.path, "/")
    return page if len(page) <= PATH_LENGTH else safe_next(urlsplit(page).path[:PATH_LENGTH], "/")


def keep(request, why=EXPIRED):
    """Store the text fields of this POST for the page it came from, as
    the visitor's (``visitor_key``); returns that page's path. Nothing is
    stored for a form from another site, or a form without text fields.
    ``why`` (EXPIRED or INCOMPLETE) chooses what the page will say."""
    page = form_page(request)
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if request.method != "POST" or not _same_origin(request, origin):
        return page
    fields = [[name, value] for name, value in request.POST.items()
              if isinstance(value, str) and not _is_secret(name)]
    had_files = any(getattr(value, "filename", None) for value in request.POST.values() if not isinstance(value, str))
    typed = any(value.strip() for name, value in fields if not name.startswith("__"))  # __start__ is structure
    if not typed and not had_files or not _affordable(request, fields):
        return page
    db = request.dbsession
    db.execute(delete(TypedInput).where(TypedInput.created_at < _now() - KEEP_FOR))
    token = secrets.token_hex(16)
    notes = ([["__files__", "1"]] if had_files else []) + ([[_WHY, why]] if why != EXPIRED else [])
    db.add(TypedInput(token=token, path=page, fields=fields + notes, address=client_address(request),
                      created_at=_now(), owner=visitor_key(request)))
    pages = dict(request.session.get(SESSION_KEY) or {})
    pages.pop(page, None)
    pages[page] = token
    request.session[SESSION_KEY] = dict(list(pages.items())[-MAX_PAGES:])
    request.session[KEPT_TIMES] = _recent(request.session) + [int(time.time())]
    request.environ[COMMIT_AFTER_ERROR] = True
    return page


def _recent(session):
    """The times this session had a form kept in the last hour."""
    hour_ago = time.time() - 3600
    return [moment for moment in session.get(KEPT_TIMES) or () if isinstance(moment, int) and moment > hour_ago]


def _affordable(request, fields):
    """Whether this form may be kept: not too large, and neither its
    browser nor its address has had many kept lately (nothing is kept
    otherwise; the form simply opens again empty, as it would have without
    this module)."""
    if len(fields) > MAX_FIELDS or sum(len(name) + len(value) for name, value in fields) > MAX_CHARACTERS:
        return False
    if len(_recent(request.session)) >= MAX_PER_SESSION:
        return False
    recent = request.dbsession.scalar(select(func.count()).select_from(TypedInput).where(
        TypedInput.address == client_address(request), TypedInput.created_at >= _now() - timedelta(hours=1)))
    return recent < MAX_PER_ADDRESS


# -- whose input it is ------------------------------------------------------


def _key_of(request, user_id):
    secret = request.registry.settings["congdichvu.secret"].encode()
    return hmac.new(secret, f"typed-input-visitor:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]


def visitor_key(request):
    """The opaque key of whoever is at this browser: the signed-in user's,
    else the one the browser kept from its last sign-in, else None."""
    if request.user is not None:
        return _key_of(request, request.user.id)
    cookie = request.cookies.get(VISITOR_COOKIE)
    return cookie if isinstance(cookie, str) and _VISITOR_KEY.fullmatch(cookie) else None


def _same_visitor(request, owner):
    current = visitor_key(request)
    if owner is None or current is None:
        return owner is None and current is None
    return hmac.compare_digest(owner, current)


def waiting(session):
    """The input waiting in ``session`` (to carry across signing in), or None."""
    return session.get(SESSION_KEY) or None


@dataclass(frozen=True)
class Kept:
    """The input kept for one page: ``fields`` [(name, value)] in the order
    they were sent (what peppercorn needs), whether files had been chosen
    (they cannot be kept), and why it was kept (EXPIRED, INCOMPLETE)."""

    fields: list
    had_files: bool
    why: str = EXPIRED

    def get(self, name, default=""):
        """The value of a plain form's field, for its template."""
        return next((value for field, value in self.fields if field == name), default)

    def notice(self, translate):
        text = translate(INCOMPLETE_MESSAGE if self.why == INCOMPLETE else MESSAGE)
        return f"{text} {translate(FILES_MESSAGE)}" if self.had_files else text


def kept_input(request):
    """The input kept for the page this GET shows (``request.kept_input``,
    read once per request and then forgotten), or None; only for the
    visitor who typed it (``visitor_key``). Visitors without a session
    cookie cannot have any: their pages stay cookie-free (and cacheable)."""
    if request.method != "GET" or SESSION_COOKIE not in request.cookies or SESSION_KEY not in request.session:
        return None
    pages = dict(request.session[SESSION_KEY])
    token = pages.pop(request.path_qs, None) or pages.pop(request.path, None)
    if token is None:
        return None
    request.session[SESSION_KEY] = pages
    row = request.dbsession.scalar(select(TypedInput).where(
        TypedInput.token == token, TypedInput.created_at >= _now() - KEEP_FOR))
    if row is None:
        return None
    request.dbsession.delete(row)  # given back once; and never to someone else
    if not _same_visitor(request, row.owner):
        return None
    notes = {"__files__", _WHY}
    return Kept([(name, value) for name, value in row.fields if name not in notes],
                any(name == "__files__" for name, _value in row.fields),
                next((value for name, value in row.fields if name == _WHY), EXPIRED))


def carry_over(kept, request, user):
    """After ``user`` signed in (which starts a new session): put into it
    the input of ``waiting()`` that this person typed, forget the rest (a
    colleague's, who signed in on this browser before), and give the
    browser ``user``'s visitor key."""
    key = _key_of(request, user.id)
    if kept:
        tokens = list(kept.values())
        owners = dict(request.dbsession.execute(
            select(TypedInput.token, TypedInput.owner).where(TypedInput.token.in_(tokens))).all())
        theirs = {page: token for page, token in kept.items()
                  if owners.get(token) is not None and hmac.compare_digest(owners[token], key)}
        request.dbsession.execute(delete(TypedInput).where(
            TypedInput.token.in_([token for token in tokens if token not in theirs.values()])))
        if theirs:
            request.session[SESSION_KEY] = theirs
    _visitor_cookie(request, key)


def _visitor_cookie(request, key):
    secure = asbool(request.registry.settings.get("congdichvu.secure_cookies", False))
    request.add_response_callback(lambda _request, response: response.set_cookie(
        VISITOR_COOKIE, key, max_age=VISITOR_MAX_AGE, httponly=True, samesite="Lax", secure=secure, path="/"))


def _remember_the_visitor(event):
    """A signed-in visitor whose browser lacks their key (signed in before
    keys existed, or the cookie was cleared) gets it with this page, so
    what they type after their session expires is still theirs. Only
    where the user was already looked up (``security.USER_NAME``)."""
    request = event.request
    if request.method == "HEAD" or USER_NAME not in request.environ:
        return
    # the id as the session holds it: the user's row is out of its
    # transaction by now (pyramid_tm has committed or aborted)
    user_id = SessionAuthenticationHelper().authenticated_userid(request)
    if user_id is None:
        return
    key = _key_of(request, user_id)
    if request.cookies.get(VISITOR_COOKIE) != key:
        secure = asbool(request.registry.settings.get("congdichvu.secure_cookies", False))
        event.response.set_cookie(VISITOR_COOKIE, key, max_age=VISITOR_MAX_AGE, httponly=True, samesite="Lax",
                                  secure=secure, path="/")


def includeme(config):
    config.add_request_method(kept_input, "kept_input", reify=True)
    config.add_subscriber(_remember_the_visitor, "pyramid.events.NewResponse")


def commit_veto(request, response):
    """pyramid_tm's veto: as without one (commit unless the response asks
    otherwise), except that a response rendered by an exception view aborts
    unless that view kept typed input on purpose, and a HEAD request never
    commits: it runs the page's GET view only to learn its headers, so
    whatever that view would do once (show a secret, forget kept input)
    is left for the GET."""
    if request.method == "HEAD":
        return True
    if getattr(request, "exception", None) is not None:
        return not request.environ.get(COMMIT_AFTER_ERROR, False)
    return response.headers.get("x-tm") == "abort"
