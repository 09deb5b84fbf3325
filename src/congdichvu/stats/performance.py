"""A procedure's real performance, shown on its public page: over the last
``WINDOW_DAYS`` days, the median actual working time of the dossiers
resolved (processed, returned or stopped: stats.ontime.RESOLVED) and the
share of them finished early or on time (Circular 01/2018/TT-VPCP,
Art. 26: "trước hạn", "đúng hạn"), read from the dossiers' summary rows
(stats.models.DossierStat, index ix_dossier_stat_procedure_finished).
"""
import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from .figures import bounds
from .models import DossierStat as S
from .ontime import EARLY, ON_TIME, RESOLVED

#: how far back the figure looks, in calendar days (today included)
WINDOW_DAYS = 90
#: fewer resolved dossiers than this and nothing is shown: a median and a
#: share of a handful of dossiers swing with one case (one late dossier out
#: of 5 is "80 %"), and would judge a rarely used procedure by chance;
#: from 20 on, one dossier moves the share by 5 points at most
MIN_RESOLVED = 20


@dataclass(frozen=True)
class Performance:
    """``resolved`` dossiers finished in the days ``start``..``end``;
    ``median_days`` their median actual time in working days (a float);
    ``on_time`` how many of them were early or on time."""

    start: date
    end: date
    resolved: int
    median_days: float
    on_time: int

    @property
    def on_time_share(self):
        """The share (0 to 1) of the resolved finished early or on time."""
        return self.on_time / self.resolved if self.resolved else 0.0


def window(today):
    """(first day, last day) of the ``WINDOW_DAYS`` days ending ``today``."""
    return today - timedelta(days=WINDOW_DAYS - 1), today


def procedure_performance(dbsession, procedure_code, today, calendar, until=None):
    """The Performance of procedure ``procedure_code`` over the
    ``WINDOW_DAYS`` days ending ``today`` (a date, the city's), or None when
    fewer than ``MIN_RESOLVED`` of its dossiers were resolved in them. One
    query; the median in Python. ``calendar`` (calendar.service.WorkingCalendar)
    turns working minutes into working days (``minutes_per_day``). With
    ``until`` (an aware datetime), only dossiers resolved before it count:
    the figure as of that moment (a cached page's time window)."""
    start, end = window(today)
    first, after = bounds(start, end)
    if until is not None:
        after = min(after, until)
    rows = dbsession.execute(
        select(S.working_minutes, S.outcome).where(
            S.procedure_code == procedure_code, S.finished_at >= first, S.finished_at < after,
            S.ending == RESOLVED)).all()
    minutes = [row.working_minutes for row in rows if row.working_minutes is not None]
    if len(rows) < MIN_RESOLVED or not minutes:
        return None
    per_day = calendar.minutes_per_day or 480
    return Performance(start=start, end=end, resolved=len(rows),
                       median_days=statistics.median(minutes) / per_day,
                       on_time=sum(1 for row in rows if row.outcome in (EARLY, ON_TIME)))
