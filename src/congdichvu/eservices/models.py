"""Dossiers (hồ sơ), their history, and the daily counters behind their codes."""
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

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
#: who an applicant is (Decree 61/2018/NĐ-CP: "cá nhân, tổ chức")
PERSON, ORGANISATION = "person", "organisation"
APPLICANT_KINDS = (PERSON, ORGANISATION)
#: how a dossier reached the desk (the exchange format's channels)
CHANNELS = ("online", "in_person", "postal")
#: how the result is returned (schemas.DELIVERIES)
RESULT_CHANNELS = ("counter", "postal", "online")


class DossierCounter(Base):
    """The last sequence number given to an agency's dossiers on one day."""

    __tablename__ = "dossier_counter"

    agency_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class Dossier(Base):
    """A dossier (hồ sơ) and where it stands.

    ``agency_code`` is the agency whose desk received it (its code begins
    with it); ``handling_agency_code`` the one working on it now, which a
    transfer (liên thông) changes; every agency it passed through is in
    ``agencies`` (DossierAgency) and may read it.

    Deadlines: ``due_at`` is the legal deadline (received + processing
    time on the working calendar, moved on by the working time spent
    waiting for a supplement); ``appointment_at`` the date the applicant
    was given, which an apology (Form 04) moves without moving ``due_at``,
    so a dossier returned after ``due_at`` still counts as late. While
    ``clock_stopped_at`` is set (state 5) the clock is stopped.

    The applicant's identity is kept in its own indexed columns (besides
    the answers in ``data``) so the desk can search it.
    """

    __tablename__ = "dossier"
    __table_args__ = (
        Index("ix_dossier_handling_state_due", "handling_agency_code", "state", "due_at"),
        Index("ix_dossier_handling_submitted", "handling_agency_code", "submitted_at"),
        Index("ix_dossier_agency_submitted", "agency_code", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    procedure_code: Mapped[str] = mapped_column(String(40), index=True)
    #: the procedure as it was when the dossier was submitted (exchange format)
    procedure_snapshot: Mapped[dict] = mapped_column(JSON)
    sector_code: Mapped[str | None] = mapped_column(String(40), index=True)
    agency_code: Mapped[str] = mapped_column(String(40), index=True)
    handling_agency_code: Mapped[str] = mapped_column(String(40), index=True)
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    state: Mapped[int] = mapped_column(Integer, index=True)
    #: raised by every change (onestop.actions): two officers acting at once cannot both apply
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    channel: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict] = mapped_column(JSON)

    applicant_kind: Mapped[str] = mapped_column(String(20), default=PERSON, server_default=PERSON)
    #: a person's full name, or an organisation's name
    applicant_name: Mapped[str] = mapped_column(String(255), default="", server_default="", index=True)
    #: what the desk searches names by (identity.fold: no accents, lower case)
    applicant_name_folded: Mapped[str] = mapped_column(String(255), default="", server_default="", index=True)
    #: a person's citizen identity card number (CCCD, 12 digits)
    applicant_id_number: Mapped[str | None] = mapped_column(String(20), index=True)
    #: an organisation's tax code (10 digits, or 13 for a branch)
    applicant_tax_code: Mapped[str | None] = mapped_column(String(14), index=True)
    #: an organisation's legal representative
    applicant_representative: Mapped[str | None] = mapped_column(String(255))
    applicant_phone: Mapped[str | None] = mapped_column(String(20), index=True)
    applicant_email: Mapped[str | None] = mapped_column(String(255))
    applicant_address: Mapped[str | None] = mapped_column(Text)
    #: who handed the dossier in for the applicant (người nộp thay), if anyone
    submitter_name: Mapped[str | None] = mapped_column(String(255))
    submitter_id_number: Mapped[str | None] = mapped_column(String(20))
    submitter_phone: Mapped[str | None] = mapped_column(String(20))

    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    appointment_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    clock_stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when it was processed (9), stopped (8), refused (3) or withdrawn (7)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    #: how many sets of papers (Form 01 "Số lượng hồ sơ")
    dossier_count: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: the line of the agency's ledger (Form 06), given at reception: book = year
    ledger_number: Mapped[int | None] = mapped_column(Integer)
    result_channel: Mapped[str] = mapped_column(String(20), default="counter", server_default="counter")
    postal_address: Mapped[str | None] = mapped_column(Text)
    #: in đồng
    postal_fee: Mapped[int | None] = mapped_column(BigInteger)
    #: fees asked at processing (state 6), in đồng
    fee_due: Mapped[int | None] = mapped_column(BigInteger)
    #: every required paper has a file (counted as digitised, Decree 45/2020/NĐ-CP)
    digitised: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    lookup_secret_hash: Mapped[str | None] = mapped_column(String(255))
    #: the one-time key of the desk form that entered it (onestop.intake): sent twice, one dossier
    entry_key: Mapped[str | None] = mapped_column(String(32), unique=True, index=True)

    events: Mapped[list["DossierEvent"]] = relationship(order_by="DossierEvent.id", cascade="all, delete-orphan")
    files: Mapped[list["DossierFile"]] = relationship(order_by="DossierFile.id", cascade="all, delete-orphan")
    agencies: Mapped[list["DossierAgency"]] = relationship(cascade="all, delete-orphan")

    @validates("applicant_name")
    def _fold_name(self, key, value):
        """Every write of the name keeps its folded form beside it."""
        from ..search.analysis import fold  # the search's folding: one idea of "the same name"

        self.applicant_name_folded = " ".join(fold(value or "").split())[:255]
        return value

    @property
    def received(self):
        """Whether an officer has received the dossier (its history went
        through state 2). Until then it is only submitted: pages, mails and
        the receipt say "submitted", never "received"."""
        return any(event.to_state == RECEIVED for event in self.events)


class DossierAgency(Base):
    """An agency that may read a dossier: the one that received it and
    every one it was transferred to (liên thông)."""

    __tablename__ = "dossier_agency"
    #: the desk counts an agency's dossiers from this index alone (migration 0020)
    __table_args__ = (Index("ix_dossier_agency_agency_dossier", "agency_code", "dossier_id"),)

    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class DossierEvent(Base):
    """One step of a dossier's history: who, when, from which state to
    which (the same for a step that changes none, as a hand-over), why.

    ``action`` names what was done (onestop.actions); ``agency_code`` is
    the actor's agency; a hand-over or transfer names where the dossier
    went (``to_agency_code``, ``department``) and the time it has there
    (``step_due_at``), which makes a line of Form 05; ``slip_file_id`` is
    the slip issued with it (Forms 01–05); ``details`` holds the rest (the
    papers asked for, an amount, a postal tracking number) as JSON."""

    __tablename__ = "dossier_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(100))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    #: indexed: the desk finds pending sign-offs by it (migration 0020)
    action: Mapped[str | None] = mapped_column(String(30), index=True)
    agency_code: Mapped[str | None] = mapped_column(String(40))
    to_agency_code: Mapped[str | None] = mapped_column(String(40))
    department: Mapped[str | None] = mapped_column(Text)
    step_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    from_state: Mapped[int | None] = mapped_column(Integer)
    to_state: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict | None] = mapped_column(JSON)
    slip_file_id: Mapped[int | None] = mapped_column(ForeignKey("dossier_file.id", ondelete="SET NULL"))


class DossierFile(Base):
    """A file of a dossier: a paper, a supplement, the receipt, a slip
    (``slip`` names its form: "01" … "05") or the result. The bytes live
    under ``{data_dir}/dossiers/`` at ``storage_key``."""

    __tablename__ = "dossier_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # paper | supplement | receipt | slip | result
    slip: Mapped[str | None] = mapped_column(String(10))
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
