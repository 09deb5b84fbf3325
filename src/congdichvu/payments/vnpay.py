"""The VNPay payment protocol, version 2.1.0: signing, checking, and the
messages of its two commands (``pay``, ``querydr``). Pure functions on
dicts of text; no I/O, so the portal's gateway client and the local
sandbox gateway share every byte of it.

Signing a redirect or a notification (``vnp_SecureHash``): HMAC-SHA512
with the merchant's hash secret over the ``vnp_*`` parameters except
``vnp_SecureHash`` and ``vnp_SecureHashType``, empty values dropped,
sorted by key (ascending, by code point), each written ``key=value`` with
key and value form-encoded as ``urllib.parse.quote_plus`` does (space →
``+``), joined with ``&``; the digest in lowercase hex. A signature is
compared with ``hmac.compare_digest``, never ``==``.

The transaction query (``querydr``, JSON over HTTPS POST) signs a fixed
sequence of fields joined with ``|`` instead (QUERY_FIELDS / ANSWER_FIELDS).

Source: VNPay's merchant integration guide, "Cổng thanh toán VNPAY —
Tài liệu kết nối", API version 2.1.0 (pay, IPN, return URL, querydr).
"""
import hashlib
import hmac
import re
import unicodedata
from datetime import datetime, timedelta, timezone
from urllib.parse import quote_plus, urlencode

VERSION = "2.1.0"
HASH_KEYS = frozenset({"vnp_SecureHash", "vnp_SecureHashType"})
#: GMT+7, the protocol's clock (vnp_CreateDate, vnp_ExpireDate, vnp_PayDate)
GMT7 = timezone(timedelta(hours=7))
STAMP = "%Y%m%d%H%M%S"
#: vnp_Amount is in đồng × 100; the portal's amounts are whole đồng
AMOUNT_FACTOR = 100

#: the IPN's answers ({"RspCode", "Message"}), in the order they are checked
CONFIRMED, ORDER_NOT_FOUND, ALREADY_CONFIRMED, INVALID_AMOUNT, INVALID_SIGNATURE, UNKNOWN_ERROR = (
    "00", "01", "02", "04", "97", "99")
IPN_MESSAGES = {
    CONFIRMED: "Confirm Success",
    ORDER_NOT_FOUND: "Order not found",
    ALREADY_CONFIRMED: "Order already confirmed",
    INVALID_AMOUNT: "Invalid amount",
    INVALID_SIGNATURE: "Invalid signature",
    UNKNOWN_ERROR: "Unknown error",
}

#: vnp_ResponseCode of a payment: 00 success; 24 the customer cancelled;
#: 11 the payment timed out; anything else failed at the bank or gateway
SUCCESS, CUSTOMER_CANCELLED, TIMED_OUT = "00", "24", "11"
#: vnp_TransactionStatus: 00 succeeded, 01 not completed yet, 02 failed (others: refunds, suspected fraud)
STATUS_SUCCESS, STATUS_INCOMPLETE, STATUS_FAILED = "00", "01", "02"

#: querydr: the fields its request and its answer sign, in that order, joined with "|"
QUERY_FIELDS = ("vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef",
                "vnp_TransactionDate", "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo")
ANSWER_FIELDS = ("vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode",
                 "vnp_TxnRef", "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo",
                 "vnp_TransactionType", "vnp_TransactionStatus", "vnp_OrderInfo", "vnp_PromotionCode",
                 "vnp_PromotionAmount")
#: querydr's vnp_ResponseCode: 00 the query was answered; 91 no such transaction; 97 bad checksum
QUERY_ANSWERED, QUERY_NOT_FOUND, QUERY_BAD_CHECKSUM = "00", "91", "97"

#: what vnp_OrderInfo may hold: printable ASCII without the characters the
#: guide forbids (it says "Tiếng Việt không dấu và không bao gồm các ký tự đặc biệt")
ORDER_INFO_CHARS = re.compile(r"[^A-Za-z0-9 .,:_\-/()]")
ORDER_INFO_MAX = 255
#: ASCII digits only: str.isdigit() also takes "١٠٠" and "２０２６"
DIGITS = re.compile(r"[0-9]+")


def read_params(multidict):
    """The ``vnp_*`` parameters of a query or form (a MultiDict) as a dict
    of text, or None when one of them is sent twice: the gateway signs
    each once, so a repeated one is a forgery (and which copy a reader
    takes would be a guess)."""
    params = {}
    for key, value in multidict.items():
        if not key.startswith("vnp_"):
            continue
        if key in params or not isinstance(value, str):
            return None
        params[key] = value
    return params


def canonical(params):
    """The text a redirect or notification signs (see the module):
    ``params`` a mapping of text to text; non-``vnp_`` keys are ignored."""
    pairs = sorted((key, str(value)) for key, value in params.items()
                   if key.startswith("vnp_") and key not in HASH_KEYS and value not in (None, ""))
    return "&".join(f"{quote_plus(key)}={quote_plus(value)}" for key, value in pairs)


def _hmac(secret, text):
    return hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha512).hexdigest()


def sign(params, secret):
    """``vnp_SecureHash`` of ``params`` with the hash ``secret``: 128 lowercase hex digits."""
    return _hmac(secret, canonical(params))


def _same(given, expected):
    if not isinstance(given, str):
        return False
    return hmac.compare_digest(given.strip().lower().encode("ascii", "replace"), expected.encode("ascii"))


def verify(params, secret):
    """Whether ``params`` (a mapping, e.g. the IPN's query string) carry a
    valid ``vnp_SecureHash`` (hex, either case) for ``secret``."""
    given = params.get("vnp_SecureHash")
    return bool(given) and bool(secret) and _same(given, sign(params, secret))


def signed_url(base, params, secret):
    """``base`` with ``params`` and their ``vnp_SecureHash`` as its query,
    form-encoded (the gateway reads them as such)."""
    fields = {key: str(value) for key, value in params.items() if value not in (None, "")}
    fields["vnp_SecureHash"] = sign(fields, secret)
    return f"{base}{'&' if '?' in base else '?'}{urlencode(sorted(fields.items()))}"


def stamp(moment):
    """``yyyyMMddHHmmss`` in GMT+7 of an aware ``moment``; naive raises TypeError."""
    if moment.utcoffset() is None:
        raise TypeError("the protocol's dates are instants: give an aware datetime")
    return moment.astimezone(GMT7).strftime(STAMP)


def parse_stamp(text):
    """The aware UTC instant of a ``yyyyMMddHHmmss`` GMT+7 stamp, or None
    when ``text`` is not one."""
    if not isinstance(text, str) or len(text) != 14 or not DIGITS.fullmatch(text):
        return None
    try:
        return datetime.strptime(text, STAMP).replace(tzinfo=GMT7).astimezone(timezone.utc)
    except ValueError:
        return None


def order_info(text):
    """``text`` as vnp_OrderInfo may carry it: Vietnamese without its
    diacritics (đ → d), other characters the guide forbids dropped,
    spaces collapsed, at most 255 characters."""
    plain = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    plain = ORDER_INFO_CHARS.sub(" ", plain)
    return " ".join(plain.split())[:ORDER_INFO_MAX]


def amount_field(amount):
    """vnp_Amount of whole đồng ``amount``: the digits of amount × 100."""
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise ValueError(f"an amount is a positive whole number of đồng, not {amount!r}")
    return str(amount * AMOUNT_FACTOR)


def read_amount(text):
    """Whole đồng from a vnp_Amount, or None when it is not one (not
    digits, or not a multiple of 100)."""
    if not isinstance(text, str) or not DIGITS.fullmatch(text) or len(text) > 18:
        return None
    value = int(text)
    return value // AMOUNT_FACTOR if value % AMOUNT_FACTOR == 0 else None


def pay_params(*, tmn_code, txn_ref, amount, info, locale, return_url, ip_address, created, expires,
               order_type="other"):
    """The parameters of a ``pay`` redirect (unsigned): ``amount`` whole
    đồng, ``created``/``expires`` aware instants, ``locale`` "vn" or "en"."""
    return {
        "vnp_Version": VERSION, "vnp_Command": "pay", "vnp_TmnCode": tmn_code,
        "vnp_Amount": amount_field(amount), "vnp_CurrCode": "VND", "vnp_TxnRef": txn_ref,
        "vnp_OrderInfo": order_info(info), "vnp_OrderType": order_type,
        "vnp_Locale": "en" if locale == "en" else "vn", "vnp_ReturnUrl": return_url,
        "vnp_IpAddr": ip_address or "127.0.0.1", "vnp_CreateDate": stamp(created), "vnp_ExpireDate": stamp(expires),
    }


def piped(values, fields):
    """``values``' ``fields`` joined with "|" (a missing one is empty), as querydr signs them."""
    return "|".join(str(values.get(name) or "") for name in fields)


def sign_fields(values, fields, secret):
    return _hmac(secret, piped(values, fields))


def query_request(*, request_id, tmn_code, txn_ref, transaction_date, created, ip_address, info, secret):
    """The JSON body of a ``querydr`` for TxnRef ``txn_ref`` paid from
    ``transaction_date`` (the attempt's vnp_CreateDate stamp), signed."""
    body = {
        "vnp_RequestId": request_id, "vnp_Version": VERSION, "vnp_Command": "querydr", "vnp_TmnCode": tmn_code,
        "vnp_TxnRef": txn_ref, "vnp_OrderInfo": order_info(info), "vnp_TransactionDate": transaction_date,
        "vnp_CreateDate": stamp(created), "vnp_IpAddr": ip_address or "127.0.0.1",
    }
    body["vnp_SecureHash"] = sign_fields(body, QUERY_FIELDS, secret)
    return body


def verify_fields(values, fields, secret):
    """Whether a querydr request or answer carries a valid signature over ``fields``."""
    given = values.get("vnp_SecureHash") if isinstance(values, dict) else None
    return bool(given) and bool(secret) and _same(given, sign_fields(values, fields, secret))
