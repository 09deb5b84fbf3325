"""The VNPay-protocol gateway (version 2.1.0): redirects the browser with
a signed ``pay`` request, reads the IPN and return redirects, and asks
``querydr`` about an attempt.

Settings: ``congdichvu.vnpay.tmn_code``, ``congdichvu.vnpay.hash_secret``
(in production from CONGDICHVU_VNPAY_HASH_SECRET, settings.resolve),
``congdichvu.vnpay.url`` (the payment page), ``congdichvu.vnpay.api_url``
(querydr), ``congdichvu.vnpay.timeout`` (seconds for a query, default 10).
"""
import json
import secrets
import urllib.error
import urllib.request
from datetime import datetime, timezone

from zope.interface import implementer

from . import vnpay
from .interfaces import BadSignature, GatewayUnavailable, IPaymentGateway, Report
from .models import CANCELLED, EXPIRED, FAILED, PAID

NAME = "vnpay"


def _post_json(url, body, timeout):
    data = json.dumps(body).encode("utf-8")
    call = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(call, timeout=timeout) as answer:  # noqa: S310 (the configured API address)
            return json.loads(answer.read(1_000_000).decode("utf-8"))
    except (OSError, urllib.error.URLError, ValueError) as failure:
        raise GatewayUnavailable(str(failure)) from failure


def payment_outcome(response_code, transaction_status):
    """The outcome of a ``pay`` report: paid only when both codes are
    ``00`` (the guide's rule for the IPN); 24 cancelled by the customer;
    11 timed out; status 01 still open (None); anything else failed."""
    if response_code == vnpay.SUCCESS and transaction_status == vnpay.STATUS_SUCCESS:
        return PAID
    if response_code == vnpay.CUSTOMER_CANCELLED:
        return CANCELLED
    if response_code == vnpay.TIMED_OUT:
        return EXPIRED
    if transaction_status == vnpay.STATUS_INCOMPLETE and response_code in ("", vnpay.SUCCESS):
        return None
    return FAILED


def query_outcome(transaction_status):
    """The outcome in a querydr answer: 00 paid, 01 still open, else failed."""
    if transaction_status == vnpay.STATUS_SUCCESS:
        return PAID
    if transaction_status == vnpay.STATUS_INCOMPLETE:
        return None
    return FAILED


def _text(params, key):
    value = params.get(key)
    return value.strip()[:40] if isinstance(value, str) else ""


@implementer(IPaymentGateway)
class VNPayGateway:
    """See the module. ``post_json(url, body, timeout) -> dict`` is how a
    query reaches the gateway (HTTP by default; tests give another)."""

    name, label = NAME, "VNPay"

    def __init__(self, *, tmn_code, hash_secret, url, api_url, timeout=10.0, post_json=_post_json):
        if not hash_secret:
            raise ValueError("congdichvu.vnpay.hash_secret is not set")
        self.tmn_code, self.secret, self.url, self.api_url = tmn_code, hash_secret, url, api_url
        self.timeout, self.post_json = timeout, post_json

    @classmethod
    def from_settings(cls, settings, **extra):
        return cls(tmn_code=settings.get("congdichvu.vnpay.tmn_code", ""),
                   hash_secret=settings.get("congdichvu.vnpay.hash_secret", ""),
                   url=settings.get("congdichvu.vnpay.url", ""), api_url=settings.get("congdichvu.vnpay.api_url", ""),
                   timeout=float(settings.get("congdichvu.vnpay.timeout", 10)), **extra)

    def redirect_url(self, attempt, *, info, locale, return_url, ip_address):
        params = vnpay.pay_params(tmn_code=self.tmn_code, txn_ref=attempt.txn_ref, amount=attempt.amount, info=info,
                                  locale=locale, return_url=return_url, ip_address=ip_address,
                                  created=attempt.created_at, expires=attempt.expires_at)
        return vnpay.signed_url(self.url, params, self.secret)

    def read_report(self, params):
        if not vnpay.verify(params, self.secret) or params.get("vnp_TmnCode") != self.tmn_code:
            raise BadSignature()
        code, status = _text(params, "vnp_ResponseCode"), _text(params, "vnp_TransactionStatus")
        return Report(txn_ref=_text(params, "vnp_TxnRef"), amount=vnpay.read_amount(params.get("vnp_Amount")),
                      outcome=payment_outcome(code, status), response_code=code, transaction_status=status,
                      transaction_number=_text(params, "vnp_TransactionNo"), bank_code=_text(params, "vnp_BankCode"),
                      paid_at=vnpay.parse_stamp(params.get("vnp_PayDate")),
                      raw={key: str(value)[:300] for key, value in params.items() if key.startswith("vnp_")})

    def query(self, attempt, *, now=None):
        now = now or datetime.now(timezone.utc)
        body = vnpay.query_request(request_id=secrets.token_hex(16), tmn_code=self.tmn_code,
                                   txn_ref=attempt.txn_ref, transaction_date=vnpay.stamp(attempt.created_at),
                                   created=now, ip_address="127.0.0.1", info=f"Truy van {attempt.txn_ref}",
                                   secret=self.secret)
        answer = self.post_json(self.api_url, body, self.timeout)
        if not isinstance(answer, dict) or not vnpay.verify_fields(answer, vnpay.ANSWER_FIELDS, self.secret):
            raise GatewayUnavailable("the gateway's answer is not signed with our secret")
        code = _text(answer, "vnp_ResponseCode")
        if code == vnpay.QUERY_NOT_FOUND:
            return None
        if code != vnpay.QUERY_ANSWERED or _text(answer, "vnp_TxnRef") != attempt.txn_ref:
            raise GatewayUnavailable(f"the gateway could not answer (code {code})")
        status = _text(answer, "vnp_TransactionStatus")
        return Report(txn_ref=attempt.txn_ref, amount=vnpay.read_amount(answer.get("vnp_Amount")),
                      outcome=query_outcome(status), response_code="", transaction_status=status,
                      transaction_number=_text(answer, "vnp_TransactionNo"), bank_code=_text(answer, "vnp_BankCode"),
                      paid_at=vnpay.parse_stamp(answer.get("vnp_PayDate")),
                      raw={key: str(value)[:300] for key, value in answer.items() if key.startswith("vnp_")})


def new_txn_ref(now):
    """A TxnRef never used before: the day and 10 random hex digits
    (``261130A1B2C3D4E5``); the unique index on attempts makes sure."""
    return f"{now.astimezone(vnpay.GMT7):%y%m%d}{secrets.token_hex(5).upper()}"
