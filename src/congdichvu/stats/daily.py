"""The daily counts (stats.models.StatDay) that a dossier's summary row
contributes, and keeping them in step when the row changes.

A row contributes one to a column on the day (the city's date) of the
moment it is about: ``new`` and its channel on the day it was submitted,
its ending and outcome on the day it ended, a payment, a return, a rating
on theirs. For what stands at a moment, the row contributes where an
interval begins (``*_in``) and ends (``*_out``): waiting for papers
[``paused_from``, ``paused_until``) and overdue — from the deadline fixed
at reception to the wait for papers or the end, then from the moved
deadline (or the end of the wait, if later) to the end. Counting those
before a moment gives what stands then, exactly as stats.figures.measures
defines it for the rows (tested against it).
"""
from collections import Counter

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from ..i18n.formatting import to_local
from .models import DAY_COUNTS, DossierStat, StatDay
from .ontime import REFUSED, RESOLVED, WITHDRAWN_ENDING

_ENDINGS = {REFUSED: "refused", WITHDRAWN_ENDING: "withdrawn"}


def _overdue(row):
    """The intervals (start, end-or-None) in which the dossier was overdue."""
    finished, paused_from, paused_until = row["finished_at"], row["paused_from"], row["paused_until"]
    found = []
    first_due = row["first_due_at"]
    if first_due is not None:
        stop = min(moment for moment in (paused_from, finished) if moment is not None) \
            if paused_from is not None or finished is not None else None
        if stop is None or first_due < stop:
            found.append((first_due, stop))
    if paused_from is not None and paused_until is not None and row["due_at"] is not None:
        begin = max(row["due_at"], paused_until)
        if finished is None or begin < finished:
            found.append((begin, finished))
    return found


def contributions(row):
    """Counter {(agency code, day, column): n} of one summary row (a dict of
    DossierStat's columns); empty for None."""
    found = Counter()
    if row is None:
        return found
    agency = row["agency_code"]

    def add(moment, *names):
        if moment is not None:
            day = to_local(moment).date()
            for name in names:
                found[(agency, day, name)] += 1

    add(row["submitted_at"], "new", row["channel"], *(("digitised",) if row["digitised"] else ()))
    if row["ending"] == RESOLVED and row["outcome"]:
        add(row["finished_at"], row["outcome"])
    elif row["ending"] in _ENDINGS:
        add(row["finished_at"], _ENDINGS[row["ending"]])
    add(row["paid_at"], "paid", *(("paid_online",) if row["paid_online"] else ()))
    returned_by = {"postal": ("returned_by_post",), "online": ("returned_online",)}.get(row["returned_by"], ())
    add(row["returned_at"], "returned", *returned_by)
    if row["rating"] in ("very_satisfied", "satisfied", "dissatisfied"):
        add(row["rated_at"], row["rating"])
    if row["paused_from"] is not None:
        add(row["paused_from"], "waiting_in")
        add(row["paused_until"], "waiting_out")
    for begin, end in _overdue(row):
        add(begin, "overdue_in")
        add(end, "overdue_out")
    return found


def _insert(connection):
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(StatDay)


def apply(connection, old_rows, new_rows):
    """Move the daily counts from ``old_rows`` (the summary rows as they
    were, dicts) to ``new_rows`` (as they are now): one upsert statement
    for every (agency, day) that changed, executed as a batch in key order
    (two transactions touching the same days lock them in the same order)."""
    delta = Counter()
    for row in new_rows:
        delta.update(contributions(row))
    for row in old_rows:
        delta.subtract(contributions(row))
    by_key = {}
    for (agency, day, name), count in delta.items():
        if count:
            by_key.setdefault((agency, day), dict.fromkeys(DAY_COUNTS, 0))[name] = count
    if not by_key:
        return
    insert = _insert(connection)
    statement = insert.on_conflict_do_update(
        index_elements=[StatDay.agency_code, StatDay.day],
        set_={name: getattr(StatDay, name) + getattr(insert.excluded, name) for name in DAY_COUNTS})
    connection.execute(statement, [dict(counts, agency_code=agency, day=day)
                                   for (agency, day), counts in sorted(by_key.items())])


def rows_of(connection, dossier_ids):
    """The summary rows of ``dossier_ids`` as they are stored (dicts)."""
    if not dossier_ids:
        return []
    found = connection.execute(select(DossierStat).where(DossierStat.dossier_id.in_(list(dossier_ids))))
    return [dict(row._mapping) for row in found]
