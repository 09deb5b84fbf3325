"""Appointments on real dates (Asia/Ho_Chi_Minh)."""
import random
from datetime import date, datetime, time, timedelta

import holidays

from congdichvu.calendar.models import DAY_OFF, WORKING_DAY
from congdichvu.calendar.service import WorkingCalendar, parse_sessions
from congdichvu.i18n.formatting import TIMEZONE


def at(year, month, day, hour=9, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=TIMEZONE)


calendar = WorkingCalendar()


def test_tet_2026_is_off():
    for day in range(16, 21):
        assert not calendar.is_working_day(date(2026, 2, day))
    assert calendar.is_working_day(date(2026, 2, 13)) and calendar.is_working_day(date(2026, 2, 23))


def test_three_working_days_across_tet():
    # received Friday 13/02/2026: Mon 16 – Fri 20 are Tết, then 23, 24, 25
    assert calendar.appointment(at(2026, 2, 13, 10), 3, "working_day") == at(2026, 2, 25, 17)


def test_a_fifteen_working_day_permit_crossing_tet():
    # received Monday 02/02/2026; working days 3–6, 9–13 (9), 23–27 (14), 2 March (15)
    assert calendar.appointment(at(2026, 2, 2, 8), 15, "working_day") == at(2026, 3, 2, 17)


def test_30_april_and_1_may():
    assert not calendar.is_working_day(date(2026, 4, 30)) and not calendar.is_working_day(date(2026, 5, 1))
    # received Wednesday 29/04/2026, one working day: Monday 04/05
    assert calendar.appointment(at(2026, 4, 29, 9), 1, "working_day") == at(2026, 5, 4, 17)


def test_national_day_with_1_september_and_the_swapped_saturday():
    for day in (date(2026, 8, 31), date(2026, 9, 1), date(2026, 9, 2)):
        assert not calendar.is_working_day(day)
    # Monday 31/08 is off in exchange for Saturday 22/08, which is worked
    assert calendar.is_working_day(date(2026, 8, 22))
    assert calendar.appointment(at(2026, 8, 21, 10), 1, "working_day") == at(2026, 8, 22, 17)
    assert calendar.appointment(at(2026, 8, 28, 10), 1, "working_day") == at(2026, 9, 3, 17)


def test_same_day_procedure_received_friday_afternoon():
    # Friday 16/10/2026 at 16:30: after the 15:00 cut-off, due Monday 19/10
    assert calendar.appointment(at(2026, 10, 16, 16, 30), 0, "working_day") == at(2026, 10, 19, 17)
    # before the cut-off: the same day
    assert calendar.appointment(at(2026, 10, 16, 14, 0), 0, "working_day") == at(2026, 10, 16, 17)


def test_online_at_night_or_on_a_holiday_counts_from_the_next_session():
    assert calendar.reception(at(2026, 10, 16, 21, 40)) == at(2026, 10, 19, 7)  # Friday night → Monday
    assert calendar.reception(at(2026, 2, 18, 10)) == at(2026, 2, 23, 7)  # during Tết
    assert calendar.reception(at(2026, 10, 19, 12, 0)) == at(2026, 10, 19, 13, 30)  # lunch break
    assert calendar.appointment(at(2026, 10, 16, 21, 40), 0, "working_day") == at(2026, 10, 19, 17)


def test_working_hours_skip_lunch_and_nights():
    # 8 working hours from Monday 10:00: 1.5 h to 11:30, 3.5 h to 17:00, 3 h Tuesday → 10:00
    assert calendar.appointment(at(2026, 10, 19, 10), 8, "working_hour") == at(2026, 10, 20, 10)


def test_calendar_days_falling_on_a_day_off_move_to_the_next_working_day():
    # 3 days from Thursday 15/10/2026 is Sunday 18/10 → Monday 19/10
    assert calendar.appointment(at(2026, 10, 15, 9), 3, "day") == at(2026, 10, 19, 17)


def test_administrator_overrides_win():
    custom = WorkingCalendar(overrides={date(2026, 10, 19): DAY_OFF, date(2026, 10, 17): WORKING_DAY})
    assert not custom.is_working_day(date(2026, 10, 19))
    assert custom.is_working_day(date(2026, 10, 17))  # a Saturday declared worked
    assert custom.appointment(at(2026, 10, 16, 10), 1, "working_day") == at(2026, 10, 17, 17)


def test_office_hours_come_from_settings():
    assert parse_sessions("07:30-11:30 13:00-16:30") == ((time(7, 30), time(11, 30)), (time(13), time(16, 30)))
    short = WorkingCalendar(sessions=parse_sessions("08:00-12:00"))
    assert short.appointment(at(2026, 10, 19, 9), 1, "working_day") == at(2026, 10, 20, 12)


def test_a_saturday_worked_for_a_day_off_in_the_previous_year():
    # Monday 31/12/2018 was off in exchange for Saturday 05/01/2019 (issue 9)
    assert not calendar.is_working_day(date(2018, 12, 31))
    assert calendar.is_working_day(date(2019, 1, 5))
    # received Friday 04/01/2019 during office hours, one working day: Saturday 05/01 at closing
    assert calendar.appointment(at(2019, 1, 4, 10), 1, "working_day") == at(2019, 1, 5, 17)
    # and the other way across the year: Saturday 27/12/2014 paid for Friday 02/01/2015
    assert calendar.is_working_day(date(2014, 12, 27)) and not calendar.is_working_day(date(2015, 1, 2))


FIRST_YEAR, LAST_YEAR = 2010, 2035


def _library_span():
    """Holidays and weekend workdays of the whole span, read from one
    multi-year instance of the package (not the per-year path the calendar
    takes), with the neighbouring years so that cross-year swaps count."""
    library = holidays.country_holidays("VN", years=range(FIRST_YEAR - 1, LAST_YEAR + 2))
    in_span = lambda days: {day for day in days if FIRST_YEAR <= day.year <= LAST_YEAR}  # noqa: E731
    return in_span(library), in_span(library.weekend_workdays)


def _days(first=date(FIRST_YEAR, 1, 1), last=date(LAST_YEAR, 12, 31)):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def test_every_day_of_many_years_follows_the_library():
    days_off, weekend_workdays = _library_span()
    assert date(2019, 1, 5) in weekend_workdays and len(weekend_workdays) >= 10
    for day in _days():
        if day in weekend_workdays:
            expected = True  # a Saturday or Sunday worked in exchange for a day off
        elif day.weekday() >= 5:
            expected = False  # an ordinary weekend
        else:
            expected = day not in days_off
        assert calendar.is_working_day(day) is expected, day


def test_overrides_win_both_ways_over_many_years():
    days_off, weekend_workdays = _library_span()
    every_day = list(_days())
    pick = random.Random(9).sample
    chosen = (pick(sorted(days_off), 40) + pick(sorted(weekend_workdays), 5) + pick(every_day, 300))
    overrides = {day: pick((DAY_OFF, WORKING_DAY), 1)[0] for day in chosen}
    custom = WorkingCalendar(overrides=overrides)
    assert {overrides[day] for day in days_off & overrides.keys()} == {DAY_OFF, WORKING_DAY}
    for day in every_day:
        if day in overrides:
            assert custom.is_working_day(day) is (overrides[day] == WORKING_DAY), day
        else:
            assert custom.is_working_day(day) is calendar.is_working_day(day), day


def test_holiday_names_for_people_in_either_language():
    assert calendar.holiday_name(date(2026, 9, 2)) == "Quốc khánh"
    assert calendar.holiday_name(date(2026, 9, 2), "en") == "National Day"
    assert calendar.holiday_name(date(2026, 9, 3)) is None


# -- fractions of a day -----------------------------------------------------------
# Working days count from the day after reception (Civil Code 2015, art. 147);
# a fraction of one is that share of an 8-hour working day (Labour Code 2019,
# art. 105), counted after the whole days: half a day is 4 working hours.


def test_half_a_working_day_is_four_working_hours_into_the_next_working_day():
    # Monday 19/10/2026 at 09:00: the next working day's first 4 hours, 07:00–11:00
    assert calendar.appointment(at(2026, 10, 19, 9), 0.5, "working_day") == at(2026, 10, 20, 11)
    # received after the same-day cut-off (Friday 16:30): never before a same-day procedure, due
    # when one working day would be, Monday's close
    assert calendar.appointment(at(2026, 10, 16, 16, 30), 0.5, "working_day") == at(2026, 10, 19, 17)
    # "0,5" typed in the CMS form arrives as a Decimal
    from decimal import Decimal
    assert calendar.appointment(at(2026, 10, 19, 9), Decimal("0.5"), "working_day") == at(2026, 10, 20, 11)


def test_one_and_a_half_working_days_is_four_hours_after_the_first():
    # Monday: the first working day closes Tuesday 17:00; 4 more hours, Wednesday 11:00
    assert calendar.appointment(at(2026, 10, 19, 9), 1.5, "working_day") == at(2026, 10, 21, 11)
    # 2,75 days: 6 hours after Wednesday's close, 4,5 before lunch and 1,5 after: Thursday 15:00
    assert calendar.appointment(at(2026, 10, 19, 9), 2.75, "working_day") == at(2026, 10, 22, 15)


def test_a_fraction_never_shortens_the_deadline():
    for received in (at(2026, 2, 12, 9), at(2026, 2, 12, 16)):  # Thursday before Tết, before and after the cut-off
        due = [calendar.appointment(received, value / 4, "working_day") for value in range(0, 41)]
        assert due == sorted(due)  # a longer time is never due earlier
        for whole in range(0, 10):
            for fraction in (0.1, 0.25, 0.5, 0.9):
                # dropping the fraction (as the old code did) would shorten it
                longer = calendar.appointment(received, whole + fraction, "working_day")
                shorter = calendar.appointment(received, whole, "working_day")
                assert longer > shorter or received.hour >= 15 and whole == 0  # after the cut-off 0 is 1 day
    # calendar days: a fraction is a whole day more
    assert calendar.appointment(at(2026, 10, 15, 9), 2.5, "day") == calendar.appointment(at(2026, 10, 15, 9), 3, "day")
    # hours: to the minute, rounded up (0,01 h is 36 seconds: one minute)
    assert calendar.appointment(at(2026, 10, 19, 9), 1.5, "working_hour") == at(2026, 10, 19, 10, 30)
    assert calendar.appointment(at(2026, 10, 19, 9), 0.01, "working_hour") == at(2026, 10, 19, 9, 1)


def test_a_processing_time_that_is_not_a_number_in_range_is_refused():
    for value in (float("nan"), float("inf"), -1, 10_001, None, "mười"):
        try:
            calendar.appointment(at(2026, 10, 19, 9), value, "working_day")
        except ValueError:
            continue
        raise AssertionError(f"{value!r} accepted")
    assert calendar.appointment(at(2026, 10, 19, 9), 10_000, "working_day").year < 2070
