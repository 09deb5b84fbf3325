"""What the sandbox bank decides, without a web server: the checks of a pay
request, the signed result, the querydr answers."""
from datetime import datetime, timedelta, timezone

import pytest
from webob.multidict import MultiDict

from congdichvu.payments import vnpay
from congdichvu.payments.sandbox import bank
from congdichvu.payments.sandbox.store import SandboxStore

SECRET, TMN = "sandbox-unit-secret", "CDVSBX01"
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)


def pay(**changes):
    params = vnpay.pay_params(tmn_code=TMN, txn_ref="261201ABCDEF0123", amount=1_500, info="Lệ phí",
                              locale="vn", return_url="https://portal.example/payments/vnpay/return",
                              ip_address="10.0.0.1", created=NOW, expires=NOW + timedelta(minutes=15))
    params.update(changes)
    params["vnp_SecureHash"] = vnpay.sign(params, SECRET)
    return params


def problem(params, now=NOW):
    return bank.pay_problem(params, secret=SECRET, tmn_code=TMN, now=now)


def test_a_signed_request_in_time_is_shown():
    assert problem(pay()) is None


@pytest.mark.parametrize(("changes", "expected"), [
    ({"vnp_TmnCode": "OTHER001"}, bank.BAD_MERCHANT),
    ({"vnp_Version": "2.0.1"}, bank.BAD_VERSION),
    ({"vnp_Command": "querydr"}, bank.BAD_COMMAND),
    ({"vnp_Amount": "1550"}, bank.BAD_AMOUNT),  # not a multiple of 100
    ({"vnp_Amount": "-150000"}, bank.BAD_AMOUNT),
    ({"vnp_Amount": "0"}, bank.BAD_AMOUNT),
    ({"vnp_CurrCode": "USD"}, bank.BAD_CURRENCY),
    ({"vnp_TxnRef": "x" * 101}, bank.BAD_TXN_REF),
    ({"vnp_CreateDate": "2026-12-01"}, bank.BAD_CREATE_DATE),
    ({"vnp_ExpireDate": "20261301000000"}, bank.BAD_EXPIRE_DATE),
    ({"vnp_ReturnUrl": "ftp://portal.example/"}, bank.BAD_RETURN_URL),
    ({"vnp_ReturnUrl": "/payments/vnpay/return"}, bank.BAD_RETURN_URL),
])
def test_each_bad_field_is_named(changes, expected):
    assert problem(pay(**changes)) is expected


def test_the_signature_comes_first():
    params = pay(vnp_Version="1.0")
    params["vnp_Amount"] = "100"
    assert problem(params) is bank.BAD_SIGNATURE
    assert problem({key: value for key, value in pay().items() if key != "vnp_SecureHash"}) is bank.BAD_SIGNATURE
    assert problem(None) is bank.MALFORMED


def test_the_deadline():
    assert problem(pay(), now=NOW + timedelta(minutes=15)) is bank.EXPIRED
    assert problem(pay(), now=NOW + timedelta(minutes=14, seconds=59)) is None
    assert bank.expired(pay(), NOW + timedelta(minutes=15)) and not bank.expired(pay(), NOW)


def test_read_params_keeps_the_vnp_fields_and_refuses_repeats():
    assert bank.read_params(MultiDict([("vnp_A", "1"), ("csrf_token", "t"), ("ipn", "now")])) == {"vnp_A": "1"}
    assert bank.read_params(MultiDict([("vnp_A", "1"), ("vnp_A", "2")])) is None


def _decided(tmp_path, code, status):
    store = SandboxStore.in_data_dir(tmp_path)
    return store.decide(pay(), code, status, NOW)[0]


def test_the_result_of_a_payment(tmp_path):
    result = bank.result_params(_decided(tmp_path, "00", "00"))
    assert result == {
        "vnp_Amount": "150000", "vnp_BankCode": "NCB", "vnp_BankTranNo": "VNP14000001", "vnp_CardType": "ATM",
        "vnp_OrderInfo": "Le phi", "vnp_PayDate": "20261201100000", "vnp_ResponseCode": "00",
        "vnp_TmnCode": TMN, "vnp_TransactionNo": "14000001", "vnp_TransactionStatus": "00",
        "vnp_TxnRef": "261201ABCDEF0123"}


def test_the_result_of_a_cancel_has_no_transaction(tmp_path):
    result = bank.result_params(_decided(tmp_path, "24", "02"))
    assert result["vnp_TransactionNo"] == "0" and "vnp_BankTranNo" not in result
    assert (result["vnp_ResponseCode"], result["vnp_TransactionStatus"]) == ("24", "02")


def _query(**changes):
    body = vnpay.query_request(request_id="r1", tmn_code=TMN, txn_ref="261201ABCDEF0123",
                               transaction_date="20261201100000", created=NOW, ip_address="10.0.0.1",
                               info="Truy van", secret=SECRET)
    body.update(changes)
    return body


@pytest.mark.parametrize(("body", "code"), [
    (None, "03"), ("text", "03"), ({}, "03"), (_query(vnp_TxnRef=7), "03"), (_query(vnp_RequestId=""), "03"),
    (_query(vnp_TmnCode="OTHER001"), "02"),
    (_query(vnp_TxnRef="261201ABCDEF0124"), "97"),  # changed after signing
])
def test_querydr_refusals(tmp_path, body, code):
    store = SandboxStore.in_data_dir(tmp_path)
    answer = bank.query_answer(bank.read_query(body, store=store, secret=SECRET, tmn_code=TMN),
                               tmn_code=TMN, secret=SECRET)
    assert answer["vnp_ResponseCode"] == code and answer["vnp_Message"]
    assert set(vnpay.ANSWER_FIELDS) | {"vnp_SecureHash"} == set(answer)
    assert vnpay.verify_fields(answer, vnpay.ANSWER_FIELDS, SECRET)


def test_querydr_command_must_be_querydr(tmp_path):
    body = _query(vnp_Command="refund")
    body["vnp_SecureHash"] = vnpay.sign_fields(body, vnpay.QUERY_FIELDS, SECRET)
    store = SandboxStore.in_data_dir(tmp_path)
    assert bank.read_query(body, store=store, secret=SECRET, tmn_code=TMN).code == "03"


def test_querydr_answers(tmp_path):
    store = SandboxStore.in_data_dir(tmp_path)
    assert bank.read_query(_query(), store=store, secret=SECRET, tmn_code=TMN).code == "91"
    store.open(pay(), NOW)
    answer = bank.query_answer(bank.read_query(_query(), store=store, secret=SECRET, tmn_code=TMN),
                               tmn_code=TMN, secret=SECRET)
    assert (answer["vnp_ResponseCode"], answer["vnp_TransactionStatus"], answer["vnp_PayDate"]) == ("00", "01", "")
    store.decide(pay(), "51", "02", NOW)
    answer = bank.query_answer(bank.read_query(_query(), store=store, secret=SECRET, tmn_code=TMN),
                               tmn_code=TMN, secret=SECRET)
    assert answer["vnp_TransactionStatus"] == "02" and answer["vnp_Amount"] == "150000"
    assert answer["vnp_TransactionNo"] == "14000001" and answer["vnp_TransactionType"] == "01"
    assert vnpay.verify_fields(answer, vnpay.ANSWER_FIELDS, SECRET)
    assert not vnpay.verify_fields(dict(answer, vnp_TransactionStatus="00"), vnpay.ANSWER_FIELDS, SECRET)
