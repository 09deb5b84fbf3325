"""Permissions and the security policy.

Every view names one of these permissions, so a typo fails at import time.
A signed-in user's id lives in the (signed cookie) session; their
principals are "user:<id>" and "role:<role>" for each of their roles, which
ACLs on the root and on objects grant permissions to.
"""
from enum import StrEnum

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
    #: fill in and submit dossiers online (citizens)
    SUBMIT_DOSSIER = "dossier:submit"
    #: see, withdraw and supplement one's own dossier (its applicant)
    OWN_DOSSIER = "dossier:own"


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
        (Allow, role("admin"), ALL_PERMISSIONS),
    ]

    def __init__(self, request):
        self.request = request


def principals(user):
    if user is None:
        return [Everyone]
    return [Everyone, Authenticated, f"user:{user.id}"] + [role(name) for name in user.roles]


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
        return ACLHelper().permits(context, principals(request.user), permission)

    def remember(self, request, userid, **kw):
        return self.helper.remember(request, userid, **kw)

    def forget(self, request, **kw):
        return self.helper.forget(request, **kw)


def _user(request):
    # imported here: the models import this module for PublicResource
    from .accounts.models import User

    userid = SessionAuthenticationHelper().authenticated_userid(request)
    if userid is None:
        return None
    user = request.dbsession.get(User, userid)
    return user if user is not None and user.active else None


#: sent with every response; pages use no inline script or style and no
#: third-party asset, so the policy can be strict
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _add_security_headers(event):
    headers = event.response.headers
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)


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
    config.add_request_method(may, "may")
    config.add_subscriber(_add_security_headers, NewResponse)


class PublicResource:
    """Mixed into catalogue models: anyone may read the public disclosure.
    (The CMS workflow will give unpublished content a stricter ACL.)"""

    __acl__ = [(Allow, Everyone, Permissions.VIEW_PUBLIC)]
