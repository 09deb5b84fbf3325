"""The desk's payment reconciliation (/mot-cua/thanh-toan), on SQLite and
PostgreSQL: whose payments a visitor sees, the counts and totals by local
day, each kind of mismatch, the CSV and XLSX lists, the filters' errors,
and "ask the gateway now"."""
import csv
import io
from datetime import datetime, timedelta, timezone

import openpyxl
import pytest

from congdichvu.accounts import services as accounts
from congdichvu.catalog.services import catalog_for
from congdichvu.eservices.models import Dossier
from congdichvu.i18n.formatting import TIMEZONE
from congdichvu.payments import services
from congdichvu.payments.interfaces import IPaymentGateway, Report
from congdichvu.payments.models import FAILED, PAID, PaymentAttempt
from tests.factories import STAFF_AGENCY, make_dossier, sign_in

PAGE = "/mot-cua/thanh-toan"
WARD_B, CITY = "H56.01.P08", "H56.01"
PASSWORD = "mật-khẩu-đối-soát-dài"
#: 09:00 on Sunday 15/11/2026 in Thái Nguyên
DAY_9 = datetime(2026, 11, 15, 9, 0, tzinfo=TIMEZONE)
DAY = "15/11/2026"


def sign_in_as(testapp, username):
    testapp.reset()
    form = testapp.get("/dang-nhap").forms["deform"]
    form["login"], form["password"] = username, PASSWORD
    assert form.submit("submit").status_int == 302


@pytest.fixture
def staff(dbsession, people):
    """``people`` (the officer and leader of ward A = STAFF_AGENCY), an officer of ward B and a city leader."""
    catalog = catalog_for(dbsession)
    for name, roles, code in (("officer_b", ["officer"], WARD_B), ("leader_city", ["leader"], CITY)):
        people[name] = accounts.create_user(dbsession, name, PASSWORD, f"Cán bộ {name}", roles,
                                            email=f"{name}@example.invalid", agency=catalog.agency(code))
    return people


class Book:
    """Orders and attempts made through payments.services, named."""

    def __init__(self, dbsession):
        self.dbsession, self.attempts, self.number = dbsession, {}, 0

    def order(self, agency, amount, at=DAY_9):
        self.number += 1
        dossier = make_dossier(self.dbsession, agency, self.number, state=6)
        return services.open_order(self.dbsession, dossier, lines=[], amount=amount, purpose="Lệ phí",
                                   agency_code=agency, resume_state=4, now=at)

    def attempt(self, name, order, at=DAY_9, gateway="vnpay"):
        self.attempts[name] = services.start_attempt(self.dbsession, order, gateway, now=at)
        return self.attempts[name]

    def report(self, name, outcome, amount=None, at=None, source="ipn", **fields):
        attempt = self.attempts[name]
        at = at or attempt.created_at + timedelta(minutes=2)
        settled = services.settle(self.dbsession, Report(
            txn_ref=attempt.txn_ref, amount=attempt.amount if amount is None else amount, outcome=outcome,
            paid_at=at if outcome == PAID else None, **fields), source, at)
        self.dbsession.flush()
        return settled

    def ref(self, name):
        return self.attempts[name].txn_ref


@pytest.fixture
def book(dbsession, staff):
    """Ward A on 15/11: a1 paid (receipt BL26E 12), a2 failed then a3 open, a4 paid and a5 paid twice,
    a6 reported paid with another amount, a7 paid then denied by a query, a8 paid at 00:30 (local day
    15/11, UTC 14/11); a9 paid at 23:30 on 14/11; ward B on 15/11: b1 paid."""
    made = Book(dbsession)
    one = made.order(STAFF_AGENCY, 50_000)
    made.attempt("a1", one)
    made.report("a1", PAID, transaction_number="14000001", bank_code="NCB")
    one.receipt_symbol, one.receipt_number = "BL26E", 12
    two = made.order(STAFF_AGENCY, 20_000)
    made.attempt("a2", two, at=DAY_9 + timedelta(minutes=1))
    made.report("a2", FAILED, response_code="51", bank_code="=1+2")
    made.attempt("a3", two, at=DAY_9 + timedelta(minutes=5))
    three = made.order(STAFF_AGENCY, 30_000)
    made.attempt("a4", three, at=DAY_9 + timedelta(minutes=10))
    made.attempt("a5", three, at=DAY_9 + timedelta(minutes=11))
    made.report("a4", PAID, transaction_number="14000004")
    assert made.report("a5", PAID, transaction_number="14000005").attempt.refund_due
    four = made.order(STAFF_AGENCY, 40_000)
    made.attempt("a6", four, at=DAY_9 + timedelta(minutes=20))
    made.report("a6", PAID, amount=45_000, transaction_number="14000006")
    five = made.order(STAFF_AGENCY, 60_000)
    made.attempt("a7", five, at=DAY_9 + timedelta(minutes=30))
    made.report("a7", PAID, transaction_number="14000007")
    made.report("a7", FAILED, at=DAY_9 + timedelta(hours=1), source="query")
    eight = made.order(STAFF_AGENCY, 10_000)
    made.attempt("a8", eight, at=datetime(2026, 11, 15, 0, 30, tzinfo=TIMEZONE))
    made.report("a8", PAID)
    nine = made.order(STAFF_AGENCY, 80_000)
    made.attempt("a9", nine, at=datetime(2026, 11, 14, 23, 30, tzinfo=TIMEZONE))
    made.report("a9", PAID)
    ward_b = made.order(WARD_B, 70_000)
    made.attempt("b1", ward_b)
    made.report("b1", PAID, transaction_number="14000099")
    return made


def _totals(page):
    """{state label: (count, total)} of the page's totals table."""
    return {row.th.get_text(strip=True): tuple(cell.get_text(strip=True) for cell in row.select("td"))
            for row in page.html.select("#totals tbody tr")}


def _refs(page, selector="#attempts"):
    return {cell.contents[0].strip() for cell in page.html.select(f"{selector} tbody td.txn-ref")}


def test_an_officer_sees_the_payments_of_their_own_agency_only(testapp, book):
    sign_in(testapp, "officer")
    page = testapp.get(PAGE, params={"ngay": DAY})
    shown = {name for name in book.attempts if book.ref(name) in page.text}
    assert shown == {"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"}
    assert "b1" not in shown and "14000099" not in page.text and "70.000" not in page.text
    # a5, paid twice, is money to give back: not "paid" but "to refund"
    assert _totals(page) == {"Đang chờ": ("2", "60.000 ₫"), "Đã thanh toán": ("4", "150.000 ₫"),
                             "trong đó nộp trực tuyến": ("4", "150.000 ₫"), "Không thành công": ("1", "20.000 ₫"),
                             "Cần hoàn tiền": ("1", "30.000 ₫")}
    assert page.html.select_one('select[name="co-quan"]') is None  # one agency: nothing to choose
    row = page.html.find("td", string="14000001").parent
    assert "BL26E 0000012" in row.text and "NCB" in row.text
    link = row.select_one("a")
    assert link["href"] == f"/mot-cua/ho-so/{link.text}" and link.text.startswith(STAFF_AGENCY)

    sign_in_as(testapp, "officer_b")
    page = testapp.get(PAGE, params={"ngay": DAY})
    assert book.ref("b1") in page.text and not any(book.ref(name) in page.text for name in book.attempts
                                                   if name != "b1")
    assert _totals(page) == {"Đã thanh toán": ("1", "70.000 ₫"), "trong đó nộp trực tuyến": ("1", "70.000 ₫")}
    # another agency's code in the URL shows nothing of it
    page = testapp.get(PAGE, params={"ngay": DAY, "co-quan": STAFF_AGENCY})
    assert "Bạn không xem được cơ quan nào có mã" in page.text and book.ref("a1") not in page.text


def test_a_leader_sees_the_agencies_under_theirs_and_can_choose_one(testapp, book):
    sign_in_as(testapp, "leader_city")
    page = testapp.get(PAGE, params={"ngay": DAY})
    assert {book.ref("a1"), book.ref("b1")} <= _refs(page)
    assert page.html.select_one(f'[data-agency="{STAFF_AGENCY}"]') and page.html.select_one(f'[data-agency="{WARD_B}"]')
    options = {option["value"] for option in page.html.select('select[name="co-quan"] option')}
    assert {"", CITY, STAFF_AGENCY, WARD_B} <= options
    only_b = testapp.get(PAGE, params={"ngay": DAY, "co-quan": WARD_B})
    assert _refs(only_b) == {book.ref("b1")}
    assert only_b.html.select_one(f'option[value="{WARD_B}"]').has_attr("selected")


def test_days_are_the_city_s_days_and_a_period_adds_them_up(testapp, book):
    sign_in(testapp, "officer")
    before = testapp.get(PAGE, params={"ngay": "14/11/2026"})
    assert _refs(before) == {book.ref("a9")}  # 23:30 on 14/11; a8 (00:30 on 15/11, 17:30 UTC on 14/11) is not
    period = testapp.get(PAGE, params={"tu": "14/11/2026", "den": "15/11/2026"})
    assert _totals(period)["Đã thanh toán"] == ("5", "230.000 ₫")
    days = period.html.select(f'[data-agency="{STAFF_AGENCY}"] tbody tr th')
    assert [day.get_text(strip=True) for day in days] == ["14/11/2026", "15/11/2026", "Cả kỳ"]
    failed = testapp.get(PAGE, params={"ngay": DAY, "trang-thai": "failed"})
    assert _refs(failed) == {book.ref("a2")} and _totals(failed) == {"Không thành công": ("1", "20.000 ₫")}
    # the state chosen does not hide a mismatch
    assert failed.html.select_one("#mismatch-duplicate") is not None


def test_every_kind_of_mismatch_is_listed(testapp, book):
    sign_in(testapp, "officer")
    page = testapp.get(PAGE, params={"ngay": DAY})
    assert _refs(page, "#mismatch-table-gateway_paid") == {book.ref("a6")}
    assert _refs(page, "#mismatch-table-gateway_denies") == {book.ref("a7")}
    assert _refs(page, "#mismatch-table-amount") == {book.ref("a6")}
    assert _refs(page, "#mismatch-table-duplicate") == {book.ref("a5")}
    assert "45.000 ₫" in page.html.select_one("#mismatch-table-amount").text
    assert "Thanh toán khi không còn khoản phải nộp: cần hoàn tiền" in page.text
    assert "Đã thanh toán khi không còn" not in page.text


def test_a_day_without_mismatch_says_so(testapp, book):
    sign_in_as(testapp, "officer_b")
    page = testapp.get(PAGE, params={"ngay": DAY})
    assert page.html.select_one("#mismatch-duplicate") is None
    assert "Không có chênh lệch" in page.text
    empty = testapp.get(PAGE, params={"ngay": "01/11/2026"})
    assert "Không có khoản thanh toán nào trong kỳ này." in empty.text and empty.html.select_one("#attempts") is None


def test_today_is_the_default(testapp, book, dbsession):
    now = datetime.now(timezone.utc)
    book.attempt("today", book.order(STAFF_AGENCY, 15_000, at=now), at=now)
    sign_in(testapp, "officer")
    page = testapp.get(PAGE)
    assert _refs(page) == {book.ref("today")}
    assert page.html.select_one('input[name="ngay"]')["value"] == now.astimezone(TIMEZONE).strftime("%d/%m/%Y")


@pytest.mark.parametrize("params, message", [
    ({"ngay": "31/02/2026"}, "Ngày: ngày 31/02/2026 không có trên lịch."),
    ({"ngay": "2026/15/11"}, "Ngày: hãy ghi ngày theo dạng ngày/tháng/năm"),
    ({"tu": "01/01/2026", "den": "30/11/2026"}, "Mỗi kỳ dài nhất 92 ngày"),
    ({"tu": "16/11/2026", "den": "15/11/2026"}, "Ngày bắt đầu không được sau ngày kết thúc."),
    ({"tu": "15/11/2026"}, "Hãy ghi cả hai ngày của kỳ, hoặc một ngày."),
    ({"ngay": DAY, "dinh-dang": "pdf"}, "Không có định dạng tệp này"),
])
def test_bad_filters_are_told_in_vietnamese_with_a_400(testapp, book, params, message):
    sign_in(testapp, "officer")
    page = testapp.get(PAGE, params=params, status=400)
    assert message in page.html.select_one('.notice[role="alert"]').text
    assert page.html.select_one('form.filters input[name="ngay"]') is not None
    assert book.ref("a1") not in page.text


def test_unknown_state_is_left_out_with_a_message(testapp, book):
    sign_in(testapp, "officer")
    page = testapp.get(PAGE, params={"ngay": DAY, "trang-thai": "<b>paid</b>"})
    assert "Trạng thái thanh toán không rõ" in page.text and book.ref("a2") in page.text


def test_the_list_as_csv(testapp, book):
    sign_in(testapp, "officer")
    response = testapp.get(PAGE, params={"ngay": DAY, "dinh-dang": "csv"})
    assert response.content_type == "text/csv"
    assert 'filename="doi-soat-thanh-toan-20261115.csv"' in response.headers["Content-Disposition"]
    assert response.body.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(response.body.decode("utf-8-sig"), newline="")))
    assert lines[0][:6] == ["STT", "Mã cơ quan", "Cơ quan", "Bắt đầu lúc", "Mã hồ sơ", "Mã tham chiếu (TxnRef)"]
    by_ref = {line[5]: line for line in lines[1:] if line[5]}
    assert lines[0][16] == "Thanh toán khi không còn khoản phải nộp: cần hoàn tiền"
    # the totals block under the list, as the page counts
    totals = {line[2]: line[9] for line in lines[1:] if not line[0] and line[2]}
    assert totals["Tổng — Đã thanh toán: 4 khoản"] == "150000"
    assert totals["Tổng — Cần hoàn tiền: 1 khoản"] == "30000"
    assert set(by_ref) == {book.ref(name) for name in ("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8")}
    first = by_ref[book.ref("a1")]
    assert first[9] == "50000" and first[10] == "Đã thanh toán" and first[15] == "BL26E 0000012"
    assert first[3] == "15/11/2026 09:00" and first[7] == "14000001" and first[6] == "VNPay"
    assert by_ref[book.ref("a2")][8] == "'=1+2"  # a bank code is never a formula
    assert by_ref[book.ref("a6")][13] == "45000" and by_ref[book.ref("a5")][16] == "Có"
    period = testapp.get(PAGE, params={"tu": "14/11/2026", "den": "15/11/2026", "dinh-dang": "csv"})
    assert 'filename="doi-soat-thanh-toan-20261114-20261115.csv"' in period.headers["Content-Disposition"]


def test_the_list_as_a_workbook(testapp, book):
    sign_in_as(testapp, "leader_city")
    response = testapp.get(PAGE, params={"ngay": DAY, "co-quan": WARD_B, "dinh-dang": "xlsx"})
    assert response.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="doi-soat-thanh-toan-20261115.xlsx"' in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.body)).active
    assert sheet["A1"].value == "ĐỐI SOÁT THANH TOÁN" and sheet["A2"].value == "Ngày 15/11/2026"
    heading = [cell.value for cell in sheet[5]]
    assert heading[0] == "STT" and heading[9] == "Số tiền (đồng)"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=6)]
    assert rows[0][0] == 1 and rows[0][5] == book.ref("b1") and not any(row[0] for row in rows[1:])
    assert rows[1] == [None] * len(heading) and rows[2][2] == "Tổng — Đã thanh toán: 1 khoản" and rows[2][9] == 70_000
    assert rows[0][9] == 70_000 and isinstance(rows[0][9], int) and rows[0][1] == WARD_B


def test_citizens_and_visitors_are_kept_out(testapp, book):
    assert "/dang-nhap" in testapp.get(PAGE, status=302).location
    assert "/dang-nhap" in testapp.get(PAGE, params={"ngay": DAY, "dinh-dang": "csv"}, status=302).location
    sign_in(testapp, "citizen")
    testapp.get(PAGE, status=403)
    testapp.get(PAGE, params={"ngay": DAY, "dinh-dang": "csv"}, status=403)


def test_the_desk_links_to_the_page(testapp, staff):
    sign_in(testapp, "officer")
    desk = testapp.get("/mot-cua")
    assert desk.html.select_one(f'a[href="{PAGE}"]').get_text(strip=True) == "Đối soát thanh toán"


@pytest.fixture
def stale(book, dbsession):
    """An attempt of ward A and one of ward B, begun 30 minutes ago, never reported."""
    began = datetime.now(timezone.utc) - timedelta(minutes=30)
    book.attempt("stale_a", book.order(STAFF_AGENCY, 25_000, at=began), at=began)
    book.attempt("stale_b", book.order(WARD_B, 35_000, at=began), at=began)
    return book


def test_asking_the_gateway_now_settles_the_officer_s_own_payments(testapp, stale, app, monkeypatch, dbsession):
    gateway = app.registry.getUtility(IPaymentGateway)
    asked = []

    def query(attempt, *, now=None):
        asked.append(attempt.txn_ref)
        return Report(txn_ref=attempt.txn_ref, amount=attempt.amount, outcome=PAID, transaction_number="14009999",
                      bank_code="VCB", paid_at=now)

    monkeypatch.setattr(gateway, "query", query)
    sign_in(testapp, "officer")
    page = testapp.get(PAGE)
    form = page.forms["ask-gateway"]
    assert form.method.lower() == "post" and form["__formid__"].value == "reconcile"
    answer = form.submit(status=303)
    assert answer.location.endswith(PAGE) or PAGE + "?" in answer.location
    assert asked == [stale.ref("stale_a")]  # ward B's payment is not this officer's to ask about
    shown = answer.follow()
    assert "Đã hỏi cổng thanh toán về 1 khoản: 1 khoản mới được thanh toán" in shown.text
    attempt = dbsession.get(PaymentAttempt, stale.attempts["stale_a"].id)
    dbsession.refresh(attempt)
    assert attempt.state == PAID and attempt.reported_by == "query" and attempt.order.receipt_number is not None
    again = testapp.get(PAGE).forms["ask-gateway"].submit(status=303).follow()
    assert "không có gì để hỏi" in again.text


def test_the_button_needs_its_form_and_token(testapp, stale, app, monkeypatch):
    monkeypatch.setattr(app.registry.getUtility(IPaymentGateway), "query", lambda *args, **kw: pytest.fail("asked"))
    sign_in(testapp, "officer")
    token = testapp.get(PAGE).forms["ask-gateway"]["csrf_token"].value
    testapp.post(PAGE, {"csrf_token": token}, status=400)  # not the form
    assert testapp.post(PAGE, {"__formid__": "reconcile"}, status=302).location.endswith(PAGE)  # no token: back


# -- refunds ---------------------------------------------------------------------

@pytest.fixture
def refunds(book, dbsession):
    """Beside ``book``: on 01/11 (a day nobody picks) c1 paid after its order was closed (the dossier
    withdrawn), and b2 of ward B paid twice; on 15/11 k1 paid at the desk."""
    early = datetime(2026, 11, 1, 10, 0, tzinfo=TIMEZONE)
    closed = book.order(STAFF_AGENCY, 90_000, at=early)
    book.attempt("c1", closed, at=early)
    services.cancel_open(dbsession, closed.dossier_id, now=early + timedelta(minutes=1))
    assert book.report("c1", PAID, transaction_number="14000101").attempt.refund_due
    twice = book.order(WARD_B, 11_000, at=early)
    book.attempt("b2", twice, at=early)
    book.attempt("b3", twice, at=early + timedelta(minutes=1))
    book.report("b2", PAID)
    assert book.report("b3", PAID).attempt.refund_due
    desk = book.order(STAFF_AGENCY, 5_000)
    book.attempt("k1", desk, gateway="counter", at=DAY_9 + timedelta(hours=2))
    book.report("k1", PAID, source="counter")
    return book


def _refund_rows(page):
    return {row.select_one("td.txn-ref").contents[0].strip(): row for row in page.html.select("#refunds-table tbody tr")}


def test_every_refund_owed_is_listed_whatever_the_day(testapp, refunds):
    sign_in(testapp, "officer")
    page = testapp.get(PAGE, params={"ngay": "20/11/2026"})  # neither 01/11 nor 15/11
    rows = _refund_rows(page)
    assert list(rows) == [refunds.ref("c1"), refunds.ref("a5")]  # the oldest first; ward B's b3 is not theirs
    closed = rows[refunds.ref("c1")]
    assert "90.000 ₫" in closed.text and "14000101" in closed.text and "01/11/2026" in closed.text
    assert "rút hoặc dừng xử lý" in closed.text
    assert closed.select_one("a")["href"].startswith("/mot-cua/ho-so/")
    assert "thanh toán hai lần" in rows[refunds.ref("a5")].text
    form = closed.select_one("form")
    assert form["method"] == "post" and form.select_one('input[name="__formid__"]')["value"] == "refunded"
    assert form.select_one('input[name="note"]').has_attr("required")
    assert page.html.select_one("#refunds-h").get_text(strip=True) == "Khoản cần hoàn tiền (2)"
    sign_in_as(testapp, "leader_city")
    assert set(_refund_rows(testapp.get(PAGE))) == {refunds.ref("c1"), refunds.ref("a5"), refunds.ref("b3")}


def test_a_payment_taken_after_the_order_closed_is_a_refund_not_a_missing_payment(testapp, refunds):
    sign_in(testapp, "officer")
    page = testapp.get(PAGE, params={"ngay": "01/11/2026"})
    assert page.html.select_one("#mismatch-table-gateway_paid") is None
    assert _refs(page, "#mismatch-table-duplicate") == {refunds.ref("c1")}
    assert _totals(page) == {"Cần hoàn tiền": ("1", "90.000 ₫")}


def test_paid_is_split_by_way(testapp, refunds):
    sign_in(testapp, "officer")
    totals = _totals(testapp.get(PAGE, params={"ngay": DAY}))
    assert totals["Đã thanh toán"] == ("5", "155.000 ₫")
    assert totals["trong đó nộp trực tuyến"] == ("4", "150.000 ₫")
    assert totals["trong đó nộp tại Bộ phận một cửa"] == ("1", "5.000 ₫")


def test_recording_a_refund_once(testapp, refunds, dbsession):
    sign_in(testapp, "officer")
    page = testapp.get(PAGE, params={"ngay": DAY})
    form = page.forms[[index for index, found in page.forms.items()
                       if found.action.startswith(PAGE + "/hoan-tien") and found["attempt"].value ==
                       str(refunds.attempts["a5"].id)][0]]
    form["note"] = "  UNC 0012 ngày 16/11  "
    answer = form.submit(status=303)
    assert answer.location.endswith(PAGE + "?ngay=15%2F11%2F2026")
    shown = answer.follow()
    assert f"Khoản thanh toán {refunds.ref('a5')}: đã ghi nhận hoàn tiền" in shown.text
    attempt = dbsession.get(PaymentAttempt, refunds.attempts["a5"].id)
    dbsession.refresh(attempt)
    assert attempt.refunded_by.startswith("officer") and attempt.refund_note == "UNC 0012 ngày 16/11"
    today = datetime.now(timezone.utc).astimezone(TIMEZONE).strftime("%d/%m/%Y")
    row = next(cell.parent for cell in shown.html.select("#attempts td.txn-ref")
               if cell.contents[0].strip() == refunds.ref("a5"))
    assert f"Đã hoàn tiền {today} (UNC 0012 ngày 16/11)" in row.text
    assert refunds.ref("a5") not in _refund_rows(shown)
    assert shown.html.select_one("#mismatch-table-duplicate") is None
    assert _totals(shown)["Đã hoàn tiền"] == ("1", "30.000 ₫") and "Cần hoàn tiền" not in _totals(shown)
    # the dossier's history says so
    assert any(event.action == "refunded" for event in dbsession.get(Dossier, attempt.order.dossier_id).events)
    # the same form again (a second tab, a double click): a message, nothing changed
    again = form.submit(status=303).follow()
    assert "đã ghi nhận hoàn tiền trước đó" in again.text


def test_a_refund_needs_a_note_and_the_payment_in_the_officer_s_scope(testapp, refunds, dbsession):
    sign_in(testapp, "officer")
    page = testapp.get(PAGE)
    token = page.forms["ask-gateway"]["csrf_token"].value
    url = PAGE + "/hoan-tien"
    fields = {"csrf_token": token, "__formid__": "refunded", "attempt": str(refunds.attempts["c1"].id)}
    short = testapp.post(url, dict(fields, note=" a "), status=303).follow()
    assert "hãy ghi số chứng từ hoặc ghi chú hoàn tiền, từ 3 đến 300 ký tự" in short.text
    testapp.post(url, dict(fields, note="x" * 301), status=303)
    assert dbsession.get(PaymentAttempt, refunds.attempts["c1"].id).refunded_at is None
    # ward B's payment, a payment that does not exist, an id that is no number: 404
    for attempt in (str(refunds.attempts["b3"].id), "999999", "abc", "1" * 40):
        testapp.post(url, dict(fields, attempt=attempt, note="UNC 1"), status=404)
    testapp.post(url, dict(fields, __formid__="reconcile", note="UNC 1"), status=400)  # not the form
    testapp.get(url, status=404)
    # a payment in scope that is not one to refund
    not_due = testapp.post(url, dict(fields, attempt=str(refunds.attempts["a1"].id), note="UNC 1"), status=303)
    assert "đã ghi nhận hoàn tiền trước đó" in not_due.follow().text
    sign_in(testapp, "citizen")
    testapp.post(url, dict(fields, note="UNC 1"), status=403)


# -- asking the gateway: refunds in the count, one pass at a time -------------------

def test_asking_the_gateway_counts_a_payment_to_refund_apart(testapp, stale, app, monkeypatch, dbsession):
    services.cancel_open(dbsession, stale.attempts["stale_a"].order.dossier_id)  # the dossier withdrawn meanwhile

    def query(attempt, *, now=None):
        return Report(txn_ref=attempt.txn_ref, amount=attempt.amount, outcome=PAID, transaction_number="14009998",
                      paid_at=now)

    monkeypatch.setattr(app.registry.getUtility(IPaymentGateway), "query", query)
    sign_in(testapp, "officer")
    shown = testapp.get(PAGE).forms["ask-gateway"].submit(status=303).follow()
    assert "0 khoản mới được thanh toán, 0 khoản kết thúc không thanh toán" in shown.text
    assert "đã thu nhưng cần hoàn tiền: 1." in shown.text
    assert stale.ref("stale_a") in _refund_rows(shown)


def test_asking_the_gateway_while_a_pass_runs_says_so(testapp, stale, app, monkeypatch):
    from congdichvu.payments import reconcile

    monkeypatch.setattr(app.registry.getUtility(IPaymentGateway), "query", lambda *args, **kw: pytest.fail("asked"))
    sign_in(testapp, "officer")
    form = testapp.get(PAGE).forms["ask-gateway"]
    assert reconcile.PASS_LOCK.acquire(blocking=False)
    try:
        shown = form.submit(status=303).follow()
    finally:
        reconcile.PASS_LOCK.release()
    assert "Đang có một lượt hỏi cổng thanh toán, vui lòng thử lại sau ít phút." in shown.text


# -- accessibility ---------------------------------------------------------------

def test_tables_are_named_by_headings_and_a_wrong_date_points_at_its_message(testapp, refunds):
    sign_in(testapp, "officer")
    page = testapp.get(PAGE, params={"ngay": DAY})
    assert page.html.select("caption") == []
    for table in page.html.select("table"):
        assert page.html.find(id=table["aria-labelledby"]) is not None, table.get("id")
    wrong = testapp.get(PAGE, params={"tu": "31/02/2026", "den": DAY}, status=400)
    field = wrong.html.select_one('input[name="tu"]')
    assert field["aria-invalid"] == "true"
    error_id, hint_id = field["aria-describedby"].split()
    assert "ngày 31/02/2026 không có trên lịch" in wrong.html.find(id=error_id).text
    assert wrong.html.find(id=hint_id) is not None
    assert not wrong.html.select_one('input[name="den"]').has_attr("aria-invalid")
    backwards = testapp.get(PAGE, params={"tu": "16/11/2026", "den": DAY}, status=400)
    assert all(backwards.html.select_one(f'input[name="{name}"]')["aria-invalid"] == "true" for name in ("tu", "den"))
