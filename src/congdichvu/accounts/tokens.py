"""Signed, expiring links (password reset, email verification).

A reset token carries the end of the current password hash, so it stops
working once used (or once another link is issued, which replaces the
password), and the email it was sent to (using it confirms that address);
a verification token carries the email it verifies."""
import time

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

RESET_MAX_AGE = 60 * 60  # one hour
#: a link an administrator issues (a new staff account, a reset): it is
#: handed over or read later than one asked for oneself
HANDOVER_MAX_AGE = 3 * 24 * 60 * 60  # three days
VERIFY_MAX_AGE = 3 * 24 * 60 * 60  # three days


class InvalidToken(Exception):
    def __init__(self, expired=False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _serializer(secret, purpose):
    return URLSafeTimedSerializer(secret, salt=f"congdichvu-{purpose}")


def make(secret, purpose, payload):
    return _serializer(secret, purpose).dumps(payload)


def read(secret, purpose, token, max_age):
    try:
        return _serializer(secret, purpose).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise InvalidToken(expired=True) from error
    except BadSignature as error:
        raise InvalidToken() from error


def reset_token(secret, user, max_age=RESET_MAX_AGE):
    """A link's token to set ``user``'s password, valid ``max_age`` seconds
    (at most HANDOVER_MAX_AGE) and until the password changes."""
    payload = {"user": user.id, "seal": user.password_hash[-12:], "email": user.email}
    if max_age != RESET_MAX_AGE:
        payload["max_age"] = min(max_age, HANDOVER_MAX_AGE)
    return make(secret, "reset", payload)


def read_reset(secret, token):
    """The payload of a reset token ({"user", "seal", "email"}), read within
    the lifetime it was issued with (``reset_token``); InvalidToken else."""
    try:
        payload, issued = _serializer(secret, "reset").loads(token, max_age=HANDOVER_MAX_AGE, return_timestamp=True)
    except SignatureExpired as error:
        raise InvalidToken(expired=True) from error
    except BadSignature as error:
        raise InvalidToken() from error
    if not isinstance(payload, dict):
        raise InvalidToken()
    if time.time() - issued.timestamp() > payload.get("max_age", RESET_MAX_AGE):
        raise InvalidToken(expired=True)
    return payload


def verify_token(secret, user):
    return make(secret, "verify", {"user": user.id, "email": user.email})
