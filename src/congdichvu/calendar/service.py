"""Working days and appointment times.

Which days are worked comes from the ``holidays`` package's calendar for
Viet Nam (country VN): weekends, public holidays (Tết by the lunar
calendar, observed and substituted days) and the weekend days worked in
exchange for a substituted day off (``weekend_workdays``), including those
that pay back a day off in another year (Saturday 05/01/2019 for Monday
31/12/2018). An administrator's overrides win over it. Office hours are
sessions of a day (07:00–11:30 and 13:30–17:00 by default). A dossier
received outside them counts from the next session; one received after
the cut-off (15:00) for a same-day procedure is due the next working day.

Processing times are counted in working days (Decree 61/2018/NĐ-CP on the
one-stop mechanism) from the day after reception (a period in days starts
the next day, one in hours at the moment: Civil Code 2015, art. 147), due
at the close of the last one. Catalogues also give half days ("0,5 ngày làm việc") and
hours: a fraction of a working day is that share of a normal working day of
8 hours (Labour Code 2019, art. 105), so half a day is 4 working hours,
counted after the whole days' deadline and never past the deadline of one
day more: 0,5 day received on a Monday morning is due Tuesday 11:00 (4
working hours into the next day), 1,5 days Wednesday 11:00; received after
the same-day cut-off, 0,5 day is due when 1 day is. Fractions are rounded
up to the minute, a fraction of a calendar day to a whole day: a deadline
is never shortened by rounding, and a longer time never falls due earlier.
"""
import math
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import holidays

from ..i18n.formatting import TIMEZONE
from .models import DAY_OFF, WORKING_DAY

DEFAULT_SESSIONS = ((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0)))
DEFAULT_CUTOFF = time(15, 0)
#: hours of a normal working day (Labour Code 2019, art. 105): what a
#: fraction of a working day is a share of
WORKING_DAY_HOURS = 8
#: the longest processing time an appointment is computed for, in any unit
#: (the CMS form's and the exchange format's bound: some forty years)
MAX_DURATION = 10_000
#: the holidays package's names for our locales (it has no plain "en")
_LIBRARY_LANGUAGES = {"vi": "vi", "en": "en_US"}


@lru_cache(maxsize=128)
def library_year(year, language="vi"):
    """The ``holidays`` package's Vietnamese calendar holding ``year``:
    its ``is_working_day(day)`` and ``get(day)`` (the holiday's name) are
    right for every day of ``year``.

    A swap may be declared in the data of the year before or after the
    day it makes a working day (2018's data hold Saturday 05/01/2019, paid
    back by Monday 31/12/2018; 2015's hold Saturday 27/12/2014). Holidays
    0.109 collects such cross-year days in every instance's
    ``weekend_workdays``; the neighbouring years are populated as well so
    that this does not rest on that detail. Built without ``expand``, the
    instance never changes after construction, so one per year serves
    every request and thread. ``language`` ("vi" or "en") only changes the
    names.
    """
    return holidays.country_holidays(
        "VN", years=range(year - 1, year + 2), expand=False, language=_LIBRARY_LANGUAGES.get(language, "vi")
    )


def parse_sessions(text):
    """"07:00-11:30 13:30-17:00" → ((07:00, 11:30), (13:30, 17:00))."""
    sessions = []
    for part in (text or "").split():
        start, end = part.split("-")
        sessions.append((time.fromisoformat(start), time.fromisoformat(end)))
    return tuple(sessions) or DEFAULT_SESSIONS


@dataclass
class WorkingCalendar:
    """Working days and appointments: the library's calendar for Viet Nam
    with ``overrides`` ({date: "off" | "working"}, an administrator's) on
    top; office ``sessions`` of a day and the same-day ``cutoff``."""

    overrides: dict = field(default_factory=dict)  # date → "off" | "working"
    sessions: tuple = DEFAULT_SESSIONS
    cutoff: time = DEFAULT_CUTOFF

    def is_working_day(self, day):
        """True when ``day`` (a date) is worked: an override if there is
        one, otherwise the holidays package's answer."""
        if day in self.overrides:
            return self.overrides[day] == WORKING_DAY
        return library_year(day.year).is_working_day(day)

    def holiday_name(self, day, language="vi"):
        """The public holiday's name on ``day`` in ``language`` ("vi" or
        "en"), or None: for people reading the calendar, never for rules."""
        return library_year(day.year, language).get(day)

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

    @property
    def minutes_per_day(self):
        """The office minutes of a working day: the sum of the ``sessions``'
        lengths (480 with the default 07:00–11:30 and 13:30–17:00). A time
        counted in ``working_minutes`` over this is a number of working days."""
        return sum((end.hour * 60 + end.minute) - (start.hour * 60 + start.minute) for start, end in self.sessions)

    def appointment(self, moment, value, unit):
        """When the result is due (aware, the city's time) for a dossier
        handed in at ``moment`` with processing time ``value`` (a number,
        whole or not: 0,5 working days, 1,5 working hours) ``unit``
        (working_day, day, working_hour); see the module's docstring for
        the rule. Raises ValueError for a value that is not a number from 0
        to MAX_DURATION."""
        value = _duration(value)
        received = self.reception(moment)
        if unit == "working_hour":
            return self._add_working_minutes(received, math.ceil(value * 60))
        if unit == "day":
            due = received.date() + timedelta(days=math.ceil(value))
            while not self.is_working_day(due):  # due on a day off: the next working day
                due += timedelta(days=1)
            return self.closing(due)
        days = int(value)
        due = self._after_working_days(received, days)
        minutes = math.ceil((value - days) * WORKING_DAY_HOURS * 60)
        if minutes:
            due = min(self._add_working_minutes(due, minutes), self._after_working_days(received, days + 1))
        return due

    def _after_working_days(self, received, days):
        """The close of the ``days``-th working day after the reception day;
        for 0 (same-day procedures) the reception day's close, or the next
        working day's when received after the cut-off."""
        day = received.date()
        if days == 0:
            return self.closing(day if received.time() < self.cutoff else self.next_working_day(day))
        for _ in range(days):
            day = self.next_working_day(day)
        return self.closing(day)

    def working_days_between(self, start, end):
        """The working days d with ``start`` < d <= ``end`` (dates): how
        many working days are left from today to a due day (0: due today),
        or how many have passed since it; 0 when ``end`` is not later."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def working_minutes(self, start, end):
        """The office minutes (sessions of working days) from ``start`` to
        ``end`` (aware instants), rounded down; 0 when ``end`` is not later."""
        start, end = self._local(start), self._local(end)
        total, day = timedelta(), start.date()
        while day <= end.date():
            if self.is_working_day(day):
                for session_start, session_end in self.sessions:
                    begin = max(start, self._at(day, session_start))
                    finish = min(end, self._at(day, session_end))
                    if finish > begin:
                        total += finish - begin
            day += timedelta(days=1)
        return int(total.total_seconds() // 60)

    def add_working_minutes(self, moment, minutes):
        """``moment`` moved on by ``minutes`` of office time (from the next
        session when it falls outside one): a stopped clock restarting."""
        return self._add_working_minutes(self.reception(moment), minutes)

    def _add_working_minutes(self, start, minutes):
        """``start`` plus ``minutes`` of office sessions (``start`` itself
        when there are none to add)."""
        remaining = timedelta(minutes=minutes)
        if not remaining:
            return start
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


def _duration(value):
    """A processing time as an exact Decimal (0.1 stays 0.1), checked."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"processing time {value!r} is not a number") from None
    if not number.is_finite() or not 0 <= number <= MAX_DURATION:
        raise ValueError(f"processing time {value!r} is not from 0 to {MAX_DURATION}")
    return number


def calendar_from_settings(settings, overrides=None):
    cutoff = settings.get("congdichvu.same_day_cutoff")
    return WorkingCalendar(
        overrides=dict(overrides or {}),
        sessions=parse_sessions(settings.get("congdichvu.office_hours")),
        cutoff=time.fromisoformat(cutoff) if cutoff else DEFAULT_CUTOFF,
    )


__all__ = ["WorkingCalendar", "calendar_from_settings", "DAY_OFF", "WORKING_DAY"]
