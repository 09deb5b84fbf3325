"""Dossier codes: ``{agency code}-{yymmdd}-{NNNN}``, a per-agency daily
sequence that never repeats and never skips.

The counter row is incremented with one atomic upsert inside the caller's
transaction: a concurrent submission for the same agency and day waits on
the row (PostgreSQL) or the write lock (SQLite) until this one commits, and
a transaction that rolls back takes its increment with it.
"""
import re

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .models import DossierCounter

#: what a dossier code can look like: an agency code (catalog.schema.json),
#: the day, the sequence (four digits, more past 9,999 a day), at most 64
#: characters (the column); used to refuse before any lookup what cannot be one
DOSSIER_CODE = re.compile(r"(?=.{1,64}\Z)[A-Za-z0-9.\-]{2,40}-[0-9]{6}-[0-9]{4,}")

_INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


def next_number(dbsession, agency_code, day):
    insert = _INSERTS[dbsession.get_bind().dialect.name]
    statement = insert(DossierCounter).values(agency_code=agency_code, day=day, last=1)
    statement = statement.on_conflict_do_update(
        index_elements=[DossierCounter.agency_code, DossierCounter.day],
        set_={"last": DossierCounter.last + 1},
    ).returning(DossierCounter.last)
    return dbsession.execute(statement).scalar_one()


def dossier_code(dbsession, agency_code, day):
    """The next code for a dossier of ``agency_code`` received on ``day``."""
    return f"{agency_code}-{day:%y%m%d}-{next_number(dbsession, agency_code, day):04d}"
