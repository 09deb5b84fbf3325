"""Revisions of procedures: every save is one, with its workflow state."""
from datetime import datetime

from sqlalchemy import JSON, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..models.meta import Base

# Workflow states of a revision. A procedure's working revision is its
# newest draft or pending one; the public sees only what was published.
DRAFT, PENDING, PUBLISHED, ARCHIVED, HISTORIC = "draft", "pending", "published", "archived", "historic"
WORKING = (DRAFT, PENDING)


class ProcedureRevision(Base):
    """A procedure as saved at one moment, in the exchange format."""

    __tablename__ = "procedure_revision"
    __table_args__ = (UniqueConstraint("procedure_code", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_code: Mapped[str] = mapped_column(String(40), index=True)
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), index=True)
    document: Mapped[dict] = mapped_column(JSON)
    author_id: Mapped[int | None] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: the editor's note on saving, or the reviewer's reason for sending back
    comment: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def name(self):
        return self.document.get("name", "")
