"""The desk's queue rules, deadlines and pages, without a database."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy.dialects import postgresql

from congdichvu.calendar.service import WorkingCalendar
from congdichvu.onestop import queues

CALENDAR = WorkingCalendar()
UTC = timezone.utc


def sql(condition):
    compiled = condition.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    return str(compiled).replace("%%", "%")  # the driver's escaping of % in literal SQL


def test_scope_reads_agency_and_leader_principals():
    class Request:
        principals = ["system.Everyone", "user:1", "role:officer", "agency:H56.01.P08", "leads:H56.01",
                      "leads:H56.01.P08"]

    scope = queues.scope_of(Request())
    assert scope.officer == {"H56.01.P08"} and scope.leader == {"H56.01", "H56.01.P08"}
    assert scope.is_leader and scope.mine == {"H56.01", "H56.01.P08"}
    assert [q.key for q in queues.queues_for(scope)][-2:] == ["cho-ky", "tat-ca"]
    assert "cho-ky" not in [q.key for q in queues.queues_for(queues.Scope(officer=frozenset({"X"})))]


def test_nobody_matches_for_an_empty_scope():
    now = datetime(2026, 11, 30, 3, tzinfo=UTC)
    empty = queues.Scope()
    for queue in queues.QUEUES:
        if queue.key != "tat-ca":  # all visible: the visibility condition alone decides
            assert "false" in sql(queues.queue_condition(queue.key, empty, now, now)).lower(), queue.key
    with pytest.raises(KeyError):
        queues.queue_condition("unknown", empty, now, now)


def test_running_clock_queues_leave_stopped_dossiers_out():
    now = datetime(2026, 11, 30, 3, tzinfo=UTC)
    scope = queues.Scope(officer=frozenset({"A"}))
    for key in ("sap-den-han", "qua-han"):
        text = sql(queues.queue_condition(key, scope, now, now))
        assert "clock_stopped_at IS NULL" in text and "IN (2, 4, 6)" in text
    assert "dossier.agency_code IN ('A')" in sql(queues.queue_condition("chuyen-di", scope, now, now))


def test_due_soon_is_the_close_of_the_second_working_day():
    friday = datetime(2026, 11, 27, 3, tzinfo=UTC)  # 10:00 in the city
    limit = queues.due_soon_limit(CALENDAR, friday)
    assert (limit.date(), limit.hour) == (date(2026, 12, 1), 17)  # Tuesday's close


def test_working_days_between_skips_weekends():
    assert CALENDAR.working_days_between(date(2026, 11, 27), date(2026, 11, 30)) == 1  # Fri → Mon
    assert CALENDAR.working_days_between(date(2026, 11, 30), date(2026, 11, 30)) == 0
    assert CALENDAR.working_days_between(date(2026, 12, 1), date(2026, 11, 30)) == 0


@pytest.mark.parametrize("due, state, expected", [
    (datetime(2026, 11, 30, 10, tzinfo=UTC), 4, ("left", 0)),  # due at 17:00 today
    (datetime(2026, 12, 2, 10, tzinfo=UTC), 2, ("left", 2)),
    (datetime(2026, 11, 30, 1, tzinfo=UTC), 4, ("late", 0)),  # due at 08:00 today
    (datetime(2026, 11, 26, 10, tzinfo=UTC), 6, ("late", 2)),  # Thursday's close: Friday, Monday
    (datetime(2026, 11, 26, 10, tzinfo=UTC), 5, ("stopped", None)),
    (datetime(2026, 11, 26, 10, tzinfo=UTC), 10, None),
    (None, 4, None),
])
def test_deadline_status(due, state, expected):
    now = datetime(2026, 11, 30, 3, tzinfo=UTC)  # Monday 10:00 in the city
    assert queues.deadline_status(CALENDAR, due, now, state) == expected


@pytest.mark.parametrize("text, expected, absent", [
    ("nguyễn  VĂN an", "applicant_name_folded LIKE '%nguyen van an%'", "dossier.code LIKE"),
    ("h56.01.p08-2611", "dossier.code LIKE 'H56.01.P08-2611%'", None),
    ("+84 912 345 678", "applicant_phone IN ('+84912345678', '0912345678')", "applicant_name_folded"),
    ("019090123456", "applicant_id_number = '019090123456'", "applicant_name_folded"),
    ("50%_off", "LIKE '%50\\%\\_off%'", None),
])
def test_search_condition(text, expected, absent):
    found = sql(queues.search_condition(text))
    assert expected in found
    if absent:
        assert absent not in found


def test_page_links_leave_gaps():
    page = queues.QueuePage(items=[], total=2000, page=50)
    assert page.pages == 100
    assert page.links() == [1, None, 48, 49, 50, 51, 52, None, 100]
    assert queues.QueuePage(items=[], total=0, page=1).links() == [1]
    assert (page.first_index, page.last_index) == (981, 1000)


def test_a_branch_tax_code_is_found_however_it_is_written():
    from congdichvu.eservices.models import Dossier  # noqa: F401 (mapped)

    for written in ("0100109106-001", "0100109106 001", "0100109106001"):
        sql = str(queues.search_condition(written).compile(compile_kwargs={"literal_binds": True}))
        assert "applicant_tax_code = '0100109106-001'" in sql, written
