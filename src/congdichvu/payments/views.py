"""The citizen's payment page, and the gateway's two addresses.

- ``/ho-so-cua-toi/{code}/thanh-toan`` (the applicant): what is due and
  a button; each press makes a new attempt (its own TxnRef) and sends the
  browser to the gateway, so paying later, or again after a failure or a
  cancel, always works.
- ``GET /payments/vnpay/return`` (the browser, back from the gateway):
  checks the signature and only **shows** the outcome.
- ``GET /payments/vnpay/ipn`` (the gateway's server): the one address
  that changes a payment's state (confirm.apply), answering VNPay's JSON
  ``{"RspCode", "Message"}``.
"""
import logging

from pyramid.httpexceptions import HTTPFound, HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config

from ..forms import require_form
from ..i18n import _
from ..security import NO_STORE, Permissions, allow_form_action
from ..views import ERROR_ANSWER, flash
from . import confirm, services, vnpay
from .interfaces import BadSignature, IPaymentGateway
from .models import CANCELLED, EXPIRED, FAILED, PAID

log = logging.getLogger(__name__)


def gateway(request):
    return request.registry.getUtility(IPaymentGateway)


def _order_info(dossier):
    return f"Thanh toan phi le phi ho so {dossier.code}"


@view_config(route_name="dossier_pay", renderer="payments/pay.jinja2", permission=Permissions.OWN_DOSSIER)
def pay_page(context, request):
    """GET: the fees due and the button; POST: a new attempt, then the gateway."""
    dossier = context.dossier
    order = services.due_order(request.dbsession, dossier)
    if order is None:
        flash(request, _("This dossier has no fees waiting to be paid."))
        return HTTPFound(location=request.route_url("dossier", code=dossier.code))
    if request.method == "POST":
        require_form(request, "pay")
        if services.too_many_open(request.dbsession, order):
            flash(request, _("Several payments you began in the last minutes are still open at the gateway. Wait "
                             "until they finish (at most 15 minutes) before paying again."))
            return HTTPFound(location=request.route_url("dossier_pay", code=dossier.code))
        try:
            attempt = services.start_attempt(request.dbsession, order, gateway(request).name)
        except services.AlreadyPaid:
            flash(request, _("These fees are already paid."))
            return HTTPFound(location=request.route_url("dossier", code=dossier.code))
        except services.Closed:
            flash(request, _("This dossier has no fees waiting to be paid."))
            return HTTPFound(location=request.route_url("dossier", code=dossier.code))
        url = gateway(request).redirect_url(
            attempt, info=_order_info(dossier), locale="en" if request.locale_name == "en" else "vn",
            return_url=request.route_url("vnpay_return"), ip_address=request.client_addr)
        return HTTPSeeOther(location=url)
    from ..eservices.flow import take_secret

    secret = take_secret(request.dbsession, dossier.id) if request.params.get("moi") else None
    allow_form_action(request, gateway(request).url)  # the button's answer sends the browser there
    return {"dossier": dossier, "order": order, "gateway_label": gateway(request).label, "secret": secret,
            "last": order.attempts[-1] if order.attempts else None}


#: what the return page says, by the outcome it shows
OUTCOMES = {
    PAID: _("The fees were paid. Thank you."),
    "confirming": _("The payment gateway says the payment went through; the portal is waiting for its "
                    "confirmation, which usually takes a few seconds and at most about 20 minutes. Do not pay "
                    "again: reload this page, or see the dossier later."),
    "refund": _("This payment reached the portal when nothing was due any more (the fees had already been paid, "
                "or the dossier was withdrawn or stopped). The office will refund it to you; you do not need to "
                "do anything."),
    FAILED: _("The payment did not go through, and no money was taken. You can pay again."),
    CANCELLED: _("You cancelled the payment. No money was taken. You can pay again whenever you like."),
    EXPIRED: _("The time to pay ran out, and no money was taken. You can pay again."),
}


def _shown_outcome(attempt, report):
    """What to show: the portal's own record once the gateway's server
    reported; before that what the signed redirect says, except that
    "paid" is only ever shown once confirmed (the IPN or a query)."""
    if attempt.refund_due:
        return "refund"
    if attempt.reported_at is not None or attempt.state == PAID:
        return attempt.state
    if report.outcome == PAID or report.outcome is None:
        return "confirming"
    return report.outcome


@view_config(route_name="vnpay_return", renderer="payments/return.jinja2", permission=Permissions.VIEW_PUBLIC)
def vnpay_return(request):
    params = vnpay.read_params(request.GET)
    try:
        report = gateway(request).read_report(params if params is not None else {})
    except BadSignature:
        request.response.status = 400
        return {"outcome": None, "attempt": None, "dossier": None, "message": _(
            "This address does not carry a valid answer from the payment gateway, so nothing can be shown. "
            "If you paid, the dossier's page will show it once the gateway confirms.")}
    attempt = services.find_attempt(request.dbsession, report.txn_ref)
    if attempt is None or report.amount != attempt.amount:
        request.response.status = 404
        return {"outcome": None, "attempt": None, "dossier": None,
                "message": _("No payment of this portal matches this answer from the gateway.")}
    from ..eservices.models import Dossier

    dossier = request.dbsession.get(Dossier, attempt.order.dossier_id)
    outcome = _shown_outcome(attempt, report)
    owner = request.user is not None and dossier is not None and dossier.applicant_id == request.user.id
    request.response.headers["Cache-Control"] = NO_STORE
    return {"outcome": outcome, "message": OUTCOMES[outcome], "attempt": attempt, "order": attempt.order,
            "dossier": dossier, "owner": owner, "report": report,
            "receipt": confirm.receipt_of(dossier, attempt.order) if outcome == PAID else None,
            "can_pay_again": outcome in (FAILED, CANCELLED, EXPIRED) and dossier is not None and dossier.state == 6}


def _ipn_answer(code, status=200):
    response = Response(json_body={"RspCode": code, "Message": vnpay.IPN_MESSAGES[code]}, charset="utf-8",
                        content_type="application/json", status=status)
    response.headers["Cache-Control"] = NO_STORE  # (headers= would replace Content-Type)
    return response


def unreadable_ipn(status):
    """The answer to an IPN address request the ingress refused (not UTF-8,
    too long, a wrong method): it cannot carry the gateway's signature."""
    return _ipn_answer(vnpay.INVALID_SIGNATURE, status)


@view_config(route_name="vnpay_ipn", permission=Permissions.VIEW_PUBLIC, require_csrf=False)
def vnpay_ipn(request):
    """The gateway's report, checked in the guide's order: signature (97)
    → the order exists (01) → the amount (04) → not already confirmed (02)
    → success when vnp_ResponseCode and vnp_TransactionStatus are both 00;
    ``00`` once recorded, whatever the outcome. Whatever goes wrong, the
    gateway gets ``99`` (it then retries) and nothing is kept: the
    portal's error handling (views.server_error: a race with another report
    is sent through again first) answers with ``ERROR_ANSWER``."""
    request.environ[ERROR_ANSWER] = lambda: _ipn_answer(vnpay.UNKNOWN_ERROR)
    params = vnpay.read_params(request.GET)
    try:
        report = gateway(request).read_report(params if params is not None else {})
    except BadSignature:
        log.warning("IPN with an invalid signature from %s", request.client_addr)
        return _ipn_answer(vnpay.INVALID_SIGNATURE)
    settled = confirm.apply(request, report, "ipn")
    if settled.code not in (vnpay.CONFIRMED, vnpay.ALREADY_CONFIRMED):
        log.warning("IPN for %s answered %s", report.txn_ref, settled.code)
    return _ipn_answer(settled.code)
