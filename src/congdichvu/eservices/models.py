"""Dossiers (hồ sơ), their history, and the daily counters behind their codes."""
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..models.meta import Base, UTCDateTime

#: dossier states, the national synchronisation codes
STATES = {
    1: "new",  # Mới đăng ký
    2: "received",
    3: "not_received",
    4: "processing",
    5: "awaiting_supplement",
    6: "awaiting_payment",
    7: "withdrawn",
    8: "stopped",
    9: "processed",
    10: "returned",
}
RECEIVED = 2


class DossierCounter(Base):
    """The last sequence number given to an agency's dossiers on one day."""

    __tablename__ = "dossier_counter"

    agency_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class Dossier(Base):
    __tablename__ = "dossier"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    procedure_code: Mapped[str] = mapped_column(String(40), index=True)
    #: the procedure as it was when the dossier was submitted (exchange format)
    procedure_snapshot: Mapped[dict] = mapped_column(JSON)
    agency_code: Mapped[str] = mapped_column(String(40), index=True)
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    state: Mapped[int] = mapped_column(Integer, index=True)
    channel: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict] = mapped_column(JSON)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    appointment_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lookup_secret_hash: Mapped[str | None] = mapped_column(String(255))

    events: Mapped[list["DossierEvent"]] = relationship(order_by="DossierEvent.id", cascade="all, delete-orphan")
    files: Mapped[list["DossierFile"]] = relationship(order_by="DossierFile.id", cascade="all, delete-orphan")

    @property
    def received(self):
        """Whether an officer has received the dossier (its history went
        through state 2). Until then it is only submitted: pages, mails and
        the receipt say "submitted", never "received"."""
        return any(event.to_state == RECEIVED for event in self.events)


class DossierEvent(Base):
    """One change of a dossier's state: who, when, from, to, why."""

    __tablename__ = "dossier_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(100))
    from_state: Mapped[int | None] = mapped_column(Integer)
    to_state: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)


class DossierFile(Base):
    """A file handed in with a dossier: a paper, a supplement, or the receipt.
    The bytes live under ``{data_dir}/dossiers/`` at ``storage_key``."""

    __tablename__ = "dossier_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # paper | supplement | receipt
    paper: Mapped[str | None] = mapped_column(Text)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DossierDraft(Base):
    """A dossier being filled in online: the answers of each step as typed
    (so Back and "save" never lose anything, valid or not) and the papers
    already uploaded to the temporary store. Once submitted it points at
    its dossier, which makes a replayed submit harmless."""

    __tablename__ = "dossier_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    procedure_code: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossier.id"), unique=True)
    #: once submitted, the dossier's lookup secret until the receipt page has
    #: shown it (whichever answer of a double click the browser follows);
    #: the sweep clears one left after a day
    lookup_secret: Mapped[str | None] = mapped_column(String(16))

    dossier: Mapped["Dossier | None"] = relationship()


class SubmissionForm(Base):
    """The extra questions editors ask when a procedure is submitted online,
    as data: ``fields`` is a list of {name, label, kind, required, help,
    choices}; the form step builds a colander schema from it."""

    __tablename__ = "submission_form"

    procedure_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    fields: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(100))
