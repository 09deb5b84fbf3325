"""The search outbox and the query log."""
from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..models.meta import Base, UTCDateTime

#: an outbox row with this code asks for a rebuild of the whole index
EVERYTHING = "*"
#: what the query log keeps of a query (characters)
QUERY_LOG_CHARS = 200


class SearchOutbox(Base):
    """A procedure whose index document must be written again (or removed).

    Rows are appended in the transaction that changes the procedure and
    never updated; each index remembers the last row it applied, so any
    number of servers, each with its own index, can follow the same outbox,
    and a crash between commit and indexing only delays the work."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_code: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SearchQuery(Base):
    """One search as typed, with how many results it found (for editors)."""

    __tablename__ = "search_query"

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(String(QUERY_LOG_CHARS))
    folded: Mapped[str] = mapped_column(String(QUERY_LOG_CHARS), index=True)
    results: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
