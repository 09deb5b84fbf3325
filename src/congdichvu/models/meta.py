"""The declarative base, its constraint names, and the one column type
for instants (``UTCDateTime``)."""
from datetime import datetime, timezone

from sqlalchemy import DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so Alembic migrations can refer to them on every
# backend (SQLite batch mode needs names to drop or alter constraints).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """An instant, stored in UTC on every backend and read back as an aware
    UTC ``datetime``. Every model column holding a moment uses it.

    Why: SQLite has no time-zone type, and SQLAlchemy's ``DateTime`` there
    writes an aware value's wall clock and drops its offset, so a value
    made in Asia/Ho_Chi_Minh (the working calendar's) was stored 7 hours
    off and came back naive. This type converts each value to UTC before
    the driver sees it: SQLite stores the UTC wall clock (text
    ``YYYY-MM-DD HH:MM:SS.ffffff``), PostgreSQL a ``timestamptz``; results
    are marked or converted to UTC, so the code sees one kind of value on
    both backends and comparisons in SQL compare instants.

    Binding a naive ``datetime`` raises ``TypeError``: its zone cannot be
    known, and guessing it is how the 7-hour error arose. Turning a time a
    person typed (local) into an instant is
    ``congdichvu.i18n.formatting.from_local``'s job; showing one is
    ``to_local``'s.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self):
        return datetime

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"UTCDateTime takes a datetime, not {type(value).__name__}: {value!r}")
        if value.utcoffset() is None:
            raise TypeError(f"UTCDateTime refuses the naive datetime {value!r}: give it a time zone "
                            "(datetime.now(timezone.utc), or formatting.from_local for a local time)")
        value = value.astimezone(timezone.utc)
        # PostgreSQL keeps the offset; elsewhere (SQLite) the UTC wall clock is what is stored
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite: stored as the UTC wall clock
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)  # PostgreSQL: in the connection's TimeZone


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # a column annotated ``Mapped[datetime]`` without a type is an instant too
    type_annotation_map = {datetime: UTCDateTime}
