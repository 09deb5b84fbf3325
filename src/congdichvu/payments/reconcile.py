"""Asking the gateway about payments whose report never came, so a lost
IPN never leaves a paid fee "unpaid".

Every attempt still unreported 15 minutes after it began
(services.stale_attempts) is asked about with ``querydr``: the answer is
applied exactly as an IPN would be (confirm.apply, source "query"); an
attempt the gateway does not know once its time ran out is "expired" here
(which a later report still overrides). Two places run it: the console
command (``congdichvu-payments reconcile INI [--loop]``, for the worker
under systemd) and, when ``congdichvu.payments.reconcile_interval`` is
above 0, a daemon thread of each web process. Several of them at once
are harmless: settle's conditional UPDATEs apply each report once; within
one process ``PASS_LOCK`` still lets one pass run at a time, so a desk
button pressed during the thread's pass does not ask the gateway twice.
"""
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone

from . import confirm, services
from .interfaces import GatewayUnavailable, IPaymentGateway
from .models import PAID

log = logging.getLogger(__name__)

#: one pass at a time in this process (the thread, the desk's button)
PASS_LOCK = threading.Lock()


@dataclass
class Tally:
    """What one pass did: attempts asked about, and what became of them
    (``refund`` paid at the gateway when nothing was due: to refund);
    ``busy`` when another pass of this process was running, so none was made."""

    asked: int = 0
    paid: int = 0
    closed: int = 0
    expired: int = 0
    refund: int = 0
    unanswered: list = field(default_factory=list)
    busy: bool = False


def reconcile(request, now=None, gateway=None, agency_codes=None):
    """One pass over the stale attempts (of orders ``agency_codes``
    collect, when given), in the request's transaction (the caller
    commits). Returns a Tally (``busy`` when another pass is running here)."""
    if not PASS_LOCK.acquire(blocking=False):
        return Tally(busy=True)
    try:
        return _pass(request, now or datetime.now(timezone.utc),
                     gateway or request.registry.getUtility(IPaymentGateway), agency_codes)
    finally:
        PASS_LOCK.release()


def _pass(request, now, gateway, agency_codes):
    tally = Tally()
    for attempt in services.stale_attempts(request.dbsession, now, agency_codes=agency_codes):
        if attempt.gateway != gateway.name:
            continue
        tally.asked += 1
        try:
            report = gateway.query(attempt, now=now)
        except GatewayUnavailable as failure:
            attempt.checked_at = now
            tally.unanswered.append(attempt.txn_ref)
            log.warning("querydr for %s: %s; the rest wait for the next pass", attempt.txn_ref, failure)
            break  # the gateway is down or unreadable: asking the others would only wait out their timeouts
        if report is None:
            if now >= attempt.expires_at + services.EXPIRY_GRACE and attempt.state == services.PENDING:
                services.expire(request.dbsession, attempt, now)
                tally.expired += 1
            else:
                attempt.checked_at = now
            continue
        settled = confirm.apply(request, report, "query", now)
        if report.outcome is None and now >= attempt.expires_at + services.EXPIRY_GRACE:
            # opened at the gateway and never decided (the bank's page closed): past its time it cannot be paid
            services.expire(request.dbsession, attempt, now)
            tally.expired += 1
        if settled.newly_paid:
            tally.paid += 1
        elif settled.attempt is not None and settled.attempt.refund_due:
            tally.refund += 1  # the money was taken: not "closed unpaid"
        elif report.outcome is not None and report.outcome != PAID:
            tally.closed += 1
    return tally


def run_once(registry):
    """One pass in its own request and transaction (the thread, the command)."""
    from pyramid.scripting import prepare

    from ..ingress import PublicURL

    env = prepare(registry=registry)
    try:
        request = env["request"]
        PublicURL(registry.settings.get("congdichvu.public_url")).apply(request.environ)
        with request.tm:
            return reconcile(request)
    finally:
        env["closer"]()


class Reconciler(threading.Thread):
    """The web process's periodic pass (a daemon thread)."""

    def __init__(self, registry, interval):
        super().__init__(name="payments-reconcile", daemon=True)
        self.registry, self.interval, self.stopped = registry, interval, threading.Event()

    def run(self):
        while not self.stopped.wait(self.interval):
            try:
                run_once(self.registry)
            except Exception:  # noqa: BLE001 — a bad pass must not end the thread; the next one tries again
                log.exception("payment reconciliation failed")


def includeme(config):
    from pyramid.events import ApplicationCreated

    interval = float(config.get_settings().get("congdichvu.payments.reconcile_interval") or 0)
    if interval <= 0:
        return

    def start(event):
        reconciler = event.app.registry["payments_reconciler"] = Reconciler(event.app.registry, interval)
        reconciler.start()

    config.add_subscriber(start, ApplicationCreated)
