"""Password hashing with argon2 (argon2-cffi's recommended parameters)."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
MIN_LENGTH = 8


def hash_password(password):
    return _HASHER.hash(password)


def verify(password_hash, password):
    """(matches, new hash or None): a new hash when the parameters changed."""
    try:
        _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False, None
    return True, (_HASHER.hash(password) if _HASHER.check_needs_rehash(password_hash) else None)
