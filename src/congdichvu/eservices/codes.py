"""Dossier codes: ``{agency code}-{yymmdd}-{NNNN}``, a per-agency daily
sequence that never repeats and never skips.

The counter row is incremented with one atomic upsert inside the caller's
transaction: a concurrent submission for the same agency and day waits on
the row (PostgreSQL) or the write lock (SQLite) until this one commits, and
a transaction that rolls back takes its increment with it.
"""
import re
from functools import lru_cache

from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .models import DossierCounter

#: what a dossier code can look like: an agency code (catalog.schema.json),
#: the day, the sequence (four digits, more past 9,999 a day), at most 64
#: characters (the column); used to refuse before any lookup what cannot be one
DOSSIER_CODE = re.compile(r"(?=.{1,64}\Z)[A-Za-z0-9.\-]{2,40}-[0-9]{6}-[0-9]{4,}")

_INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


@lru_cache(maxsize=None)
def _counting(dialect_name):
    """The upsert that takes the next number, built once per dialect (a
    statement built anew each time costs more than its execution)."""
    table = DossierCounter.__table__
    statement = _INSERTS[dialect_name](table).values(agency_code=bindparam("agency_code"), day=bindparam("day"), last=1)
    return statement.on_conflict_do_update(
        index_elements=[table.c.agency_code, table.c.day], set_={"last": table.c.last + 1},
    ).returning(table.c.last)


def next_number(dbsession, agency_code, day):
    if dbsession.autoflush:  # what is pending goes first, as before any ORM statement
        dbsession.flush()
    statement = _counting(dbsession.get_bind().dialect.name)
    return dbsession.execute(statement, {"agency_code": agency_code, "day": day}).scalar_one()


def dossier_code(dbsession, agency_code, day):
    """The next code for a dossier of ``agency_code`` received on ``day``."""
    return f"{agency_code}-{day:%y%m%d}-{next_number(dbsession, agency_code, day):04d}"
