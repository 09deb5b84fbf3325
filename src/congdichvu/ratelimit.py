"""Rate limits kept in the database, so every app server counts together.

A :class:`RateLimit` allows ``limit`` hits per ``window`` for each key
(an address, an account, an account and an address …). Anonymous requests
use it wherever they would otherwise write or send without bound: mail to
an account, audit rows about refused requests, registrations and password
reset requests per address.

How it counts, and why:

- One counter row per (limit, key, window), incremented by one atomic
  upsert in the request's transaction (as ``eservices.codes`` numbers
  dossiers): concurrent hits on one key wait on the row (PostgreSQL) or
  the write lock (SQLite), so the limit is exact however many servers
  share the database; process memory would count per server.
- Windows are fixed (aligned to the Unix epoch, in UTC), not sliding: one
  row per key and window, however many hits, so a flood rewrites one row
  instead of adding rows. At a window's edge a key may get up to twice
  ``limit`` in a short span; the limits here are set with that in mind.
- Keys are stored as a SHA-256 digest of their parts: fixed length
  whatever was typed, and no address, login or email in this table.
- Rows are swept once the window after theirs has ended, by the first hit
  of a new key (so a sweep never touches a row a current hit may be
  updating).
"""
import hashlib
from datetime import datetime, timedelta, timezone

from sqlalchemy import Index, Integer, String, delete, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from .models.meta import Base, UTCDateTime

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


class RateCounter(Base):
    """Hits of one key against one limit in one window."""

    __tablename__ = "rate_counter"
    __table_args__ = (Index("ix_rate_counter_bucket_window_start", "bucket", "window_start"),)

    #: the limit's name ("password_reset.address")
    bucket: Mapped[str] = mapped_column(String(50), primary_key=True)
    #: SHA-256 (hex) of the key's parts
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)


def _digest(parts):
    # the separator cannot occur in a part: ("a", "b c") and ("a b", "c") differ
    return hashlib.sha256("\x1f".join(str(part).replace("\x1f", " ") for part in parts).encode()).hexdigest()


class RateLimit:
    """At most ``limit`` hits per ``window`` (a timedelta) for each key;
    ``name`` (at most 50 characters) tells limits apart in the table."""

    def __init__(self, name, limit, window):
        if len(name) > 50 or limit < 1 or window <= timedelta(0):
            raise ValueError(f"bad rate limit {name!r}: {limit} per {window}")
        self.name, self.limit, self.window = name, limit, window

    def __repr__(self):
        return f"<RateLimit {self.name}: {self.limit} per {self.window}>"

    def window_start(self, now):
        """The start of the window ``now`` (aware) falls in."""
        return _EPOCH + ((now - _EPOCH) // self.window) * self.window

    def hit(self, dbsession, *key, now=None):
        """Count one hit for ``key`` (one or more parts: strings, numbers);
        True while the hits in this window are at most ``limit``. Every hit
        counts, refused ones too; the count is part of the caller's
        transaction and rolls back with it."""
        start = self.window_start(now or datetime.now(timezone.utc))
        insert = _INSERTS[dbsession.get_bind().dialect.name]
        statement = insert(RateCounter).values(bucket=self.name, key=_digest(key), window_start=start, hits=1)
        statement = statement.on_conflict_do_update(
            index_elements=[RateCounter.bucket, RateCounter.key, RateCounter.window_start],
            set_={"hits": RateCounter.hits + 1},
        ).returning(RateCounter.hits)
        hits = dbsession.execute(statement).scalar_one()
        if hits == 1:
            self._sweep(dbsession, start)
        return hits <= self.limit

    def give_back(self, dbsession, *key, now=None):
        """Take back one hit of ``key`` in the window of ``now`` (the same
        ``now`` as its ``hit``). For a limit on failures: each try takes a
        hit before it is made, so concurrent tries cannot all pass a check
        made before any of them failed, and a try that succeeds gives its
        hit back."""
        start = self.window_start(now or datetime.now(timezone.utc))
        dbsession.execute(update(RateCounter).where(
            RateCounter.bucket == self.name, RateCounter.key == _digest(key), RateCounter.window_start == start,
            RateCounter.hits > 0,
        ).values(hits=RateCounter.hits - 1).execution_options(synchronize_session=False))

    def _sweep(self, dbsession, start):
        # only windows before the previous one: a hit that began just before
        # the edge may still be updating a row of the previous window
        dbsession.execute(delete(RateCounter).where(
            RateCounter.bucket == self.name, RateCounter.window_start < start - self.window,
        ).execution_options(synchronize_session=False))
