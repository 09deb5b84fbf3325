"""On time, by the national rule: the one home of the rules that say when
a dossier was due and whether it was finished early, on time or late.

Sources:

- Decree 61/2018/NĐ-CP, Art. 16(2) and 19–20 (amended by Decree
  107/2021/NĐ-CP): the time limit runs from reception on working days;
  the time the applicant takes to supplement papers is not counted; a
  dossier is asked for papers once, completely — asking again puts the
  office at fault; an apology (Form 04) sets a new date to return the
  result but does not make a late dossier on time.
- Circular 01/2018/TT-VPCP, Art. 26 and Forms 05–06: a dossier is
  "trước hạn" (early) when finished on a day before the day it was due,
  "đúng hạn" (on time) when by the deadline, "quá hạn" (late) after it;
  an unfinished dossier is "trong hạn" (within deadline) or "quá hạn"
  (overdue) at the end of a reporting period.

Everything here is derived from a dossier's events (``at``, ``action``,
``from_state``, ``to_state``) and the working calendar
(calendar.service.WorkingCalendar) — never from dates typed in. The desk
(onestop.actions) fixes and moves its deadline with the same functions,
so what an officer sees and what the statistics count cannot disagree.
"""
from dataclasses import dataclass
from datetime import datetime

from ..i18n.formatting import to_local

#: the national state codes (eservices.models.STATES)
RECEIVED, NOT_RECEIVED, AWAITING_SUPPLEMENT, WITHDRAWN, STOPPED, PROCESSED, RETURNED = 2, 3, 5, 7, 8, 9, 10

#: states after which nothing more happens to a dossier (refused, withdrawn, stopped, returned)
FINAL_STATES = frozenset({NOT_RECEIVED, WITHDRAWN, STOPPED, RETURNED})

EARLY, ON_TIME, LATE = "early", "on_time", "late"
OUTCOMES = (EARLY, ON_TIME, LATE)
#: how a dossier ended: dealt with (processed, returned or stopped), refused (Form 03), withdrawn by the applicant
RESOLVED, REFUSED, WITHDRAWN_ENDING = "resolved", "refused", "withdrawn"
ENDINGS = (RESOLVED, REFUSED, WITHDRAWN_ENDING)
#: the state an ending is reached by
_ENDING_OF_STATE = {PROCESSED: RESOLVED, RETURNED: RESOLVED, STOPPED: RESOLVED, NOT_RECEIVED: REFUSED,
                    WITHDRAWN: WITHDRAWN_ENDING}
#: more supplement requests than this make a dossier late (Decree 61/2018, Art. 15(2)(b): asked once)
MAX_SUPPLEMENT_REQUESTS = 1


def deadline(calendar, received, value, unit):
    """The legal deadline (aware) of a dossier received at ``received``
    (aware) with processing time ``value`` ``unit`` (working_day, day,
    working_hour): ``WorkingCalendar.appointment``'s rule. ValueError for
    a processing time that is not a number from 0 to its maximum."""
    return calendar.appointment(received, value, unit)


def moved(calendar, due, stopped_at, resumed_at):
    """``due`` moved on by the office time between ``stopped_at`` (the
    applicant was asked for papers) and ``resumed_at`` (they were added):
    the time to supplement is not counted (Decree 61/2018, Art. 16(2))."""
    minutes = calendar.working_minutes(stopped_at, resumed_at)
    return calendar.add_working_minutes(due, minutes) if minutes else due


def classify(finished, due, supplements=0):
    """EARLY, ON_TIME or LATE for a dossier finished at ``finished`` with
    legal deadline ``due`` (both aware): LATE after the deadline or when
    papers were asked for more than once; EARLY on a day (the city's) before
    the day it was due; ON_TIME otherwise. None without a deadline."""
    if due is None or finished is None:
        return None
    if finished > due or supplements > MAX_SUPPLEMENT_REQUESTS:
        return LATE
    return EARLY if to_local(finished).date() < to_local(due).date() else ON_TIME


def standing(due, moment):
    """"overdue" when an unfinished dossier's deadline ``due`` is before
    ``moment``, else "within_deadline" (also with no deadline yet)."""
    return "overdue" if due is not None and due < moment else "within_deadline"


@dataclass(frozen=True)
class Verdict:
    """What a dossier's history says, for the statistics (all aware UTC or None):

    - ``received_at``: reception (the first move into state 2), as the
      calendar counts it (``WorkingCalendar.reception``);
    - ``first_due_at``: the deadline fixed at reception; ``due_at``: moved
      on by every supplement wait after reception;
    - ``paused_from``/``paused_until``: the last wait for papers (until:
      None while waiting); ``supplements``: how many times papers were asked;
    - ``finished_at``/``ending``: when and how it ended — processed (9),
      else its result returned (10), else stopped (8): RESOLVED; refused
      (3): REFUSED; withdrawn (7): WITHDRAWN_ENDING; None while open;
    - ``outcome``: EARLY / ON_TIME / LATE of a RESOLVED dossier (``classify``);
    - ``working_minutes``: office minutes from reception to the end, less
      the waits for papers (the real processing time).
    """

    received_at: datetime | None = None
    first_due_at: datetime | None = None
    due_at: datetime | None = None
    paused_from: datetime | None = None
    paused_until: datetime | None = None
    supplements: int = 0
    finished_at: datetime | None = None
    ending: str | None = None
    outcome: str | None = None
    working_minutes: int | None = None


def _end(events):
    """(moment, ending) of the event that ended the dossier: processed
    first, else returned, else refused, stopped or withdrawn."""
    for states in ((PROCESSED,), (RETURNED,), (NOT_RECEIVED, STOPPED, WITHDRAWN)):
        for event in events:
            if event.to_state in states and event.from_state != event.to_state:
                return event.at, _ENDING_OF_STATE[event.to_state]
    return None, None


def verdict(events, value, unit, calendar):
    """The Verdict of a dossier from its ``events`` (in order; each with
    ``at``, ``action``, ``from_state``, ``to_state``), its processing time
    (``value`` ``unit``, as the procedure gave it for the dossier's channel)
    and the working ``calendar``."""
    received_at = first_due = due = paused_from = paused_until = None
    supplements = paused = 0
    for event in events:
        entering = event.to_state != event.from_state
        if entering and event.to_state == RECEIVED and received_at is None:
            received_at = calendar.reception(event.at)
            first_due = due = deadline(calendar, event.at, value, unit)
        elif entering and event.to_state == AWAITING_SUPPLEMENT:
            supplements += 1
            paused_from, paused_until = event.at, None
        elif event.from_state == AWAITING_SUPPLEMENT and entering and paused_from is not None:
            paused_until = event.at
            if due is not None and paused_from >= received_at:  # before reception no clock runs
                paused += calendar.working_minutes(paused_from, paused_until)
                due = moved(calendar, due, paused_from, paused_until)
    finished_at, ending = _end(events)
    outcome = classify(finished_at, due, supplements) if ending == RESOLVED else None
    minutes = None
    if finished_at is not None and received_at is not None and ending == RESOLVED:
        minutes = max(0, calendar.working_minutes(received_at, finished_at) - paused)
    return Verdict(received_at=received_at, first_due_at=first_due, due_at=due, paused_from=paused_from,
                   paused_until=paused_until, supplements=supplements, finished_at=finished_at, ending=ending,
                   outcome=outcome, working_minutes=minutes)
