"""Users, their roles, login attempts and the audit log."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..i18n import _
from ..models.meta import Base, UTCDateTime
from .identity import KEY_GROWTH, canonical_phone, name_key

#: the roles of the portal and what they are called (the one home of both);
#: a user may hold several. A leader heads a unit: signs off apologies and
#: transfers, reads the dashboards of their agency and those under it.
ROLE_LABELS = {
    "admin": _("Administrator"),
    "editor": _("Editor"),
    "reviewer": _("Reviewer"),
    "officer": _("One-stop officer"),
    "leader": _("Leader"),
    "citizen": _("Citizen"),
}
ROLES = tuple(ROLE_LABELS)
#: the roles of staff: an account holding any of them is a staff account
STAFF_ROLES = tuple(role for role in ROLES if role != "citizen")
#: roles that act for one agency: an account holding one needs an agency
AGENCY_ROLES = ("officer", "leader")

class User(Base):
    """A person who signs in: staff (editors, reviewers, officers, admins),
    scoped to an agency where that matters, or a citizen."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    email: Mapped[str | None] = mapped_column(String(255), unique=True)
    #: the phone number one may sign in with, in its stored form (identity.canonical_phone):
    #: only one set by staff at the console, since nobody confirms a number typed on the web
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    #: what usernames and emails are compared by (identity.name_key), set with them
    #: (``_keys``): two accounts never differ only by case
    username_key: Mapped[str] = mapped_column(String(100 * KEY_GROWTH), index=True, unique=True)
    email_key: Mapped[str | None] = mapped_column(String(255 * KEY_GROWTH), index=True, unique=True)
    #: the mobile number typed when registering: for filling in dossiers only, never a
    #: sign-in name (unconfirmed), so it need not be unique and tells nobody whose it is
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    full_name: Mapped[str] = mapped_column(String(255))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: raised to end every session of the user (signing out, a new password):
    #: a session carries the generation it began in (security.py)
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    role_rows = relationship("UserRole", cascade="all, delete-orphan", lazy="selectin")
    agency = relationship("Agency")

    @property
    def roles(self):
        return sorted(row.role for row in self.role_rows)

    @property
    def contact_number(self):
        """The number to prefill a dossier with and to show: the sign-in phone, else the one typed."""
        return self.phone or self.contact_phone

    @validates("username", "email", "phone")
    def _keys(self, name, value):
        """Every write of a name goes through here, so its key is always its
        own: an email is kept in lower case, a phone in its one form."""
        if name == "username":
            self.username_key = name_key(value)
        elif name == "email":
            value = value.strip().lower() if value and value.strip() else None
            self.email_key = name_key(value) if value else None
        else:
            value = (canonical_phone(value) or value) if value else None
        return value

    def __repr__(self):
        return f"<User {self.username}>"


class UserRole(Base):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class LoginAttempt(Base):
    """A failed or successful sign-in (or password asked again, as when
    changing it), to slow down guessing: counted per account (``user_id``)
    when the login named one, else per ``username``, the login as typed,
    normalised (identity.login_key); ``browser`` is the digest of the
    browser's token (accounts.browsers), which tells the owner's browsers."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username_at", "username", "at"),
        Index("ix_login_attempt_user_id_at", "user_id", "at"),
        Index("ix_login_attempt_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    #: the account the login named, if any (no foreign key: attempts are a log)
    user_id: Mapped[int | None] = mapped_column(Integer)
    address: Mapped[str] = mapped_column(String(64))
    browser: Mapped[str | None] = mapped_column(String(32))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditEvent(Base):
    """Append-only: who did what, when, from where. The migration adds
    database triggers that refuse UPDATE and DELETE on this table."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50), index=True)
    target: Mapped[str | None] = mapped_column(String(255))
    address: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
