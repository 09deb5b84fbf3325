"""Online payment through the VNPay protocol: the IPN (every RspCode), the
return page, the transaction query for a lost IPN, the desk's request for
fees, and two reports for one order at once."""
import threading
from datetime import datetime, timedelta, timezone

import pytest
import transaction
import webtest
from sqlalchemy import func, select

from congdichvu.eservices.models import Dossier, DossierFile
from congdichvu.models import get_tm_session
from congdichvu.notify.models import Notification
from congdichvu.payments import confirm, reconcile, services, vnpay
from congdichvu.payments.gateway import VNPayGateway
from congdichvu.payments.interfaces import IPaymentGateway
from congdichvu.payments.models import PaymentAttempt, PaymentOrder
from tests.conftest import committing_portal
from tests.factories import STAFF_AGENCY, make_dossier, sign_in

LINES = [{"name": "Lệ phí cấp Giấy xác nhận", "kind": "fee", "per": "dossier", "count": 1, "unit_amount": 1500,
          "amount": 1500}]


def settings_of(registry):
    settings = registry.settings
    return settings["congdichvu.vnpay.hash_secret"], settings["congdichvu.vnpay.tmn_code"]


def report_params(registry, attempt, *, sign=True, **changes):
    """What the gateway sends for ``attempt`` (its IPN or the return redirect): paid, unless changed."""
    secret, tmn = settings_of(registry)
    params = {"vnp_Amount": str(attempt.amount * 100), "vnp_BankCode": "NCB", "vnp_BankTranNo": "VNP14000001",
              "vnp_CardType": "ATM", "vnp_OrderInfo": "Thanh toan phi le phi", "vnp_PayDate": "20261130153000",
              "vnp_ResponseCode": "00", "vnp_TmnCode": tmn, "vnp_TransactionNo": "14000001",
              "vnp_TransactionStatus": "00", "vnp_TxnRef": attempt.txn_ref}
    params.update(changes)
    if sign:
        params["vnp_SecureHash"] = vnpay.sign(params, secret)
    return params


def awaiting(dbsession, applicant, number=1, amount=1500, agency=STAFF_AGENCY):
    """A received dossier whose fees are asked for (4 → 6), with its order."""
    dossier = make_dossier(dbsession, agency, number, state=4, applicant_id=applicant.id, channel="online",
                           procedure_code="1.004873", procedure_name="Cấp Giấy xác nhận tình trạng hôn nhân")
    lines = [dict(LINES[0], unit_amount=amount, amount=amount)]
    order, _event = services.ask(dbsession, dossier, lines=lines, amount=amount, purpose=None, agency_code=agency,
                                 actor="test")
    return dossier, order


def ipn(testapp, params, status=200):
    return testapp.get("/payments/vnpay/ipn", params=params, status=status).json


@pytest.fixture
def paying(dbsession, people):
    dossier, order = awaiting(dbsession, people["citizen"])
    attempt = services.start_attempt(dbsession, order, "vnpay")
    return dossier, order, attempt


def receipts(dbsession, dossier):
    return dbsession.scalars(select(DossierFile).where(DossierFile.dossier_id == dossier.id,
                                                       DossierFile.kind == "e_receipt")).all()


def test_a_confirmed_ipn_pays_once_with_one_receipt(testapp, app, dbsession, paying):
    dossier, order, attempt = paying
    events = len(dossier.events)
    assert ipn(testapp, report_params(app.registry, attempt)) == {"RspCode": "00", "Message": "Confirm Success"}
    dbsession.refresh(order)
    dbsession.refresh(dossier)
    assert order.state == "paid" and order.paid_attempt_id == attempt.id and order.receipt_number == 1
    assert dossier.state == 4 and dossier.events[-1].action == "paid" and len(dossier.events) == events + 1
    assert dossier.events[-1].details["transaction_number"] == "14000001"
    [receipt] = receipts(dbsession, dossier)
    assert order.receipt_file_id == receipt.id and receipt.filename.endswith("0000001.pdf")
    told = dbsession.scalars(select(Notification).where(Notification.dossier_id == dossier.id)).all()
    assert [n.kind for n in told] == ["dossier.paid"]
    # the gateway sends it again (it retries until it reads 00): already confirmed, nothing changes
    assert ipn(testapp, report_params(app.registry, attempt))["RspCode"] == "02"
    dbsession.refresh(dossier)
    assert len(dossier.events) == events + 1 and len(receipts(dbsession, dossier)) == 1


def test_a_wrong_signature_is_97_and_changes_nothing(testapp, app, dbsession, paying):
    dossier, order, attempt = paying
    params = report_params(app.registry, attempt)
    for forged in (dict(params, vnp_SecureHash="0" * 128), {k: v for k, v in params.items() if k != "vnp_SecureHash"},
                   dict(params, vnp_Amount="100"),  # the amount tampered after signing
                   dict(params, vnp_ResponseCode="24"), {}):
        assert ipn(testapp, forged)["RspCode"] == "97"
    # a parameter given twice cannot have been signed once
    query = "&".join(f"{k}={v}" for k, v in params.items()) + "&vnp_Amount=100"
    assert testapp.get("/payments/vnpay/ipn?" + query).json["RspCode"] == "97"
    # signed with another merchant's code
    assert ipn(testapp, report_params(app.registry, attempt, vnp_TmnCode="OTHER"))["RspCode"] == "97"
    dbsession.refresh(order)
    assert order.state == "pending" and dossier.state == 6 and not receipts(dbsession, dossier)


def test_an_unknown_order_is_01_and_a_wrong_amount_04(testapp, app, dbsession, paying):
    dossier, order, attempt = paying
    assert ipn(testapp, report_params(app.registry, attempt, vnp_TxnRef="261130FFFFFFFFFF"))["RspCode"] == "01"
    assert ipn(testapp, report_params(app.registry, attempt, vnp_Amount="100000"))["RspCode"] == "04"
    assert ipn(testapp, report_params(app.registry, attempt, vnp_Amount="150001"))["RspCode"] == "04"
    dbsession.refresh(order)
    assert order.state == "pending" and dossier.state == 6


def test_a_failure_then_a_new_attempt_pays(testapp, app, dbsession, paying):
    dossier, order, attempt = paying
    assert ipn(testapp, report_params(app.registry, attempt, vnp_ResponseCode="51",
                                      vnp_TransactionStatus="02"))["RspCode"] == "00"
    dbsession.refresh(order)
    assert order.state == "failed" and dossier.state == 6 and attempt.state == "failed"
    # a success for the failed attempt afterwards is "already confirmed"
    assert ipn(testapp, report_params(app.registry, attempt))["RspCode"] == "02"
    again = services.start_attempt(dbsession, order, "vnpay")
    assert again.txn_ref != attempt.txn_ref and order.state == "pending"
    assert ipn(testapp, report_params(app.registry, again))["RspCode"] == "00"
    dbsession.refresh(order)
    assert order.state == "paid" and order.paid_attempt_id == again.id and dossier.state == 4


def test_a_cancel_is_recorded_and_paying_again_works(testapp, app, dbsession, people, paying):
    dossier, order, attempt = paying
    assert ipn(testapp, report_params(app.registry, attempt, vnp_ResponseCode="24",
                                      vnp_TransactionStatus="02"))["RspCode"] == "00"
    dbsession.refresh(order)
    assert order.state == "cancelled"
    sign_in(testapp, "citizen")
    page = testapp.get(f"/ho-so-cua-toi/{dossier.code}/thanh-toan")
    assert "đã bị hủy" in page.text and "1.500 ₫" in page.text
    gone = page.forms[1].submit(status=303)
    assert gone.location.startswith(app.registry.settings["congdichvu.vnpay.url"])
    assert dbsession.scalar(select(func.count(PaymentAttempt.id)).where(PaymentAttempt.order_id == order.id)) == 2


def test_the_redirect_to_the_gateway_is_signed_and_complete(testapp, app, dbsession, people, paying):
    dossier, order, _attempt = paying
    sign_in(testapp, "citizen")
    page = testapp.get(f"/ho-so-cua-toi/{dossier.code}/thanh-toan")
    # the browser follows the button's redirect to the gateway only if the page's policy names it
    assert "form-action 'self' http://example.com;" in page.headers["Content-Security-Policy"]
    location = page.forms[1].submit(status=303).location
    from urllib.parse import parse_qsl, urlsplit

    params = dict(parse_qsl(urlsplit(location).query))
    secret, tmn = settings_of(app.registry)
    assert vnpay.verify(params, secret) and params["vnp_TmnCode"] == tmn and params["vnp_Amount"] == "150000"
    assert params["vnp_ReturnUrl"] == "http://example.com/payments/vnpay/return"
    assert params["vnp_OrderInfo"].isascii() and dossier.code in params["vnp_OrderInfo"]
    created, expires = vnpay.parse_stamp(params["vnp_CreateDate"]), vnpay.parse_stamp(params["vnp_ExpireDate"])
    assert expires - created == timedelta(minutes=15)


def test_only_the_applicant_may_pay(testapp, dbsession, people, paying):
    dossier, _order, _attempt = paying
    sign_in(testapp, "officer")
    testapp.get(f"/ho-so-cua-toi/{dossier.code}/thanh-toan", status=404)
    testapp.reset()
    assert "dang-nhap" in testapp.get(f"/ho-so-cua-toi/{dossier.code}/thanh-toan", status=302).location


def test_the_return_page_only_shows(testapp, app, dbsession, people, paying):
    dossier, order, attempt = paying
    sign_in(testapp, "citizen")
    shown = testapp.get("/payments/vnpay/return", params=report_params(app.registry, attempt))
    assert "đang chờ xác nhận" in shown.text
    dbsession.refresh(order)
    assert order.state == "pending" and dossier.state == 6  # the browser's word changes nothing
    ipn(testapp, report_params(app.registry, attempt))
    shown = testapp.get("/payments/vnpay/return", params=report_params(app.registry, attempt))
    assert "đã được thanh toán" in shown.text and "biên lai" in shown.text.lower()
    assert shown.headers["Cache-Control"] == "private, no-store"
    cancelled = report_params(app.registry, attempt, vnp_ResponseCode="24", vnp_TransactionStatus="02")
    forged = dict(report_params(app.registry, attempt), vnp_Amount="1")
    assert testapp.get("/payments/vnpay/return", params=forged, status=400)
    assert testapp.get("/payments/vnpay/return", params={"vnp_TxnRef": "x"}, status=400)
    # paid already: a later cancel in the browser's address bar does not undo it
    assert "đã được thanh toán" in testapp.get("/payments/vnpay/return", params=cancelled).text


def test_a_lost_ipn_is_found_by_the_transaction_query(app, dbsession, dummy_request, people, paying):
    dossier, order, attempt = paying
    secret, tmn = settings_of(app.registry)
    asked = []

    def gateway_answers(url, body, timeout):
        asked.append(body)
        assert vnpay.verify_fields(body, vnpay.QUERY_FIELDS, secret) and body["vnp_TxnRef"] == attempt.txn_ref
        answer = {"vnp_ResponseId": "x1", "vnp_Command": "querydr", "vnp_ResponseCode": "00", "vnp_Message": "OK",
                  "vnp_TmnCode": tmn, "vnp_TxnRef": attempt.txn_ref, "vnp_Amount": "150000", "vnp_BankCode": "NCB",
                  "vnp_PayDate": "20261130153000", "vnp_TransactionNo": "14000777", "vnp_TransactionType": "01",
                  "vnp_TransactionStatus": "00", "vnp_OrderInfo": "x", "vnp_PromotionCode": "",
                  "vnp_PromotionAmount": ""}
        answer["vnp_SecureHash"] = vnpay.sign_fields(answer, vnpay.ANSWER_FIELDS, secret)
        return answer

    gateway = VNPayGateway.from_settings(app.registry.settings, post_json=gateway_answers)
    soon = attempt.created_at + timedelta(minutes=5)
    assert reconcile.reconcile(dummy_request, now=soon, gateway=gateway).asked == 0  # not yet: the IPN may come
    later = attempt.created_at + timedelta(minutes=16)
    tally = reconcile.reconcile(dummy_request, now=later, gateway=gateway)
    assert (tally.asked, tally.paid) == (1, 1) and len(asked) == 1
    dbsession.refresh(order)
    assert order.state == "paid" and attempt.reported_by == "query" and attempt.transaction_number == "14000777"
    assert dossier.state == 4 and len(receipts(dbsession, dossier)) == 1
    assert reconcile.reconcile(dummy_request, now=later + timedelta(minutes=30), gateway=gateway).asked == 0


def test_an_attempt_the_gateway_never_saw_expires(app, dbsession, dummy_request, people, paying):
    dossier, order, attempt = paying
    secret, tmn = settings_of(app.registry)

    def unknown(url, body, timeout):
        answer = {"vnp_ResponseId": "x", "vnp_Command": "querydr", "vnp_ResponseCode": "91", "vnp_Message": "",
                  "vnp_TmnCode": tmn, "vnp_TxnRef": body["vnp_TxnRef"]}
        answer["vnp_SecureHash"] = vnpay.sign_fields(answer, vnpay.ANSWER_FIELDS, secret)
        return answer

    def unsigned(url, body, timeout):
        return {"vnp_ResponseCode": "00", "vnp_TransactionStatus": "00", "vnp_TxnRef": body["vnp_TxnRef"]}

    tally = reconcile.reconcile(dummy_request, now=attempt.created_at + timedelta(minutes=16),
                                gateway=VNPayGateway.from_settings(app.registry.settings, post_json=unsigned))
    assert tally.unanswered == [attempt.txn_ref] and attempt.state == "pending"
    tally = reconcile.reconcile(dummy_request, now=attempt.expires_at + timedelta(minutes=31),
                                gateway=VNPayGateway.from_settings(app.registry.settings, post_json=unknown))
    dbsession.refresh(attempt)
    dbsession.refresh(order)
    assert tally.expired == 1 and attempt.state == "expired" and order.state == "expired" and dossier.state == 6


def test_the_desk_request_for_fees_is_paid_online_or_at_the_counter(testapp, app, dbsession, people):
    from congdichvu.calendar.service import WorkingCalendar
    from congdichvu.onestop import actions

    dossier = make_dossier(dbsession, STAFF_AGENCY, 7, state=4, applicant_id=people["citizen"].id)
    officer = actions.Actor(people["officer"], STAFF_AGENCY, WorkingCalendar(), datetime.now(timezone.utc))
    actions.request_payment(dbsession, dossier, officer, 30000, "Phí sao lục")
    [order] = services.orders_of(dbsession, dossier.id)
    assert dossier.state == 6 and order.amount == 30000 and order.resume_state == 4
    sign_in(testapp, "officer")
    testapp.get(f"/mot-cua/ho-so/{dossier.code}")
    form = testapp.get(f"/mot-cua/ho-so/{dossier.code}").forms["paid"]
    form["note"] = "Thu tại quầy"
    form.submit(status=302)
    dbsession.refresh(order)
    assert order.state == "paid" and dossier.state == 4 and len(receipts(dbsession, dossier)) == 1
    assert order.attempts[-1].reported_by == "counter"


def test_a_stopped_dossier_cancels_its_order(dbsession, people, paying):
    from congdichvu.calendar.service import WorkingCalendar
    from congdichvu.onestop import actions

    dossier, order, _attempt = paying
    officer = actions.Actor(people["officer"], STAFF_AGENCY, WorkingCalendar(), datetime.now(timezone.utc))
    actions.stop(dbsession, dossier, officer, "Người nộp đề nghị dừng")
    dbsession.refresh(order)
    assert order.state == "cancelled" and services.due_order(dbsession, dossier) is None


@pytest.fixture(scope="module")
def paying_portal(databases, tmp_path_factory):
    app = committing_portal(databases, tmp_path_factory)
    yield app
    app.registry["dbengine"].dispose()


def test_two_ipns_at_the_same_moment_pay_once(paying_portal, databases):
    """The gateway's IPN and its retry arrive together (two app servers):
    one answers 00, the other 02; one receipt, one "paid" event."""
    if databases.backend != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite takes one writer at a time)")
    app = paying_portal
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        db = get_tm_session(app.registry["dbsession_factory"], manager)
        from congdichvu.accounts.services import create_user

        citizen = create_user(db, "ipn.citizen", "mật-khẩu-rất-dài-1", "Người nộp", ["citizen"])
        dossier, order = awaiting(db, citizen, number=901)
        attempt = services.start_attempt(db, order, "vnpay")
        params, dossier_id, order_id = report_params(app.registry, attempt), dossier.id, order.id
    barrier = threading.Barrier(2)
    answers = []

    def send():
        client = webtest.TestApp(app, extra_environ={"HTTP_HOST": "example.com"})
        barrier.wait()
        answers.append(client.get("/payments/vnpay/ipn", params=params).json["RspCode"])

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == ["00", "02"]
    with manager:
        db = get_tm_session(app.registry["dbsession_factory"], manager)
        assert db.get(PaymentOrder, order_id).state == "paid"
        assert db.get(Dossier, dossier_id).state == 4
        assert len(receipts(db, db.get(Dossier, dossier_id))) == 1
        assert [e.action for e in db.get(Dossier, dossier_id).events].count("paid") == 1


# -- end to end through the sandbox gateway -----------------------------------------------------------


@pytest.fixture
def sandbox(app, monkeypatch):
    from congdichvu.payments.sandbox import RecordingCourier

    gateway = app.registry["vnpay_sandbox"]
    monkeypatch.setattr(gateway, "courier", RecordingCourier())
    return gateway


def _to_the_gateway(testapp, dossier):
    page = testapp.get(f"/ho-so-cua-toi/{dossier.code}/thanh-toan")
    return testapp.get(page.forms[1].submit(status=303).location)


def _decide(testapp, sandbox, bank_page, decision, ipn="now"):
    """Press a button of the sandbox's page: returns (the return page, the IPN URLs sent)."""
    form = bank_page.forms["sandbox_pay"]
    form["ipn"] = ipn
    back = form.submit("decision", value=decision, status=302)
    sent, sandbox.courier.sent[:] = list(sandbox.courier.sent), []
    return back, [url for url, _delay in sent]


def _deliver(testapp, urls):
    return [testapp.get(urlsplit_path(url)).json["RspCode"] for url in urls]


def urlsplit_path(url):
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_pay_through_the_sandbox_and_download_the_receipt(testapp, dbsession, people, sandbox, paying):
    dossier, order, _attempt = paying
    sign_in(testapp, "citizen")
    bank = _to_the_gateway(testapp, dossier)
    assert "1.500 ₫" in bank.text
    back, ipns = _decide(testapp, sandbox, bank, "paid")
    assert len(ipns) == 1 and back.location.startswith("http://example.com/payments/vnpay/return?")
    assert "đang chờ xác nhận" in testapp.get(urlsplit_path(back.location)).text  # before the IPN
    assert _deliver(testapp, ipns) == ["00"]
    shown = testapp.get(urlsplit_path(back.location))
    assert "đã được thanh toán" in shown.text
    dbsession.refresh(order)
    [link] = shown.html.select(f'a[href="/ho-so-cua-toi/{dossier.code}/tep/{order.receipt_file_id}"]')
    assert "Tải biên lai điện tử" in link.text  # (the PDF itself is written after commit: tests/unit/documents)
    assert order.state == "paid" and dossier.state == 4
    assert "Biên lai điện tử thu phí, lệ phí" in testapp.get(f"/ho-so-cua-toi/{dossier.code}").text


def test_cancel_at_the_sandbox_then_pay_again(testapp, dbsession, people, sandbox, paying):
    dossier, order, _attempt = paying
    sign_in(testapp, "citizen")
    back, ipns = _decide(testapp, sandbox, _to_the_gateway(testapp, dossier), "cancel")
    assert _deliver(testapp, ipns) == ["00"]
    shown = testapp.get(urlsplit_path(back.location))
    assert "Bạn đã hủy giao dịch" in shown.text and "Thanh toán lại" in shown.text
    dbsession.refresh(order)
    assert order.state == "cancelled" and dossier.state == 6
    back, ipns = _decide(testapp, sandbox, _to_the_gateway(testapp, dossier), "paid")
    assert _deliver(testapp, ipns) == ["00"] and _deliver(testapp, ipns) == ["02"]
    dbsession.refresh(order)
    assert order.state == "paid" and len(order.attempts) == 3 and dossier.state == 4


def test_a_lost_ipn_is_caught_by_querying_the_sandbox(testapp, app, dbsession, dummy_request, people, sandbox,
                                                      paying):
    dossier, order, attempt = paying
    sign_in(testapp, "citizen")
    back, ipns = _decide(testapp, sandbox, _to_the_gateway(testapp, dossier), "paid", ipn="drop")
    assert ipns == []

    def through_the_sandbox(url, body, timeout):
        return testapp.post_json("/sandbox/vnpay/querydr", body).json

    gateway = VNPayGateway.from_settings(app.registry.settings, post_json=through_the_sandbox)
    latest = order.attempts[-1]
    tally = reconcile.reconcile(dummy_request, now=latest.created_at + timedelta(minutes=16), gateway=gateway)
    assert tally.paid == 1
    dbsession.refresh(order)
    assert order.state == "paid" and order.attempts[-1].reported_by == "query" and dossier.state == 4


def test_anything_going_wrong_answers_99_in_json(testapp, app, dbsession, paying, monkeypatch):
    dossier, order, attempt = paying

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(confirm.receipts, "issue", broken)
    answer = testapp.get("/payments/vnpay/ipn", params=report_params(app.registry, attempt))
    assert answer.status_int == 200 and answer.json == {"RspCode": "99", "Message": "Unknown error"}


def test_a_dossier_waiting_for_its_first_payment_can_be_withdrawn(testapp, dbsession, people):
    dossier = make_dossier(dbsession, STAFF_AGENCY, 11, state=1, applicant_id=people["citizen"].id)
    order, _event = services.ask(dbsession, dossier, lines=LINES, amount=1500, purpose=None,
                                 agency_code=STAFF_AGENCY, actor="test")
    sign_in(testapp, "citizen")
    form = testapp.get(f"/ho-so-cua-toi/{dossier.code}").forms["withdraw"]
    form["reason"] = "Tôi nộp nhầm thủ tục"
    form.submit(status=302)
    dbsession.refresh(order)
    assert dossier.state == 7 and order.state == "cancelled"
    assert "không có khoản phí" in testapp.get(f"/ho-so-cua-toi/{dossier.code}/thanh-toan").follow().text


def test_the_web_process_asks_the_gateway_by_itself(databases, tmp_path_factory, monkeypatch):
    """With ``congdichvu.payments.reconcile_interval`` set, a thread of the
    web process runs the pass (the console command is the other way)."""
    passes = threading.Event()
    monkeypatch.setattr(reconcile, "run_once", lambda registry: passes.set())
    app = committing_portal(databases, tmp_path_factory, **{"congdichvu.payments.reconcile_interval": "0.05"})
    try:
        assert passes.wait(5)
        assert app.registry["payments_reconciler"].is_alive()
    finally:
        app.registry["payments_reconciler"].stopped.set()
        app.registry["dbengine"].dispose()


def test_the_reconcile_command(command_registry, monkeypatch):
    import io

    from congdichvu.scripts import payments as payments_script
    from tests.conftest import INI

    out, err = io.StringIO(), io.StringIO()
    assert payments_script.main(["reconcile", INI], out=out, err=err) == 0
    assert "Số giao dịch đã tra vấn: 0" in out.getvalue()
    assert payments_script.main(["reconcile", INI, "--loop", "--interval", "0"], out=out, err=err) == 2
    assert "--interval" in err.getvalue()


def test_an_unreadable_ipn_is_answered_in_json(testapp):
    for answer in (testapp.get("/payments/vnpay/ipn?vnp_TxnRef=%ff%fe", status=400),
                   testapp.put("/payments/vnpay/ipn", status=405)):
        assert answer.json == {"RspCode": "97", "Message": "Invalid signature"}


def test_a_payment_after_the_dossier_was_stopped_is_kept_to_refund(testapp, app, dbsession, people, paying):
    """The citizen was at the gateway when the office stopped the dossier:
    the money taken is kept, marked to refund, and the citizen is told so."""
    from congdichvu.calendar.service import WorkingCalendar
    from congdichvu.onestop import actions

    dossier, order, attempt = paying
    officer = actions.Actor(people["officer"], STAFF_AGENCY, WorkingCalendar(), datetime.now(timezone.utc))
    actions.stop(dbsession, dossier, officer, "Người nộp đề nghị dừng")
    assert ipn(testapp, report_params(app.registry, attempt))["RspCode"] == "00"
    dbsession.refresh(order)
    dbsession.refresh(attempt)
    assert attempt.state == "paid" and attempt.refund_due and order.state == "cancelled"
    assert dossier.state == 8 and not receipts(dbsession, dossier)
    dbsession.refresh(dossier)
    assert dossier.events[-1].action == "refund_due" and dossier.events[-1].details["amount"] == 1500
    told = dbsession.scalars(select(Notification).where(Notification.dossier_id == dossier.id)).all()
    assert "dossier.refund_due" in [n.kind for n in told]
    assert ipn(testapp, report_params(app.registry, attempt))["RspCode"] == "02"  # replayed: told once
    dbsession.refresh(dossier)
    assert [e.action for e in dossier.events].count("refund_due") == 1
    sign_in(testapp, "citizen")
    assert "hoàn lại tiền cho bạn" in testapp.get("/payments/vnpay/return",
                                                  params=report_params(app.registry, attempt)).text
    assert "cơ quan sẽ hoàn lại tiền cho bạn" in testapp.get(f"/ho-so-cua-toi/{dossier.code}").text


def test_paying_twice_from_two_tabs_keeps_the_second_to_refund(testapp, app, dbsession, people, paying):
    dossier, order, first = paying
    second = services.start_attempt(dbsession, order, "vnpay")
    assert ipn(testapp, report_params(app.registry, first))["RspCode"] == "00"
    assert ipn(testapp, report_params(app.registry, second))["RspCode"] == "00"
    dbsession.refresh(second)
    assert second.state == "paid" and second.refund_due and not first.refund_due
    assert len(receipts(dbsession, dossier)) == 1
    sign_in(testapp, "citizen")
    shown = testapp.get("/payments/vnpay/return", params=report_params(app.registry, second))
    assert "hoàn lại tiền cho bạn" in shown.text and "Tải biên lai" not in shown.text


def _querydr_answer(secret, tmn, txn_ref, status, response_code="00"):
    answer = {"vnp_ResponseId": "x", "vnp_Command": "querydr", "vnp_ResponseCode": response_code,
              "vnp_Message": "", "vnp_TmnCode": tmn, "vnp_TxnRef": txn_ref, "vnp_Amount": "150000",
              "vnp_BankCode": "NCB", "vnp_PayDate": "", "vnp_TransactionNo": "0", "vnp_TransactionType": "01",
              "vnp_TransactionStatus": status, "vnp_OrderInfo": "", "vnp_PromotionCode": "", "vnp_PromotionAmount": ""}
    answer["vnp_SecureHash"] = vnpay.sign_fields(answer, vnpay.ANSWER_FIELDS, secret)
    return answer


def test_a_bank_page_closed_undecided_expires_once_its_time_is_past(app, dbsession, dummy_request, paying):
    dossier, order, attempt = paying
    secret, tmn = settings_of(app.registry)
    gateway = VNPayGateway.from_settings(app.registry.settings, post_json=lambda url, body, timeout: _querydr_answer(
        secret, tmn, body["vnp_TxnRef"], "01"))
    reconcile.reconcile(dummy_request, now=attempt.created_at + timedelta(minutes=16), gateway=gateway)
    assert attempt.state == "pending"  # still open at the gateway, within its time and the grace
    tally = reconcile.reconcile(dummy_request, now=attempt.expires_at + timedelta(minutes=31), gateway=gateway)
    dbsession.refresh(attempt)
    dbsession.refresh(order)
    assert tally.expired == 1 and attempt.state == "expired" and order.state == "expired"


def test_pressing_pay_again_and_again_is_held_back(testapp, dbsession, people, paying):
    dossier, order, _attempt = paying
    sign_in(testapp, "citizen")
    for _ in range(4):
        testapp.get(f"/ho-so-cua-toi/{dossier.code}/thanh-toan").forms[1].submit(status=303)
    held = testapp.get(f"/ho-so-cua-toi/{dossier.code}/thanh-toan").forms[1].submit(status=302).follow()
    assert "tối đa 15 phút" in held.text
    assert dbsession.scalar(select(func.count(PaymentAttempt.id)).where(PaymentAttempt.order_id == order.id)) == 5


def test_fees_paid_before_reception_are_refunded_when_the_dossier_is_withdrawn(testapp, app, dbsession, people):
    dossier = make_dossier(dbsession, STAFF_AGENCY, 12, state=1, applicant_id=people["citizen"].id)
    order, _event = services.ask(dbsession, dossier, lines=LINES, amount=1500, purpose=None,
                                 agency_code=STAFF_AGENCY, actor="test")
    attempt = services.start_attempt(dbsession, order, "vnpay")
    assert ipn(testapp, report_params(app.registry, attempt))["RspCode"] == "00"
    assert dossier.state == 1
    sign_in(testapp, "citizen")
    page = testapp.get(f"/ho-so-cua-toi/{dossier.code}")
    assert "sẽ được hoàn lại" in page.text
    form = page.forms["withdraw"]
    form["reason"] = "Tôi không cần nữa"
    form.submit(status=302)
    dbsession.refresh(attempt)
    assert dossier.state == 7 and attempt.refund_due


def test_the_office_records_a_refund_once(app, dbsession, dummy_request, people, paying):
    from congdichvu.calendar.service import WorkingCalendar
    from congdichvu.onestop import actions

    dossier, order, attempt = paying
    officer = actions.Actor(people["officer"], STAFF_AGENCY, WorkingCalendar(), datetime.now(timezone.utc))
    actions.stop(dbsession, dossier, officer, "Người nộp đề nghị dừng")
    services.settle(dbsession, confirm.Report(txn_ref=attempt.txn_ref, amount=1500, outcome="paid"), "ipn")
    assert attempt.refund_due
    dummy_request.user = people["officer"]
    event = confirm.refunded(dummy_request, attempt, "Chuyển khoản hoàn tiền số 0012345")
    assert attempt.refunded_by == "officer.test" and event.action == "refunded" and event.details["amount"] == 1500
    with pytest.raises(services.NotToRefund):
        confirm.refunded(dummy_request, attempt, "lần nữa")


def test_the_desk_is_warned_before_taking_cash_during_an_online_payment(testapp, dbsession, people, paying):
    dossier, _order, _attempt = paying
    sign_in(testapp, "officer")
    form_area = testapp.get(f"/mot-cua/ho-so/{dossier.code}").html.select_one("#paid")
    assert "chưa xác nhận" in form_area.get_text()


def test_a_worker_run_that_fails_is_said_in_vietnamese_and_the_loop_goes_on(app):
    import io
    from types import SimpleNamespace

    from congdichvu.scripts import work

    stop, err, runs = threading.Event(), io.StringIO(), []

    def once():
        runs.append(1)
        if len(runs) >= 2:
            stop.set()
        raise RuntimeError("cơ sở dữ liệu đang khởi động lại")

    args = SimpleNamespace(interval="1", loop=True)
    assert work({"registry": app.registry}, args, err, once,
                "Could not reconcile the payments (${error}); trying again in ${seconds} seconds.", stop) == 0
    assert len(runs) == 2 and "Không đối soát được các khoản thanh toán (RuntimeError" in err.getvalue()
