"""The synthetic dossier generator (onestop.generate, onestop.stories):
the same seed makes the same dossiers, the shares are about the ones
aimed at, and every history is one the desk could have produced — each
step from a state its rule allows, deadlines and finishing times as the
desk sets them — on the database the domain code really wrote."""
import os
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import transaction
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from congdichvu.accounts import services as accounts
from congdichvu.catalog.services import catalog_for
from congdichvu.eservices.models import Dossier
from congdichvu.eservices.storage import FileStore
from congdichvu.models import get_tm_session
from congdichvu.onestop import generate
from congdichvu.onestop.stories import Mix
from congdichvu.payments.models import PaymentOrder
from tests.conftest import committing_portal

CITY = "H56.01"
#: Q1/2018, Tết (16/02/2018) included
PLAN = generate.Plan(count=300, first=date(2018, 1, 1), last=date(2018, 3, 31), seed=2018)
AFTER = datetime(2018, 6, 1, tzinfo=timezone.utc)
END = datetime(2018, 3, 31, 17, 0, tzinfo=timezone.utc)  # local midnight of 01/04/2018

#: what each action may be taken from, and what it leads to (onestop.actions, eservices.services,
#: payments), written out here independently of the generator
MOVES = {
    "submit": ({None}, {1}),
    "receive": ({1}, {2}),
    "start": ({2}, {4}),
    "request_supplement": ({1, 2, 4}, {5}),
    "supplement": ({5}, {1, 4}),
    "refuse": ({1, 2, 4}, {3}),
    "hand_over": ({4}, {4}),
    "transfer": ({4}, {4}),
    "transfer_back": ({4}, {4}),
    "sign_off_requested": ({2, 4, 5, 6}, "same"),
    "apology": ({2, 4, 5, 6}, "same"),
    "await_payment": ({1}, {6}),
    "request_payment": ({4}, {6}),
    "paid": ({6}, {1, 4}),
    "stop": ({2, 4, 5, 6}, {8}),
    "withdraw": ({1, 6}, {7}),
    "processed": ({4}, {9}),
    "return_result": ({9}, {10}),
    "rate": ({10}, {10}),
}
FINISHED = {3: "refuse", 7: "withdraw", 8: "stop", 9: "processed", 10: "processed"}
#: what a second run cannot repeat: payment references drawn from ``secrets`` (as the web's), and the
#: id of the request a sign-off answers (rows' ids interleave when several workers write)
UNREPEATABLE = {"txn_ref", "request"}


def portal_with_city_desk(databases, tmp_path_factory):
    """A committing app with the demo catalogue and an officer and a
    leader at work at the city's desk (so ward dossiers may go there)."""
    app = committing_portal(databases, tmp_path_factory)
    with transaction.manager:
        db = get_tm_session(app.registry["dbsession_factory"], transaction.manager)
        city = catalog_for(db).agency(CITY)
        for role in ("officer", "leader"):
            accounts.create_user(db, f"{role}.city", None, f"Người {role}", [role], agency=city)
    return app


@pytest.fixture(scope="module")
def portal(databases, tmp_path_factory):
    app = portal_with_city_desk(databases, tmp_path_factory)
    app.tally = generate.generate(app.registry, PLAN, batch=1000, now=AFTER)
    yield app
    app.registry["dbengine"].dispose()


def read(app, *conditions):
    """Every dossier (with events, files and orders loaded), by code."""
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        db = get_tm_session(app.registry["dbsession_factory"], manager)
        dossiers = db.scalars(select(Dossier).where(*conditions).order_by(Dossier.code).options(
            selectinload(Dossier.events), selectinload(Dossier.files), selectinload(Dossier.agencies))).all()
        orders = Counter(db.scalars(select(PaymentOrder.dossier_id).where(PaymentOrder.state == "paid")))
        for dossier in dossiers:
            db.expunge(dossier)
            dossier.paid_orders = orders[dossier.id]
        return dossiers


def story(dossier):
    """What the same seed must make again: the dossier and its history."""
    return (dossier.code, dossier.procedure_code, dossier.channel, dossier.state, dossier.submitted_at,
            dossier.received_at, dossier.appointment_at, dossier.due_at, dossier.finished_at, dossier.returned_at,
            dossier.ledger_number, dossier.result_channel, dossier.digitised, dossier.applicant_name,
            [(e.action, e.at, e.from_state, e.to_state, e.actor, e.agency_code, e.to_agency_code,
              {k: v for k, v in (e.details or {}).items() if k not in UNREPEATABLE})
             for e in dossier.events])


def test_the_generator_makes_its_count_and_the_desk_refuses_none_of_its_steps(portal):
    assert portal.tally.made == PLAN.count
    assert portal.tally.refused == 0, portal.tally.refusals
    dossiers = read(portal)
    assert len(dossiers) == PLAN.count
    assert {d.data["generated"] for d in dossiers} == {PLAN.seed}


def test_the_same_seed_makes_the_same_dossiers_whatever_the_batch(portal, databases, tmp_path_factory):
    again = portal_with_city_desk(databases, tmp_path_factory)
    try:
        generate.generate(again.registry, PLAN, batch=70, now=AFTER)
        assert [story(d) for d in read(again)] == [story(d) for d in read(portal)]
        other = replace(PLAN, seed=PLAN.seed + 1, count=40)
        generate.generate(again.registry, other, now=AFTER)
        made = read(again, Dossier.data["generated"].as_integer() == other.seed)
        assert [story(d)[4] for d in made] != [story(d)[4] for d in read(portal)][:40]
    finally:
        again.registry["dbengine"].dispose()


def test_worker_processes_make_the_same_dossiers(portal, databases, tmp_path_factory):
    if databases.backend != "postgresql":
        pytest.skip("several workers write at once: PostgreSQL only")
    again = portal_with_city_desk(databases, tmp_path_factory)
    try:
        tally = generate.generate(again.registry, PLAN, workers=3, now=AFTER)
        assert (tally.made, tally.refused) == (PLAN.count, 0)
        assert [story(d) for d in read(again)] == [story(d) for d in read(portal)]
    finally:
        again.registry["dbengine"].dispose()


def test_the_shares_are_about_those_aimed_at(portal):
    dossiers = read(portal)
    share = lambda count: count / len(dossiers)  # noqa: E731
    city = sum(d.agency_code == CITY for d in dossiers)
    assert share(city) < 0.08 and share(len(dossiers) - city) > 0.92  # wards ~97.6 %, as Q1/2018
    channels = Counter(d.channel for d in dossiers)
    assert 0.2 < share(channels["online"]) < 0.4 and share(channels["postal"]) < 0.08
    assert channels["in_person"] > channels["online"]
    processed = [d for d in dossiers if d.state in (9, 10)]
    late = [d for d in processed if d.finished_at > d.due_at]
    early = [d for d in processed if d.finished_at.date() < d.due_at.date()]
    assert len(processed) > 0.8 * len(dossiers)
    assert 0.88 < 1 - len(late) / len(processed) < 0.995  # ~95 % on time
    assert early and late
    returned = [d for d in dossiers if d.state == 10]
    rated = [d for d in returned if any(e.action == "rate" for e in d.events)]
    with_account = [d for d in returned if d.applicant_id is not None]  # the others cannot rate (eservices.ratings)
    assert 0.45 < len(rated) / len(with_account) < 0.75 and all(d.applicant_id for d in rated)
    levels = Counter(e.details["level"] for d in rated for e in d.events if e.action == "rate")
    assert levels["satisfied"] + levels["very_satisfied"] > 0.85 * sum(levels.values())
    assert {e.details["way"] for d in returned for e in d.events if e.action == "return_result"} == {
        "counter", "postal", "online"}
    assert 0.3 < share(sum(d.digitised for d in dossiers)) < 0.8
    actions = Counter(e.action for d in dossiers for e in d.events)
    for kind in ("request_supplement", "supplement", "transfer", "transfer_back", "apology", "await_payment"):
        assert actions[kind] >= 1, kind
    assert sum(d.paid_orders for d in dossiers) >= 1


def test_every_history_is_one_the_desk_could_have_produced(portal):
    ledger = Counter()
    for dossier in read(portal):
        check_history(dossier)
        if dossier.ledger_number is not None:
            ledger[(dossier.agency_code, dossier.received_at.year, dossier.ledger_number)] += 1
    assert set(ledger.values()) == {1}  # a line of the ledger is one dossier's


def check_history(dossier):
    events, state = dossier.events, None
    assert events[0].action == "submit"
    for previous, event in zip([None, *events], events):
        allowed, leads = MOVES[event.action]
        assert event.from_state == state and state in allowed, (dossier.code, event.action, state)
        assert event.to_state in (leads if leads != "same" else {state}), (dossier.code, event.action)
        assert previous is None or previous.at <= event.at, (dossier.code, event.action)
        assert event.at <= END
        state = event.to_state
    assert state == dossier.state
    actions = [event.action for event in events]
    assert actions.count("request_supplement") <= 1  # papers are asked for once
    if dossier.state in (2, 4, 5, 6, 9, 10):  # the clock stops while papers are awaited (and stays, if stopped)
        assert (dossier.clock_stopped_at is not None) == (dossier.state == 5)
    if "receive" in actions:
        assert dossier.due_at > dossier.received_at and dossier.ledger_number is not None
    if dossier.state in FINISHED:
        assert dossier.finished_at == next(e.at for e in events if e.action == FINISHED[dossier.state])
    else:
        assert dossier.finished_at is None
    if dossier.state == 10:
        assert dossier.returned_at >= dossier.finished_at
    if "apology" in actions:
        asked = next(e for e in events if e.action == "sign_off_requested" and e.details["what"] == "apology")
        apology = next(e for e in events if e.action == "apology")
        assert apology.details["request"] == asked.id and asked.at <= apology.at
    if "apology" in actions and dossier.state in (9, 10):
        assert dossier.finished_at > dossier.due_at  # an apology does not make it on time
        assert dossier.appointment_at > dossier.due_at
    if "transfer" in actions:
        assert {a.agency_code for a in dossier.agencies} == {dossier.agency_code, CITY}
        assert actions.count("transfer") == actions.count("transfer_back") or dossier.state in (4, 6)


def test_results_are_files_that_open(portal):
    store = FileStore(portal.registry.settings["congdichvu.data_dir"])
    results = [f for d in read(portal) for f in d.files if f.kind == "result"]
    assert results and len({f.storage_key for f in results}) == len(results)
    paths = [store.path(f.storage_key) for f in results]
    assert all(path.read_bytes().startswith(b"%PDF") for path in paths)
    assert len({os.stat(path).st_ino for path in paths}) < len(paths)  # links of one file, not copies


def test_rare_turns_happen_without_a_refused_step(databases, tmp_path_factory):
    app = portal_with_city_desk(databases, tmp_path_factory)
    rare = Mix(withdrawn=0.2, refused_new=0.15, supplement_new=0.2, unpaid=0.5, refused=0.15, stopped=0.15,
               supplement=0.5, never_supplemented=0.5, transfer=0.5, fees_at_processing=0.8, apology=0.3, stuck=0.2)
    try:
        tally = generate.generate(app.registry, replace(PLAN, count=120, seed=7), now=AFTER, mix=rare, files=False)
        assert tally.refused == 0, tally.refusals
        dossiers = read(app)
        for dossier in dossiers:
            check_history(dossier)
        assert {3, 7, 8} <= {d.state for d in dossiers}
        assert all(not f.storage_key or not Path(f.storage_key).is_absolute() for d in dossiers for f in d.files)
    finally:
        app.registry["dbengine"].dispose()


def test_the_statistics_hook_finds_the_calendar_in_the_session(databases, tmp_path_factory):
    app = portal_with_city_desk(databases, tmp_path_factory)
    seen = []
    factory = app.registry["dbsession_factory"]
    listener = lambda session, context: seen.append(session.info.get("working_calendar"))  # noqa: E731
    sa_event.listen(factory, "after_flush", listener)
    try:
        generate.generate(app.registry, replace(PLAN, count=5), now=AFTER)
    finally:
        sa_event.remove(factory, "after_flush", listener)
        app.registry["dbengine"].dispose()
    assert seen and all(calendar is not None and calendar.is_working_day(date(2018, 1, 2)) for calendar in seen)


def test_nothing_happens_after_the_present(databases, tmp_path_factory):
    app = portal_with_city_desk(databases, tmp_path_factory)
    now = datetime(2018, 1, 10, 3, 0, tzinfo=timezone.utc)  # 10:00 in Thái Nguyên
    try:
        generate.generate(app.registry, replace(PLAN, count=40, last=date(2018, 1, 10)), now=now, files=False)
        dossiers = read(app)
    finally:
        app.registry["dbengine"].dispose()
    assert len(dossiers) == 40
    assert max(e.at for d in dossiers for e in d.events) <= now
    assert any(d.state in (1, 2, 4, 5, 6) for d in dossiers)  # some still under way


def test_the_desks_are_shared_out_between_workers_by_their_weight():
    desks = [generate.Desk(code, code, None, share) for code, share in
             (("A", 0.5), ("B", 0.2), ("C", 0.2), ("D", 0.1))]
    assert generate.partition(desks, 2) == [frozenset({"A"}), frozenset({"B", "C", "D"})]
    assert generate.partition(desks, 9) == [frozenset({code}) for code in "ABCD"]
