"""Rating the service (đánh giá mức độ hài lòng, eservices.ratings) as a
citizen does it, on SQLite and PostgreSQL: from "Hồ sơ của tôi", from the
link in the mail saying the result was returned (signed out: through
signing in), twice from two tabs, by someone else (404), without the
form's token, with wrong answers; what the dossier's page, its history and
the desk's page then show."""
import re
import threading
from datetime import datetime

import pytest
import transaction
from sqlalchemy import select

from congdichvu.accounts import services as accounts
from congdichvu.calendar.service import WorkingCalendar
from congdichvu.catalog.services import catalog_for
from congdichvu.eservices import ratings, services
from congdichvu.eservices.models import Dossier, DossierEvent, DossierFile
from congdichvu.i18n.formatting import TIMEZONE
from congdichvu.models import get_tm_session
from congdichvu.notify.models import Notification
from congdichvu.onestop import actions
from congdichvu.stats.models import DossierStat
from tests.conftest import committing_portal
from tests.factories import STAFF_AGENCY, make_dossier, sign_in

APPLICANT = {"full_name": "Nguyễn Thị Hài", "birth_date": "1990-05-17", "id_number": "001190012345",
             "phone": "0912345678", "email": "hai@example.invalid", "address": "Số 5, đường Quang Trung"}
#: Monday 02/11/2026 09:00 in Thái Nguyên
MONDAY_9 = datetime(2026, 11, 2, 9, 0, tzinfo=TIMEZONE)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
THANKS = "Cảm ơn bạn đã đánh giá."
ALREADY = "Bạn đã đánh giá dịch vụ cho hồ sơ này; mỗi hồ sơ chỉ được đánh giá một lần."


def _processed(dbsession, people):
    """A dossier the citizen submitted online, received and processed at the desk (state 9)."""
    procedure = catalog_for(dbsession).procedure("1.001193")
    dossier, _secret = services.create_dossier(dbsession, procedure, STAFF_AGENCY, people["citizen"],
                                               {"applicant": APPLICANT}, WorkingCalendar(), "online", "secret",
                                               now=MONDAY_9)
    officer = actions.Actor(user=people["officer"], agency_code=STAFF_AGENCY, calendar=WorkingCalendar(),
                            now=MONDAY_9)
    actions.receive(dbsession, dossier, officer)
    result = DossierFile(kind="result", filename="ket-qua.pdf", content_type="application/pdf", size=len(PDF),
                         sha256="0" * 64, storage_key=f"x/{dossier.code}.pdf", uploaded_at=MONDAY_9)
    actions.processed(dbsession, dossier, officer, [result])
    return dossier


def _return_at_the_desk(testapp, dossier):
    """The officer hands the result over at the desk, from the desk's page (the applicant is told)."""
    sign_in(testapp, "officer")
    form = testapp.get(f"/mot-cua/ho-so/{dossier.code}").forms["return_result"]
    form["way"], form["receiver"], form["received_at"] = "counter", "Nguyễn Thị Hài", "02/11/2026 16:00"
    # sent with a forged Host: the mail's links still begin with congdichvu.public_url (the test client
    # files cookies under the host it was answered for: the session and the form's token go explicitly)
    cookie = "; ".join(f"{name}={testapp.cookies[name]}" for name in ("congdichvu_session", "congdichvu_csrf"))
    form.submit(status=302, headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example", "Cookie": cookie})
    testapp.reset()  # the officer signs out
    assert dossier.state == ratings.RETURNED


@pytest.fixture
def returned(testapp, dbsession, people):
    dossier = _processed(dbsession, people)
    _return_at_the_desk(testapp, dossier)
    return dossier


def rate_url(dossier):
    return f"/ho-so-cua-toi/{dossier.code}/danh-gia"


def rate_events(dbsession, dossier):
    return dbsession.scalars(select(DossierEvent).where(DossierEvent.dossier_id == dossier.id,
                                                        DossierEvent.action == "rate")).all()


def token_of(page):
    return page.html.select_one("input[name=csrf_token]")["value"]


def test_a_citizen_rates_from_my_dossiers_and_sees_the_thanks(testapp, dbsession, people, returned):
    sign_in(testapp, "citizen")
    mine = testapp.get("/ho-so-cua-toi")
    row = next(tr for tr in mine.html.select("tbody tr") if returned.code in tr.text)
    link = row.select_one("a.button")
    assert link.text.startswith("Đánh giá dịch vụ") and returned.code in link.text  # the code for screen readers
    page = testapp.get(link["href"])
    form = page.forms["rate"]
    legend = page.html.select_one("#rate fieldset legend")
    assert "Mức độ hài lòng" in legend.text  # the three choices are one group, named
    assert [label.text.strip() for label in page.html.select("#rate fieldset label")] == [
        "Rất hài lòng", "Hài lòng", "Không hài lòng"]
    assert page.html.select_one("#rate button[type=submit]").text.strip() == "Gửi đánh giá"
    form["level"], form["comment"] = "very_satisfied", "Cán bộ hướng dẫn tận tình,\r\ntrả kết quả đúng hẹn."
    response = form.submit(status=302)
    assert response.location.endswith(f"/ho-so-cua-toi/{returned.code}#rating")
    shown = response.follow()
    assert THANKS in shown.html.select_one(".flash").text
    section = shown.html.select_one("#rating")
    assert "Rất hài lòng" in section.text and "trả kết quả đúng hẹn." in section.text
    history = shown.html.select_one(".timeline").text
    assert "Người nộp đã đánh giá mức độ hài lòng: Rất hài lòng" in history
    [event] = rate_events(dbsession, returned)
    assert event.details == {"level": "very_satisfied",
                             "comment": "Cán bộ hướng dẫn tận tình,\ntrả kết quả đúng hẹn."}
    assert event.actor_id == people["citizen"].id and returned.state == ratings.RETURNED
    # the statistics' summary row follows in the same transaction (stats.summary reads the "rate" event)
    dbsession.flush()
    assert dbsession.get(DossierStat, returned.id).rating == "very_satisfied"
    # rated: the list asks no more, the dossier's page shows the rating, not the button
    assert "Đánh giá dịch vụ" not in testapp.get("/ho-so-cua-toi").text
    assert not shown.html.select_one("#rating a.button")


def test_the_link_in_the_mail_leads_a_signed_out_citizen_through_signing_in(testapp, dbsession, returned):
    mail = dbsession.scalar(select(Notification).where(
        Notification.dossier_id == returned.id, Notification.kind == "dossier.return_result",
        Notification.channel == "email"))
    assert mail.recipient == "citizen.test@example.invalid" and "Kính gửi Ông/Bà" in mail.body_text
    # the address comes from congdichvu.public_url (tests/conftest: http://example.com), not the Host header
    assert "evil.example" not in mail.body_text + mail.body_html
    link = re.search(r"Mời Ông/Bà đánh giá mức độ hài lòng về việc giải quyết hồ sơ: (\S+)", mail.body_text).group(1)
    assert link == f"http://example.com{rate_url(returned)}"
    assert f'href="{link}"' in mail.body_html
    testapp.reset()
    to_sign_in = testapp.get(link, status=302)
    assert "/dang-nhap?came_from=%2Fho-so-cua-toi%2F" in to_sign_in.location
    form = to_sign_in.follow().forms["deform"]
    form["login"], form["password"] = "citizen.test", "citizen-mật-khẩu-dài"
    signed_in = form.submit("submit", status=302)
    assert signed_in.location.endswith(rate_url(returned))
    form = signed_in.follow().forms["rate"]
    form["level"] = "dissatisfied"
    form.submit(status=302).follow()
    assert [event.details for event in rate_events(dbsession, returned)] == [
        {"level": "dissatisfied", "comment": None}]


def test_two_tabs_sending_the_form_rate_once(testapp, dbsession, returned):
    sign_in(testapp, "citizen")
    first, second = testapp.get(rate_url(returned)).forms["rate"], testapp.get(rate_url(returned)).forms["rate"]
    first["level"] = "satisfied"
    first.submit(status=302)
    second["level"], second["comment"] = "dissatisfied", "Ý kiến ở tab thứ hai"
    refused = second.submit(status=409)
    assert ALREADY in refused.text
    assert "Ý kiến ở tab thứ hai" in refused.html.select_one("blockquote").text  # not lost: shown to copy
    assert "rate" not in refused.forms
    assert [event.details["level"] for event in rate_events(dbsession, returned)] == ["satisfied"]
    # the same form sent again later: the same answer, and the page shows the rating made
    again = testapp.get(rate_url(returned))
    assert ALREADY in again.text and "Hài lòng" in again.html.select_one("dl.facts").text and "rate" not in again.forms


@pytest.mark.parametrize("who", ["stranger", "officer", "admin"])
def test_someone_else_gets_404_and_staff_are_not_asked(testapp, dbsession, people, returned, who):
    if who == "stranger":
        accounts.create_user(dbsession, "nguoi.la", "mật-khẩu-dài-người-lạ", "Người Lạ", ["citizen"],
                             email="nguoi.la@example.invalid")
        testapp.reset()
        form = testapp.get("/dang-nhap").forms["deform"]
        form["login"], form["password"] = "nguoi.la", "mật-khẩu-dài-người-lạ"
        form.submit("submit", status=302)
    else:
        sign_in(testapp, who)
    testapp.get(rate_url(returned), status=404)
    token = token_of(testapp.get("/tai-khoan/mat-khau"))
    testapp.post(rate_url(returned), {"csrf_token": token, "__formid__": "rate", "level": "dissatisfied"},
                 status=404)
    assert rate_events(dbsession, returned) == []


def test_a_form_without_its_token_is_refused_and_what_was_typed_comes_back(testapp, dbsession, returned):
    sign_in(testapp, "citizen")
    testapp.get(rate_url(returned))
    page_url = f"http://example.com{rate_url(returned)}"
    response = testapp.post(rate_url(returned), {"__formid__": "rate", "level": "satisfied", "comment": "Giữ lại"},
                            headers={"Origin": "http://example.com", "Referer": page_url}, status=302)
    assert response.location.endswith(rate_url(returned))
    assert rate_events(dbsession, returned) == []
    form = response.follow().forms["rate"]
    assert form["comment"].value == "Giữ lại" and form["level"].value == "satisfied"


def test_wrong_answers_are_said_in_vietnamese_and_what_was_typed_is_kept(testapp, dbsession, returned):
    sign_in(testapp, "citizen")
    form = testapp.get(rate_url(returned)).forms["rate"]
    form["comment"] = "Tôi quên chọn mức"
    shown = form.submit(status=400)
    assert "Hãy chọn mức độ hài lòng của bạn" in shown.html.select_one(".alert-danger").text
    assert shown.forms["rate"]["comment"].value == "Tôi quên chọn mức"
    token = token_of(shown)
    shown = testapp.post(rate_url(returned), {"csrf_token": token, "__formid__": "rate", "level": "tuyệt vời",
                                              "comment": "Mức lạ"}, status=400)
    assert "Hãy chọn mức độ hài lòng của bạn" in shown.text and shown.forms["rate"]["comment"].value == "Mức lạ"
    too_long = "Dài quá. " * 112  # 1008 characters
    form = shown.forms["rate"]
    form["level"], form["comment"] = "satisfied", too_long
    shown = form.submit(status=400)
    assert "tối đa 1.000 ký tự; hiện có 1.007 ký tự" in shown.text  # the spaces at the end are not counted
    assert shown.forms["rate"]["comment"].value == too_long.strip() and shown.forms["rate"]["level"].value == "satisfied"
    assert rate_events(dbsession, returned) == []
    form = testapp.post(rate_url(returned), {"csrf_token": token, "__formid__": "rate"}, status=400).forms["rate"]
    form["level"] = "satisfied"
    form.submit(status=302)
    assert len(rate_events(dbsession, returned)) == 1


def test_a_dossier_not_returned_yet_cannot_be_rated(testapp, dbsession, people):
    dossier = _processed(dbsession, people)
    sign_in(testapp, "citizen")
    page = testapp.get(rate_url(dossier))
    assert "sau khi nhận được kết quả giải quyết hồ sơ" in page.text and "rate" not in page.forms
    assert "Đánh giá dịch vụ" not in testapp.get(f"/ho-so-cua-toi/{dossier.code}").text
    refused = testapp.post(rate_url(dossier), {"csrf_token": token_of(page), "__formid__": "rate",
                                               "level": "satisfied", "comment": "Sớm quá"}, status=409)
    assert "sau khi nhận được kết quả giải quyết hồ sơ" in refused.text and "Sớm quá" in refused.text
    assert rate_events(dbsession, dossier) == [] and dossier.state == actions.PROCESSED


def test_the_desk_sees_the_rating(testapp, dbsession, people, returned):
    sign_in(testapp, "officer")
    assert "Người nộp chưa đánh giá mức độ hài lòng." in testapp.get(f"/mot-cua/ho-so/{returned.code}").text
    ratings.rate(dbsession, returned, people["citizen"], "dissatisfied", "Phải chờ lâu ở quầy")
    page = testapp.get(f"/mot-cua/ho-so/{returned.code}")
    section = page.html.select_one("#rating").text
    assert "Không hài lòng" in section and "Phải chờ lâu ở quầy" in section
    history = page.html.select_one(".timeline").text
    assert "Người nộp đã đánh giá mức độ hài lòng" in history and "Mức độ hài lòng: Không hài lòng" in history
    assert "rate" not in page.forms  # staff are not asked to rate


def test_two_requests_rating_at_once_make_one_event(databases, tmp_path_factory):
    """Two tabs sending at the same moment (PostgreSQL: real concurrent
    transactions): the conditional update lets one through."""
    if databases.backend != "postgresql":
        pytest.skip("concurrent transactions are tested on PostgreSQL")
    app = committing_portal(databases, tmp_path_factory)
    factory = app.registry["dbsession_factory"]
    with transaction.manager:
        db = get_tm_session(factory, transaction.manager)
        citizen = accounts.create_user(db, "nguoi.danh.gia", "mật-khẩu-dài-đánh-giá", "Lê Thị Hoa", ["citizen"])
        code = make_dossier(db, STAFF_AGENCY, 1, state=10, applicant_id=citizen.id).code
    barrier, outcomes = threading.Barrier(2), []

    def tab(level):
        manager = transaction.TransactionManager(explicit=True)
        try:
            with manager:
                db = get_tm_session(factory, manager)
                user = db.scalar(select(accounts.User).where(accounts.User.username == "nguoi.danh.gia"))
                found = db.scalar(select(Dossier).where(Dossier.code == code))
                _ = found.events  # both have read the dossier: neither sees a rating
                barrier.wait()
                ratings.rate(db, found, user, level, None)
                outcomes.append(level)
        except ratings.Refused as refused:
            outcomes.append(refused.message)

    threads = [threading.Thread(target=tab, args=(level,)) for level in ("satisfied", "dissatisfied")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(outcomes) == 2 and outcomes.count(ratings.ALREADY_RATED) == 1
    with transaction.manager:
        db = get_tm_session(factory, transaction.manager)
        found = db.scalar(select(Dossier).where(Dossier.code == code))
        levels = db.scalars(select(DossierEvent.details).where(DossierEvent.dossier_id == found.id,
                                                               DossierEvent.action == "rate")).all()
        assert [details["level"] for details in levels] == [next(o for o in outcomes if o != ratings.ALREADY_RATED)]
        assert found.version == 2
    app.registry["dbengine"].dispose()
