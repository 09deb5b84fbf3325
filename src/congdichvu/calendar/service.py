"""Working days and appointment times.

Weekends are off; Vietnamese public holidays come from the ``holidays``
package (country VN: Tết by the lunar calendar, observed and substituted
days); the make-up Saturdays of substituted days are working days; an
administrator's overrides win over both. Office hours are sessions of a
day (07:00–11:30 and 13:30–17:00 by default). A dossier received outside
them counts from the next session; one received after the cut-off (15:00)
for a same-day procedure is due the next working day.
"""
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import holidays

from ..i18n.formatting import TIMEZONE
from .models import DAY_OFF, WORKING_DAY

DEFAULT_SESSIONS = ((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0)))
DEFAULT_CUTOFF = time(15, 0)
_SUBSTITUTED_FROM = re.compile(r"substituted from (\d{2})/(\d{2})/(\d{4})")


def parse_sessions(text):
    """"07:00-11:30 13:30-17:00" → ((07:00, 11:30), (13:30, 17:00))."""
    sessions = []
    for part in (text or "").split():
        start, end = part.split("-")
        sessions.append((time.fromisoformat(start), time.fromisoformat(end)))
    return tuple(sessions) or DEFAULT_SESSIONS


@dataclass
class WorkingCalendar:
    overrides: dict = field(default_factory=dict)  # date → "off" | "working"
    sessions: tuple = DEFAULT_SESSIONS
    cutoff: time = DEFAULT_CUTOFF
    _years: dict = field(default_factory=dict, repr=False)

    def _holidays(self, year):
        if year not in self._years:
            days = holidays.country_holidays("VN", years=year)
            makeup = set()
            for names in days.values():
                for found in _SUBSTITUTED_FROM.finditer(names):
                    month, day, in_year = (int(part) for part in found.groups())
                    makeup.add(date(in_year, month, day))
            self._years[year] = (set(days), makeup)
        return self._years[year]

    def is_working_day(self, day):
        if day in self.overrides:
            return self.overrides[day] == WORKING_DAY
        off, makeup = self._holidays(day.year)
        if day in makeup:  # a Saturday worked in exchange for a bridging day off
            return True
        return day.weekday() < 5 and day not in off

    def next_working_day(self, day):
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def _local(self, moment):
        return moment.astimezone(TIMEZONE) if moment.tzinfo else moment.replace(tzinfo=TIMEZONE)

    def _at(self, day, clock):
        return datetime.combine(day, clock, tzinfo=TIMEZONE)

    def reception(self, moment):
        """When a dossier handed in at ``moment`` counts as received: then,
        if inside a session of a working day, else at the next session."""
        moment = self._local(moment)
        day = moment.date()
        if self.is_working_day(day):
            for start, end in self.sessions:
                if moment.time() < start:
                    return self._at(day, start)
                if start <= moment.time() < end:
                    return moment
        return self._at(self.next_working_day(day), self.sessions[0][0])

    def closing(self, day):
        return self._at(day, self.sessions[-1][1])

    def appointment(self, moment, value, unit):
        """When the result is due for a dossier handed in at ``moment``
        with processing time ``value`` ``unit`` (working_day, day,
        working_hour)."""
        received = self.reception(moment)
        day = received.date()
        if unit == "working_hour":
            return self._add_working_hours(received, float(value))
        if unit == "day":
            due = day + timedelta(days=int(value))
            while not self.is_working_day(due):  # due on a day off: the next working day
                due += timedelta(days=1)
            return self.closing(due)
        days = int(value)
        if days == 0:
            # same-day procedures: received after the cut-off, due the next working day
            return self.closing(day if received.time() < self.cutoff else self.next_working_day(day))
        for _ in range(days):
            day = self.next_working_day(day)
        return self.closing(day)

    def _add_working_hours(self, start, hours):
        remaining = timedelta(hours=hours)
        moment = start
        while True:
            day = moment.date()
            for session_start, session_end in self.sessions:
                begin = max(moment, self._at(day, session_start))
                end = self._at(day, session_end)
                if begin >= end:
                    continue
                if begin + remaining <= end:
                    return begin + remaining
                remaining -= end - begin
            moment = self._at(self.next_working_day(day), self.sessions[0][0])


def calendar_from_settings(settings, overrides=None):
    cutoff = settings.get("congdichvu.same_day_cutoff")
    return WorkingCalendar(
        overrides=dict(overrides or {}),
        sessions=parse_sessions(settings.get("congdichvu.office_hours")),
        cutoff=time.fromisoformat(cutoff) if cutoff else DEFAULT_CUTOFF,
    )


__all__ = ["WorkingCalendar", "calendar_from_settings", "DAY_OFF", "WORKING_DAY"]
