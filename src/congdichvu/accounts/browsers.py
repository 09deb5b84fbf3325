"""Known browsers: the browser a person signed in with stays theirs.

Sign-ins are paused for an account after a few failures (services), which
an attacker can cause on purpose from anywhere to keep the owner out. The
address the owner signed in from helps only while it does not change, and
a phone's address changes all the time. So each browser that posts a
sign-in gets a random token in a long-lived cookie (HttpOnly, SameSite,
Secure with ``congdichvu.secure_cookies``); the sign-in attempts record a
digest of it, and a browser that once signed into an account is known to
it (``services.known_browser``) for KNOWN_PERIOD: from there only that
browser's own failures count. No one else can present the token: it is
never shown, and a made-up one was never used to sign in.
"""
import hashlib
import re
import secrets

from ..settings import asbool

COOKIE = "congdichvu_browser"
_TOKEN = re.compile(r"[0-9a-f]{32}")


def _digest(token):
    # stored, not the token itself: the login attempts cannot be turned into cookies
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def browser_key(request, max_age):
    """The digest of this browser's token (String(32), for
    ``LoginAttempt.browser``). A browser without a well-formed token gets a
    new one, set on the response; one that has it keeps it ``max_age`` (a
    timedelta) longer."""
    token = request.cookies.get(COOKIE, "")
    if not _TOKEN.fullmatch(token):
        token = secrets.token_hex(16)
    secure = asbool(request.registry.settings.get("congdichvu.secure_cookies", False))

    def set_cookie(request, response):
        response.set_cookie(COOKIE, token, max_age=int(max_age.total_seconds()), path="/", httponly=True,
                            samesite="Lax", secure=secure)

    request.add_response_callback(set_cookie)
    return _digest(token)
