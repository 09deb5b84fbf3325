"""The Decision 766/QĐ-TTg scorecard: the table, each held component's
points on concrete figures, no data versus zero, totals, and the
catalogue's facts over the demo catalogue."""
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from congdichvu.eservices.models import DossierEvent
from sqlalchemy import select

from congdichvu.catalog.models import ARCHIVED, Agency, Paper, Procedure
from congdichvu.catalog.services import agency_subtree
from congdichvu.payments.models import PAID, PaymentAttempt, PaymentOrder
from congdichvu.stats import figures
from congdichvu.stats.indicators import GROUPS, MAX_TOTAL, SPECS, Facts, catalogue_facts, scorecard
from tests.factories import make_dossier


def Figures(**counts):
    """The real stats.figures.Figures of a quarter with ``counts``: the scorecard reads its fields."""
    return figures.Figures(agency="H56.01", start=date(2026, 1, 1), end=date(2026, 3, 31), **counts)


FACTS = Facts(procedures=50, complete=45, online=40, charging=10, payable_online=4, online_with_dossiers=10,
              charging_paid_online=8)
NOTHING = Facts(procedures=0, complete=0, online=0, charging=0, payable_online=0, online_with_dossiers=0,
                charging_paid_online=0)
HELD = {"disclosed_in_full", "on_time", "online_procedures", "online_used", "online_dossiers", "payment_offered",
        "payment_used", "paid_online", "electronic_results", "digitised", "satisfaction"}


def component(card, key):
    return next(c for c in card.components if c.key == key)


# -- the table ---------------------------------------------------------------------------------

def test_the_table_shares_the_decisions_100_points_among_its_five_groups():
    assert [(key, top) for key, _title, top in GROUPS] == [
        ("public", 18), ("progress", 20), ("online", 22), ("digitisation", 22), ("satisfaction", 18)]
    for key, _title, top in GROUPS:
        assert sum(spec.max_points for spec in SPECS if spec.group == key) == top
    assert sum(spec.max_points for spec in SPECS) == MAX_TOTAL == 100
    assert len({spec.key for spec in SPECS}) == len(SPECS)


def test_the_points_the_decisions_summary_gives_are_the_confirmed_ones():
    assert {spec.key: spec.max_points for spec in SPECS if spec.confirmed} == {
        "made_public_on_time": 4, "on_time": 20, "satisfaction": 6}


def test_every_component_names_its_formula_and_source_and_the_missing_ones_say_what_is_missing():
    for spec in SPECS:
        assert str(spec.formula) and spec.source.startswith("QĐ 766/QĐ-TTg, Phụ lục"), spec.key
        if spec.ratio is None:
            assert str(spec.note).startswith("Not held:"), spec.key
    assert {spec.key for spec in SPECS if spec.ratio is not None} == HELD


# -- each held component on concrete figures ------------------------------------------------------

@pytest.mark.parametrize("key, figures, facts, rate, points", [
    # 95 of 100 resolved early or on time, none in progress: 20 × 0.95
    ("on_time", Figures(early=50, on_time=45, late=5), FACTS, 0.95, 19.0),
    # in progress within the deadline counts with the on-time ones: (40 + 40 + 10) / 100
    ("on_time", Figures(early=40, on_time=40, late=5, within_deadline=10, overdue=5), FACTS, 0.9, 18.0),
    ("online_dossiers", Figures(new=100, online=25), FACTS, 0.25, 3.0),  # full points from 50 %
    ("online_dossiers", Figures(new=100, online=60), FACTS, 0.6, 6.0),
    ("paid_online", Figures(paid=40, paid_online=30), FACTS, 0.75, 4.5),
    ("electronic_results", Figures(returned=60, returned_online=30), FACTS, 0.5, 3.0),
    ("digitised", Figures(new=100, digitised=60), FACTS, 0.6, 3.0),  # full points from 80 %
    ("digitised", Figures(new=100, digitised=90), FACTS, 0.9, 4.0),
    # 100 % − (5 late + 3 "Không hài lòng") / 100 = 92 %: full points from 90 %
    ("satisfaction", Figures(early=60, on_time=35, late=5, dissatisfied=3), FACTS, 0.92, 6.0),
    # 100 % − (10 late + 5 overdue + 9 dissatisfied) / 100 = 76 %: 6 × 0.76 / 0.9
    ("satisfaction", Figures(early=50, on_time=30, late=10, within_deadline=5, overdue=5, dissatisfied=9), FACTS,
     0.76, 5.07),
    ("disclosed_in_full", Figures(), FACTS, 0.9, 1.8),
    ("online_procedures", Figures(), replace(FACTS, online=20), 0.4, 1.0),  # full points from 80 %
    ("online_procedures", Figures(), replace(FACTS, online=45), 0.9, 2.0),
    ("online_used", Figures(), FACTS, 0.25, 1.0),
    ("payment_offered", Figures(), FACTS, 0.4, 1.0),
    ("payment_used", Figures(), FACTS, 0.8, 2.0),
])
def test_a_held_components_points(key, figures, facts, rate, points):
    found = component(scorecard(figures, facts), key)
    assert found.held and not found.no_data
    assert found.rate == pytest.approx(rate)
    assert found.points == points


def test_more_dissatisfaction_than_dossiers_gives_zero_not_a_negative_rate():
    found = component(scorecard(Figures(on_time=2, dissatisfied=5), FACTS), "satisfaction")
    assert (found.rate, found.points, found.numerator, found.denominator) == (0.0, 0.0, 0, 2)


# -- no data is not zero -------------------------------------------------------------------------

def test_an_agency_with_no_dossiers_and_no_procedures_has_no_data_not_zero_nor_full_points():
    card = scorecard(Figures(), NOTHING)
    for key in HELD:
        found = component(card, key)
        assert found.held and found.no_data and found.rate is None and found.points is None, key
    assert (card.total, card.max_judged, card.max_held, card.max_total) == (0, 0, 60, 100)


def test_zero_dossiers_leave_the_dossier_components_out_but_the_catalogue_ones_in():
    card = scorecard(Figures(), FACTS)
    assert component(card, "on_time").no_data
    assert component(card, "disclosed_in_full").points == 1.8
    assert card.max_judged == 2 + 2 + 4 + 2 + 2  # 1.3, 3.1, 3.2, 3.5, 3.5b


def test_without_a_period_the_catalogue_cannot_say_which_services_were_used():
    card = scorecard(Figures(new=10, online=5), replace(FACTS, online_with_dossiers=None, charging_paid_online=None))
    assert component(card, "online_used").no_data and component(card, "payment_used").no_data
    assert component(card, "online_dossiers").points == 6.0


def test_components_the_portal_does_not_hold_score_nothing_whatever_the_figures():
    busy = Figures(new=100, online=100, early=100, paid=10, paid_online=10, digitised=100, returned=10,
                   returned_online=10)
    for found in scorecard(busy, FACTS).components:
        if found.key not in HELD:
            assert not found.held and not found.no_data and found.rate is None and found.points is None
            assert found.points_note is not None or found.confirmed


# -- totals ----------------------------------------------------------------------------------------

def test_totals_add_the_judged_components_group_by_group():
    figures = Figures(new=100, online=25, early=50, on_time=45, late=5, paid=40, paid_online=30, digitised=60,
                      returned=60, returned_online=30, dissatisfied=3)
    card = scorecard(figures, FACTS)
    points = {group.key: group.points for group in card.groups}
    assert points == {"public": 1.8, "progress": 19.0, "online": 2.0 + 1.0 + 3.0 + 1.0 + 2.0 + 4.5,
                      "digitisation": 3.0 + 3.0, "satisfaction": 6.0}
    assert card.total == round(sum(points.values()), 2) == 46.3
    assert card.max_judged == card.max_held == 60
    assert [group.max_held for group in card.groups] == [2, 20, 22, 10, 6]


def test_the_scoring_rule_is_said_in_words():
    card = scorecard(Figures(), FACTS)
    assert component(card, "digitised").scoring.interpolate() == (
        "4 points × rate ÷ 80%, at most 4 (full points from 80%)")
    assert component(card, "on_time").scoring.interpolate() == "20 points × rate"


# -- the catalogue's facts, on the demo catalogue ---------------------------------------------------

def charging(p):
    return any(fee.amount > 0 for channel in p.channels for fee in channel.fees)


def disclosed_in_full(p):
    return bool(p.name.strip() and p.steps and (p.applicants or "").strip() and p.channels and p.papers)


def independent_facts(dbsession, codes):
    """The same facts counted in Python over the ORM objects."""
    agencies = [agency for agency in dbsession.scalars(select(Agency)) if agency.code in codes]
    ids, levels = {agency.id for agency in agencies}, {agency.level for agency in agencies}
    procedures = [p for p in dbsession.scalars(select(Procedure)) if p.status == "published" and (
        any(agency.id in ids for agency in p.agencies) if p.agencies else p.level in levels)]

    return Facts(procedures=len(procedures), complete=sum(map(disclosed_in_full, procedures)),
                 online=sum(1 for p in procedures if p.online_level in (3, 4) or p.online_mode in ("partial", "full")),
                 charging=sum(map(charging, procedures)),
                 payable_online=sum(1 for p in procedures if charging(p) and p.online_level == 4))


@pytest.mark.parametrize("agency", ["H56.01.P01", "H56.01", "H56.01.TP", "H56"])
def test_catalogue_facts_count_the_procedures_the_agencies_handle(dbsession, agency):
    codes = agency_subtree(dbsession, dbsession.scalar(select(Agency.id).where(Agency.code == agency)))
    facts = catalogue_facts(dbsession, codes)
    assert facts == independent_facts(dbsession, codes)
    assert 0 < facts.online <= facts.procedures and facts.payable_online <= facts.charging
    assert facts.online_with_dossiers is None and facts.charging_paid_online is None


def test_a_ward_handles_the_commune_procedures_of_the_demo_catalogue(dbsession):
    facts = catalogue_facts(dbsession, ["H56.01.P01"])
    commune = dbsession.scalars(select(Procedure).where(Procedure.level == "commune")).all()
    assert facts.procedures == len([p for p in commune if not p.agencies]) > 0


def test_archived_procedures_are_not_counted_and_one_without_papers_is_not_disclosed_in_full(dbsession):
    before = catalogue_facts(dbsession, ["H56.01.P01"])
    procedures = dbsession.scalars(select(Procedure).where(Procedure.level == "commune", ~Procedure.agencies.any())
                                   .order_by(Procedure.code)).all()
    assert procedures[1].papers
    was_complete = disclosed_in_full(procedures[0]) + disclosed_in_full(procedures[1])
    procedures[0].status = ARCHIVED
    for paper in list(procedures[1].papers):
        dbsession.delete(paper)
    dbsession.flush()
    dbsession.expire_all()
    after = catalogue_facts(dbsession, ["H56.01.P01"])
    assert after.procedures == before.procedures - 1
    assert after.complete == before.complete - was_complete
    assert dbsession.scalar(select(Paper.id).where(Paper.procedure_id == procedures[1].id)) is None


def test_unknown_or_no_agencies_have_no_procedures(dbsession):
    empty = Facts(procedures=0, complete=0, online=0, charging=0, payable_online=0)
    assert catalogue_facts(dbsession, []) == empty
    assert catalogue_facts(dbsession, ["NO.SUCH"]) == empty
    assert catalogue_facts(dbsession, ["NO.SUCH"], date(2026, 11, 1), date(2026, 11, 30)) == replace(
        empty, online_with_dossiers=0, charging_paid_online=0)


def _paid(dbsession, dossier, gateway, at):
    order = PaymentOrder(dossier_id=dossier.id, agency_code=dossier.agency_code, amount=50000, items=[],
                         state=PAID, resume_state=4, created_at=at, updated_at=at, paid_at=at)
    dbsession.add(order)
    dbsession.flush()
    attempt = PaymentAttempt(order_id=order.id, gateway=gateway, txn_ref=f"T{dossier.id}-{gateway}", amount=50000,
                             state=PAID, created_at=at, expires_at=at + timedelta(minutes=15), paid_at=at)
    dbsession.add(attempt)
    dbsession.flush()
    order.paid_attempt_id = attempt.id
    # as payments.confirm records it: the "paid" event, which the statistics read
    dossier.events.append(DossierEvent(at=at, actor="test", action="paid", from_state=6, to_state=4,
                                       details={"way": "counter" if gateway == "counter" else "online"}))
    dbsession.flush()


def test_with_a_period_the_facts_count_the_services_used_in_it(dbsession):
    ward = "H56.01.P01"
    online = [p for p in dbsession.scalars(select(Procedure).where(
        Procedure.level == "commune", ~Procedure.agencies.any(), Procedure.online_level.in_((3, 4))).order_by(
        Procedure.code))]
    charging_online = [p for p in online if p.online_level == 4 and charging(p)]
    assert len(online) >= 3 and len(charging_online) >= 2
    # 30/11/2026 09:00 local; the period is November 2026 (local dates)
    inside = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)
    counted = make_dossier(dbsession, ward, 1, procedure_code=online[0].code, channel="online", submitted_at=inside)
    make_dossier(dbsession, ward, 2, procedure_code=online[0].code, channel="online", submitted_at=inside)
    # at the counter, received after the period (1/12 00:30 local), by another desk: not counted
    make_dossier(dbsession, ward, 3, procedure_code=online[1].code, channel="in_person", submitted_at=inside)
    make_dossier(dbsession, ward, 4, procedure_code=online[2].code, channel="online",
                 submitted_at=datetime(2026, 11, 30, 17, 30, tzinfo=timezone.utc))
    make_dossier(dbsession, "H56.01.P02", 5, procedure_code=online[2].code, channel="online", submitted_at=inside)
    # paid through the gateway: counted; paid at the desk: not
    gateway = make_dossier(dbsession, ward, 6, procedure_code=charging_online[0].code, channel="online", submitted_at=inside)
    _paid(dbsession, gateway, "vnpay", inside)
    desk = make_dossier(dbsession, ward, 7, procedure_code=charging_online[1].code, channel="online", submitted_at=inside)
    _paid(dbsession, desk, "counter", inside)

    facts = catalogue_facts(dbsession, [ward], date(2026, 11, 1), date(2026, 11, 30))
    assert facts.online_with_dossiers == len({online[0].code, charging_online[0].code, charging_online[1].code})
    assert facts.charging_paid_online == 1
    assert counted.received_at == inside
    later = catalogue_facts(dbsession, [ward], date(2026, 12, 1), date(2026, 12, 31))
    assert (later.online_with_dossiers, later.charging_paid_online) == (1, 0)


def test_the_page_can_say_it_in_vietnamese(app):
    from congdichvu.i18n import official_translate

    translate = official_translate(app.registry)
    card = scorecard(Figures(), FACTS)
    assert [translate(group.title) for group in card.groups] == [
        "Công khai, minh bạch", "Tiến độ, kết quả giải quyết", "Cung cấp dịch vụ công trực tuyến", "Số hóa hồ sơ",
        "Mức độ hài lòng"]
    assert translate(component(card, "digitised").scoring) == (
        "4 điểm × tỷ lệ / 80%, tối đa 4 điểm (đạt từ 80% được điểm tối đa)")
    assert translate(component(card, "on_time").title) == "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn"
