"""Tra cứu hồ sơ: the state and history, nothing personal, no guessing."""
from datetime import datetime

import pytest
import webtest
from sqlalchemy import func, select

from congdichvu.accounts.models import AuditEvent
from congdichvu.calendar.service import WorkingCalendar
from congdichvu.catalog.services import catalog_for
from congdichvu.eservices import services
from congdichvu.i18n.formatting import TIMEZONE
from tests.functional.test_cms_races import racing, together
from tests.functional.test_submission import citizen, to_review
from tests.functional.test_submission_races import portal, run  # noqa: F401 - a committing app


@pytest.fixture
def dossier(dbsession, app, people):
    procedure = catalog_for(dbsession).procedure("1.001193")
    citizen = people["citizen"]
    created, secret = services.create_dossier(
        dbsession, procedure, "H56.01.P05", citizen, {"applicant": {"name": "Nguyễn Thị Riêng Tư"}},
        WorkingCalendar(), "online", app.registry.settings["congdichvu.secret"],
        now=datetime(2026, 10, 16, 16, 30, tzinfo=TIMEZONE),
    )
    return created, secret


def _look_up(testapp, code, secret):
    form = testapp.get("/tra-cuu-ho-so").forms["lookup"]
    form["code"], form["secret"] = code, secret
    return form.submit(expect_errors=True)


def test_a_dossier_gets_its_code_reception_and_appointment(dossier):
    created, secret = dossier
    assert created.code == "H56.01.P05-261016-0001" and created.state == 1
    # Friday 16:30, a same-day procedure: due Monday at the close of office hours
    assert created.appointment_at.astimezone(TIMEZONE) == datetime(2026, 10, 19, 17, tzinfo=TIMEZONE)
    assert len(secret) == 8 and created.lookup_secret_hash != secret


def test_the_right_secret_shows_state_and_history_only(testapp, dossier):
    created, secret = dossier
    page = _look_up(testapp, created.code, secret.lower())
    assert "Đăng ký khai sinh" in page.text and "19/10/2026 17:00" in page.text
    assert "Nguyễn Thị Riêng Tư" not in page.text and "citizen.test" not in page.text


def _facts(page):
    return {row.dt.text.strip(): row.dd.text.strip() for row in page.html.select("#state-h ~ dl.facts > div")}


def test_a_dossier_no_officer_received_reads_as_submitted_with_its_time(testapp, dbsession, dossier):
    created, secret = dossier
    facts = _facts(_look_up(testapp, created.code, secret))
    assert facts["Trạng thái"] == "Đã nộp, chờ tiếp nhận" and facts["Ngày nộp"] == "16/10/2026 16:30"
    assert "Đã tiếp nhận" not in facts and "Mới đăng ký" not in str(facts)
    # once an officer receives it (the one-stop desk, next), the reception shows
    services.transition(dbsession, created, 2, "officer.test")
    dbsession.flush()
    facts = _facts(_look_up(testapp, created.code, secret))
    assert facts["Trạng thái"] == "Đã tiếp nhận" and facts["Đã tiếp nhận"] == "16/10/2026 16:30"


def test_a_wrong_secret_reads_like_an_unknown_code(testapp, dossier):
    created, _secret = dossier
    wrong = _look_up(testapp, created.code, "SAIMATMA").html.select_one("[role=alert]").text
    unknown = _look_up(testapp, "H56.01.P05-261016-9999", "SAIMATMA").html.select_one("[role=alert]").text
    assert wrong == unknown and "Không có hồ sơ" in wrong


def test_guessing_is_slowed_down(testapp, dossier):
    created, secret = dossier
    for _attempt in range(services.MAX_FAILED_LOOKUPS):
        _look_up(testapp, created.code, "DOANBUA1")
    blocked = _look_up(testapp, created.code, secret)
    assert blocked.status_int == 429 and "15 phút" in blocked.text


def _lookups(portal, address, count):
    browsers = [webtest.TestApp(portal, extra_environ={"HTTP_HOST": "example.com", "REMOTE_ADDR": address})
                for _n in range(count)]
    forms = [b.get("/tra-cuu-ho-so").forms["lookup"] for b in browsers]
    for form in forms:
        form["code"], form["secret"] = "H56.01.P05-261130-9999", "DOANBUA1"
    return forms


def test_guesses_sent_at_once_cannot_pass_the_lookup_limit_together(portal):
    address, parties = "198.51.100.7", services.MAX_FAILED_LOOKUPS + 3
    forms = _lookups(portal, address, parties)
    with racing(portal, retried=False, parties=parties):
        answers = together(*(lambda form=form: form.submit(expect_errors=True) for form in forms))
    assert sorted(answer.status_int for answer in answers) == [200] * services.MAX_FAILED_LOOKUPS + [429] * 3
    failures = run(portal, lambda db: db.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "dossier.lookup_failed", AuditEvent.address == address)))
    assert failures == services.MAX_FAILED_LOOKUPS


def test_a_lookup_that_finds_its_dossier_does_not_count_as_a_guess(portal):
    browser = citizen(portal)
    form = to_review(browser).forms["step"]
    form["declaration"] = True
    receipt = form.submit("submit").follow()
    code, secret = receipt.request.path.split("/")[2], receipt.html.select_one(".secret").text.strip()
    for form in _lookups(portal, "198.51.100.8", services.MAX_FAILED_LOOKUPS + 2):
        form["code"], form["secret"] = code, secret
        assert form.submit().status_int == 200
