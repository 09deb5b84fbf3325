"""The search outbox, the query log, the results opened from it, and
the thesaurus editors keep."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..models.meta import Base, UTCDateTime

#: an outbox row with this code asks for a rebuild of the whole index
EVERYTHING = "*"
#: an outbox row with this code says the thesaurus changed: each process
#: loads its table again (expansions are query-side: no document changes)
THESAURUS = "#thesaurus"
#: what the query log keeps of a query (characters)
QUERY_LOG_CHARS = 200
#: what the query log keeps of the codes a search showed (characters)
SHOWN_CHARS = 600


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
    #: the codes the search showed (its results and related ones, space
    #: separated): an open is recorded for one of them only
    shown: Mapped[str] = mapped_column(String(SHOWN_CHARS), default="", server_default="")


class SearchOpen(Base):
    """A result opened from a search page: which procedure, from which
    logged search (see search.views.open_result). A search that found
    procedures none of which was ever opened tells editors the words
    led somewhere people did not want to go."""

    __tablename__ = "search_open"

    id: Mapped[int] = mapped_column(primary_key=True)
    query_id: Mapped[int] = mapped_column(ForeignKey("search_query.id", ondelete="CASCADE"), index=True)
    procedure_code: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


#: the longest phrase of an entry, and the most phrases a side holds
PHRASE_CHARS = 100
EXPANSION_CHARS = 200
SIDE_PHRASES = 20
CONCEPT_CHARS = 100


class ThesaurusEntry(Base):
    """One entry of the thesaurus as editors keep it: what people type
    (``typed``, phrases as written) and the catalogue's words it stands for
    (``expansions``), see synonyms.Entry. Search uses the entries that are
    ``active`` and not deleted; deleted ones stay for their history.
    ``version`` is the number of the entry's newest revision: a change is
    made only to the version the editor saw."""

    __tablename__ = "thesaurus_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    typed: Mapped[list] = mapped_column(JSON)
    expansions: Mapped[list] = mapped_column(JSON)
    concept: Mapped[str] = mapped_column(String(CONCEPT_CHARS), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ThesaurusRevision(Base):
    """An entry as one change left it (added, changed, deleted), with who
    and when: the entry's history."""

    __tablename__ = "thesaurus_revision"
    __table_args__ = (UniqueConstraint("entry_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("thesaurus_entry.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    #: "added", "changed" or "deleted"
    action: Mapped[str] = mapped_column(String(20))
    typed: Mapped[list] = mapped_column(JSON)
    expansions: Mapped[list] = mapped_column(JSON)
    concept: Mapped[str] = mapped_column(String(CONCEPT_CHARS), default="")
    active: Mapped[bool] = mapped_column(Boolean)
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
