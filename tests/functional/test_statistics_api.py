"""GET /api/v1/statistics on dossiers whose histories are written event by
event (the summary rows and daily counts follow through the flush hook):
the names, the figures of a quarter worked out by hand, the daily counts
agreeing with the rows for every period, and the 400s."""
from datetime import date, datetime, timedelta

import pytest

from congdichvu.eservices.models import Dossier, DossierAgency, DossierEvent
from congdichvu.i18n.formatting import TIMEZONE
from congdichvu.stats import figures as F

WARD, CITY = "H56.01.P08", "H56.01"
SNAPSHOT = {"code": "1.001193", "name": "Đăng ký khai sinh",
            "channels": [{"channel": name, "time": {"value": 5, "unit": "working_day"}}
                         for name in ("in_person", "online", "postal")]}


def at(day, month, hour=9, year=2018):
    return datetime(year, month, day, hour, 0, tzinfo=TIMEZONE)


def dossier(dbsession, number, submitted, channel="in_person", steps=(), agency=WARD, digitised=False):
    """A dossier submitted at ``submitted``, with ``steps`` (at, action, from, to[, details]) after "submit"."""
    row = Dossier(code=f"{agency}-180101-{number:04d}", procedure_code="1.001193", procedure_snapshot=SNAPSHOT,
                  sector_code="HT", agency_code=agency, handling_agency_code=agency, state=1, channel=channel,
                  data={}, submitted_at=submitted, updated_at=submitted, digitised=digitised)
    row.agencies.append(DossierAgency(agency_code=agency))
    row.events.append(DossierEvent(at=submitted, actor="test", action="submit", to_state=1))
    for step in steps:
        moment, action, from_state, to_state, *details = step
        row.events.append(DossierEvent(at=moment, actor="test", action=action, from_state=from_state,
                                       to_state=to_state, details=details[0] if details else None))
        row.state = to_state
    dbsession.add(row)
    dbsession.flush()
    return row


def received(moment):
    return [(moment, "receive", 1, 2), (moment, "start", 2, 4)]


@pytest.fixture
def quarter(dbsession):
    """Q1/2018 at the ward (5 working days each): the expected figures are in the test."""
    dossier(dbsession, 1, at(28, 12, year=2017), steps=received(at(28, 12, year=2017)) + [
        (at(3, 1), "processed", 4, 9)])  # carried over; due 05/01 (01/01 off): early
    dossier(dbsession, 2, at(5, 3), "online", digitised=True, steps=received(at(5, 3)) + [
        (at(12, 3, 10), "processed", 4, 9), (at(15, 3), "return_result", 9, 10, {"way": "postal"}),
        (at(16, 3), "rate", 10, 10, {"level": "satisfied"})])  # due 12/03 17:00: on time
    dossier(dbsession, 3, at(5, 3), steps=received(at(5, 3)) + [(at(14, 3), "processed", 4, 9)])  # late
    dossier(dbsession, 4, at(26, 3), steps=received(at(26, 3)))  # due 02/04: within the deadline on 31/03
    dossier(dbsession, 5, at(19, 3), "postal", steps=received(at(19, 3)))  # due 26/03: overdue on 31/03
    dossier(dbsession, 6, at(28, 3), steps=received(at(28, 3)) + [(at(29, 3), "request_supplement", 4, 5)])
    dossier(dbsession, 7, at(1, 2), "online", steps=[(at(2, 2), "refuse", 1, 3)])
    dossier(dbsession, 8, at(1, 2), "online", steps=[(at(2, 2), "withdraw", 1, 7)])
    dossier(dbsession, 9, at(2, 10, year=2017), steps=received(at(2, 10, year=2017)) + [
        (at(5, 10, year=2017), "processed", 4, 9)])  # all before the quarter
    dossier(dbsession, 10, at(2, 4), steps=received(at(2, 4)))  # after it
    dossier(dbsession, 11, at(6, 3), "online", steps=[
        (at(6, 3, 8), "await_payment", 1, 6), (at(6, 3, 8), "paid", 6, 1, {"way": "online"})]
        + received(at(6, 3)) + [(at(9, 3), "processed", 4, 9)])  # paid online; early
    dossier(dbsession, 12, at(1, 3), agency=CITY, steps=received(at(1, 3)) + [(at(2, 3), "processed", 4, 9)])


def test_the_quarters_figures_by_their_published_names(testapp, quarter):
    body = testapp.get("/api/v1/statistics", {"agency": WARD, "from": "2018-01-01", "to": "2018-03-31"}).json
    assert body == {
        "agency": WARD, "from": "2018-01-01", "to": "2018-03-31", "include_children": False,
        "received": {"carried_over": 1, "new": 8, "by_channel": {"in_person": 3, "postal": 1, "online": 4}},
        "resolved": {"early": 2, "on_time": 1, "late": 1},
        "in_progress": {"within_deadline": 1, "overdue": 1},
        "awaiting_supplement": 1, "refused": 1, "withdrawn": 1,
        "rates": {"on_time": 0.75, "online": 0.5, "online_payment": 1.0, "digitised": 0.125},
        "returned": {"total": 1, "by_post": 1, "online": 0}, "payments": {"paid": 1, "paid_online": 1},
        "digitised": 1, "satisfaction": {"very_satisfied": 0, "satisfied": 1, "dissatisfied": 0},
        "other_rates": {"postal_return": 1.0, "satisfaction": 1.0},
    }


def test_an_agency_with_those_under_it(testapp, quarter):
    params = {"agency": CITY, "from": "2018-01-01", "to": "2018-03-31"}
    alone = testapp.get("/api/v1/statistics", params).json
    assert (alone["received"]["new"], alone["resolved"]["early"]) == (1, 1)
    together = testapp.get("/api/v1/statistics", dict(params, include_children="true")).json
    assert together["received"]["new"] == 9 and together["include_children"] is True


def test_a_sector_or_a_procedure_counts_from_the_rows_and_agrees(testapp, quarter):
    params = {"agency": WARD, "from": "2018-01-01", "to": "2018-03-31"}
    whole = testapp.get("/api/v1/statistics", params).json
    by_sector = testapp.get("/api/v1/statistics", dict(params, sector="HT")).json
    by_procedure = testapp.get("/api/v1/statistics", dict(params, procedure="1.001193")).json
    for found in (by_sector, by_procedure):
        assert {key: found[key] for key in whole} == whole
    assert by_sector["sector"] == "HT" and by_procedure["procedure"] == "1.001193"


def _periods():
    yield date(2017, 12, 1), date(2018, 4, 30)
    day = date(2017, 12, 20)
    while day < date(2018, 4, 10):
        for length in (0, 1, 6, 30):
            yield day, day + timedelta(days=length)
        day += timedelta(days=3)


def test_the_daily_counts_agree_with_the_rows_for_every_period(dbsession, quarter):
    codes = (WARD, CITY)
    for start, end in _periods():
        days = F.figures_by_agency(dbsession, codes, start, end, source="days")
        rows = F.figures_by_agency(dbsession, codes, start, end, source="rows")
        assert days == rows, (start, end)
        for found in days.values():
            assert found.received == (found.resolved + found.refused + found.withdrawn + found.in_progress
                                      + found.awaiting_supplement)


def test_the_dossiers_behind_a_number(dbsession, quarter):
    ids, total = F.dossier_ids(dbsession, (WARD,), date(2018, 1, 1), date(2018, 3, 31), "late")
    assert total == 1
    assert dbsession.get(Dossier, ids[0]).code.endswith("-0003")
    _ids, received = F.dossier_ids(dbsession, (WARD,), date(2018, 1, 1), date(2018, 3, 31), "received")
    assert received == 9


@pytest.mark.parametrize("params, word", [
    ({"from": "2018-02-30"}, "2018-02-30"),
    ({"from": "31/03/2018"}, "YYYY-MM-DD"),
    ({"to": "2018-13-01"}, "2018-13-01"),
    ({"from": "2018-03-01", "to": "2018-01-01"}, "from"),
    ({"agency": "KHONG-CO"}, "KHONG-CO"),
    ({"sector": "ZZ"}, "ZZ"),
    ({"procedure": "9.999999"}, "9.999999"),
    ({"include_children": "perhaps"}, "include_children"),
    ({"from": "1899-01-01"}, "2000"),
    ({"from": "2000-01-01", "to": "2100-12-31"}, "10"),
])
def test_what_is_wrong_is_a_400_in_vietnamese(testapp, params, word):
    response = testapp.get("/api/v1/statistics", dict({"agency": WARD}, **params), status=400)
    assert response.content_type == "application/json"
    assert word in response.json["error"]
