"""Orders, attempts and what the gateway reports: the one place where a
payment changes state.

Every report (the IPN, a transaction query, an officer's confirmation at
the counter) goes through ``settle``, which checks in the order the VNPay
guide gives for the IPN — the order exists, the amount is exact, it was
not already confirmed — and then takes the attempt with a conditional
UPDATE (``… WHERE reported_at IS NULL``) and the order with another
(``… WHERE state <> 'paid'``): of two reports at the same moment
(the gateway retrying its IPN while a query runs, two app servers) the
first one's UPDATE holds the row (PostgreSQL's row lock, SQLite's write
lock) until it commits, the other then matches no row and answers
"already confirmed". So an order is paid once, has one receipt, and the
dossier moves on once.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from ..eservices import services as dossiers
from ..eservices.models import Dossier
from . import vnpay
from .gateway import new_txn_ref
from .models import CANCELLED, EXPIRED, FAILED, PAID, PENDING, PaymentAttempt, PaymentOrder

AWAITING_PAYMENT = 6
#: how long an attempt stays open at the gateway (vnp_ExpireDate)
ATTEMPT_TTL = timedelta(minutes=15)
#: a pending attempt older than this is asked about (reconcile)
QUERY_AFTER = timedelta(minutes=15)
#: the gateway may still report an attempt for a while after it expired; only then is it "expired" here
EXPIRY_GRACE = timedelta(minutes=15)
#: the most one order may ask, in đồng (as the desk's request for fees): vnp_Amount (×100) still carries it
MAX_AMOUNT = 10**12


class AlreadyPaid(Exception):
    """The order is paid: nothing more to pay."""


class Closed(Exception):
    """The order was closed unpaid (the dossier withdrawn or stopped): nothing to pay."""


def now_utc():
    return datetime.now(timezone.utc)


def open_order(dbsession, dossier, *, lines, amount, purpose, agency_code, resume_state, now=None):
    """A new pending order for ``dossier`` of ``amount`` đồng (1 to
    MAX_AMOUNT) made of ``lines`` (fee lines as JSON), collected by
    ``agency_code``; once paid the dossier goes back to ``resume_state``.
    Any earlier unpaid order of the dossier is cancelled: one is due at a time."""
    if not isinstance(amount, int) or not 0 < amount <= MAX_AMOUNT:
        raise ValueError(f"an order is for 1 to {MAX_AMOUNT} đồng, not {amount!r}")
    now = now or now_utc()
    cancel_open(dbsession, dossier.id, now)
    order = PaymentOrder(dossier_id=dossier.id, agency_code=agency_code, amount=amount, items=list(lines),
                         purpose=purpose, state=PENDING, resume_state=resume_state, created_at=now, updated_at=now)
    dbsession.add(order)
    dbsession.flush()
    return order


def ask(dbsession, dossier, *, lines, amount, purpose, agency_code, actor, now=None, action="await_payment",
        note=None, event=None):
    """Make ``dossier`` wait for a payment: a new order (open_order) and
    the move to state 6 from the state it is in, which it goes back to once
    paid. ``event`` holds the event's other columns. Returns (order, event).
    Raises eservices.services.NotAllowed when the dossier changed meanwhile."""
    now = now or now_utc()
    resume = dossier.state
    recorded = dossiers.transition(dbsession, dossier, AWAITING_PAYMENT, actor, note, action=action, at=now,
                                   changes={"fee_due": amount}, **(event or {}))
    order = open_order(dbsession, dossier, lines=lines, amount=amount, purpose=purpose, agency_code=agency_code,
                       resume_state=resume, now=now)
    return order, recorded


def cancel_open(dbsession, dossier_id, now=None):
    """Close the dossier's unpaid orders (it was stopped or withdrawn, or
    a new order is asked instead): an attempt the gateway still reports
    paid afterwards is kept as paid, and marked to refund."""
    now = now or now_utc()
    dbsession.execute(update(PaymentOrder).where(
        PaymentOrder.dossier_id == dossier_id, PaymentOrder.state != PAID, PaymentOrder.closed_at.is_(None))
        .values(state=CANCELLED, closed_at=now, updated_at=now).execution_options(synchronize_session=False))


def orders_of(dbsession, dossier_id):
    """The dossier's orders, oldest first, with their attempts."""
    return dbsession.scalars(select(PaymentOrder).where(PaymentOrder.dossier_id == dossier_id)
                             .options(selectinload(PaymentOrder.attempts)).order_by(PaymentOrder.id)).all()


def paid_attempts(dbsession, dossier_id):
    """The payments the gateway (or the desk) took for the dossier, oldest
    first: the attempts paid, a payment to refund included."""
    return dbsession.scalars(select(PaymentAttempt).join(PaymentOrder).where(
        PaymentOrder.dossier_id == dossier_id, PaymentAttempt.state == PAID).order_by(PaymentAttempt.id)).all()


def open_attempts(dbsession, dossier):
    """The online attempts at paying the order due that the gateway has
    not reported on yet (the applicant may be paying right now), oldest first."""
    order = due_order(dbsession, dossier)
    if order is None:
        return []
    return [attempt for attempt in order.attempts
            if attempt.reported_at is None and attempt.state == PENDING and attempt.gateway != "counter"]


def due_order(dbsession, dossier):
    """The order the dossier waits for (state 6), or None."""
    if dossier.state != AWAITING_PAYMENT:
        return None
    return dbsession.scalar(select(PaymentOrder).where(
        PaymentOrder.dossier_id == dossier.id, PaymentOrder.state != PAID, PaymentOrder.closed_at.is_(None))
        .order_by(PaymentOrder.id.desc()).limit(1))


def start_attempt(dbsession, order, gateway_name, now=None, ttl=ATTEMPT_TTL):
    """A new attempt at paying ``order`` with its own TxnRef. Raises
    AlreadyPaid. An order that failed, was cancelled or expired is
    pending again."""
    now = now or now_utc()
    if order.state == PAID:
        raise AlreadyPaid()
    if order.closed_at is not None:
        raise Closed()
    attempt = PaymentAttempt(order=order, gateway=gateway_name, txn_ref=new_txn_ref(now), amount=order.amount,
                             state=PENDING, created_at=now, expires_at=now + ttl)
    dbsession.add(attempt)
    dbsession.execute(update(PaymentOrder).where(
        PaymentOrder.id == order.id, PaymentOrder.state != PAID, PaymentOrder.closed_at.is_(None))
        .values(state=PENDING, updated_at=now).execution_options(synchronize_session=False))
    dbsession.flush()
    dbsession.refresh(order)
    return attempt


def find_attempt(dbsession, txn_ref):
    if not isinstance(txn_ref, str) or not 0 < len(txn_ref) <= 40:
        return None
    return dbsession.scalar(select(PaymentAttempt).where(PaymentAttempt.txn_ref == txn_ref))


@dataclass
class Settled:
    """What ``settle`` did: ``code`` the IPN answer (vnpay.CONFIRMED …),
    ``attempt`` (None when not found), ``newly_paid`` when this report
    paid the order (the caller then issues the receipt and moves the dossier)."""

    code: str
    attempt: PaymentAttempt | None = None
    newly_paid: bool = False


def _note_gateway(attempt, report, now):
    """What the gateway says, kept for reconciliation whatever we do with
    it: even a report refused (a wrong amount, a second word on an attempt
    already settled) is the gateway's signed word, and the reconciliation
    page must show where it contradicts ours."""
    attempt.gateway_state = report.outcome or PENDING
    attempt.gateway_amount = report.amount
    attempt.checked_at = now


def settle(dbsession, report, source, now=None):
    """Apply ``report`` (interfaces.Report, its signature already checked)
    from ``source`` ("ipn", "query" or "counter"). Returns Settled."""
    now = now or now_utc()
    attempt = find_attempt(dbsession, report.txn_ref)
    if attempt is None:
        return Settled(vnpay.ORDER_NOT_FOUND)
    if source != "counter":  # cash at the desk is no word of the gateway's
        _note_gateway(attempt, report, now)
    if report.amount != attempt.amount:
        return Settled(vnpay.INVALID_AMOUNT, attempt)
    if attempt.reported_at is not None:
        return Settled(vnpay.ALREADY_CONFIRMED, attempt)
    if report.outcome is None:  # still open at the gateway: nothing to record yet
        return Settled(vnpay.CONFIRMED, attempt)
    taken = dbsession.execute(update(PaymentAttempt).where(
        PaymentAttempt.id == attempt.id, PaymentAttempt.reported_at.is_(None)).values(
        state=report.outcome, reported_at=now, reported_by=source, response_code=report.response_code or None,
        transaction_status=report.transaction_status or None, transaction_number=report.transaction_number or None,
        bank_code=report.bank_code or None, paid_at=(report.paid_at or now) if report.outcome == PAID else None,
        report=report.raw or None).execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        dbsession.expire(attempt)
        return Settled(vnpay.ALREADY_CONFIRMED, attempt)
    dbsession.refresh(attempt)
    if report.outcome == PAID:
        return Settled(vnpay.CONFIRMED, attempt, newly_paid=_pay_order(dbsession, attempt, now))
    _follow_attempt(dbsession, attempt, report.outcome, now)
    return Settled(vnpay.CONFIRMED, attempt)


def _pay_order(dbsession, attempt, now):
    """Mark the attempt's order paid, once. When nothing was due any more —
    the order paid already by another attempt (two tabs), or closed because
    the dossier was withdrawn or stopped — the payment is kept and marked
    ``refund_due`` (the reconciliation page and the citizen's pages say so)."""
    paid = dbsession.execute(update(PaymentOrder).where(
        PaymentOrder.id == attempt.order_id, PaymentOrder.state != PAID, PaymentOrder.closed_at.is_(None)).values(
        state=PAID, paid_at=attempt.paid_at or now, paid_attempt_id=attempt.id, updated_at=now)
        .execution_options(synchronize_session=False))
    if paid.rowcount != 1:
        attempt.refund_due = True
        dbsession.flush()
        return False
    dbsession.refresh(attempt.order)
    return True


def _follow_attempt(dbsession, attempt, outcome, now):
    """The order takes the outcome of its latest attempt (an older attempt
    failing late does not undo a newer one still open)."""
    latest = dbsession.scalar(select(func.max(PaymentAttempt.id)).where(PaymentAttempt.order_id == attempt.order_id))
    if latest == attempt.id:
        dbsession.execute(update(PaymentOrder).where(
            PaymentOrder.id == attempt.order_id, PaymentOrder.state != PAID, PaymentOrder.closed_at.is_(None))
            .values(state=outcome, updated_at=now).execution_options(synchronize_session=False))
        dbsession.expire(attempt.order)


class NotToRefund(Exception):
    """The payment is not one to refund, or its refund was recorded already."""


def mark_refunded(dbsession, attempt, by, note, now=None):
    """Record that the office refunded ``attempt`` (a payment marked
    ``refund_due``): who (``by``, a username), the bank transfer's
    reference or a note. Once: raises NotToRefund otherwise."""
    now = now or now_utc()
    done = dbsession.execute(update(PaymentAttempt).where(
        PaymentAttempt.id == attempt.id, PaymentAttempt.refund_due.is_(True), PaymentAttempt.refunded_at.is_(None))
        .values(refunded_at=now, refunded_by=by, refund_note=note).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise NotToRefund()
    dbsession.refresh(attempt)
    return attempt


def refund_paid(dbsession, dossier_id, now=None):
    """The applicant withdrew a dossier whose fees were paid before it was
    received: its payments are to be refunded (nothing was done for them)."""
    paid = select(PaymentOrder.paid_attempt_id).where(PaymentOrder.dossier_id == dossier_id,
                                                      PaymentOrder.state == PAID)
    dbsession.execute(update(PaymentAttempt).where(PaymentAttempt.id.in_(paid), PaymentAttempt.refund_due.is_(False))
                      .values(refund_due=True).execution_options(synchronize_session=False))


def too_many_open(dbsession, order, now=None, limit=5):
    """Whether ``order`` has ``limit`` attempts begun in the last 15
    minutes and still unreported: a page reloaded and pressed again and
    again (or a script) would otherwise make an attempt, and a query, each time."""
    now = now or now_utc()
    return dbsession.scalar(select(func.count(PaymentAttempt.id)).where(
        PaymentAttempt.order_id == order.id, PaymentAttempt.reported_at.is_(None),
        PaymentAttempt.state == PENDING, PaymentAttempt.created_at > now - ATTEMPT_TTL)) >= limit


def expire(dbsession, attempt, now):
    """The gateway does not know ``attempt`` (never paid) and its time
    ran out: expired here, which a later report from the gateway still overrides."""
    dbsession.execute(update(PaymentAttempt).where(
        PaymentAttempt.id == attempt.id, PaymentAttempt.reported_at.is_(None), PaymentAttempt.state == PENDING)
        .values(state=EXPIRED, gateway_state="unknown", checked_at=now).execution_options(synchronize_session=False))
    dbsession.expire(attempt)
    _follow_attempt(dbsession, attempt, EXPIRED, now)


def stale_attempts(dbsession, now, older=QUERY_AFTER, limit=200, agency_codes=None):
    """Attempts still unreported ``older`` after they began, oldest first:
    those whose IPN may have been lost. An expired one is asked about
    again for a day, since a late payment may still be reported.
    ``agency_codes`` (a collection) keeps those of orders these agencies
    collect (an officer's "ask now" asks about their own payments only)."""
    query = select(PaymentAttempt).where(
        PaymentAttempt.reported_at.is_(None), PaymentAttempt.state.in_((PENDING, EXPIRED)),
        PaymentAttempt.created_at <= now - older, PaymentAttempt.created_at >= now - timedelta(days=1),
        (PaymentAttempt.checked_at.is_(None)) | (PaymentAttempt.checked_at <= now - older))
    if agency_codes is not None:
        query = query.where(PaymentAttempt.order_id.in_(
            select(PaymentOrder.id).where(PaymentOrder.agency_code.in_(list(agency_codes)))))
    return dbsession.scalars(query.order_by(PaymentAttempt.id).limit(limit)).all()


def resume_dossier(dbsession, order, actor, details, now):
    """Move the order's dossier from "awaiting payment" back to where it
    was (``order.resume_state``) and record the "paid" event; None when
    the dossier is no longer waiting (stopped meanwhile: the payment is
    kept and shown, the dossier stays)."""
    for _try in range(3):  # an officer's change in between raises NotAllowed: read again and retry
        dossier = dbsession.get(Dossier, order.dossier_id)
        if dossier is None or dossier.state != AWAITING_PAYMENT:
            return dossier, None
        try:
            event = dossiers.transition(dbsession, dossier, order.resume_state, actor, None, action="paid",
                                        details=details, at=now)
            return dossier, event
        except dossiers.NotAllowed:
            dbsession.refresh(dossier)
    return dbsession.get(Dossier, order.dossier_id), None
