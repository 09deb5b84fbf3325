"""What follows a confirmed payment, in the same transaction: the e-receipt,
the dossier moving on, the applicant told. Used by the IPN, the
transaction query (reconcile) and the desk's "paid at the counter"."""
from datetime import datetime, timezone

from ..notify import tell_applicant
from . import receipts, services, vnpay
from .interfaces import IPaymentGateway, Report
from .models import PAID

#: who the dossier's history says confirmed an online payment
GATEWAY_ACTOR = "payments"


def apply(request, report, source, now=None):
    """``services.settle`` the verified ``report`` from ``source`` ("ipn"
    or "query"), then, when it paid the order, issue the receipt, move the
    dossier back to work and tell the applicant. Returns services.Settled."""
    now = now or datetime.now(timezone.utc)
    settled = services.settle(request.dbsession, report, source, now)
    if settled.newly_paid:
        after_paid(request, settled.attempt, now)
    elif settled.attempt is not None and settled.attempt.refund_due and settled.code == vnpay.CONFIRMED:
        refund_due(request, settled.attempt, now)
    return settled


def refunded(request, attempt, note, now=None):
    """The office refunded ``attempt`` (services.mark_refunded, by the
    signed-in officer): the dossier's history says so ("refunded") and the
    applicant is told. Raises services.NotToRefund."""
    from ..eservices.models import Dossier, DossierEvent

    now = now or datetime.now(timezone.utc)
    services.mark_refunded(request.dbsession, attempt, request.user.username, note, now)
    dossier = request.dbsession.get(Dossier, attempt.order.dossier_id)
    event = DossierEvent(at=now, actor=request.user.username, actor_id=request.user.id, action="refunded",
                         agency_code=getattr(request.user.agency, "code", None), from_state=dossier.state,
                         to_state=dossier.state, note=note, details={
                             "amount": attempt.amount, "txn_ref": attempt.txn_ref})
    dossier.events.append(event)
    request.dbsession.flush()
    tell_applicant(request, dossier, event, now=now)
    return event


def refund_due(request, attempt, now):
    """Money came in when nothing was due (services._pay_order): the
    dossier's history says so (a "refund_due" event, its state unchanged)
    and the applicant is told the office will refund it."""
    from ..eservices.models import Dossier, DossierEvent

    dossier = request.dbsession.get(Dossier, attempt.order.dossier_id)
    event = DossierEvent(at=now, actor=GATEWAY_ACTOR, action="refund_due", from_state=dossier.state,
                         to_state=dossier.state, details={
                             "amount": attempt.amount, "txn_ref": attempt.txn_ref,
                             "transaction_number": attempt.transaction_number or ""})
    dossier.events.append(event)
    request.dbsession.flush()
    tell_applicant(request, dossier, event, now=now)
    return event


def _label(request, attempt):
    gateway = request.registry.queryUtility(IPaymentGateway)
    return gateway.label if gateway is not None and gateway.name == attempt.gateway else attempt.gateway


def after_paid(request, attempt, now, actor=None, tell=True):
    """The receipt, the dossier and the message for ``attempt``'s order,
    just paid. Returns the "paid" event, or None when the dossier was no
    longer waiting (the payment and its receipt are kept all the same)."""
    order = attempt.order
    from ..eservices.models import Dossier

    dossier = request.dbsession.get(Dossier, order.dossier_id)
    receipt = receipts.issue(request, order, attempt, dossier, now, gateway_label=_label(request, attempt))
    staff = request.user if actor is not None else None
    dossier, event = resume(request.dbsession, attempt, now, actor or GATEWAY_ACTOR, staff=staff, receipt=receipt)
    if event is not None and tell:
        tell_applicant(request, dossier, event, now=now)
    return event


def resume(dbsession, attempt, now, actor=GATEWAY_ACTOR, staff=None, receipt=None):
    """The dossier of ``attempt``'s order, just paid and its receipt
    numbered (receipts.number_order), back to where it was: the "paid"
    event (services.resume_dossier) saying how it was paid and the
    receipt's number, signed by ``actor`` (a username) — ``staff``, the
    officer's User, when paid at the desk — with ``receipt``, the
    e-receipt's DossierFile, when one was drawn. Returns (dossier, event);
    event None when the dossier was no longer waiting."""
    order = attempt.order
    details = {"amount": order.amount, "way": "counter" if attempt.reported_by == "counter" else "online",
               "gateway": attempt.gateway, "txn_ref": attempt.txn_ref,
               "transaction_number": attempt.transaction_number or "",
               "receipt": f"{order.receipt_symbol} {receipts.written_number(order.receipt_number)}"}
    dossier, event = services.resume_dossier(dbsession, order, actor, details, now)
    if event is not None:
        event.slip_file_id = receipt.id if receipt is not None else None
        if staff is not None:
            event.actor_id, event.agency_code = staff.id, getattr(staff.agency, "code", None)
    return dossier, event


def settle_at_counter(dbsession, dossier, now):
    """The money for the order ``dossier`` waits for, taken at the desk:
    a "counter" attempt settled as paid (services.settle). Returns the
    attempt. Raises services.AlreadyPaid."""
    order = services.due_order(dbsession, dossier)
    if order is None:  # asked before orders existed: the amount the dossier says
        order = services.open_order(dbsession, dossier, lines=[], amount=dossier.fee_due or 0,
                                    purpose=None, agency_code=dossier.handling_agency_code, resume_state=4, now=now)
    attempt = services.start_attempt(dbsession, order, "counter", now=now)
    report = Report(txn_ref=attempt.txn_ref, amount=order.amount, outcome=PAID)
    settled = services.settle(dbsession, report, "counter", now)
    if not settled.newly_paid:
        raise services.AlreadyPaid()
    return settled.attempt


def paid_at_counter(request, dossier, now):
    """An officer took the money at the desk: a "counter" attempt of the
    order due is settled as paid, with its receipt (the desk's action then
    tells the applicant). Returns the "paid" event. Raises services.AlreadyPaid."""
    attempt = settle_at_counter(request.dbsession, dossier, now)
    return after_paid(request, attempt, now, actor=request.user.username, tell=False)


def receipt_of(dossier, order):
    """The DossierFile of ``order``'s receipt, or None."""
    if dossier is None or order is None or order.receipt_file_id is None:
        return None
    return next((f for f in dossier.files if f.id == order.receipt_file_id), None)
