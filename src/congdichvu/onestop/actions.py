"""What officers and leaders do to a dossier, as rules: each action says
from which states it may be taken and by whom, changes the dossier once
(eservices.services.transition: a conditional UPDATE on state and version,
so two officers acting at the same moment cannot both apply), and records
an event (actor, agency, time, note, from/to state, details, slip).

Sources: Decree 61/2018/NĐ-CP on the one-stop mechanism (Articles 15–20:
receiving, transferring, processing and returning dossiers, apologising
for lateness) and Circular 01/2018/TT-VPCP (Forms 01–06).

The deadline: at reception the legal deadline ``due_at`` and the
appointment ``appointment_at`` are fixed from the working calendar
(``WorkingCalendar.appointment``) and the procedure's processing time for
the dossier's channel. While the applicant is asked for papers (state 5)
the clock stops (``clock_stopped_at``); when they are added it restarts
and both dates move on by the working time that passed (Decree 61/2018,
Art. 16(2): the time to supplement is not counted).
"""
from dataclasses import dataclass
from datetime import date, datetime, timezone

from ..eservices import services
from ..eservices.codes import next_number
from ..i18n import _
from ..i18n.formatting import to_local

NEW, RECEIVED, NOT_RECEIVED, PROCESSING, AWAITING_SUPPLEMENT, AWAITING_PAYMENT = 1, 2, 3, 4, 5, 6
WITHDRAWN, STOPPED, PROCESSED, RETURNED = 7, 8, 9, 10
#: states in which the office is working on the dossier
OPEN_STATES = frozenset({RECEIVED, PROCESSING, AWAITING_SUPPLEMENT, AWAITING_PAYMENT})
#: states after which nothing more happens
FINAL_STATES = frozenset({NOT_RECEIVED, WITHDRAWN, STOPPED, RETURNED})


class Refused(Exception):
    """The action cannot be taken: ``message`` says why, for the officer."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Actor:
    """Who acts, and with what: the signed-in ``user`` (a User), the agency
    they act for (``agency_code``), the working ``calendar`` and the moment
    (``now``, aware UTC)."""

    user: object
    agency_code: str
    calendar: object
    now: datetime

    @classmethod
    def of(cls, request, now=None):
        user = request.user
        agency = user.agency.code if user is not None and user.agency is not None else None
        return cls(user=user, agency_code=agency, calendar=request.working_calendar,
                   now=now or datetime.now(timezone.utc))


NOT_NOW = _("This cannot be done now: the dossier is ${state}. The page shows what it is now.")


def _event(actor, action, **extra):
    """The event columns every action records."""
    return dict(action=action, actor_id=actor.user.id, agency_code=actor.agency_code, at=actor.now, **extra)


def _apply(dbsession, dossier, actor, to_state, action, note=None, *, from_state=None, changes=None, **extra):
    """``services.transition`` for an action; a dossier changed meanwhile
    (another officer was first) is refused with the reason."""
    try:
        return services.transition(dbsession, dossier, to_state, actor.user.username, note, from_state=from_state,
                                   changes=changes, **_event(actor, action, **extra))
    except services.NotAllowed:
        raise Refused(_("Someone else changed this dossier a moment ago; nothing was done. "
                        "Check what it is now and try again.")) from None


def _require(dossier, states):
    if dossier.state not in states:
        raise Refused(_("This action is not possible for the dossier in its present state."))


def processing_time(dossier):
    """(value, unit) of the dossier's processing time: its procedure's (as
    snapshotted at submission) for the dossier's channel, else the first."""
    channels = (dossier.procedure_snapshot or {}).get("channels") or []
    chosen = next((c for c in channels if c.get("channel") == dossier.channel), channels[0] if channels else None)
    if chosen is None:
        return 0, "working_day"
    return chosen["time"]["value"], chosen["time"]["unit"]


def ledger_number(dbsession, agency_code, day):
    """The next line of ``agency_code``'s ledger (Form 06, "Sổ theo dõi
    hồ sơ") for the year of ``day``: one book a year, numbered from 1."""
    return next_number(dbsession, f"so:{agency_code}"[:40], date(day.year, 1, 1))


def receive(dbsession, dossier, actor):
    """Receive a dossier (1 → 2 → 4): the reception time, the appointment
    and legal deadline from the calendar and the processing time, the
    ledger line. Returns the "receive" event (Form 01 goes with it)."""
    _require(dossier, {NEW})
    received = actor.calendar.reception(actor.now)
    value, unit = processing_time(dossier)
    due = actor.calendar.appointment(actor.now, value, unit)
    line = ledger_number(dbsession, dossier.handling_agency_code, to_local(received).date())
    event = _apply(dbsession, dossier, actor, RECEIVED, "receive", from_state=NEW, changes={
        "received_at": received, "appointment_at": due, "due_at": due, "ledger_number": line})
    _apply(dbsession, dossier, actor, PROCESSING, "start", from_state=RECEIVED)
    return event


def restart_clock(dossier, calendar, now):
    """The columns that restart a stopped clock at ``now``: ``due_at`` and
    ``appointment_at`` moved on by the working time spent stopped."""
    if dossier.clock_stopped_at is None:
        return {}
    minutes = calendar.working_minutes(dossier.clock_stopped_at, now)
    changes = {"clock_stopped_at": None}
    for name in ("due_at", "appointment_at"):
        value = getattr(dossier, name)
        if value is not None and minutes:
            changes[name] = calendar.add_working_minutes(value, minutes)
    return changes
