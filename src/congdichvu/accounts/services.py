"""Accounts: finding users, signing in with a rate limit, the audit log,
the rules administrators manage staff accounts by."""
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, or_, select

from ..i18n import _
from ..ratelimit import RateLimit
from . import passwords
from .identity import canonical_phone, login_key, name_key
from .models import AGENCY_ROLES, AuditEvent, LoginAttempt, User, UserRole

#: failed sign-ins allowed per account (or, when the login names none, per
#: typed login), and per address, in the window
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20
FAILURE_WINDOW = timedelta(minutes=15)
#: an address a person signed into their account from within this period
#: is theirs: failures elsewhere do not pause the account for it; so is a
#: browser (accounts.browsers), whose own failures alone count
KNOWN_ADDRESS_PERIOD = timedelta(days=90)

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


def normalised_login(login):
    """What a typed login is counted under when it names no account
    (identity.login_key): a phone number in its "0…" form ("+84 912 345
    678" → "0912345678"), anything else case-folded, so the forms of one
    login count together as they do for an account. At most 100
    characters (the column's size)."""
    return login_key(login)[:100]


def who(user, typed):
    """The key that rate limits and audit notes count a login under: the
    account when it names one, else the normalised login (two namespaces,
    so a typed "42" is never account 42)."""
    return ("user", user.id) if user is not None else ("login", typed)


def find_user(dbsession, login):
    """The active user whose username or email is ``login`` in any case
    (identity.name_key), or whose phone it is (with or without spaces and
    dots, "0…" or "+84…"); a username match wins over an email, an email
    over a phone."""
    key, found = _named(dbsession, login, User.active.is_(True))
    return min(found, key=lambda user: (user.username_key != key, user.email_key != key), default=None)


def _named(dbsession, name, *where):
    """(name_key of ``name``, the accounts ``name`` names as a login)."""
    key = name_key(name)
    if not key:
        return key, []
    conditions = [User.username_key == key, User.email_key == key]
    phone = canonical_phone(name)
    if phone:
        conditions.append(User.phone == phone)
    return key, dbsession.scalars(select(User).where(or_(*conditions), *where)).all()


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
    return _signed_in_lately(dbsession, user, LoginAttempt.address == address)


def known_browser(dbsession, user, browser):
    """Whether ``user`` signed in successfully with the browser whose key
    (accounts.browsers.browser_key) is ``browser`` within KNOWN_ADDRESS_PERIOD."""
    return bool(browser) and _signed_in_lately(dbsession, user, LoginAttempt.browser == browser)


def _signed_in_lately(dbsession, user, where):
    return dbsession.scalar(select(LoginAttempt.id).where(
        LoginAttempt.user_id == user.id, where, LoginAttempt.succeeded.is_(True),
        LoginAttempt.at >= now() - KNOWN_ADDRESS_PERIOD).limit(1)) is not None


def _paused(dbsession, user, typed, address, browser=None):
    """Why sign-ins are paused: "address" when this address failed too
    often lately, "account" when this account (or, when the login names
    none, this typed login) did; None when they are not.

    Others failing must not keep the owner out (an administrator locked out
    for as long as an attacker keeps trying), so what counts depends on
    where the attempt comes from. From a browser the person signed in with
    before (``known_browser``) only that browser's failures count, not even
    its address's (others on the same network); from an address they
    signed in from (``known_address``) only that address's failures count
    against the account. Anywhere else every failure of the account counts.
    Each place still gets MAX_FAILURES_PER_USER tries per window, no more."""
    own_browser = user is not None and known_browser(dbsession, user, browser)
    if not own_browser and _recent_failures(dbsession, LoginAttempt.address == address) >= MAX_FAILURES_PER_ADDRESS:
        return "address"
    if user is None:
        own = [LoginAttempt.username == typed]
    elif own_browser:
        own = [LoginAttempt.user_id == user.id, LoginAttempt.browser == browser]
    elif known_address(dbsession, user, address):
        own = [LoginAttempt.user_id == user.id, LoginAttempt.address == address]
    else:
        own = [LoginAttempt.user_id == user.id]
    return "account" if _recent_failures(dbsession, *own) >= MAX_FAILURES_PER_USER else None


def _try_password(dbsession, user, typed, password, address, browser, failed, actor=None, refused=None):
    """Check ``password`` as one sign-in attempt of ``user`` (None: a login
    naming no account, checked against a dummy hash, the same work):
    TooManyAttempts while paused (``_paused``; logged once per account or
    typed login and address — once per address when the address is paused
    — per window); else the attempt is recorded, a failure also in the
    audit log as ``failed``; so is a right password that ``refused(user)``
    says may not open the account. Returns (matches, new hash or None)."""
    paused = _paused(dbsession, user, typed, address, browser)
    if paused:
        key = (address,) if paused == "address" else (*who(user, typed), address)
        record_once(dbsession, BLOCKED_NOTED, key, "login.blocked", target=typed, address=address)
        raise TooManyAttempts()
    matches, new_hash = passwords.verify(user.password_hash if user is not None else None, password)
    succeeded = matches and not (refused is not None and refused(user))
    dbsession.add(LoginAttempt(username=typed, user_id=user.id if user is not None else None, address=address,
                               browser=browser, succeeded=succeeded, at=now()))
    if not succeeded:
        record(dbsession, failed, actor=actor, target=typed, address=address)
    return matches, new_hash


def _unconfirmed(user):
    """A citizen's account whose email has not been confirmed: it cannot sign in yet."""
    return "citizen" in user.roles and not user.email_verified


def authenticate(dbsession, login, password, address, browser=None):
    """The user when ``login`` and ``password`` match, else None.

    Raises TooManyAttempts when the account failed MAX_FAILURES_PER_USER
    times in FAILURE_WINDOW, whichever of its username, email or phone was
    typed and however (a login that names no account counts under its
    normalised form), or the address MAX_FAILURES_PER_ADDRESS times; from
    a browser (``browser``, its key) or an address the person signed in
    with before, only its own failures count (``_paused``). An unknown
    login costs the same password hashing as a known one. Every attempt is
    recorded (and logged in the audit log), a refused one once per window
    (``_try_password``)."""
    typed = normalised_login(login)
    user = find_user(dbsession, login)
    # the right password of an account that may not sign in yet counts as
    # a failure: it pauses like a wrong one, so that registering someone's
    # email and signing in with it tells nothing about whether it had an account
    matches, new_hash = _try_password(dbsession, user, typed, password, address, browser, "login.failed",
                                      refused=_unconfirmed)
    if not matches:
        return None
    if _unconfirmed(user):
        raise NotVerified(user)
    if new_hash:
        user.password_hash = new_hash
    user.last_login_at = now()
    record(dbsession, "login", actor=user, target=user.username, address=address)
    return user


def check_password(dbsession, user, password, address, browser=None):
    """Whether ``password`` is the signed-in ``user``'s, asked again by a
    page (changing the password). It is a sign-in attempt of the account
    like any other: a wrong one counts towards the pause, and while the
    account is paused this raises TooManyAttempts without checking —
    otherwise whoever holds a session (a browser left open, a stolen
    cookie) could guess the password here without limit."""
    matches, new_hash = _try_password(dbsession, user, normalised_login(user.username), password, address, browser,
                                      "password.check_failed", actor=user)
    if matches and new_hash:
        user.password_hash = new_hash
    return matches


def end_sessions(user):
    """End every session of ``user``: a session remembers the generation it
    began in (``security.SecurityPolicy.remember``), and one from an older
    generation no longer signs anyone in. For signing out, a changed or a
    reset password."""
    user.session_generation = (user.session_generation or 0) + 1


def account_named(dbsession, name):
    """The account, active or not, that ``name`` names as a login would
    (its username or email in any case, its phone in any form), or None:
    a new account's username, email or phone must name none. An email
    match wins over a username, a username over a phone."""
    key, found = _named(dbsession, name)
    return min(found, key=lambda user: (user.email_key != key, user.username_key != key), default=None)


def confirmed_email(user):
    """Where mail about ``user``'s account or dossiers may go: their email
    once confirmed, else None. Never an address typed in a form, or the
    portal would mail whomever a visitor names (and tell them things)."""
    return user.email if user is not None and user.email and user.email_verified else None


class NotVerified(Exception):
    """The password is right but the email has not been confirmed yet."""

    def __init__(self, user):
        super().__init__(user.username)
        self.user = user


def create_user(dbsession, username, password, full_name, roles, email=None, phone=None, agency=None, verified=None,
                contact_phone=None, password_hash=None):
    """A new account (flushed). ``phone`` becomes a sign-in name: only one
    staff vouch for; a number typed on the web is a ``contact_phone``. An
    email is confirmed unless ``verified`` says otherwise. ``password``
    None: one nobody knows (``unusable_password``), for its owner to set
    through a link — or ``password_hash``, such a hash made once for many
    accounts (hashing takes a fifth of a second each)."""
    user = User(
        username=username,
        email=email,
        phone=phone,
        contact_phone=contact_phone,
        full_name=full_name,
        password_hash=passwords.hash_password(password) if password is not None else (
            password_hash or unusable_password()),
        active=True,
        email_verified=bool(email) if verified is None else verified,
        agency=agency,
        created_at=now(),
    )
    user.role_rows = [UserRole(role=role) for role in sorted(set(roles))]
    dbsession.add(user)
    dbsession.flush()
    return user


#: the sign-in names of an account, in the order they are checked
SIGN_IN_NAMES = ("username", "email", "phone")


def names_taken(dbsession, names, user=None):
    """[(name, value, owner)] for each sign-in name in ``names`` ({"username":
    …, "email": …, "phone": …}; blank values skipped) that an account other
    than ``user`` already signs in with, in any case or written form of a
    number (``account_named``). The console and the administrators' pages
    both ask here, so they refuse the same names."""
    taken = []
    for name in SIGN_IN_NAMES:
        value = names.get(name)
        owner = account_named(dbsession, value) if value else None
        if owner is not None and (user is None or owner.id != user.id):
            taken.append((name, value, owner))
    return taken


AGENCY_NEEDED = _("A one-stop officer or a leader works for one agency: choose it.")
CITIZEN_NOT_STAFF = _("This is a citizen's account: it cannot be given staff roles. Create a staff account "
                      "instead.")
STAFF_NOT_CITIZEN = _("A staff account cannot become a citizen's account.")
NO_ROLE = _("Choose at least one role.")
NOT_YOURSELF = _("You cannot deactivate your own account: another administrator can.")
KEEP_YOUR_ADMIN = _("You cannot take the administrator role from yourself: another administrator can.")


def staff_problems(roles, agency, user=None, actor=None, active=True):
    """Why ``actor`` (an administrator) may not give the account ``user``
    (None: a new staff account) ``roles``, ``agency`` (an Agency or None)
    and ``active``: [(field, message)], empty when nothing stands in the way.

    Officers and leaders act for one agency (the one-stop office works per
    agency, Decree 61/2018/NĐ-CP), so they need one; a citizen's account
    stays a citizen's and a staff account a staff one (roles are never
    turned over silently); and nobody locks themself out — an
    administrator keeps their own account active and their admin role."""
    roles = set(roles)
    problems = []
    citizen = "citizen" in (user.roles if user is not None else roles)
    if citizen and roles != {"citizen"}:
        problems.append(("roles", CITIZEN_NOT_STAFF))
    elif not citizen and "citizen" in roles:
        problems.append(("roles", STAFF_NOT_CITIZEN))
    elif not roles:
        problems.append(("roles", NO_ROLE))
    if roles & set(AGENCY_ROLES) and agency is None:
        problems.append(("agency", AGENCY_NEEDED))
    if user is not None and actor is not None and user.id == actor.id:
        if not active:
            problems.append(("active", NOT_YOURSELF))
        if "admin" in user.roles and "admin" not in roles:
            problems.append(("roles", KEEP_YOUR_ADMIN))
    return problems


def set_roles(user, roles):
    """Give ``user`` exactly ``roles`` (an iterable of role names)."""
    wanted = set(roles)
    user.role_rows = [row for row in user.role_rows if row.role in wanted] + [
        UserRole(role=role) for role in sorted(wanted - set(user.roles))]


def set_active(user, active):
    """Open or close ``user``'s account. Closed, it signs in no more — its
    right password is answered as a wrong one (``find_user`` looks among
    active accounts only) — and every session it has ends."""
    if user.active and not active:
        end_sessions(user)
    user.active = active


def unusable_password():
    """A password hash nobody knows the password of: an account made by an
    administrator, or whose password they reset, waits for its owner to set
    one through a link (``tokens.reset_token``)."""
    return passwords.hash_password(secrets.token_urlsafe(32))


def reset_by_administrator(user):
    """Replace ``user``'s password by one nobody knows and end their
    sessions: whoever held the password or a session is out, and links
    issued before stop working (their seal was the old hash). The owner
    sets a new password through the link issued next."""
    user.password_hash = unusable_password()
    end_sessions(user)
