"""Password hashing with argon2 (argon2-cffi's recommended parameters).

A password is hashed and checked as the web receives it: in NFC, without
control characters (``inputs.normalise_text``, which the request guard
applies to every form value). Doing it here as well means every other way
in — the console (``congdichvu-user``), a script, a test — sets passwords
the web can match: "mật khẩu" typed decomposed (NFD, as some keyboards and
terminals send it) is the same password as typed composed.
"""
import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..inputs import normalise_text

_HASHER = PasswordHasher()
MIN_LENGTH = 8


def canonical(password):
    """``password`` as it is hashed and compared: NFC, no control characters."""
    return normalise_text(password)


def hash_password(password):
    return _HASHER.hash(canonical(password))


@functools.cache
def _dummy_hash():
    """A hash of a random password nobody knows, made once per process with
    the same parameters as real ones."""
    return _HASHER.hash(secrets.token_urlsafe(32))


def verify(password_hash, password):
    """(matches, new hash or None): a new hash when the parameters changed.

    ``password_hash`` None (no such account) does the same work against a
    dummy hash and never matches, so the time taken does not tell whether
    an account exists."""
    if password_hash is None:
        verify(_dummy_hash(), password)
        return False, None
    password = canonical(password)
    try:
        _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False, None
    return True, (_HASHER.hash(password) if _HASHER.check_needs_rehash(password_hash) else None)
