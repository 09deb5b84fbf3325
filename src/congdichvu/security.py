"""Permissions and the security policy.

Every view names one of these permissions, so a typo fails at import time.
Accounts come with a later subsystem; until then every visitor is anonymous
and may only read the public disclosure.
"""
from enum import StrEnum

from pyramid.authorization import ACLHelper, Allow, Everyone
from pyramid.events import NewResponse


class Permissions(StrEnum):
    #: read the public disclosure (pages, API, downloads)
    VIEW_PUBLIC = "public:view"


class RootFactory:
    __acl__ = [(Allow, Everyone, Permissions.VIEW_PUBLIC)]

    def __init__(self, request):
        self.request = request


class SecurityPolicy:
    """Anonymous-only for now; accounts will supply identities."""

    def identity(self, request):
        return None

    def authenticated_userid(self, request):
        return None

    def permits(self, request, context, permission):
        return ACLHelper().permits(context, [Everyone], permission)

    def remember(self, request, userid, **kw):
        return []

    def forget(self, request, **kw):
        return []


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


def includeme(config):
    config.set_security_policy(SecurityPolicy())
    config.add_subscriber(_add_security_headers, NewResponse)


class PublicResource:
    """Mixed into catalogue models: anyone may read the public disclosure.
    (The CMS workflow will give unpublished content a stricter ACL.)"""

    __acl__ = [(Allow, Everyone, Permissions.VIEW_PUBLIC)]
