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
3. :func:`restore` — called by ``forms.make_form`` — fills the page's form
   with what was typed, with a fresh token and a polite message, and
   forgets it. Nothing is acted on until the person sends the form again.

Passwords and secrets are never kept. Input is kept only when the browser
says the form came from this portal (``Origin``/``Referer``), so another
site cannot plant values in someone's form.
"""
import secrets
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from sqlalchemy import JSON, Index, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from .i18n import _
from .inputs import safe_next
from .models.meta import Base, UTCDateTime

SESSION_KEY = "typed_input"
KEEP_FOR = timedelta(days=1)
#: pages whose input is kept at most (oldest forgotten first)
MAX_PAGES = 5
#: fields never kept: credentials, secrets, the expired token itself
SECRET_FIELDS = frozenset({"csrf_token", "current", "secret", "__formid__", "_charset_"})
#: the error view asks pyramid_tm to commit what it wrote (see config's commit veto)
COMMIT_AFTER_ERROR = "congdichvu.commit_after_error"

MESSAGE = _("Your session had expired, so the form was not sent. We kept what you typed: check it and send "
            "it again.")
FILES_MESSAGE = _("Files cannot be kept: please choose them again.")


class TypedInput(Base):
    """What one browser typed in a form that could not be accepted."""

    __tablename__ = "typed_input"
    __table_args__ = (Index("ix_typed_input_created_at", "created_at"),)

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    path: Mapped[str] = mapped_column(String(2000))
    fields: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


def _now():
    return datetime.now(timezone.utc)


def _is_secret(name):
    return name in SECRET_FIELDS or "password" in name


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
        return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""), request.path)
    return safe_next(request.path, "/")


def keep(request):
    """Store the text fields of this POST for the page it came from; returns
    that page's path. Nothing is stored for a form from another site, or a
    form without text fields."""
    page = form_page(request)
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if request.method != "POST" or not _same_origin(request, origin):
        return page
    fields = [[name, value] for name, value in request.POST.items()
              if isinstance(value, str) and not _is_secret(name)]
    had_files = any(getattr(value, "filename", None) for value in request.POST.values() if not isinstance(value, str))
    typed = any(value.strip() for name, value in fields if not name.startswith("__"))  # __start__ is structure
    if not typed and not had_files:
        return page
    db = request.dbsession
    db.execute(delete(TypedInput).where(TypedInput.created_at < _now() - KEEP_FOR))
    token = secrets.token_hex(16)
    db.add(TypedInput(token=token, path=page, fields=fields + ([["__files__", "1"]] if had_files else []),
                      created_at=_now()))
    pages = dict(request.session.get(SESSION_KEY) or {})
    pages.pop(page, None)
    pages[page] = token
    request.session[SESSION_KEY] = dict(list(pages.items())[-MAX_PAGES:])
    request.environ[COMMIT_AFTER_ERROR] = True
    return page


def waiting(session):
    """The input waiting in ``session`` (to carry across signing in), or None."""
    return session.get(SESSION_KEY) or None


def restore(request):
    """The kept fields for this page as [(name, value)] (peppercorn order),
    or None; forgotten once read. ``files`` in the result's second item says
    whether files had been chosen (they cannot be kept)."""
    if request.method != "GET" or SESSION_KEY not in request.session:
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
    request.dbsession.delete(row)
    fields = [(name, value) for name, value in row.fields if name != "__files__"]
    return fields, any(name == "__files__" for name, _value in row.fields)


def carry_over(kept, session):
    """Put ``waiting()``'s input into a new session (signing in starts one)."""
    if kept:
        session[SESSION_KEY] = kept


def commit_veto(request, response):
    """pyramid_tm's veto: as without one (commit unless the response asks
    otherwise), except that a response rendered by an exception view aborts
    unless that view kept typed input on purpose."""
    if getattr(request, "exception", None) is not None:
        return not request.environ.get(COMMIT_AFTER_ERROR, False)
    return response.headers.get("x-tm") == "abort"
