"""The disclosed catalogue: agencies, sectors and administrative procedures.

Names follow the glossary in DESIGN.md. Levels, kinds, channels and units are
stored as the exchange format's words (data, not code): the 2025 reform
removed the district level without any schema change being needed.
"""
import re
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..models.meta import Base, UTCDateTime
from ..security import PublicResource

LEVELS = ("central", "province", "district", "commune")
AGENCY_KINDS = ("people_committee", "department", "police", "other")
CHANNELS = ("in_person", "online", "postal")
DURATION_UNITS = ("working_day", "day", "working_hour")
FEE_KINDS = ("fee", "charge")
FEE_PER = ("dossier", "copy", "page", "case", "other")
ONLINE_LEVELS = (1, 2, 3, 4)
ONLINE_MODES = ("full", "partial", "none")
PUBLISHED, ARCHIVED = "published", "archived"
#: online levels at which a dossier is submitted through the portal
SUBMITTABLE_ONLINE_LEVELS = (3, 4)
#: a national procedure code as the exchange format (catalog.schema.json)
#: and the editors' form admit it, e.g. 1.001193, in a 40-character column
PROCEDURE_CODE = re.compile(r"(?=.{1,40}\Z)[0-9]\.[0-9]{6}(\.[0-9A-Za-z.]+)?")
#: a step that carries its own number: "Bước 1:", "1.", "2)", "Bước 3 -" (not "1.500.000 đồng")
STEP_NUMBER = re.compile(r"\s*(?:bước\s*)?\d+[a-z]?\s*[:.)\-–](?!\d)", re.IGNORECASE)


procedure_agency = Table(
    "procedure_agency",
    Base.metadata,
    Column("procedure_id", ForeignKey("procedure.id", ondelete="CASCADE"), primary_key=True),
    Column("agency_id", ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_procedure_agency_agency_id", "agency_id"),
)


class Agency(PublicResource, Base):
    """Cơ quan, đơn vị: a node of the tree province → city → ward."""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    short_name: Mapped[str | None] = mapped_column(String(255))
    level: Mapped[str] = mapped_column(String(20), index=True)
    kind: Mapped[str] = mapped_column(String(30), default="people_committee")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    address: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(255))
    office_hours: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)

    parent: Mapped["Agency | None"] = relationship(
        remote_side="Agency.id", back_populates="children"
    )
    children: Mapped[list["Agency"]] = relationship(
        back_populates="parent", order_by="Agency.position"
    )

    @property
    def display_name(self):
        return self.short_name or self.name

    def __repr__(self):
        return f"<Agency {self.code}>"


class Sector(PublicResource, Base):
    """Lĩnh vực."""

    __tablename__ = "sector"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(Integer, default=0)

    procedures: Mapped[list["Procedure"]] = relationship(back_populates="sector")

    def __repr__(self):
        return f"<Sector {self.code}>"


class Procedure(PublicResource, Base):
    """Thủ tục hành chính, identified by its national code (``1.001193``)."""

    __tablename__ = "procedure"
    __table_args__ = (
        Index("ix_procedure_sector_id_name_sort", "sector_id", "name_sort"),
        Index("ix_procedure_level_name_sort", "level", "name_sort"),
        Index("ix_procedure_online_level_name_sort", "online_level", "name_sort"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(Text)
    #: Vietnamese alphabetical sort key (đ after d, not after z), see i18n
    name_sort: Mapped[str] = mapped_column(String(2000), index=True)
    #: the name lowercased without diacritics (đ → d), for "name contains"
    name_folded: Mapped[str] = mapped_column(Text, default="", server_default="")
    sector_id: Mapped[int] = mapped_column(ForeignKey("sector.id"))
    level: Mapped[str] = mapped_column(String(20))
    applicants: Mapped[str | None] = mapped_column(Text)
    steps: Mapped[list] = mapped_column(JSON, default=list)
    online_level: Mapped[int | None] = mapped_column(Integer)
    online_mode: Mapped[str | None] = mapped_column(String(20))
    requirements: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str] = mapped_column(Text)
    keywords: Mapped[list] = mapped_column(JSON, default=list)
    published_decision: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: "published" (in force, disclosed) or "archived" (withdrawn: kept, not shown)
    status: Mapped[str] = mapped_column(String(20), default=PUBLISHED, server_default=PUBLISHED, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    sector: Mapped[Sector] = relationship(back_populates="procedures")
    agencies: Mapped[list[Agency]] = relationship(
        secondary=procedure_agency, order_by=Agency.position
    )
    channels: Mapped[list["Channel"]] = relationship(
        back_populates="procedure",
        order_by="Channel.position",
        cascade="all, delete-orphan",
    )
    papers: Mapped[list["Paper"]] = relationship(
        back_populates="procedure", order_by="Paper.position", cascade="all, delete-orphan"
    )
    legal_bases: Mapped[list["LegalBasis"]] = relationship(
        back_populates="procedure",
        order_by="LegalBasis.position",
        cascade="all, delete-orphan",
    )

    @property
    def papers_by_case(self):
        """[(case or None, papers)]: the papers every applicant hands in first,
        then each case (trường hợp) in the order the disclosure gives."""
        groups = {None: []}
        for paper in self.papers:
            groups.setdefault(paper.case_group or None, []).append(paper)
        return [(case, papers) for case, papers in groups.items() if papers]

    @property
    def steps_numbered_in_text(self):
        """True when every step begins with its own number ("Bước 1: …", as
        the national database often writes them): the page then shows that
        number alone, not a second one from the list."""
        return bool(self.steps) and all(STEP_NUMBER.match(step) for step in self.steps)

    @property
    def accepts_online_submission(self):
        return self.online_level in SUBMITTABLE_ONLINE_LEVELS

    def __repr__(self):
        return f"<Procedure {self.code}>"


class Channel(Base):
    """Cách thức thực hiện: in person, online or postal, with time and fees."""

    __tablename__ = "channel"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("procedure.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    channel: Mapped[str] = mapped_column(String(20))
    duration_value: Mapped[float] = mapped_column(Float)
    duration_unit: Mapped[str] = mapped_column(String(20))
    duration_text: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)

    procedure: Mapped[Procedure] = relationship(back_populates="channels")
    fees: Mapped[list["Fee"]] = relationship(
        back_populates="channel", order_by="Fee.position", cascade="all, delete-orphan"
    )


class Fee(Base):
    """Phí (charge) or lệ phí (fee), in whole đồng; 0 means free."""

    __tablename__ = "fee"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channel.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(BigInteger)
    per: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str | None] = mapped_column(Text)

    channel: Mapped[Channel] = relationship(back_populates="fees")


class FormTemplate(PublicResource, Base):
    """A blank form file (mẫu đơn, tờ khai) kept under the data directory.

    Papers name their template by file name; the page links to it only when a
    row exists here, so a listed but missing form never becomes a broken link.
    """

    __tablename__ = "form_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Paper(Base):
    """Thành phần hồ sơ: one paper the applicant hands in, or only shows
    to the officer for comparison (``presented_only``: "xuất trình để đối
    chiếu, không nộp"), which is then never asked for as an upload."""

    __tablename__ = "paper"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("procedure.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(Text)
    originals: Mapped[int] = mapped_column(Integer, default=0)
    copies: Mapped[int] = mapped_column(Integer, default=0)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    presented_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    case_group: Mapped[str | None] = mapped_column(Text)
    template: Mapped[str | None] = mapped_column(String(255))
    note: Mapped[str | None] = mapped_column(Text)

    procedure: Mapped[Procedure] = relationship(back_populates="papers")
    form_template: Mapped[FormTemplate | None] = relationship(
        primaryjoin="foreign(Paper.template) == FormTemplate.filename",
        viewonly=True,
        uselist=False,
    )


class LegalBasis(Base):
    """Căn cứ pháp lý."""

    __tablename__ = "legal_basis"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("procedure.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    number: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(Text)
    issued: Mapped[date | None] = mapped_column(Date)
    issuer: Mapped[str | None] = mapped_column(Text)

    procedure: Mapped[Procedure] = relationship(back_populates="legal_bases")


class CatalogInfo(Base):
    """Facts about the catalogue as a whole (its note, when it last changed)."""

    __tablename__ = "catalog_info"
    __table_args__ = (UniqueConstraint("key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(50))
    value: Mapped[str] = mapped_column(Text)
