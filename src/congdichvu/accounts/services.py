"""Accounts: finding users, signing in with a rate limit, the audit log."""
import re
import unicodedata
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, or_, select

from ..ratelimit import RateLimit
from . import passwords
from .models import AuditEvent, LoginAttempt, User, UserRole

#: failed sign-ins allowed per account (or, when the login names none, per
#: typed login), and per address, in the window
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20
FAILURE_WINDOW = timedelta(minutes=15)
#: an address a person signed into their account from within this period
#: is theirs: failures elsewhere do not pause the account for it
KNOWN_ADDRESS_PERIOD = timedelta(days=90)
#: what people put inside a phone number: "0912 345 678", "0912.345.678"
PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
PHONE = re.compile(r"\+?[0-9]{6,15}")

# What anonymous requests may cause, bounded (congdichvu.ratelimit):
#: mail to one account — password reset links, "someone tried to register
#: with your address", the confirmation link sent again at sign-in
ACCOUNT_MAIL = RateLimit("account.mail", 3, timedelta(hours=1))
#: password reset requests from one address
RESET_REQUESTS = RateLimit("password_reset.address", 10, timedelta(hours=1))
#: registrations (accepted forms) from one address
REGISTRATIONS = RateLimit("register.address", 10, timedelta(hours=1))
#: audit rows about refused sign-ins and reset requests: one per
#: account (or typed login) and address per window; the login attempts
#: and the counters keep the rest
BLOCKED_NOTED = RateLimit("audit.login_blocked", 1, FAILURE_WINDOW)
RESET_NOTED = RateLimit("audit.reset_requested", 1, timedelta(hours=1))


class TooManyAttempts(Exception):
    """Sign-ins are paused for this account or address for a while."""


def now():
    return datetime.now(timezone.utc)


def _phone_forms(login):
    """The ways a phone number typed as ``login`` may be stored: without
    separators, and with "0" or "+84" in front; () when it is no phone."""
    digits = PHONE_SEPARATORS.sub("", login)
    if not PHONE.fullmatch(digits):
        return ()
    if digits.startswith("+84"):
        return (digits, "0" + digits[3:])
    if digits.startswith("0"):
        return (digits, "+84" + digits[1:])
    return (digits,)


def normalised_login(login):
    """What a typed login is counted under when it names no account: NFC,
    trimmed, lower case; a phone number without its separators and in its
    "0…" form when it has one ("+84 912 345 678" → "0912345678"), so the
    forms of one number count together as they do for an account. At
    most 100 characters (the column's size)."""
    login = unicodedata.normalize("NFC", login or "").strip()
    phones = _phone_forms(login)
    if phones:
        return next((phone for phone in phones if phone.startswith("0")), phones[0])[:100]
    return login.lower()[:100]


def who(user, typed):
    """The key that rate limits and audit notes count a login under: the
    account when it names one, else the normalised login (two namespaces,
    so a typed "42" is never account 42)."""
    return ("user", user.id) if user is not None else ("login", typed)


def find_user(dbsession, login):
    """The active user whose username, email (any case) or phone (with or
    without spaces and dots, "0…" or "+84…") is ``login``; a username
    match wins over an email, an email over a phone."""
    login = unicodedata.normalize("NFC", login or "").strip()
    if not login:
        return None
    phones = _phone_forms(login)
    conditions = [User.username == login, User.email == login.lower()]
    if phones:
        conditions.append(User.phone.in_(phones))
    found = dbsession.scalars(select(User).where(User.active.is_(True), or_(*conditions))).all()

    def rank(user):
        return (user.username != login, user.email != login.lower())

    return min(found, key=rank, default=None)


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


def record_once(dbsession, noted, key, action, **event):
    """``record`` the event unless one was already recorded for ``key`` (a
    tuple) in the window of ``noted`` (a RateLimit of one): for events
    anonymous requests can repeat at will. Returns whether it was recorded."""
    if not noted.hit(dbsession, action, *key):
        return False
    record(dbsession, action, **event)
    return True


def _recent_failures(dbsession, *conditions):
    return dbsession.scalar(
        select(func.count(LoginAttempt.id)).where(
            *conditions, LoginAttempt.succeeded.is_(False), LoginAttempt.at >= now() - FAILURE_WINDOW
        )
    )


def known_address(dbsession, user, address):
    """Whether ``user`` signed in successfully from ``address`` within
    KNOWN_ADDRESS_PERIOD (the login attempts remember it)."""
    return dbsession.scalar(select(LoginAttempt.id).where(
        LoginAttempt.user_id == user.id, LoginAttempt.address == address, LoginAttempt.succeeded.is_(True),
        LoginAttempt.at >= now() - KNOWN_ADDRESS_PERIOD).limit(1)) is not None


def _paused(dbsession, user, typed, address):
    """Why sign-ins are paused: "address" when this address failed too
    often lately, "account" when this account (or, when the login names
    none, this typed login) did; None when they are not.

    From an address the person signed in from before (``known_address``)
    only the failures from that address count against the account, so
    others failing elsewhere cannot keep its owner out (an administrator
    locked out for as long as an attacker keeps trying); an attacker there
    still gets MAX_FAILURES_PER_USER tries per window, no more."""
    if _recent_failures(dbsession, LoginAttempt.address == address) >= MAX_FAILURES_PER_ADDRESS:
        return "address"
    if user is None:
        own = [LoginAttempt.username == typed]
    elif known_address(dbsession, user, address):
        own = [LoginAttempt.user_id == user.id, LoginAttempt.address == address]
    else:
        own = [LoginAttempt.user_id == user.id]
    return "account" if _recent_failures(dbsession, *own) >= MAX_FAILURES_PER_USER else None


def authenticate(dbsession, login, password, address):
    """The user when ``login`` and ``password`` match, else None.

    Raises TooManyAttempts when the account failed MAX_FAILURES_PER_USER
    times in FAILURE_WINDOW, whichever of its username, email or phone was
    typed and however (a login that names no account counts under its
    normalised form), or the address MAX_FAILURES_PER_ADDRESS times; from
    an address the person signed in from before, only that address's
    failures count (``_paused``). An unknown login costs the same password
    hashing as a known one. Every attempt is recorded (and logged in the
    audit log); a refused one is logged once per account (or typed login)
    and address — once per address when the address is paused — per
    window, however often it is repeated."""
    typed = normalised_login(login)
    user = find_user(dbsession, login)
    paused = _paused(dbsession, user, typed, address)
    if paused:
        key = (address,) if paused == "address" else (*who(user, typed), address)
        record_once(dbsession, BLOCKED_NOTED, key, "login.blocked", target=typed, address=address)
        raise TooManyAttempts()
    matches, new_hash = passwords.verify(user.password_hash if user is not None else None, password)
    dbsession.add(LoginAttempt(username=typed, user_id=user.id if user is not None else None, address=address,
                               succeeded=matches, at=now()))
    if not matches:
        record(dbsession, "login.failed", target=typed, address=address)
        return None
    if "citizen" in user.roles and not user.email_verified:
        raise NotVerified(user)
    if new_hash:
        user.password_hash = new_hash
    user.last_login_at = now()
    record(dbsession, "login", actor=user, target=user.username, address=address)
    return user


def end_sessions(user):
    """End every session of ``user``: a session remembers the generation it
    began in (``security.SecurityPolicy.remember``), and one from an older
    generation no longer signs anyone in. For signing out, a changed or a
    reset password."""
    user.session_generation = (user.session_generation or 0) + 1


def account_for_email(dbsession, email):
    """The account (active or not) whose email, or username, is ``email``
    (any case), or None: a new account could not have it."""
    email = (email or "").strip().lower()
    return dbsession.scalars(select(User).where(or_(User.email == email, User.username == email)).limit(1)).first()


def phone_taken(dbsession, phone):
    """Whether an account has ``phone``, written either way ("0…", "+84…")."""
    if not phone:
        return False
    forms = _phone_forms(phone) or (phone,)
    return dbsession.scalar(select(User.id).where(User.phone.in_(forms)).limit(1)) is not None


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
