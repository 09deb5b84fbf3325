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
"""
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import lru_cache

import holidays

from ..i18n.formatting import TIMEZONE
from .models import DAY_OFF, WORKING_DAY

DEFAULT_SESSIONS = ((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0)))
DEFAULT_CUTOFF = time(15, 0)
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
