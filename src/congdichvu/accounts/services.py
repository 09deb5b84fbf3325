"""Accounts: finding users, signing in with a rate limit, the audit log."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, or_, select

from . import passwords
from .models import AuditEvent, LoginAttempt, User, UserRole

#: failed sign-ins allowed per account, and per address, in the window
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20
FAILURE_WINDOW = timedelta(minutes=15)


class TooManyAttempts(Exception):
    """Sign-ins are paused for this account or address for a while."""


def now():
    return datetime.now(timezone.utc)


def find_user(dbsession, login):
    """The active user whose username, email or phone is ``login``."""
    login = (login or "").strip()
    if not login:
        return None
    return dbsession.scalar(
        select(User).where(
            User.active.is_(True),
            or_(User.username == login, User.email == login.lower(), User.phone == login),
        )
    )


def record(dbsession, action, actor=None, target=None, address=None, details=None, note=None):
    """Append one event to the audit log."""
    dbsession.add(
        AuditEvent(
            at=now(),
            user_id=actor.id if actor is not None else None,
            actor=actor.username if actor is not None else "anonymous",
            action=action,
            target=target,
            address=address,
            details=details,
            note=note,
        )
    )


def _recent_failures(dbsession, column, value):
    return dbsession.scalar(
        select(func.count(LoginAttempt.id)).where(
            column == value, LoginAttempt.succeeded.is_(False), LoginAttempt.at >= now() - FAILURE_WINDOW
        )
    )


def authenticate(dbsession, login, password, address):
    """The user when ``login`` and ``password`` match, else None. Raises
    TooManyAttempts when this account or address failed too often lately.
    Every attempt is recorded (and logged in the audit log)."""
    login = (login or "").strip()[:100]
    if (
        _recent_failures(dbsession, LoginAttempt.username, login) >= MAX_FAILURES_PER_USER
        or _recent_failures(dbsession, LoginAttempt.address, address) >= MAX_FAILURES_PER_ADDRESS
    ):
        record(dbsession, "login.blocked", target=login, address=address)
        raise TooManyAttempts()
    user = find_user(dbsession, login)
    matches, new_hash = passwords.verify(user.password_hash, password) if user else (False, None)
    dbsession.add(LoginAttempt(username=login, address=address, succeeded=matches, at=now()))
    if not matches:
        record(dbsession, "login.failed", target=login, address=address)
        return None
    if "citizen" in user.roles and not user.email_verified:
        raise NotVerified(user)
    if new_hash:
        user.password_hash = new_hash
    user.last_login_at = now()
    record(dbsession, "login", actor=user, target=user.username, address=address)
    return user


def email_taken(dbsession, email):
    return dbsession.scalar(select(User.id).where(User.email == (email or "").strip().lower())) is not None


def phone_taken(dbsession, phone):
    return bool(phone) and dbsession.scalar(select(User.id).where(User.phone == phone)) is not None


class NotVerified(Exception):
    """The password is right but the email has not been confirmed yet."""

    def __init__(self, user):
        super().__init__(user.username)
        self.user = user


def create_user(dbsession, username, password, full_name, roles, email=None, phone=None, agency=None, verified=None):
    user = User(
        username=username,
        email=email.lower() if email else None,
        phone=phone,
        full_name=full_name,
        password_hash=passwords.hash_password(password),
        active=True,
        email_verified=bool(email) if verified is None else verified,
        agency=agency,
        created_at=now(),
    )
    user.role_rows = [UserRole(role=role) for role in sorted(set(roles))]
    dbsession.add(user)
    dbsession.flush()
    return user
