"""The statistics API against a plain count: a quarter of generated
dossiers (onestop.generate, through the domain code), counted here
independently — from the dossiers' own columns (the desk's ``due_at``,
``digitised``, ``state``) and their events, never from the statistics'
summary rows — must give exactly the figures the API publishes."""
from collections import Counter
from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest
import transaction
import webtest
from pyramid.router import Router
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from congdichvu.catalog.models import Agency
from congdichvu.catalog.services import agency_subtree
from congdichvu.eservices.models import Dossier
from congdichvu.i18n.formatting import TIMEZONE, to_local
from congdichvu.models import get_tm_session
from congdichvu.scripts import catalog as catalog_command
from congdichvu.scripts import dossiers as dossiers_command
from congdichvu.scripts import user as user_command
from tests.conftest import INI

FIRST, LAST = date(2018, 1, 1), date(2018, 3, 31)
CITY = "H56.01"


def midnight(day):
    return datetime.combine(day, time(), tzinfo=TIMEZONE)


@pytest.fixture
def generated(command_registry):
    """300 dossiers of Q1/2018 (seed 12), committed; returns the app over them."""
    quiet = StringIO()
    assert catalog_command.main(["load-demo", INI]) == 0
    assert user_command.main(["demo", INI], out=quiet) == 0
    assert dossiers_command.main(["generate", INI, "--count", "300", "--from", FIRST.isoformat(),
                                  "--to", LAST.isoformat(), "--seed", "12"], out=quiet, err=quiet) == 0
    return command_registry


def dossiers(registry):
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        db = get_tm_session(registry["dbsession_factory"], manager)
        found = db.scalars(select(Dossier).options(selectinload(Dossier.events))).all()
        db.expunge_all()
    return found


def ending(dossier):
    """(moment, kind) of the event that ended the dossier — processed, else returned, else refused,
    stopped or withdrawn — or (None, None)."""
    for states in ((9,), (10,), (3, 8, 7)):
        for event in dossier.events:
            if event.to_state in states and event.from_state != event.to_state:
                kind = {3: "refused", 7: "withdrawn"}.get(event.to_state, "resolved")
                return event.at, kind
    return None, None


def outcome(dossier, finished):
    asked = sum(1 for event in dossier.events if event.to_state == 5 and event.from_state != 5)
    if asked > 1 or finished > dossier.due_at:
        return "late"
    return "early" if to_local(finished).date() < to_local(dossier.due_at).date() else "on_time"


def first_event(dossier, action):
    return next((event for event in dossier.events if event.action == action), None)


def plain_count(rows, codes, start, end, stocks):
    """The published figures of ``codes`` for the days start..end, counted here; with ``stocks`` also what
    stands at the end (only right for the generation's last day: nothing happened after it)."""
    begin, after = midnight(start), midnight(end + timedelta(days=1))
    found = Counter()
    for dossier in rows:
        if dossier.agency_code not in codes or dossier.submitted_at >= after:
            continue
        finished, kind = ending(dossier)
        if finished is not None and finished < begin:
            pass
        elif dossier.submitted_at < begin:
            found["carried_over"] += 1
        else:
            found["new"] += 1
            found[dossier.channel] += 1
            found["digitised"] += dossier.digitised
        if finished is not None and begin <= finished < after:
            found[outcome(dossier, finished) if kind == "resolved" else kind] += 1
        elif stocks and (finished is None or finished >= after):
            if dossier.state == 5:
                found["awaiting_supplement"] += 1
            elif dossier.due_at is not None and dossier.due_at < after:
                found["overdue"] += 1
            else:
                found["within_deadline"] += 1
        paid = first_event(dossier, "paid")
        if paid is not None and begin <= paid.at < after:
            found["paid"] += 1
            found["paid_online"] += (paid.details or {}).get("way") == "online"
    return found


def published(testapp, agency, start, end):
    body = testapp.get("/api/v1/statistics", {"agency": agency, "from": start.isoformat(), "to": end.isoformat(),
                                              "include_children": "true"}).json
    return Counter({
        "carried_over": body["received"]["carried_over"], "new": body["received"]["new"],
        **body["received"]["by_channel"], **body["resolved"], **body["in_progress"],
        "awaiting_supplement": body["awaiting_supplement"], "refused": body["refused"],
        "withdrawn": body["withdrawn"], "digitised": body["digitised"], **body["payments"]})


#: (first day, last day, whether what stands at the end is compared): periods ending on the generation's
#: last day compare everything; earlier ones what came in and went out, and what was carried over
PERIODS = ((FIRST, LAST, True), (date(2018, 2, 1), LAST, True), (date(2018, 3, 15), LAST, True),
           (FIRST, date(2018, 1, 31), False), (date(2018, 2, 1), date(2018, 2, 28), False),
           (date(2018, 2, 10), date(2018, 2, 20), False))


def test_the_api_equals_a_plain_count(generated):
    rows = dossiers(generated)
    assert len(rows) == 300
    testapp = webtest.TestApp(Router(generated), extra_environ={"HTTP_HOST": "example.com"})
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        db = get_tm_session(generated["dbsession_factory"], manager)
        city = db.scalar(select(Agency).where(Agency.code == CITY))
        codes = agency_subtree(db, city.id)
    wards = Counter(dossier.agency_code for dossier in rows if dossier.agency_code != CITY)
    busiest = wards.most_common(1)[0][0]
    for start, end, stocks in PERIODS:
        for agency, scope in ((CITY, set(codes)), (busiest, {busiest})):
            expected = plain_count(rows, scope, start, end, stocks)
            found = published(testapp, agency, start, end)
            names = set(expected) | set(found)
            if not stocks:
                names -= {"awaiting_supplement", "within_deadline", "overdue"}
            assert {name: found[name] for name in names} == {name: expected[name] for name in names}, \
                (agency, start, end)
    whole = plain_count(rows, set(codes), FIRST, LAST, True)
    assert whole["new"] == 300 and whole["late"] < whole["early"] + whole["on_time"]
    assert whole["carried_over"] == 0 and whole["refused"] + whole["withdrawn"] > 0
