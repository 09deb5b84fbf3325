"""The VNPay 2.1.0 protocol: signatures checked against vectors computed here,
step by step, from the documented algorithm (not from the module's code)."""
import hashlib
import hmac
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlsplit

import pytest

from congdichvu.payments import vnpay

SECRET = "test-hash-secret"


def documented_hash(params, secret):
    """The guide's steps: vnp_* fields but the hash ones, empty values
    dropped, sorted by key, key=value with both form-encoded (space → +),
    joined with &, HMAC-SHA512, lowercase hex."""
    fields = {k: v for k, v in params.items()
              if k.startswith("vnp_") and k not in ("vnp_SecureHash", "vnp_SecureHashType") and v != ""}
    encoded = []
    for key in sorted(fields):
        value = fields[key]
        # form encoding written out: unreserved kept, space → +, every other byte → %XX (upper case)
        enc = "".join(c if c.isalnum() and c.isascii() or c in "-_.~" else "+" if c == " " else
                      "".join(f"%{b:02X}" for b in c.encode("utf-8")) for c in value)
        encoded.append(f"{key}={enc}")
    data = "&".join(encoded)
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


PARAMS = {
    "vnp_Version": "2.1.0", "vnp_Command": "pay", "vnp_TmnCode": "CDVSBX01", "vnp_Amount": "150000",
    "vnp_CurrCode": "VND", "vnp_TxnRef": "261130ABCDEF0123", "vnp_OrderInfo": "Thanh toan ho so H56.01-261130-0001",
    "vnp_OrderType": "other", "vnp_Locale": "vn", "vnp_ReturnUrl": "http://example.com/payments/vnpay/return?a=1&b=2",
    "vnp_IpAddr": "127.0.0.1", "vnp_CreateDate": "20261130150000", "vnp_ExpireDate": "20261130151500",
    "vnp_BankCode": "",
}


def test_the_signature_follows_the_documented_algorithm():
    assert vnpay.sign(PARAMS, SECRET) == documented_hash(PARAMS, SECRET)
    assert len(vnpay.sign(PARAMS, SECRET)) == 128 and vnpay.sign(PARAMS, SECRET).islower()


@pytest.mark.parametrize("value", ["a b", "a+b", "a&b=c", "50%", "x/y:z", "Lệ phí", "~tilde_", "a  b"])
def test_special_values_are_form_encoded_before_signing(value):
    params = dict(PARAMS, vnp_OrderInfo=value)
    assert vnpay.sign(params, SECRET) == documented_hash(params, SECRET)
    assert "+" in vnpay.canonical(dict(PARAMS, vnp_OrderInfo="a b")) and "%2B" in vnpay.canonical(
        dict(PARAMS, vnp_OrderInfo="a+b"))


def test_empty_values_and_the_hash_fields_are_left_out():
    with_extra = dict(PARAMS, vnp_SecureHashType="HmacSHA512", vnp_SecureHash="abc", vnp_Empty="", other="x")
    assert vnpay.sign(with_extra, SECRET) == vnpay.sign(PARAMS, SECRET)
    assert "vnp_BankCode" not in vnpay.canonical(PARAMS)


def test_keys_are_sorted():
    assert [pair.split("=")[0] for pair in vnpay.canonical(PARAMS).split("&")] == sorted(
        key for key, value in PARAMS.items() if value)


def test_a_signed_message_verifies_and_any_one_character_change_is_refused():
    signed = dict(PARAMS, vnp_SecureHash=vnpay.sign(PARAMS, SECRET))
    assert vnpay.verify(signed, SECRET)
    assert vnpay.verify(dict(signed, vnp_SecureHash=signed["vnp_SecureHash"].upper()), SECRET)
    for key, value in PARAMS.items():
        if not value:
            continue
        changed = value[:-1] + ("1" if value[-1] != "1" else "2")
        assert not vnpay.verify(dict(signed, **{key: changed}), SECRET), key
    assert not vnpay.verify(dict(signed, vnp_BankCode="NCB"), SECRET)  # a field added
    assert not vnpay.verify(signed, "other-secret")
    assert not vnpay.verify({k: v for k, v in signed.items() if k != "vnp_SecureHash"}, SECRET)
    assert not vnpay.verify(dict(signed, vnp_SecureHash="ả" * 128), SECRET)
    assert not vnpay.verify(dict(signed, vnp_SecureHash=["x"]), SECRET)
    assert not vnpay.verify(signed, "")


def test_a_signed_url_carries_the_parameters_and_their_hash():
    url = vnpay.signed_url("http://gateway/pay", PARAMS, SECRET)
    query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    assert query["vnp_ReturnUrl"] == PARAMS["vnp_ReturnUrl"] and "vnp_BankCode" not in query
    assert query["vnp_SecureHash"] == documented_hash(PARAMS, SECRET)
    assert vnpay.verify(query, SECRET)


def test_order_info_is_ascii_without_diacritics():
    assert vnpay.order_info("Thanh toán lệ phí hồ sơ Đăng ký khai sinh #1 & <b>") == (
        "Thanh toan le phi ho so Dang ky khai sinh 1 b")
    assert vnpay.order_info("x" * 400) == "x" * 255
    assert vnpay.order_info("ngừơi nứơc ngoài").isascii()


def test_amounts_are_dong_times_100():
    assert vnpay.amount_field(1500) == "150000"
    for wrong in (0, -1, 1.5, "1500", True):
        with pytest.raises(ValueError):
            vnpay.amount_field(wrong)
    assert vnpay.read_amount("150000") == 1500
    for wrong in ("150001", "-100", "1e5", "", None, "١٠٠", "9" * 30):
        assert vnpay.read_amount(wrong) is None


def test_dates_are_written_in_gmt_plus_7():
    moment = datetime(2026, 11, 30, 17, 30, 5, tzinfo=timezone.utc)
    assert vnpay.stamp(moment) == "20261201003005"
    assert vnpay.parse_stamp("20261201003005") == moment
    for wrong in ("20261301003005", "2026120100300", "abc", None, "２０２６１２０１００３００５"):
        assert vnpay.parse_stamp(wrong) is None
    with pytest.raises(TypeError):
        vnpay.stamp(datetime(2026, 11, 30))


def test_pay_parameters():
    created = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)
    params = vnpay.pay_params(tmn_code="T", txn_ref="R1", amount=1500, info="Lệ phí", locale="vi",
                              return_url="http://x/r", ip_address=None, created=created,
                              expires=created.replace(minute=15))
    assert params["vnp_Version"] == "2.1.0" and params["vnp_Command"] == "pay" and params["vnp_CurrCode"] == "VND"
    assert params["vnp_Amount"] == "150000" and params["vnp_Locale"] == "vn" and params["vnp_OrderInfo"] == "Le phi"
    assert params["vnp_CreateDate"] == "20261130150000" and params["vnp_ExpireDate"] == "20261130151500"


def test_querydr_signs_its_fields_joined_with_a_pipe():
    created = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)
    body = vnpay.query_request(request_id="r1", tmn_code="T", txn_ref="R1", transaction_date="20261130150000",
                               created=created, ip_address="10.0.0.1", info="Truy van", secret=SECRET)
    data = "r1|2.1.0|querydr|T|R1|20261130150000|20261130150000|10.0.0.1|Truy van"
    assert body["vnp_SecureHash"] == hmac.new(SECRET.encode(), data.encode(), hashlib.sha512).hexdigest()
    assert vnpay.verify_fields(body, vnpay.QUERY_FIELDS, SECRET)
    assert not vnpay.verify_fields(dict(body, vnp_TxnRef="R2"), vnpay.QUERY_FIELDS, SECRET)
    assert not vnpay.verify_fields("not a dict", vnpay.QUERY_FIELDS, SECRET)
