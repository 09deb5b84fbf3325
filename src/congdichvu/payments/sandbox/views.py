"""The sandbox gateway's three addresses: the bank-like payment page (GET),
the customer's decision on it (POST), and the transaction query (querydr,
JSON, server to server)."""
import logging
import re
from datetime import datetime, timezone

from pyramid.httpexceptions import HTTPBadRequest, HTTPFound
from pyramid.view import view_config

from ...forms import require_form
from ...i18n import _
from ...security import Permissions, allow_form_action, mark_personal
from ...views import error_page
from .. import vnpay
from . import bank

log = logging.getLogger(__name__)

FORM_ID = "sandbox_pay"
#: the buttons of the page, in order (the first is what Enter sends)
DECISION_LABELS = (
    ("paid", _("Payment succeeded")),
    ("cancel", _("Cancel the transaction")),
    ("insufficient", _("Insufficient funds")),
    ("timeout", _("Timed out")),
)
IPN_LABELS = (
    ("now", _("Send the IPN now")),
    ("drop", _("Do not send the IPN (IPN lost)")),
    ("later", _("Send the IPN after 20 seconds")),
)
#: a JSON querydr body larger than this is not one
QUERY_MAX_BYTES = 64 * 1024


def _now():
    return datetime.now(timezone.utc)


def _sandbox(request):
    return request.registry["vnpay_sandbox"]


def _refused(request, message, back=None):
    """The gateway's error page (400), saying what is wrong with the request."""
    mark_personal(request)
    return error_page(request, 400, "payments/sandbox/error.jinja2", {"message": message, "back": back})


def _allow_return(request, return_url):
    """Let the page's form lead to the merchant's return address (the
    decision's redirect goes there)."""
    allow_form_action(request, return_url)


def _result_url(sandbox, base, transaction):
    return vnpay.signed_url(base, bank.result_params(transaction), sandbox.secret)


@view_config(route_name="vnpay_sandbox_pay", request_method="GET", renderer="payments/sandbox/pay.jinja2",
             permission=Permissions.VIEW_PUBLIC)
def pay_page(request):
    """The bank's page for a signed ``pay`` request: what is paid, to whom,
    and the four answers the sandbox can give."""
    sandbox, now = _sandbox(request), _now()
    params = bank.read_params(request.GET)
    problem = bank.pay_problem(params, secret=sandbox.secret, tmn_code=sandbox.tmn_code, now=now)
    if problem is not None:
        return _refused(request, problem)
    transaction = sandbox.store.open(params, now)
    if not bank.same_request(transaction, params):
        return _refused(request, bank.DUPLICATE)
    if transaction.decided:
        return _refused(request, bank.DUPLICATE, back=_result_url(sandbox, params["vnp_ReturnUrl"], transaction))
    mark_personal(request)
    _allow_return(request, params["vnp_ReturnUrl"])
    return {
        "params": params, "transaction": transaction, "amount": vnpay.read_amount(params["vnp_Amount"]),
        "expires": vnpay.parse_stamp(params["vnp_ExpireDate"]), "form_id": FORM_ID,
        "decisions": DECISION_LABELS, "ipn_choices": IPN_LABELS, "default_ipn": bank.DEFAULT_IPN,
    }


@view_config(route_name="vnpay_sandbox_pay", request_method="POST", permission=Permissions.VIEW_PUBLIC)
def decide(request):
    """The customer's answer: recorded once (a decided transaction keeps
    its first answer), reported to the merchant's IPN as asked, and the
    browser sent back to the merchant with the signed result. A request
    past its deadline is decided as timed out, whatever was pressed."""
    require_form(request, FORM_ID)
    decision, ipn = request.POST.get("decision"), request.POST.get("ipn", bank.DEFAULT_IPN)
    if decision not in bank.DECISIONS or ipn not in bank.IPN_CHOICES:
        raise HTTPBadRequest()
    sandbox, now = _sandbox(request), _now()
    params = bank.read_params(request.POST)
    problem = bank.pay_problem(params, secret=sandbox.secret, tmn_code=sandbox.tmn_code, now=now)
    if problem is bank.EXPIRED:
        decision = "timeout"
    elif problem is not None:
        return _refused(request, problem)
    known = sandbox.store.get(params["vnp_TxnRef"])
    if known is not None and not bank.same_request(known, params):
        return _refused(request, bank.DUPLICATE)
    transaction, changed = sandbox.store.decide(params, *bank.DECISIONS[decision], now)
    if changed:
        _report(request, sandbox, transaction, bank.IPN_CHOICES[ipn])
    return HTTPFound(location=_result_url(sandbox, params["vnp_ReturnUrl"], transaction))


def _report(request, sandbox, transaction, delay):
    """Hand the IPN to the courier (``delay`` seconds; None: it is lost)."""
    if delay is None:
        log.info("sandbox IPN for %s dropped, as asked", transaction.txn_ref)
        return
    sandbox.courier.send(_result_url(sandbox, request.route_url("vnpay_ipn"), transaction), delay)


def _json_body(request):
    """The request's JSON, or None when it is not JSON (or absurdly deep or large)."""
    if len(request.body) > QUERY_MAX_BYTES:
        return None
    try:
        return request.json_body
    except (ValueError, LookupError, RecursionError):  # not JSON, not UTF-8, an unknown charset, nested too deep
        return None


@view_config(route_name="vnpay_sandbox_querydr", request_method="POST", renderer="json", require_csrf=False,
             permission=Permissions.VIEW_PUBLIC)
def querydr(request):
    """The transaction query, answered as VNPay does: always 200 with a
    signed JSON answer whose vnp_ResponseCode says what happened (no CSRF
    token: the merchant's server calls it, not a browser)."""
    sandbox = _sandbox(request)
    answer = bank.read_query(_json_body(request), store=sandbox.store, secret=sandbox.secret,
                             tmn_code=sandbox.tmn_code)
    return bank.query_answer(answer, tmn_code=sandbox.tmn_code, secret=sandbox.secret)
