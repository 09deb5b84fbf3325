"""stats.performance on dossiers written event by event (the flush hook
fills their summary rows): the median in working days, the on-time
share, the threshold and the 90-day window, with a fixed ``today``."""
from datetime import date, time

from congdichvu.calendar.service import WorkingCalendar
from congdichvu.stats.performance import MIN_RESOLVED, WINDOW_DAYS, procedure_performance
from tests.functional.test_statistics_api import at, dossier, received

#: the day each dossier received Monday 05/03/2018 09:00 (5 working days: due 12/03) is processed, by its
#: working days: 6 is late
PROCESSED_ON = {1: 6, 2: 7, 3: 8, 4: 9, 6: 13}
#: 20 dossiers: the median of 1,1,1,1,2×6,3×5,4,4,4,6,6 is (2 + 3) / 2; 18 of them in time
DAYS = [1] * 4 + [2] * 6 + [3] * 5 + [4] * 3 + [6] * 2


def resolved(dbsession, days=DAYS, first_number=100):
    """One resolved dossier of procedure 1.001193 at the ward per item of ``days`` (its working days)."""
    for number, working_days in enumerate(days, start=first_number):
        dossier(dbsession, number, at(5, 3), steps=received(at(5, 3)) + [
            (at(PROCESSED_ON[working_days], 3), "processed", 4, 9)])


def test_the_median_in_working_days_and_the_on_time_share(dbsession):
    resolved(dbsession)
    dossier(dbsession, 200, at(5, 3), steps=received(at(5, 3)) + [(at(6, 3), "refuse", 4, 3)])  # not resolved
    dossier(dbsession, 201, at(5, 3), steps=received(at(5, 3)))  # open
    found = procedure_performance(dbsession, "1.001193", date(2018, 3, 31), WorkingCalendar())
    assert (found.resolved, found.median_days, found.on_time) == (20, 2.5, 18)
    assert found.on_time_share == 0.9
    assert (found.start, found.end) == (date(2018, 1, 1), date(2018, 3, 31))


def test_working_days_are_the_calendars_office_minutes():
    assert WorkingCalendar().minutes_per_day == 480
    assert WorkingCalendar(sessions=((time(8), time(12)),)).minutes_per_day == 240


def test_a_shorter_office_day_makes_more_working_days(dbsession):
    resolved(dbsession)
    found = procedure_performance(dbsession, "1.001193", date(2018, 3, 31),
                                  WorkingCalendar(sessions=((time(8), time(12)),)))
    assert found.median_days == 5.0  # the minutes were 1200 as counted; 1200 / 240


def test_fewer_than_the_threshold_shows_nothing(dbsession):
    resolved(dbsession, DAYS[:MIN_RESOLVED - 1])
    assert procedure_performance(dbsession, "1.001193", date(2018, 3, 31), WorkingCalendar()) is None
    assert procedure_performance(dbsession, "1.002000", date(2018, 3, 31), WorkingCalendar()) is None


def test_the_window_is_the_last_90_days_today_included(dbsession):
    resolved(dbsession)
    assert WINDOW_DAYS == 90
    calendar = WorkingCalendar()
    # 06/03 (the first four finished) is the 90th day back from 03/06: all 20 in
    assert procedure_performance(dbsession, "1.001193", date(2018, 6, 3), calendar).resolved == 20
    # from 04/06 the four are out: 16, under the threshold
    assert procedure_performance(dbsession, "1.001193", date(2018, 6, 4), calendar) is None
    # on 12/03 the two finished on 13/03 are not yet in: 18
    assert procedure_performance(dbsession, "1.001193", date(2018, 3, 12), calendar) is None
    assert procedure_performance(dbsession, "1.001193", date(2018, 3, 13), calendar).resolved == 20
