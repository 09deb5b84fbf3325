"""What the sandbox bank decides, as functions of the protocol's messages
(payments.vnpay does all the signing): whether a ``pay`` request may be
shown, the signed result of the customer's choice, and the answer to a
``querydr``.

Source: VNPay's merchant integration guide, API version 2.1.0 (the pay
request, the return URL and IPN parameters, querydr and its codes).
"""
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from ...i18n import _
from .. import vnpay

#: the customer's choices on the sandbox page: (vnp_ResponseCode, vnp_TransactionStatus)
DECISIONS = {
    "paid": (vnpay.SUCCESS, vnpay.STATUS_SUCCESS),
    "cancel": (vnpay.CUSTOMER_CANCELLED, vnpay.STATUS_FAILED),
    "insufficient": ("51", vnpay.STATUS_FAILED),
    "timeout": (vnpay.TIMED_OUT, vnpay.STATUS_FAILED),
}
#: what becomes of the IPN: seconds before it is sent, None when it is lost
IPN_CHOICES = {"now": 0, "drop": None, "later": 20}
DEFAULT_IPN = "now"
CARD_TYPE = "ATM"
#: vnp_TransactionNo of a payment that did not go through (VNPay sends 0)
NO_TRANSACTION = "0"
TXN_REF_MAX = 100

# querydr answers beyond those in payments.vnpay: 02 the merchant is not
# known; 03 the request is not in the expected format
QUERY_BAD_MERCHANT, QUERY_BAD_FORMAT = "02", "03"
QUERY_MESSAGES = {
    vnpay.QUERY_ANSWERED: "QueryDR Success",
    QUERY_BAD_MERCHANT: "Merchant is not valid",
    QUERY_BAD_FORMAT: "Request data is not in the right format",
    vnpay.QUERY_NOT_FOUND: "Transaction not found",
    vnpay.QUERY_BAD_CHECKSUM: "Invalid checksum",
}
#: the querydr request's fields that must be there (text)
QUERY_REQUIRED = ("vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef",
                  "vnp_TransactionDate", "vnp_CreateDate", "vnp_IpAddr")
TRANSACTION_TYPE_PAYMENT = "01"


# -- what the customer is told when a pay request cannot be shown --------

BAD_SIGNATURE = _("Wrong signature (vnp_SecureHash): the request was not signed with this merchant's secret, "
                  "or it was changed on the way.")
BAD_MERCHANT = _("The merchant code (vnp_TmnCode) is not registered with this gateway.")
BAD_VERSION = _("The protocol version (vnp_Version) is not supported: it must be 2.1.0.")
BAD_COMMAND = _("The command (vnp_Command) is not valid: it must be pay.")
BAD_AMOUNT = _("The amount (vnp_Amount) is not valid: it must be the amount in đồng times 100, in digits.")
BAD_CURRENCY = _("The currency (vnp_CurrCode) is not supported: it must be VND.")
BAD_TXN_REF = _("The merchant's transaction reference (vnp_TxnRef) is missing or too long.")
BAD_CREATE_DATE = _("The creation time (vnp_CreateDate) is not a time written yyyyMMddHHmmss.")
BAD_EXPIRE_DATE = _("The payment deadline (vnp_ExpireDate) is not a time written yyyyMMddHHmmss.")
EXPIRED = _("The transaction has passed the time allowed for payment. Please start the payment again from the "
            "merchant's site.")
BAD_RETURN_URL = _("The return address (vnp_ReturnUrl) is not a web address (http or https).")
DUPLICATE = _("The transaction already exists: this transaction reference has been used for a payment "
              "already.")
MALFORMED = _("The payment request is malformed: a parameter is sent twice.")


#: the vnp_* parameters, each once (the protocol's own reading)
read_params = vnpay.read_params


def _web_address(url):
    parts = urlsplit(url) if isinstance(url, str) else None
    return parts is not None and parts.scheme in ("http", "https") and bool(parts.netloc) and not any(
        char.isspace() for char in url)


def pay_problem(params, *, secret, tmn_code, now):
    """Why the ``pay`` request ``params`` cannot be shown (a
    TranslationString), or None; ``now`` an aware instant. The signature
    is checked first: nothing else of an unsigned request is trusted."""
    if params is None:
        return MALFORMED
    if not vnpay.verify(params, secret):
        return BAD_SIGNATURE
    if params.get("vnp_TmnCode") != tmn_code:
        return BAD_MERCHANT
    if params.get("vnp_Version") != vnpay.VERSION:
        return BAD_VERSION
    if params.get("vnp_Command") != "pay":
        return BAD_COMMAND
    if not vnpay.read_amount(params.get("vnp_Amount")):
        return BAD_AMOUNT
    if params.get("vnp_CurrCode", "VND") != "VND":
        return BAD_CURRENCY
    if not 0 < len(params.get("vnp_TxnRef", "")) <= TXN_REF_MAX:
        return BAD_TXN_REF
    if vnpay.parse_stamp(params.get("vnp_CreateDate")) is None:
        return BAD_CREATE_DATE
    expires = vnpay.parse_stamp(params.get("vnp_ExpireDate"))
    if expires is None:
        return BAD_EXPIRE_DATE
    if not _web_address(params.get("vnp_ReturnUrl")):
        return BAD_RETURN_URL
    return EXPIRED if expires <= now else None


def expired(params, now):
    """Whether the (checked) ``pay`` request ``params`` is past its deadline."""
    expires = vnpay.parse_stamp(params.get("vnp_ExpireDate"))
    return expires is None or expires <= now


def same_request(transaction, params):
    """Whether ``transaction`` (store.SandboxTransaction) was opened by
    this request: a TxnRef reused with another merchant or amount is not."""
    return transaction.tmn_code == params.get("vnp_TmnCode") and transaction.amount == params.get("vnp_Amount")


def result_params(transaction):
    """The parameters (unsigned) of the return redirect and of the IPN for
    a decided ``transaction``: the bank's reference (vnp_BankTranNo) only
    when paid, vnp_TransactionNo "0" when not, as VNPay sends them."""
    paid = transaction.paid
    params = {
        "vnp_Amount": transaction.amount, "vnp_BankCode": transaction.bank_code, "vnp_CardType": CARD_TYPE,
        "vnp_OrderInfo": transaction.order_info, "vnp_PayDate": transaction.pay_date,
        "vnp_ResponseCode": transaction.response_code, "vnp_TmnCode": transaction.tmn_code,
        "vnp_TransactionNo": transaction.transaction_no if paid else NO_TRANSACTION,
        "vnp_TransactionStatus": transaction.transaction_status, "vnp_TxnRef": transaction.txn_ref,
    }
    if paid:
        params["vnp_BankTranNo"] = f"VNP{transaction.transaction_no}"
    return params


@dataclass(frozen=True)
class QueryAnswer:
    """A querydr answer before it is signed: ``code`` its vnp_ResponseCode,
    ``transaction`` the transaction found (or None)."""

    code: str
    txn_ref: str = ""
    transaction: object = None


def read_query(body, *, store, secret, tmn_code):
    """The QueryAnswer to the querydr request ``body`` (whatever the JSON
    held): 03 not the expected shape or command, 02 another merchant, 97
    a bad signature, 91 no such transaction, else 00 with it."""
    if not isinstance(body, dict) or not all(isinstance(body.get(name), str) and body[name]
                                             for name in QUERY_REQUIRED):
        return QueryAnswer(QUERY_BAD_FORMAT)
    txn_ref = body["vnp_TxnRef"][:TXN_REF_MAX]
    if body["vnp_TmnCode"] != tmn_code:
        return QueryAnswer(QUERY_BAD_MERCHANT, txn_ref)
    if not vnpay.verify_fields(body, vnpay.QUERY_FIELDS, secret):
        return QueryAnswer(vnpay.QUERY_BAD_CHECKSUM, txn_ref)
    if body["vnp_Command"] != "querydr" or body["vnp_Version"] != vnpay.VERSION:
        return QueryAnswer(QUERY_BAD_FORMAT, txn_ref)
    transaction = store.get(body["vnp_TxnRef"])
    if transaction is None or transaction.tmn_code != tmn_code:
        return QueryAnswer(vnpay.QUERY_NOT_FOUND, txn_ref)
    return QueryAnswer(vnpay.QUERY_ANSWERED, txn_ref, transaction)


def query_answer(answer, *, tmn_code, secret):
    """The signed JSON answer of a QueryAnswer: every field of
    vnpay.ANSWER_FIELDS is there, empty when there is nothing to say."""
    transaction = answer.transaction
    fields = {
        "vnp_ResponseId": secrets.token_hex(16), "vnp_Command": "querydr", "vnp_ResponseCode": answer.code,
        "vnp_Message": QUERY_MESSAGES[answer.code], "vnp_TmnCode": tmn_code, "vnp_TxnRef": answer.txn_ref,
        "vnp_Amount": "", "vnp_BankCode": "", "vnp_PayDate": "", "vnp_TransactionNo": "",
        "vnp_TransactionType": TRANSACTION_TYPE_PAYMENT, "vnp_TransactionStatus": "", "vnp_OrderInfo": "",
        "vnp_PromotionCode": "", "vnp_PromotionAmount": "",
    }
    if transaction is not None:
        fields.update({
            "vnp_Amount": transaction.amount, "vnp_BankCode": transaction.bank_code,
            "vnp_PayDate": transaction.pay_date, "vnp_TransactionNo": transaction.transaction_no,
            "vnp_TransactionStatus": transaction.transaction_status, "vnp_OrderInfo": transaction.order_info,
        })
    fields["vnp_SecureHash"] = vnpay.sign_fields(fields, vnpay.ANSWER_FIELDS, secret)
    return fields
