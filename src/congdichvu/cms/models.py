"""Revisions of procedures: every save is one, with its workflow state."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..models.meta import Base, UTCDateTime

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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: the editor's note on saving, or the reviewer's reason for sending back
    comment: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def name(self):
        return self.document.get("name", "")


PAGE, NEWS = "page", "news"


class Article(Base):
    """A page ("Giới thiệu Bộ phận một cửa") or a news article. The public
    sees ``published`` (a snapshot of the content) at ``slug`` from
    ``publish_at``; editors work on revisions, which hold the content, the
    address and the publish time they propose until one is published."""

    __tablename__ = "article"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), index=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    #: the published snapshot (title, lead, body, image, image_alt, category), or None
    published: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=DRAFT, index=True)
    #: news appear from this moment (scheduled publishing)
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ArticleRevision(Base):
    """An article as saved at one moment: ``data`` holds the content
    (title, lead, body, image, image_alt, category), ``slug`` and
    ``publish_at`` (ISO 8601 UTC or None); revisions saved before they held
    the address and time lack those two keys."""

    __tablename__ = "article_revision"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(Integer, index=True)
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), index=True)
    data: Mapped[dict] = mapped_column(JSON)
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    comment: Mapped[str | None] = mapped_column(Text)


class ArticleRedirect(Base):
    """An address a published article had before a revision moved it: it
    leads (301) to the article's address now, so links people kept still
    work. Another article may take the address: the redirect is dropped
    when one is published there (its own again, or another)."""

    __tablename__ = "article_redirect"

    slug: Mapped[str] = mapped_column(String(200), primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"), index=True)


class Comment(Base):
    """"Ý kiến của bạn" under a news article: held until an editor decides."""

    __tablename__ = "article_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    decided_by: Mapped[str | None] = mapped_column(String(100))
