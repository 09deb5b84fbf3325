"""Signed, expiring links (password reset, email verification).

A reset token carries the end of the current password hash, so it stops
working once used, and the email it was sent to (using it confirms that
address); a verification token carries the email it verifies."""
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

RESET_MAX_AGE = 60 * 60  # one hour
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


def reset_token(secret, user):
    return make(secret, "reset", {"user": user.id, "seal": user.password_hash[-12:], "email": user.email})


def verify_token(secret, user):
    return make(secret, "verify", {"user": user.id, "email": user.email})
