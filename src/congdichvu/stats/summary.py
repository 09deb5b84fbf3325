"""Keeping each dossier's summary row (stats.models.DossierStat) in step
with its history, in the same transaction.

After every flush that wrote events (DossierEvent rows), the rows of their
dossiers are computed again from the events (stats.ontime.verdict) and the
dossier's own columns, and written (delete + insert: the same on SQLite and
PostgreSQL). No code path has to remember to do it: an event that commits
carries its dossier's figures with it, and one rolled back takes them away.

The working calendar comes from the session (``info["working_calendar"]``,
set by commands) or its request (``request.working_calendar``, which holds
the administrator's overrides); without either, the library's calendar.
``rebuild`` recomputes every row, after the calendar changed or an upgrade.
"""
from sqlalchemy import delete, event, insert, select

from ..calendar.service import WorkingCalendar
from ..eservices.models import Dossier, DossierEvent
from . import daily
from .models import DossierStat
from .ontime import FINAL_STATES, verdict

#: the events whose details the figures read
PAID, RETURN, RATE = "paid", "return_result", "rate"


def calendar_of(session):
    """The working calendar for ``session``'s work (see the module's docstring)."""
    found = session.info.get("working_calendar")
    if found is None and session.info.get("request") is not None:
        found = session.info["request"].working_calendar
    return found if found is not None else WorkingCalendar()


def _processing_time(dossier):
    from ..onestop.actions import processing_time  # the desk reads the procedure's time one way

    return processing_time(dossier)


def _last(events, action):
    return next((event for event in reversed(events) if event.action == action), None)


def row_of(dossier, calendar):
    """The DossierStat values (a dict) of ``dossier`` from its events."""
    events = list(dossier.events)
    value, unit = _processing_time(dossier)
    try:
        found = verdict(events, value, unit, calendar)
    except ValueError:  # a processing time out of range in an old snapshot: no deadline to judge by
        found = verdict(events, 0, "working_day", calendar)
    paid = next((event for event in events if event.action == PAID), None)
    returned = _last(events, RETURN)
    rated = _last(events, RATE)
    rating = ((rated.details or {}).get("level") if rated is not None else None) or None
    values = dict(
        dossier_id=dossier.id, agency_code=dossier.agency_code, sector_code=dossier.sector_code,
        procedure_code=dossier.procedure_code, channel=dossier.channel, submitted_at=dossier.submitted_at,
        received_at=found.received_at, first_due_at=found.first_due_at, due_at=found.due_at,
        paused_from=found.paused_from, paused_until=found.paused_until, supplements=found.supplements,
        finished_at=found.finished_at, ending=found.ending, outcome=found.outcome,
        working_minutes=found.working_minutes, digitised=bool(dossier.digitised),
        paid_at=paid.at if paid is not None else None,
        paid_online=paid is not None and (paid.details or {}).get("way") == "online",
        returned_at=(dossier.returned_at or returned.at) if returned is not None else None,
        returned_by=(returned.details or {}).get("way") if returned is not None else None,
        rating=rating, rated_at=rated.at if rating else None)
    values["settled_at"] = _settled(dossier, values)
    return values


def _settled(dossier, values):
    """When the row stops changing: the latest of its moments once the
    dossier is in a final state (a rating may still come: it moves it)."""
    if dossier.state not in FINAL_STATES:
        return None
    moments = [values[name] for name in ("finished_at", "paid_at", "returned_at", "rated_at", "submitted_at")
               if values[name] is not None]
    return max(moments)


def write(connection, rows):
    """Replace the summary rows of ``rows``' dossiers with ``rows`` (dicts),
    and move the daily counts (stats.daily) from the old rows to these."""
    if not rows:
        return
    old = {row["dossier_id"]: row for row in daily.rows_of(connection, [row["dossier_id"] for row in rows])}
    # most events (a hand-over, a sign-off asked for) change nothing counted: nothing to write
    changed = [row for row in rows if not _same(old.get(row["dossier_id"]), row)]
    if not changed:
        return
    ids = [row["dossier_id"] for row in changed]
    connection.execute(delete(DossierStat).where(DossierStat.dossier_id.in_(ids)))
    connection.execute(insert(DossierStat), changed)
    daily.apply(connection, [old[key] for key in ids if key in old], changed)


def _same(stored, row):
    """Whether the stored row (None when there is none) holds ``row``'s values."""
    return stored is not None and all(stored.get(name) == value for name, value in row.items())


def _after_flush(session, flush_context):
    ids = {row.dossier_id for row in session.new if isinstance(row, DossierEvent)}
    if not ids:
        return
    calendar = calendar_of(session)
    rows = []
    with session.no_autoflush:
        for dossier_id in sorted(ids):
            dossier = session.get(Dossier, dossier_id)
            if dossier is not None:
                rows.append(row_of(dossier, calendar))
    write(session.connection(), rows)


def rebuild(session, batch=1000, only_missing=False, progress=None):
    """Recompute the summary rows of every dossier (or only of those that
    have none), ``batch`` dossiers at a time. Returns how many."""
    calendar = calendar_of(session)
    query = select(Dossier.id).order_by(Dossier.id)
    if only_missing:
        query = query.where(~select(DossierStat.dossier_id).where(DossierStat.dossier_id == Dossier.id).exists())
    ids = list(session.scalars(query))
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        dossiers = session.scalars(select(Dossier).where(Dossier.id.in_(chunk))).all()
        write(session.connection(), [row_of(dossier, calendar) for dossier in dossiers])
        session.expunge_all()
        if progress is not None:
            progress(start + len(chunk), len(ids))
    return len(ids)


def install(session_factory):
    """Listen on ``session_factory``'s sessions (models.get_session_factory)."""
    event.listen(session_factory, "after_flush", _after_flush)
