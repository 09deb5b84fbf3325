"""The staff dossier page and every action on it (onestop.actions,
onestop.dossier_views), on SQLite and PostgreSQL: what each changes, what
each refuses, who may take it, the supplement clock, a transfer ward →
city and back, and two officers acting at the same moment."""
import threading
from datetime import datetime, timedelta, timezone

import pytest
import transaction
import webtest
from sqlalchemy import select

from congdichvu.accounts import services as accounts
from congdichvu.calendar.service import WorkingCalendar
from congdichvu.catalog.services import catalog_for
from congdichvu.eservices import services
from congdichvu.eservices.models import Dossier, DossierEvent
from congdichvu.i18n.formatting import TIMEZONE
from congdichvu.models import get_tm_session
from congdichvu.onestop import actions
from congdichvu.onestop.actions import Actor, Refused
from tests.conftest import committing_portal

WARD, CITY, OTHER_WARD = "H56.01.P08", "H56.01", "H56.01.P05"
PASSWORD = "mật-khẩu-dài-của-bàn"
APPLICANT = {"full_name": "Trần Văn Nộp", "birth_date": "1980-02-03", "id_number": "019080012345",
             "phone": "0912345678", "email": "nop@example.invalid", "address": "Số 1, đường Lương Ngọc Quyến"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
#: Monday 02/11/2026 09:00 in Thái Nguyên
MONDAY_9 = datetime(2026, 11, 2, 9, 0, tzinfo=TIMEZONE)


def _staff(dbsession):
    catalog = catalog_for(dbsession)
    made = {}
    for name, roles, agency in (("ward_officer", ["officer"], WARD), ("ward_leader", ["leader"], WARD),
                                ("city_officer", ["officer"], CITY), ("city_leader", ["leader"], CITY),
                                ("other_officer", ["officer"], OTHER_WARD)):
        made[name] = accounts.create_user(dbsession, name, PASSWORD, f"Cán bộ {name}", roles,
                                          agency=catalog.agency(agency))
    made["applicant"] = accounts.create_user(dbsession, "nguoi_nop", PASSWORD, "Trần Văn Nộp", ["citizen"],
                                             email="nguoi.nop@example.invalid")
    return made


@pytest.fixture
def staff(dbsession):
    return _staff(dbsession)


def _dossier(dbsession, applicant, now=MONDAY_9, agency=WARD, code="1.004873"):
    procedure = catalog_for(dbsession).procedure(code)  # 3 working days
    dossier, _secret = services.create_dossier(dbsession, procedure, agency, applicant, {"applicant": APPLICANT},
                                               WorkingCalendar(), "online", "secret", now=now)
    return dossier


@pytest.fixture
def dossier(dbsession, staff):
    return _dossier(dbsession, staff["applicant"])


def sign_in(testapp, username):
    testapp.reset()
    form = testapp.get("/dang-nhap").forms["deform"]
    form["login"], form["password"] = username, PASSWORD
    assert form.submit("submit").status_int == 302


def page(testapp, dossier, status=200):
    return testapp.get(f"/mot-cua/ho-so/{dossier.code}", status=status)


def act(testapp, dossier, name, status=302, upload=None, **fields):
    """Submit action ``name``'s form as the page shows it, with ``fields``."""
    form = page(testapp, dossier).forms[name]
    for field, value in fields.items():
        if isinstance(value, list):
            for index, item in enumerate(value):
                form.set(field, item, index=index)
        else:
            form[field] = value
    if upload is not None:
        form["files"] = [webtest.Upload(*upload)]  # a field taking several files
    return form.submit(status=status)


def post_action(testapp, dossier, name, status, **fields):
    """POST action ``name`` by hand (as a page that does not offer it would), with a valid token."""
    token = page(testapp, dossier).html.select_one("input[name=csrf_token]")["value"]
    return testapp.post(f"/mot-cua/ho-so/{dossier.code}/xu-ly/{name}",
                        dict(fields, csrf_token=token, __formid__=name), status=status)


def actor(user, now, agency=None):
    return Actor(user=user, agency_code=agency or user.agency.code, calendar=WorkingCalendar(), now=now)


def received(dbsession, dossier, user, now=MONDAY_9):
    actions.receive(dbsession, dossier, actor(user, now))
    return dossier


def _actions_offered(response):
    return {form_id for form_id in response.forms if isinstance(form_id, str)} & set(actions.ACTIONS)


# -- the page -----------------------------------------------------------------------------


def test_the_page_shows_the_dossier_to_its_agency_only(testapp, staff, dossier):
    sign_in(testapp, "ward_officer")
    shown = page(testapp, dossier)
    text = shown.html.select_one("main").get_text(" ")
    assert dossier.code in text and "Trần Văn Nộp" in text and "019080012345" in text
    assert _actions_offered(shown) == {"receive", "request_supplement", "refuse"}
    assert shown.headers["Cache-Control"] == "private, no-store"
    for outsider in ("other_officer", "city_officer"):  # (the city's leader is above the ward: reads it)
        sign_in(testapp, outsider)
        page(testapp, dossier, status=404)
        testapp.post(f"/mot-cua/ho-so/{dossier.code}/xu-ly/receive", status=404)
    sign_in(testapp, "nguoi_nop")
    page(testapp, dossier, status=404)


def test_the_leader_above_reads_and_signs_off_but_does_not_handle(testapp, staff, dossier, dbsession):
    received(dbsession, dossier, staff["ward_officer"])
    sign_in(testapp, "city_leader")
    shown = page(testapp, dossier)
    assert _actions_offered(shown) == {"transfer", "apology"}
    testapp.post(f"/mot-cua/ho-so/{dossier.code}/xu-ly/hand_over",
                 {"csrf_token": shown.forms["transfer"]["csrf_token"].value, "__formid__": "hand_over",
                  "department": "Tư pháp"}, status=403)
    assert [event.action for event in dossier.events] == ["submit", "receive", "start"]


def test_an_officer_cannot_sign_off(testapp, staff, dossier, dbsession):
    received(dbsession, dossier, staff["ward_officer"])
    sign_in(testapp, "ward_officer")
    shown = page(testapp, dossier)
    assert "apology" not in shown.forms and "transfer" not in shown.forms
    token = shown.forms["hand_over"]["csrf_token"].value
    testapp.post(f"/mot-cua/ho-so/{dossier.code}/xu-ly/apology",
                 {"csrf_token": token, "__formid__": "apology", "new_appointment": "30/12/2026 08:00",
                  "reason": "Chậm do xác minh"}, status=403)
    testapp.post(f"/mot-cua/ho-so/{dossier.code}/xu-ly/no_such_action", {"csrf_token": token}, status=404)
    assert dossier.appointment_at != datetime(2026, 12, 30, 1, 0, tzinfo=timezone.utc)


def test_files_are_shown_inline_when_the_browser_can(testapp, staff, dossier, dbsession, app, tmp_path):
    received(dbsession, dossier, staff["ward_officer"])
    sign_in(testapp, "ward_officer")
    act(testapp, dossier, "processed", upload=("ket-qua.pdf", PDF))
    dbsession.flush()
    result = next(f for f in dossier.files if f.kind == "result")
    # the test's transaction never commits: put the file where the move after commit would
    from congdichvu.eservices.storage import FileStore
    store = FileStore(app.registry.settings["congdichvu.data_dir"])
    store.path(result.storage_key).parent.mkdir(parents=True, exist_ok=True)
    store.path(result.storage_key).write_bytes(PDF)
    shown = testapp.get(f"/mot-cua/ho-so/{dossier.code}/tep/{result.id}")
    assert shown.headers["Content-Disposition"].startswith("inline;")
    assert shown.headers["X-Content-Type-Options"] == "nosniff" and shown.body == PDF
    testapp.get(f"/mot-cua/ho-so/{dossier.code}/tep/99999999", status=404)
    testapp.get(f"/mot-cua/ho-so/{dossier.code}/tep/99999999999999999999999", status=404)
    # the applicant downloads it from their own page; another officer gets nothing
    sign_in(testapp, "nguoi_nop")
    mine = testapp.get(f"/ho-so-cua-toi/{dossier.code}")
    assert f"/ho-so-cua-toi/{dossier.code}/tep/{result.id}" in mine.text
    assert testapp.get(f"/ho-so-cua-toi/{dossier.code}/tep/{result.id}").body == PDF
    sign_in(testapp, "other_officer")
    testapp.get(f"/mot-cua/ho-so/{dossier.code}/tep/{result.id}", status=404)
    testapp.get(f"/ho-so-cua-toi/{dossier.code}/tep/{result.id}", status=404)


# -- each action ----------------------------------------------------------------------------


def test_receive_then_refuse_from_the_page(testapp, staff, dossier):
    sign_in(testapp, "ward_officer")
    act(testapp, dossier, "receive").follow()
    assert dossier.state == actions.PROCESSING and dossier.due_at is not None and dossier.ledger_number
    shown = act(testapp, dossier, "refuse", status=400, reason="Hồ sơ giả mạo giấy tờ")  # not confirmed
    assert "Hãy đánh dấu ô để xác nhận." in shown.text
    assert shown.forms["refuse"]["reason"].value == "Hồ sơ giả mạo giấy tờ"
    assert dossier.state == actions.PROCESSING
    done = act(testapp, dossier, "refuse", reason="Hồ sơ giả mạo giấy tờ", confirm=True).follow()
    assert "Đã thực hiện: Từ chối tiếp nhận, giải quyết hồ sơ (Mẫu 03)." in done.html.select_one(".flash").text
    assert dossier.state == actions.NOT_RECEIVED and dossier.finished_at is not None
    assert dossier.events[-1].action == "refuse" and dossier.events[-1].details["reason"] == "Hồ sơ giả mạo giấy tờ"


def test_a_supplement_is_asked_for_once(testapp, staff, dossier, dbsession):
    received(dbsession, dossier, staff["ward_officer"])
    sign_in(testapp, "ward_officer")
    shown = act(testapp, dossier, "request_supplement", status=400, paper_reason=["Bản mờ"])
    assert dossier.state == actions.PROCESSING and "request_supplement" in shown.forms
    act(testapp, dossier, "request_supplement", paper=["Giấy khai sinh", "Sổ hộ khẩu"],
        paper_reason=["Bản chụp bị mờ", ""], note="Mang bản chính khi nhận kết quả")
    event = dossier.events[-1]
    assert dossier.state == actions.AWAITING_SUPPLEMENT and dossier.clock_stopped_at is not None
    assert event.details["missing"] == [{"paper": "Giấy khai sinh", "reason": "Bản chụp bị mờ"},
                                        {"paper": "Sổ hộ khẩu", "reason": ""}]
    assert services.supplement_request(dossier).startswith("- Giấy khai sinh: Bản chụp bị mờ")
    # the applicant adds them; a second request is refused
    services.supplement(dbsession, dossier, staff["applicant"], ["giay.pdf"], WorkingCalendar())
    assert "request_supplement" not in page(testapp, dossier).forms
    with pytest.raises(Refused, match="once"):
        actions.request_supplement(dbsession, dossier, actor(staff["ward_officer"], MONDAY_9),
                                   [{"paper": "Khác", "reason": ""}])


def test_the_supplement_clock_moves_the_deadline_by_the_working_time_waited(dbsession, staff, dossier, monkeypatch):
    officer = staff["ward_officer"]
    received(dbsession, dossier, officer)
    due, appointment = dossier.due_at, dossier.appointment_at
    # asked Monday 10:00, supplemented Tuesday 14:30: 1 h 30 + 3 h 30 (Monday) + 4 h 30 + 1 h (Tuesday) = 10 h 30
    asked, back = datetime(2026, 11, 2, 10, 0, tzinfo=TIMEZONE), datetime(2026, 11, 3, 14, 30, tzinfo=TIMEZONE)
    actions.request_supplement(dbsession, dossier, actor(officer, asked), [{"paper": "Tờ khai", "reason": "Thiếu"}])
    assert dossier.clock_stopped_at == asked
    monkeypatch.setattr(services, "_now", lambda: back)
    services.supplement(dbsession, dossier, staff["applicant"], ["to-khai.pdf"], WorkingCalendar())
    calendar, waited = WorkingCalendar(), 10 * 60 + 30
    assert calendar.working_minutes(asked, back) == waited
    assert dossier.clock_stopped_at is None and dossier.state == actions.PROCESSING
    assert dossier.due_at == calendar.add_working_minutes(due, waited)
    assert dossier.appointment_at == calendar.add_working_minutes(appointment, waited)
    assert calendar.working_minutes(due, dossier.due_at) == waited


def test_papers_asked_before_reception_bring_the_dossier_back_to_be_received(dbsession, staff, dossier):
    """Decree 61/2018, Art. 15: an incomplete dossier is completed before it
    is received; no deadline runs until then, and reception fixes it."""
    officer = staff["ward_officer"]
    actions.request_supplement(dbsession, dossier, actor(officer, MONDAY_9), [{"paper": "Tờ khai", "reason": "Thiếu"}])
    assert dossier.state == actions.AWAITING_SUPPLEMENT and dossier.due_at is None
    services.supplement(dbsession, dossier, staff["applicant"], ["to-khai.pdf"], WorkingCalendar())
    assert dossier.state == actions.NEW and dossier.clock_stopped_at is None and dossier.due_at is None
    later = datetime(2026, 11, 4, 8, 0, tzinfo=TIMEZONE)
    received(dbsession, dossier, officer, now=later)
    assert dossier.state == actions.PROCESSING and dossier.received_at == later
    assert dossier.due_at == WorkingCalendar().appointment(later, 3, "working_day")


def test_wrong_states_are_refused_in_words(dbsession, staff, dossier):
    officer = actor(staff["ward_officer"], MONDAY_9)
    for attempt in (lambda: actions.hand_over(dbsession, dossier, officer, "Tư pháp"),
                    lambda: actions.paid(dbsession, dossier, officer),
                    lambda: actions.return_result(dbsession, dossier, officer, "online"),
                    lambda: actions.request_payment(dbsession, dossier, officer, 1000, "Lệ phí")):
        with pytest.raises(Refused) as refused:
            attempt()
        assert "dossier" in str(refused.value.message) or "hồ sơ" in str(refused.value.message)
    assert dossier.state == actions.NEW and len(dossier.events) == 1


def test_hand_over_lines_of_form_05(dbsession, staff, dossier):
    officer = staff["ward_officer"]
    received(dbsession, dossier, officer)
    tuesday = datetime(2026, 11, 3, 8, 0, tzinfo=TIMEZONE)
    event = actions.hand_over(dbsession, dossier, actor(officer, tuesday), "Công chức tư pháp - hộ tịch", 4,
                              "working_hour")
    assert event.step_due_at == datetime(2026, 11, 3, 14, 0, tzinfo=TIMEZONE)  # 3 h 30 in the morning, 30 min after
    actions.hand_over(dbsession, dossier, actor(officer, datetime(2026, 11, 3, 15, 0, tzinfo=TIMEZONE)),
                      "Chủ tịch UBND phường")
    lines = actions.process_lines(dossier)
    assert [line.action for line in lines] == ["receive", "hand_over", "hand_over"]
    assert lines[1].to_department == "Công chức tư pháp - hộ tịch" and lines[1].status == actions.LATE
    assert lines[0].status == actions.EARLY  # received Monday, handed on Tuesday, due Thursday
    assert lines[2].finished_at is None and lines[2].due_at == dossier.due_at


def test_transfer_ward_to_city_and_back(testapp, dbsession, staff, dossier):
    received(dbsession, dossier, staff["ward_officer"])
    due = dossier.due_at
    # the ward's officer proposes; the ward's leader signs it off
    sign_in(testapp, "ward_officer")
    act(testapp, dossier, "request_transfer", to_agency=CITY, reason="Cần Phòng Tư pháp thẩm định")
    assert dossier.events[-1].action == "sign_off_requested" and dossier.handling_agency_code == WARD
    sign_in(testapp, "ward_leader")
    shown = page(testapp, dossier)
    assert shown.forms["transfer"]["to_agency"].value == CITY
    act(testapp, dossier, "transfer")
    assert dossier.handling_agency_code == CITY and {row.agency_code for row in dossier.agencies} == {WARD, CITY}
    assert dossier.events[-1].details["request"] is not None and dossier.due_at == due  # the clock goes on
    # both see it; only the city acts now
    sign_in(testapp, "ward_officer")
    assert _actions_offered(page(testapp, dossier)) == set()
    post_action(testapp, dossier, "hand_over", 403, department="Tư pháp")
    sign_in(testapp, "city_officer")
    assert {"hand_over", "transfer_back", "processed"} <= _actions_offered(page(testapp, dossier))
    act(testapp, dossier, "transfer_back", note="Đã thẩm định, đủ điều kiện")
    assert dossier.handling_agency_code == WARD and dossier.events[-1].to_agency_code == WARD
    page(testapp, dossier)  # the city still reads it
    assert "transfer_back" not in page(testapp, dossier).forms
    assert [line.action for line in actions.process_lines(dossier)] == ["receive", "transfer", "transfer_back"]
    sign_in(testapp, "city_officer")
    post_action(testapp, dossier, "hand_over", 403, department="Tư pháp")
    assert dossier.events[-1].action == "transfer_back"


def test_transfer_to_itself_or_an_unknown_agency_is_refused(testapp, dbsession, staff, dossier):
    received(dbsession, dossier, staff["ward_officer"])
    sign_in(testapp, "ward_leader")
    form = page(testapp, dossier).forms["transfer"]
    assert WARD not in [value for value, _selected, _text in form["to_agency"].options]
    form["to_agency"].force_value("H99.NOWHERE")
    assert form.submit(status=400).forms["transfer"]
    with pytest.raises(Refused):
        actions.transfer(dbsession, dossier, actor(staff["ward_leader"], MONDAY_9), WARD)


def test_apology_signed_off_by_the_city_leader(testapp, dbsession, staff, dossier):
    received(dbsession, dossier, staff["ward_officer"])
    due, appointment = dossier.due_at, dossier.appointment_at
    sign_in(testapp, "ward_officer")
    shown = act(testapp, dossier, "request_apology", status=400, new_appointment="01/11/2026 08:00",
                reason="Cần xác minh thêm")
    assert shown.forms["request_apology"]["new_appointment"].value == "01/11/2026 08:00"
    assert "later" in shown.text or "sau" in shown.text
    later = (datetime.now(TIMEZONE) + timedelta(days=10)).replace(hour=8, minute=0, second=0, microsecond=0)
    act(testapp, dossier, "request_apology", new_appointment=f"{later:%d/%m/%Y %H:%M}", reason="Cần xác minh thêm")
    sign_in(testapp, "city_leader")
    assert page(testapp, dossier).forms["apology"]["new_appointment"].value == f"{later:%d/%m/%Y %H:%M}"
    act(testapp, dossier, "apology")
    assert dossier.appointment_at == later and dossier.due_at == due
    assert appointment < dossier.appointment_at
    assert datetime.fromisoformat(dossier.events[-1].details["new_appointment"]) == later
    with pytest.raises(Refused, match="later"):
        actions.apology(dbsession, dossier, actor(staff["city_leader"], MONDAY_9),
                        datetime(2026, 11, 29, 8, 0, tzinfo=TIMEZONE), "Lại chậm")


def test_a_leader_declines_a_request(testapp, dbsession, staff, dossier):
    received(dbsession, dossier, staff["ward_officer"])
    sign_in(testapp, "ward_officer")
    later = (datetime.now(TIMEZONE) + timedelta(days=10)).replace(hour=8, minute=0, second=0, microsecond=0)
    act(testapp, dossier, "request_apology", new_appointment=f"{later:%d/%m/%Y %H:%M}", reason="Cần xác minh thêm")
    assert "request_apology" not in page(testapp, dossier).forms  # one request at a time
    sign_in(testapp, "ward_leader")
    act(testapp, dossier, "sign_off_declined", what="apology", reason="Vẫn kịp hạn")
    assert actions.pending_sign_off(dossier, "apology") is None
    assert "sign_off_declined" not in page(testapp, dossier).forms


@pytest.mark.parametrize("amount", ["0", "-5", "1,5", "2,000", "abc", "1.000.000.000.001", "99999999999999999999999", ""])
def test_a_bad_amount_is_refused(testapp, dbsession, staff, dossier, amount):
    received(dbsession, dossier, staff["ward_officer"])
    sign_in(testapp, "ward_officer")
    shown = act(testapp, dossier, "request_payment", status=400, amount=amount, purpose="Lệ phí cấp giấy")
    assert shown.forms["request_payment"]["amount"].value == amount and dossier.state == actions.PROCESSING


def test_payment_stop_processed_and_return_by_post(testapp, dbsession, staff, dossier):
    received(dbsession, dossier, staff["ward_officer"])
    sign_in(testapp, "ward_officer")
    act(testapp, dossier, "request_payment", amount="1.500.000", purpose="Lệ phí cấp giấy")
    assert dossier.state == actions.AWAITING_PAYMENT and dossier.fee_due == 1_500_000
    assert "1.500.000 ₫" in page(testapp, dossier).text
    act(testapp, dossier, "paid", note="Biên lai số 12")
    assert dossier.state == actions.PROCESSING
    shown = act(testapp, dossier, "processed", status=400, upload=("ket-qua.txt", b"not a pdf"))
    assert dossier.state == actions.PROCESSING and "processed" in shown.forms
    act(testapp, dossier, "processed", upload=("ket-qua.pdf", PDF))
    assert dossier.state == actions.PROCESSED and dossier.finished_at is not None
    shown = act(testapp, dossier, "return_result", status=400, way="postal", tracking="x", posted_on="31/02/2026")
    assert shown.forms["return_result"]["tracking"].value == "x"
    shown = act(testapp, dossier, "return_result", status=302, way="postal", tracking="RR123456789VN",
                posted_on="03/11/2026").follow()  # before the result was ready: refused, said why
    assert dossier.state == actions.PROCESSED and "Thời điểm trả kết quả" in shown.text
    today = datetime.now(TIMEZONE).date()
    act(testapp, dossier, "return_result", way="postal", tracking="RR123456789VN", posted_on=f"{today:%d/%m/%Y}")
    event = dossier.events[-1]
    assert dossier.state == actions.RETURNED and dossier.returned_at is not None
    assert event.details == {"way": "postal", "tracking": "RR123456789VN", "posted_on": today.isoformat()}


def test_return_at_the_desk_records_who_received_it(testapp, dbsession, staff, dossier):
    officer = actor(staff["ward_officer"], MONDAY_9)
    received(dbsession, dossier, staff["ward_officer"])
    actions.processed(dbsession, dossier, officer, [_result_row()])
    sign_in(testapp, "ward_officer")
    act(testapp, dossier, "return_result", way="counter", receiver="Trần Văn Nộp", receiver_id_number="019080012345",
        received_at="02/11/2026 16:00")
    assert dossier.events[-1].details["receiver"] == "Trần Văn Nộp"
    assert dossier.events[-1].details["at"].startswith("2026-11-02T09:00")


def test_stop_needs_a_confirmation(testapp, dbsession, staff, dossier):
    received(dbsession, dossier, staff["ward_officer"])
    sign_in(testapp, "ward_officer")
    act(testapp, dossier, "stop", status=400, reason="Người nộp đề nghị dừng")
    assert dossier.state == actions.PROCESSING
    act(testapp, dossier, "stop", reason="Người nộp đề nghị dừng", confirm=True)
    assert dossier.state == actions.STOPPED and dossier.finished_at is not None


def test_a_refused_action_says_why_and_changes_nothing(testapp, dbsession, staff, dossier):
    sign_in(testapp, "ward_officer")
    form = page(testapp, dossier).forms["receive"]
    received(dbsession, dossier, staff["ward_officer"])  # another officer, meanwhile
    events = len(dossier.events)
    shown = form.submit().follow()
    assert len(dossier.events) == events
    assert "Không thể thực hiện lúc này: hồ sơ đang ở trạng thái “Đang giải quyết”" in shown.html.select_one(".flash").text


def _result_row():
    from congdichvu.eservices.models import DossierFile
    return DossierFile(kind="result", filename="ket-qua.pdf", content_type="application/pdf", size=len(PDF),
                       sha256="0" * 64, storage_key=f"x/{datetime.now().timestamp()}.pdf",
                       uploaded_at=datetime.now(timezone.utc))


# -- two officers at once (PostgreSQL: real concurrent transactions) ----------------------------


def test_two_officers_acting_at_once_make_one_event(databases, tmp_path_factory):
    if databases.backend != "postgresql":
        pytest.skip("concurrent transactions are tested on PostgreSQL")
    app = committing_portal(databases, tmp_path_factory)
    factory = app.registry["dbsession_factory"]
    with transaction.manager:
        db = get_tm_session(factory, transaction.manager)
        people = _staff(db)
        code = _dossier(db, people["applicant"]).code
    barrier, outcomes = threading.Barrier(2), []

    def officer(action):
        manager = transaction.TransactionManager(explicit=True)
        try:
            with manager:  # a Refused action leaves the block by its exception: rolled back
                db = get_tm_session(factory, manager)
                user = db.scalar(select(accounts.User).where(accounts.User.username == "ward_officer"))
                found = db.scalar(select(Dossier).where(Dossier.code == code))
                _ = found.events, user.agency  # both have read the dossier
                barrier.wait()
                if action == "receive":
                    actions.receive(db, found, actor(user, MONDAY_9))
                else:
                    actions.refuse(db, found, actor(user, MONDAY_9), "Không đủ điều kiện")
                outcomes.append(action)
        except Refused:
            outcomes.append("refused")

    threads = [threading.Thread(target=officer, args=(name,)) for name in ("receive", "refuse")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) in (["receive", "refused"], ["refuse", "refused"])
    with transaction.manager:
        db = get_tm_session(factory, transaction.manager)
        found = db.scalar(select(Dossier).where(Dossier.code == code))
        acted = db.scalars(select(DossierEvent.action).where(DossierEvent.dossier_id == found.id,
                                                             DossierEvent.action.in_(("receive", "refuse")))).all()
        assert len(acted) == 1 and found.version == (3 if acted == ["receive"] else 2)
    app.registry["dbengine"].dispose()


def test_papers_brought_to_the_desk_resume_the_dossier(testapp, dbsession, staff, dossier):
    """An applicant with no account brings the papers asked for: the
    officer records them (and their scans) and the clock restarts."""
    received(dbsession, dossier, staff["ward_officer"])
    sign_in(testapp, "ward_officer")
    act(testapp, dossier, "request_supplement", paper=["Tờ khai"], paper_reason=["Thiếu chữ ký"])
    assert dossier.state == actions.AWAITING_SUPPLEMENT
    shown = act(testapp, dossier, "supplement_at_desk", status=400, papers="")
    assert dossier.state == actions.AWAITING_SUPPLEMENT and "supplement_at_desk" in shown.forms
    act(testapp, dossier, "supplement_at_desk", papers="Tờ khai đã ký", upload=("to-khai.pdf", PDF))
    assert dossier.state == actions.PROCESSING and dossier.clock_stopped_at is None
    assert dossier.events[-1].action == "supplement" and dossier.events[-1].details["at_desk"] is True
    assert [f.kind for f in dossier.files if f.filename == "to-khai.pdf"] == ["supplement"]


def test_rules_found_by_trying_to_break_them(dbsession, staff, dossier):
    """No apology for a date already past or years away; no transfer where
    no officer works; a dossier transferred in is sent back, not refused;
    a result goes online only to an applicant with an account, and is
    never returned before it was ready."""
    now = datetime.now(TIMEZONE)
    officer, leader = actor(staff["ward_officer"], now), actor(staff["ward_leader"], now)
    received(dbsession, dossier, staff["ward_officer"], now=now - timedelta(days=20))
    with pytest.raises(Refused, match="future"):
        actions.apology(dbsession, dossier, leader, now - timedelta(hours=1), "Trễ")
    with pytest.raises(Refused, match="year"):
        actions.apology(dbsession, dossier, leader, now + timedelta(days=400), "Trễ")
    with pytest.raises(Refused, match="officer"):
        actions.transfer(dbsession, dossier, leader, "H56.01.TP", "Không ai ở đó")  # no officer at that department
    actions.transfer(dbsession, dossier, leader, CITY, "Cần xác nhận")
    with pytest.raises(Refused, match="received"):
        actions.refuse(dbsession, dossier, actor(staff["city_officer"], now), "Không thuộc thẩm quyền")
    city = actor(staff["city_officer"], now)
    actions.transfer_back(dbsession, dossier, city, "Đã xác nhận")
    actions.processed(dbsession, dossier, officer, [_result_row()])
    with pytest.raises(Refused, match="between"):
        actions.return_result(dbsession, dossier, officer, "counter", receiver="Trần Văn Nộp",
                              at=now - timedelta(days=30))
    anonymous = _dossier(dbsession, None)
    received(dbsession, anonymous, staff["ward_officer"], now=now - timedelta(days=2))
    actions.processed(dbsession, anonymous, officer, [_result_row()])
    with pytest.raises(Refused, match="account"):
        actions.return_result(dbsession, anonymous, officer, "online")
