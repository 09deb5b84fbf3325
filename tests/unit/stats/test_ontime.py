"""The on-time rules (stats.ontime), one test per rule, on concrete dates of
the library's calendar for Viet Nam (Tết 2018: 14–20/02/2018 off)."""
from datetime import datetime
from types import SimpleNamespace

import pytest

from congdichvu.calendar.service import WorkingCalendar
from congdichvu.i18n.formatting import TIMEZONE
from congdichvu.stats import ontime

CAL = WorkingCalendar()


def at(day, month, hour=9, minute=0, year=2018):
    return datetime(year, month, day, hour, minute, tzinfo=TIMEZONE)


def ev(moment, action, from_state, to_state):
    return SimpleNamespace(at=moment, action=action, from_state=from_state, to_state=to_state, details=None)


def received(moment):
    """A dossier handed in and received at ``moment`` (1 → 2 → 4)."""
    return [ev(moment, "submit", None, 1), ev(moment, "receive", 1, 2), ev(moment, "start", 2, 4)]


def processed(moment):
    return ev(moment, "processed", 4, 9)


# Mon 05/03/2018 09:00, 5 working days: due at the close of Mon 12/03/2018 (17:00)
MARCH = received(at(5, 3))


def test_the_deadline_counts_working_days_from_reception():
    found = ontime.verdict(MARCH, 5, "working_day", CAL)
    assert found.received_at == at(5, 3)
    assert found.due_at == found.first_due_at == at(12, 3, 17)


def test_finished_on_a_day_before_the_due_day_is_early():
    assert ontime.verdict(MARCH + [processed(at(9, 3, 16))], 5, "working_day", CAL).outcome == ontime.EARLY


def test_finished_on_the_due_day_by_the_deadline_is_on_time():
    assert ontime.verdict(MARCH + [processed(at(12, 3, 16, 59))], 5, "working_day", CAL).outcome == ontime.ON_TIME


def test_finished_after_the_deadline_is_late_even_the_same_day():
    assert ontime.verdict(MARCH + [processed(at(12, 3, 17, 1))], 5, "working_day", CAL).outcome == ontime.LATE
    assert ontime.verdict(MARCH + [processed(at(13, 3, 8))], 5, "working_day", CAL).outcome == ontime.LATE


def test_processed_decides_not_the_return_of_the_result():
    events = MARCH + [processed(at(12, 3, 10)), ev(at(20, 3), "return_result", 9, 10)]
    found = ontime.verdict(events, 5, "working_day", CAL)
    assert (found.finished_at, found.outcome) == (at(12, 3, 10), ontime.ON_TIME)


def test_a_result_returned_without_a_processed_event_is_finished_when_returned():
    events = MARCH + [ev(at(14, 3), "return_result", 4, 10)]
    assert ontime.verdict(events, 5, "working_day", CAL).finished_at == at(14, 3)


def test_a_supplement_across_tet_moves_the_deadline_by_the_working_time_waited():
    # Mon 12/02/2018 09:00, 3 working days: due Thu 22/02 17:00 (14–20/02 are Tết).
    # Papers asked Tue 13/02 09:00, added Thu 22/02 09:00: 360 + 480 + 120 = 960 office minutes
    # (Tết not counted), two working days: due Mon 26/02 17:00.
    events = received(at(12, 2)) + [ev(at(13, 2), "request_supplement", 4, 5), ev(at(22, 2), "supplement", 5, 4)]
    found = ontime.verdict(events, 3, "working_day", CAL)
    assert found.first_due_at == at(22, 2, 17)
    assert found.due_at == at(26, 2, 17)
    assert (found.paused_from, found.paused_until, found.supplements) == (at(13, 2), at(22, 2), 1)
    assert ontime.verdict(events + [processed(at(26, 2, 16))], 3, "working_day", CAL).outcome == ontime.ON_TIME
    assert ontime.verdict(events + [processed(at(27, 2, 8))], 3, "working_day", CAL).outcome == ontime.LATE


def test_the_waited_time_is_not_counted_as_working_time():
    events = received(at(12, 2)) + [ev(at(13, 2), "request_supplement", 4, 5), ev(at(22, 2), "supplement", 5, 4),
                                    processed(at(23, 2))]
    # 12/02 09:00 → 23/02 09:00 is 360 + 480 + 480 + 480 + 120 = 1,920 office minutes, 960 of them waiting
    assert ontime.verdict(events, 3, "working_day", CAL).working_minutes == 1920 - 960


def test_papers_asked_before_reception_do_not_move_the_deadline():
    events = [ev(at(5, 3), "submit", None, 1), ev(at(5, 3, 10), "request_supplement", 1, 5),
              ev(at(7, 3), "supplement", 5, 1), ev(at(7, 3, 10), "receive", 1, 2), ev(at(7, 3, 10), "start", 2, 4)]
    found = ontime.verdict(events, 5, "working_day", CAL)
    assert found.first_due_at == found.due_at == at(14, 3, 17)


def test_more_than_one_supplement_request_makes_it_late():
    events = MARCH + [ev(at(6, 3), "request_supplement", 4, 5), ev(at(6, 3, 10), "supplement", 5, 4),
                      ev(at(7, 3), "request_supplement", 4, 5), ev(at(7, 3, 10), "supplement", 5, 4),
                      processed(at(8, 3))]
    found = ontime.verdict(events, 5, "working_day", CAL)
    assert found.supplements == 2 and found.finished_at < found.due_at
    assert found.outcome == ontime.LATE


def test_an_apology_with_a_new_date_does_not_make_it_on_time():
    events = MARCH + [ev(at(12, 3, 10), "apology", 4, 4), processed(at(14, 3))]
    assert ontime.verdict(events, 5, "working_day", CAL).outcome == ontime.LATE


def test_a_transfer_between_agencies_keeps_the_dossiers_deadline():
    events = MARCH + [ev(at(6, 3), "transfer", 4, 4), ev(at(9, 3), "transfer_back", 4, 4),
                      processed(at(12, 3, 15))]
    found = ontime.verdict(events, 5, "working_day", CAL)
    assert (found.due_at, found.outcome) == (at(12, 3, 17), ontime.ON_TIME)
    late = MARCH + [ev(at(6, 3), "transfer", 4, 4), processed(at(15, 3))]
    assert ontime.verdict(late, 5, "working_day", CAL).outcome == ontime.LATE


@pytest.mark.parametrize("state, ending", [(3, ontime.REFUSED), (8, ontime.RESOLVED), (7, ontime.WITHDRAWN_ENDING)])
def test_how_a_dossier_ended(state, ending):
    found = ontime.verdict(MARCH + [ev(at(8, 3), "end", 4, state)], 5, "working_day", CAL)
    assert (found.finished_at, found.ending) == (at(8, 3), ending)
    assert (found.outcome is not None) == (ending == ontime.RESOLVED)


def test_a_refusal_before_reception_has_no_deadline():
    found = ontime.verdict([ev(at(5, 3), "submit", None, 1), ev(at(6, 3), "refuse", 1, 3)], 5, "working_day", CAL)
    assert (found.received_at, found.due_at, found.ending, found.outcome) == (None, None, ontime.REFUSED, None)


def test_an_unfinished_dossier_is_within_deadline_or_overdue_at_a_moment():
    assert ontime.standing(at(12, 3, 17), at(12, 3, 17)) == "within_deadline"
    assert ontime.standing(at(12, 3, 17), at(13, 3, 0)) == "overdue"
    assert ontime.standing(None, at(13, 3)) == "within_deadline"


def test_a_dossier_still_open_has_no_end():
    found = ontime.verdict(MARCH, 5, "working_day", CAL)
    assert (found.finished_at, found.ending, found.outcome, found.working_minutes) == (None, None, None, None)


def test_the_desk_and_the_statistics_use_the_same_verdict_for_a_finished_step():
    from congdichvu.onestop.actions import step_status

    assert step_status(at(9, 3), at(12, 3, 17)) == ontime.classify(at(9, 3), at(12, 3, 17)) == ontime.EARLY
