"""Permissions, the security policy, and the headers that keep pages safe.

Every view names one of these permissions, so a typo fails at import time.
A signed-in user's id lives in the (signed cookie) session; their
principals are "user:<id>" and "role:<role>" for each of their roles, which
ACLs on the root and on objects grant permissions to.

The session also carries the user's session generation from when it
began; raising the user's generation (accounts.services.end_sessions) ends
every session of theirs, copies of the cookie included, because a signed
cookie cannot be taken back otherwise.
"""
import re
from enum import StrEnum
from urllib.parse import urlsplit

from pyramid.authentication import SessionAuthenticationHelper
from pyramid.authorization import ALL_PERMISSIONS, ACLHelper, Allow, Authenticated, Everyone
from pyramid.events import NewResponse


class Permissions(StrEnum):
    #: read the public disclosure (pages, API, downloads)
    VIEW_PUBLIC = "public:view"
    #: sign in and out (anyone)
    SIGN_IN = "account:sign-in"
    #: see and change one's own account
    ACCOUNT = "account:self"
    #: edit procedures and submit them for review (editors)
    EDIT_CATALOG = "catalog:edit"
    #: publish, send back or archive procedures (reviewers)
    PUBLISH_CATALOG = "catalog:publish"
    #: read the audit log (administrators)
    VIEW_AUDIT = "audit:view"
    #: declare days off and make-up working days (administrators)
    MANAGE_CALENDAR = "calendar:manage"
    #: list, create, deactivate staff accounts, set their roles and agency,
    #: issue password links (administrators, through ALL_PERMISSIONS)
    MANAGE_USERS = "users:manage"
    #: fill in and submit dossiers online (citizens)
    SUBMIT_DOSSIER = "dossier:submit"
    #: see, withdraw and supplement one's own dossier or draft: granted by the
    #: dossier to its applicant alone (eservices.resources), administrators
    #: included in the denial
    OWN_DOSSIER = "dossier:own"
    #: open the one-stop desk (officers and leaders); which dossiers they see
    #: is decided per dossier by the two below (onestop.resources)
    DESK = "desk:work"
    #: read a dossier at the desk: granted by the dossier to the agencies it
    #: passed through and to the leaders above them
    READ_DOSSIER = "dossier:read"
    #: act on a dossier (receive, ask for papers, hand over…): granted to the
    #: officers of the agency handling it now
    HANDLE_DOSSIER = "dossier:handle"
    #: sign off an apology or a transfer: granted to the leaders of the
    #: agency handling it or of an agency above it
    SIGN_OFF = "dossier:sign-off"
    #: see the figures of the one-stop office and the dossiers behind them
    #: (``/mot-cua/thong-ke``): officers for their agency, leaders for theirs
    #: and every one under it (which agencies, from the principals: stats.desk_views)
    VIEW_STATISTICS = "statistics:view"


def role(name):
    """The principal of everyone holding role ``name``."""
    return f"role:{name}"


class RootFactory:
    __acl__ = [
        (Allow, Everyone, (Permissions.VIEW_PUBLIC, Permissions.SIGN_IN)),
        (Allow, Authenticated, Permissions.ACCOUNT),
        (Allow, role("citizen"), Permissions.SUBMIT_DOSSIER),
        (Allow, role("editor"), Permissions.EDIT_CATALOG),
        (Allow, role("reviewer"), (Permissions.EDIT_CATALOG, Permissions.PUBLISH_CATALOG)),
        (Allow, role("officer"), (Permissions.DESK, Permissions.VIEW_STATISTICS)),
        (Allow, role("leader"), (Permissions.DESK, Permissions.VIEW_STATISTICS)),
        (Allow, role("admin"), ALL_PERMISSIONS),
    ]

    def __init__(self, request):
        self.request = request


def agency_principal(code):
    """The principal of the officers of agency ``code``."""
    return f"agency:{code}"


def leader_principal(code):
    """The principal of the leaders of agency ``code`` or of one above it."""
    return f"leads:{code}"


def principals(user, led_agencies=()):
    """``user``'s principals: their roles; for an officer, their agency;
    for a leader, every agency in ``led_agencies`` (their own and those
    under it). Staff without an agency act on nothing."""
    if user is None:
        return [Everyone]
    found = [Everyone, Authenticated, f"user:{user.id}"] + [role(name) for name in user.roles]
    agency = getattr(getattr(user, "agency", None), "code", None)
    if agency and "officer" in user.roles:
        found.append(agency_principal(agency))
    if "leader" in user.roles:
        found.extend(leader_principal(code) for code in led_agencies)
    return found


class SecurityPolicy:
    def __init__(self):
        self.helper = SessionAuthenticationHelper()

    def identity(self, request):
        """The signed-in, still active user, or None (looked up once a request)."""
        return request.user

    def authenticated_userid(self, request):
        user = request.user
        return user.id if user is not None else None

    def permits(self, request, context, permission):
        return ACLHelper().permits(context, request.principals, permission)

    def remember(self, request, userid, **kw):
        """Sign ``userid`` in on this browser, in the user's current session generation."""
        user = request.dbsession.get(_user_model(), userid)
        request.session[GENERATION_KEY] = user.session_generation if user is not None else None
        return self.helper.remember(request, userid, **kw)

    def forget(self, request, **kw):
        request.session.pop(GENERATION_KEY, None)
        return self.helper.forget(request, **kw)


#: where the session keeps the generation it began in
GENERATION_KEY = "auth.generation"


def _user_model():
    # imported here: the models import this module for PublicResource
    from .accounts.models import User

    return User


def _user(request):
    """The signed-in user: active, and the session is of their current generation."""
    userid = SessionAuthenticationHelper().authenticated_userid(request)
    if userid is None:
        return None
    user = request.dbsession.get(_user_model(), userid)
    if user is None or not user.active or request.session.get(GENERATION_KEY) != user.session_generation:
        # an ended session signs no one in again: it forgets whom it named,
        # so the browser's cookie goes once nothing else needs it (sessions)
        request.session.pop(SessionAuthenticationHelper().userid_key, None)
        request.session.pop(GENERATION_KEY, None)
        return None
    # what pages show of the visitor, read now: an error page may be drawn
    # after the transaction failed, when the user's row cannot be read again
    request.environ[USER_NAME] = user.full_name
    return user


USER_NAME = "congdichvu.user_name"


def _user_name(request):
    """The signed-in visitor's full name as read at sign-in of this request, or None."""
    return request.environ.get(USER_NAME) if request.user is not None else None


def _principals(request):
    """The visitor's principals, worked out once a request (before any view
    runs, so error pages can check permissions without the database)."""
    user = request.user
    led = ()
    if user is not None and "leader" in user.roles and getattr(user, "agency_id", None) is not None:
        from .catalog.services import agency_subtree  # the catalogue owns the tree of agencies

        led = agency_subtree(request.dbsession, user.agency_id)
    return principals(user, led)


#: sent with every response; pages use no inline script or style and no
#: third-party asset, so the policy can be strict
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


#: an origin a form may lead to: scheme, host, optional port, nothing else
_FORM_ORIGIN = re.compile(r"https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?")


def allow_form_action(request, url):
    """Let this page's forms lead to ``url``'s origin besides the portal
    itself: a browser holds the redirect answering a form to the page's
    ``form-action``, so a form whose answer sends the browser to a payment
    gateway (or, in the sandbox, back to the merchant) needs it named."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    if _FORM_ORIGIN.fullmatch(origin):
        request.response.headers["Content-Security-Policy"] = SECURITY_HEADERS["Content-Security-Policy"].replace(
            "form-action 'self'", f"form-action 'self' {origin}")


def _add_security_headers(event):
    headers = event.response.headers
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)


#: set in the WSGI environ by views whose page holds personal data
PERSONAL = "congdichvu.personal"
#: what no cache, shared or the browser's, may keep (RFC 9111 §5.2.2.5, §5.2.2.7)
NO_STORE = "private, no-store"
#: anything else a browser may keep but must ask about again; no proxy keeps
#: it without validators (congdichvu.httpcache sends those on public pages)
REVALIDATE = "no-cache"


def mark_personal(request):
    """Say that this response holds personal data: no cache may keep it."""
    request.environ[PERSONAL] = True


def _signed_in(request):
    """Whether the session names a user; read from the cookie alone, never
    the database (this runs after the request's transaction has ended)."""
    from .pagecache import SESSION_COOKIE

    if SESSION_COOKIE not in request.cookies:
        return False
    return SessionAuthenticationHelper().authenticated_userid(request) is not None


def _may_be_personal(request, response):
    """Whether the answer may hold what is the visitor's own: a form's
    answer, anything for a visitor with a session (a name, a notice, kept
    input), anything setting a cookie. (A page showing a CSRF token is
    marked personal by sessions.CSRFStoragePolicy.)"""
    from .pagecache import SESSION_COOKIE

    return (request.method not in ("GET", "HEAD") or SESSION_COOKIE in request.cookies
            or "Set-Cookie" in response.headers or _signed_in(request))


def _cache_policy(event):
    """Every answer says who may keep it. Pages a view marked personal:
    ``private, no-store``, always. Otherwise, unless the view (or the page
    cache tween, for public pages: httpcache) chose its own caching, what may
    be personal (see ``_may_be_personal``) is ``private, no-store`` and the
    rest ``no-cache``. Static files keep their caching."""
    request, response = event.request, event.response
    route = getattr(request, "matched_route", None)
    if route is not None and route.name.startswith("__static"):
        return
    if request.environ.get(PERSONAL):
        response.headers["Cache-Control"] = NO_STORE
    elif "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = NO_STORE if _may_be_personal(request, response) else REVALIDATE


def client_address(request):
    """The visitor's address as recorded in the audit log and rate limits."""
    return (request.client_addr or "unknown")[:64]


def may(request, permission):
    """Whether the visitor holds ``permission`` on the page's object (or the
    root, on error pages where no object was found)."""
    context = getattr(request, "context", None) or RootFactory(request)
    return bool(request.has_permission(permission, context))


def includeme(config):
    config.set_security_policy(SecurityPolicy())
    config.add_request_method(_user, "user", reify=True)
    config.add_request_method(_user_name, "user_name", reify=True)
    config.add_request_method(_principals, "principals", reify=True)
    config.add_request_method(may, "may")
    config.add_subscriber(_add_security_headers, NewResponse)
    config.add_subscriber(_cache_policy, NewResponse)


class PublicResource:
    """Mixed into catalogue models: anyone may read the public disclosure.
    (The CMS workflow will give unpublished content a stricter ACL.)"""

    __acl__ = [(Allow, Everyone, Permissions.VIEW_PUBLIC)]
