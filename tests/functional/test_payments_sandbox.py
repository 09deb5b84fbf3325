"""The sandbox gateway through the portal (WebTest): a signed pay request,
the bank's page, each of its answers with the signed redirect and the IPN,
refusals, and querydr as the portal's VNPay client reads it."""
import uuid
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlsplit

import pytest

from congdichvu.payments import SANDBOX_PAY_PATH, SANDBOX_QUERY_PATH, vnpay
from congdichvu.payments.gateway import VNPayGateway
from congdichvu.payments.models import CANCELLED, FAILED, PAID
from congdichvu.payments.sandbox import RecordingCourier

RETURN_URL = "http://example.com/payments/vnpay/return"


@pytest.fixture
def sandbox(app, monkeypatch):
    sandbox = app.registry["vnpay_sandbox"]
    monkeypatch.setattr(sandbox, "courier", RecordingCourier())
    return sandbox


def _settings(app):
    return app.registry.settings["congdichvu.vnpay.tmn_code"], app.registry.settings["congdichvu.vnpay.hash_secret"]


def pay_url(app, *, amount=1_500_000, created=None, expires=None, secret=None, txn_ref=None, **changes):
    """A pay request as the portal signs it; ``changes`` replace parameters before signing."""
    tmn_code, merchant_secret = _settings(app)
    created = created or datetime.now(timezone.utc)
    params = vnpay.pay_params(tmn_code=tmn_code, txn_ref=txn_ref or uuid.uuid4().hex[:16].upper(), amount=amount,
                              info="Lệ phí hồ sơ H56.01.P05-261201-0001", locale="vn", return_url=RETURN_URL,
                              ip_address="127.0.0.1", created=created,
                              expires=expires or created + timedelta(minutes=15))
    params.update(changes)
    return vnpay.signed_url(SANDBOX_PAY_PATH, params, secret or merchant_secret)


def _query(url):
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def _pay(testapp, app, decision, ipn="now", **kwargs):
    page = testapp.get(pay_url(app, **kwargs))
    form = page.forms["sandbox_pay"]
    form["ipn"] = ipn
    return page, form.submit("decision", value=decision)


def test_the_page_shows_the_order_as_a_sandbox(testapp, app, sandbox):
    page = testapp.get(pay_url(app, amount=1_500_000, txn_ref="SBXPAGE" + uuid.uuid4().hex[:8]))
    assert page.status_int == 200
    text = page.text
    assert "Cổng thanh toán thử nghiệm — không trừ tiền thật" in text
    assert "1.500.000 ₫" in text and "CDVSBX01" in text and "Le phi ho so H56.01.P05-261201-0001" in text
    for label in ("Thanh toán thành công", "Hủy giao dịch", "Không đủ số dư", "Hết thời gian",
                  "Gửi IPN ngay", "Không gửi IPN (mất IPN)", "Gửi IPN sau 20 giây"):
        assert label in text
    form = page.forms["sandbox_pay"]
    assert form["ipn"].value == "now" and form["csrf_token"].value
    # every radio has its label; the page says no cache may keep it
    for radio in page.html.select("input[type=radio]"):
        assert page.html.select_one(f"label[for={radio['id']}]") is not None
    assert page.headers["Cache-Control"] == "private, no-store"
    assert "form-action 'self' http://example.com" in page.headers["Content-Security-Policy"]


@pytest.mark.parametrize(("decision", "code", "status", "outcome"), [
    ("paid", "00", "00", PAID),
    ("cancel", "24", "02", CANCELLED),
    ("insufficient", "51", "02", FAILED),
    ("timeout", "11", "02", "expired"),
])
def test_each_answer_redirects_signed_and_sends_the_same_ipn(testapp, app, sandbox, decision, code, status,
                                                            outcome):
    _tmn, secret = _settings(app)
    _page, answer = _pay(testapp, app, decision)
    assert answer.status_int == 302 and answer.location.startswith(RETURN_URL + "?")
    result = _query(answer.location)
    assert vnpay.verify(result, secret)
    assert (result["vnp_ResponseCode"], result["vnp_TransactionStatus"]) == (code, status)
    assert result["vnp_Amount"] == "150000000" and result["vnp_CardType"] == "ATM"
    assert result["vnp_BankCode"] == "NCB" and vnpay.parse_stamp(result["vnp_PayDate"]) is not None
    if decision == "paid":
        number = result["vnp_TransactionNo"]
        assert len(number) == 8 and number.isdigit() and result["vnp_BankTranNo"] == "VNP" + number
    else:
        assert result["vnp_TransactionNo"] == "0" and "vnp_BankTranNo" not in result
    # the IPN: the portal's IPN address with the very same signed query, at once
    [(url, delay)] = sandbox.courier.sent
    assert delay == 0 and urlsplit(url).path == "/payments/vnpay/ipn" and url.startswith("http://example.com/")
    assert urlsplit(url).query == urlsplit(answer.location).query
    # the portal's gateway reads it as the right outcome
    gateway = VNPayGateway.from_settings(app.registry.settings)
    assert gateway.read_report(result).outcome == outcome


def test_the_ipn_can_be_delayed_or_lost(testapp, app, sandbox):
    _pay(testapp, app, "paid", ipn="later")
    assert [delay for _url, delay in sandbox.courier.sent] == [20]
    _page, answer = _pay(testapp, app, "paid", ipn="drop")
    assert answer.status_int == 302 and len(sandbox.courier.sent) == 1


def test_a_second_post_changes_nothing(testapp, app, sandbox):
    page, first = _pay(testapp, app, "paid")
    form = page.forms["sandbox_pay"]
    second = form.submit("decision", value="cancel")
    assert second.location == first.location  # the same signed result, paid
    assert _query(second.location)["vnp_ResponseCode"] == "00"
    assert len(sandbox.courier.sent) == 1  # reported once
    # opening the same request again: already done, with the way back to the result
    again = testapp.get(page.request.url, status=400)
    assert "Giao dịch đã tồn tại" in again.text
    assert again.html.select_one("a[href^='http://example.com/payments/vnpay/return?']") is not None


def test_a_tampered_request_is_refused(testapp, app, sandbox):
    url = pay_url(app, amount=1_500_000)
    tampered = url.replace("vnp_Amount=150000000", "vnp_Amount=100")
    assert tampered != url
    page = testapp.get(tampered, status=400)
    assert "Sai chữ ký" in page.text and "sandbox_pay" not in page.forms
    assert sandbox.courier.sent == []


@pytest.mark.parametrize(("changes", "words"), [
    ({"secret": "not-the-merchant-secret"}, "Sai chữ ký"),
    ({"vnp_TmnCode": "OTHER001"}, "Mã website"),
    ({"vnp_Version": "2.0.0"}, "2.1.0"),
    ({"vnp_Command": "refund"}, "vnp_Command"),
    ({"vnp_Amount": "12a00"}, "Số tiền"),
    ({"vnp_ReturnUrl": "javascript:alert(1)"}, "vnp_ReturnUrl"),
    ({"vnp_ExpireDate": "tomorrow"}, "vnp_ExpireDate"),
])
def test_a_bad_request_says_what_is_wrong(testapp, app, sandbox, changes, words):
    page = testapp.get(pay_url(app, **changes), status=400)
    assert words in page.text and "Cổng thanh toán thử nghiệm" in page.text


def test_an_expired_request_is_refused(testapp, app, sandbox):
    created = datetime.now(timezone.utc) - timedelta(minutes=30)
    page = testapp.get(pay_url(app, created=created, expires=created + timedelta(minutes=15)), status=400)
    assert "Giao dịch đã quá thời gian chờ thanh toán" in page.text


def test_a_decision_after_the_deadline_is_a_time_out(testapp, app, sandbox, monkeypatch):
    from congdichvu.payments.sandbox import views

    page = testapp.get(pay_url(app))
    later = datetime.now(timezone.utc) + timedelta(minutes=16)
    monkeypatch.setattr(views, "_now", lambda: later)
    answer = page.forms["sandbox_pay"].submit("decision", value="paid")
    result = _query(answer.location)
    assert (result["vnp_ResponseCode"], result["vnp_TransactionStatus"]) == ("11", "02")
    assert [urlsplit(url).query for url, _delay in sandbox.courier.sent] == [urlsplit(answer.location).query]


def test_a_parameter_sent_twice_is_refused(testapp, app, sandbox):
    page = testapp.get(pay_url(app) + "&vnp_Amount=100", status=400)
    assert "hai lần" in page.text


def test_a_decision_without_the_form_does_nothing(testapp, app, sandbox):
    page = testapp.get(pay_url(app))
    form = page.forms["sandbox_pay"]
    form["ipn"].force_value("sometimes")
    form.submit("decision", value="paid", status=400)
    assert sandbox.courier.sent == []


# -- querydr ------------------------------------------------------------------


def _ask(testapp, app, txn_ref, *, secret=None, **changes):
    tmn_code, merchant_secret = _settings(app)
    now = datetime.now(timezone.utc)
    body = vnpay.query_request(request_id=uuid.uuid4().hex, tmn_code=tmn_code, txn_ref=txn_ref,
                               transaction_date=vnpay.stamp(now), created=now, ip_address="127.0.0.1",
                               info="Truy van", secret=secret or merchant_secret)
    body.update(changes)
    answer = testapp.post_json(SANDBOX_QUERY_PATH, body)
    assert answer.status_int == 200
    assert set(vnpay.ANSWER_FIELDS) <= set(answer.json)
    assert vnpay.verify_fields(answer.json, vnpay.ANSWER_FIELDS, merchant_secret)
    return answer.json


def test_querydr_unknown_transaction_is_91(testapp, app, sandbox):
    assert _ask(testapp, app, "NEVERSEEN" + uuid.uuid4().hex[:8])["vnp_ResponseCode"] == "91"


def test_querydr_tells_a_decided_and_an_open_transaction(testapp, app, sandbox):
    page, answer = _pay(testapp, app, "paid")
    result = _query(answer.location)
    told = _ask(testapp, app, result["vnp_TxnRef"])
    assert (told["vnp_ResponseCode"], told["vnp_TransactionStatus"]) == ("00", "00")
    assert told["vnp_Amount"] == result["vnp_Amount"] and told["vnp_TransactionNo"] == result["vnp_TransactionNo"]
    assert told["vnp_PayDate"] == result["vnp_PayDate"] and told["vnp_TransactionType"] == "01"
    # opened, never decided: still open (01)
    txn_ref = "OPEN" + uuid.uuid4().hex[:10]
    testapp.get(pay_url(app, txn_ref=txn_ref))
    told = _ask(testapp, app, txn_ref)
    assert (told["vnp_ResponseCode"], told["vnp_TransactionStatus"]) == ("00", "01")


def test_querydr_refuses_a_wrong_signature_or_merchant(testapp, app, sandbox):
    assert _ask(testapp, app, "X1", secret="not-the-merchant-secret")["vnp_ResponseCode"] == "97"
    assert _ask(testapp, app, "X1", vnp_TmnCode="OTHER001")["vnp_ResponseCode"] == "02"


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"{\"vnp_TxnRef\": 5}", b"[" * 50_000, b"\xff\xfe"])
def test_querydr_answers_garbage_with_03(testapp, app, sandbox, body):
    answer = testapp.post(SANDBOX_QUERY_PATH, body, content_type="application/json")
    assert answer.status_int == 200 and answer.json["vnp_ResponseCode"] == "03"
    assert vnpay.verify_fields(answer.json, vnpay.ANSWER_FIELDS, _settings(app)[1])


def test_the_portal_s_client_reads_the_sandbox_s_answers(testapp, app, sandbox):
    def post_json(url, body, timeout):
        assert url == "http://example.com" + SANDBOX_QUERY_PATH
        return testapp.post_json(urlsplit(url).path, body).json

    gateway = VNPayGateway.from_settings(app.registry.settings, post_json=post_json)
    _page, answer = _pay(testapp, app, "paid", ipn="drop")
    result = _query(answer.location)
    attempt = SimpleNamespace(txn_ref=result["vnp_TxnRef"], created_at=datetime.now(timezone.utc), amount=1_500_000)
    report = gateway.query(attempt)
    assert report.outcome == PAID and report.amount == 1_500_000
    assert report.transaction_number == result["vnp_TransactionNo"]
    unknown = SimpleNamespace(txn_ref="UNKNOWN" + uuid.uuid4().hex[:8], created_at=datetime.now(timezone.utc))
    assert gateway.query(unknown) is None
