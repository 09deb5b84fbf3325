"""The session cookie and the forms' CSRF tokens, kept apart so that an
anonymous visitor holds a session cookie only while it holds something.

The page cache and the reverse proxy serve no kept page to a request
carrying the session cookie (it may hold a signed-in user), so a browser
that kept one for nothing would never be served from a cache again. So:

* a form's CSRF token lives in its own cookie (``CSRF_COOKIE``, Pyramid's
  double-submit ``CookieCSRFStoragePolicy``), not in the session: opening
  the sign-in page or the dossier look-up starts no session. A page that
  carries a token is this visitor's alone: ``private, no-store``, and never
  kept by the page cache. Signing in or out (``start_afresh``) draws a new
  token, as the new session used to: a token fixed before signing in is not
  the one that counts after;
* a response to a request that carried the session cookie deletes it when
  the session, as the response leaves, holds nothing that needs it
  (``needs_cookie``: a signed-in user, a notice not yet shown, kept typed
  input); a session that would be set holding nothing is not set.
"""
from pyramid.csrf import CookieCSRFStoragePolicy, new_csrf_token
from pyramid.events import NewResponse
from pyramid.session import SignedCookieSessionFactory

from .pagecache import CACHEABLE, SESSION_COOKIE
from .security import GENERATION_KEY, mark_personal
from .settings import asbool
from .typed_input import KEPT_TIMES

CSRF_COOKIE = "congdichvu_csrf"
#: what a session may hold that needs no cookie on its own: the generation
#: of a sign-in (nothing without the user's id), the times forms were kept
#: for this browser (a count that only slows an honest browser down, never
#: a sender of forged forms, who sends no cookie), and the CSRF token that
#: sessions held before it had its own cookie
BOOKKEEPING = frozenset({GENERATION_KEY, KEPT_TIMES, "_csrft_"})


class CSRFStoragePolicy(CookieCSRFStoragePolicy):
    """The double-submit cookie policy, and a page showing a token is the
    visitor's own: no cache keeps it, neither shared nor this portal's."""

    def get_csrf_token(self, request):
        mark_personal(request)
        request.environ.pop(CACHEABLE, None)
        return super().get_csrf_token(request)


def needs_cookie(session):
    """Whether ``session`` (a dict) holds anything the browser must keep
    its cookie for: any key but ``BOOKKEEPING`` with a value (an empty
    notice queue or an empty dict of kept input counts as nothing). Unknown
    keys count, so a new use of the session keeps its cookie."""
    # dict.items: read without the session's accessors, which would renew it
    return any(value not in (None, "", [], {}) for key, value in dict.items(session) if key not in BOOKKEEPING)


def start_afresh(request):
    """At signing in or out: an empty session (nothing fixed before carries
    over) and a new CSRF token. Forms still open in other tabs are then
    refused and come back filled (typed_input)."""
    request.session.invalidate()
    new_csrf_token(request)


def _is_session_cookie(header):
    name, value = header
    return name.lower() == "set-cookie" and value.startswith(SESSION_COOKIE + "=")


def _drop_empty_session(event):
    """A NewResponse subscriber, so after the session has set its cookie
    (a response callback): the session holding nothing needed, its
    Set-Cookie is taken back, and a cookie the browser sent is deleted."""
    request, response = event.request, event.response
    carried = SESSION_COOKIE in request.cookies
    if not carried and "session" not in request.__dict__:
        return  # no session was read or written: nothing to look at
    if needs_cookie(request.session):
        return
    response.headerlist[:] = [header for header in response.headerlist if not _is_session_cookie(header)]
    if carried:
        response.set_cookie(SESSION_COOKIE, None, max_age=0, path="/", httponly=True, samesite="Lax",
                            secure=_secure(request.registry.settings))


def _secure(settings):
    return asbool(settings.get("congdichvu.secure_cookies", False))


def includeme(config):
    settings = config.get_settings()
    config.set_session_factory(SignedCookieSessionFactory(
        settings["congdichvu.secret"], cookie_name=SESSION_COOKIE, secure=_secure(settings), httponly=True,
        samesite="Lax"))
    config.set_csrf_storage_policy(CSRFStoragePolicy(
        cookie_name=CSRF_COOKIE, secure=_secure(settings), httponly=True, samesite="Lax"))
    config.set_default_csrf_options(require_csrf=True)
    config.add_subscriber(_drop_empty_session, NewResponse)
