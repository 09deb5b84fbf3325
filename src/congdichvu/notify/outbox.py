"""The notification outbox: rows written in the caller's transaction,
sent after it commits, retried until they leave.

- ``enqueue`` writes a row; nothing leaves if the transaction aborts.
- After a commit that wrote rows, the web process sends them
  (``Outbox.after_commit``): at once for files (development), from a
  background thread for a mail server, so no officer's answer waits for
  SMTP or fails with it.
- Each send first claims the row (one conditional UPDATE: one winner among
  processes and threads), sends outside any transaction, then records the
  outcome in a short transaction of its own: ``sent_at``, or ``attempts``
  + 1, ``last_error`` and ``next_attempt_at`` after a growing delay
  (``BACKOFF``), and ``failed_at`` after ``MAX_ATTEMPTS``.
- ``Outbox.process_due`` sends every row that is due: the console command
  ``congdichvu-notify process`` (a worker under systemd) calls it.

Delivery is at least once: a process that dies after the mail server took
a message and before ``sent_at`` was written sends it again once the lease
(``LEASE``) has run out.
"""
import logging
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

from sqlalchemy import or_, select, update

from .models import Notification

log = logging.getLogger(__name__)

#: session.info key: ids of the rows written in the session's transaction
PENDING = "notify_outbox_pending"
#: how long a claim holds a row: longer than any send may take
LEASE = timedelta(minutes=10)
#: the wait after the 1st, 2nd … failed attempt (the last one repeats)
BACKOFF = tuple(timedelta(minutes=m) for m in (1, 5, 15, 60, 360, 720, 1440))
#: after this many failed attempts a row is given up (``failed_at``)
MAX_ATTEMPTS = 8
#: rows read at once by process_due
BATCH = 100
CHANNELS = ("email", "sms")
SENT, RETRY, FAILED, SKIPPED = "sent", "retry", "failed", "skipped"


def _now():
    return datetime.now(timezone.utc)


def enqueue(dbsession, *, kind, dossier_id, channel, recipient, subject, body_text, body_html=None, now=None):
    """Write a Notification row in ``dbsession``'s transaction (flushed, so
    it has its id) and return it. ``channel`` is "email" or "sms";
    ``recipient`` an email address or a phone number; ``now`` (aware UTC)
    the creation time and first attempt. Sent after the commit (see the
    module); an aborted transaction leaves no row and sends nothing.
    ValueError for an unknown channel or an empty recipient."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if not recipient:
        raise ValueError("a notification needs a recipient")
    now = now or _now()
    row = Notification(created_at=now, kind=kind[:40], dossier_id=dossier_id, channel=channel,
                       recipient=recipient[:255], subject=subject or "", body_text=body_text,
                       body_html=body_html or None, attempts=0, next_attempt_at=now)
    dbsession.add(row)
    dbsession.flush()
    dbsession.info.setdefault(PENDING, []).append(row.id)
    return row


def retry_delay(attempts):
    """The wait after the ``attempts``-th failed attempt (1, 2, …)."""
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


def _error_text(error):
    return f"{type(error).__name__}: {error}"[:2000]


class Outbox:
    """Sends outbox rows through ``notifier`` (an INotifier), each in short
    sessions of its own from ``sessions`` (a sessionmaker of plain
    sessions, never a request's). ``executor`` (optional) sends the rows a
    commit wrote off the committing thread."""

    def __init__(self, sessions, notifier, executor=None):
        self.sessions, self.notifier, self.executor = sessions, notifier, executor

    def serves(self, channel):
        """Whether rows of ``channel`` can be sent (``congdichvu.sms = none``: no "sms")."""
        return self.notifier.serves(channel)

    # -- after commit -----------------------------------------------------

    def after_commit(self, session):
        """A session-factory listener: send the rows the committed
        transaction wrote. A request's session sends them once the whole
        transaction is over (a transaction after-commit hook), when its own
        connection is back in the pool: many requests committing at once
        never wait for a connection the others hold. Never raises: the
        change is committed, and what cannot be sent now the worker sends."""
        ids = session.info.pop(PENDING, None)
        if not ids:
            return
        manager = session.info.get("transaction_manager")
        if manager is None:
            self.send_soon(ids)
            return
        manager.get().addAfterCommitHook(lambda _status: self.send_soon(ids))

    def send_soon(self, ids):
        try:
            if self.executor is not None:
                self.executor.submit(self.deliver_all, ids)
            else:
                self.deliver_all(ids)
        except Exception:  # noqa: BLE001 - e.g. the executor shut down at exit
            log.exception("notifications %s left for the worker", ids)

    @staticmethod
    def forget(session, previous_transaction=None):
        """After a rollback of the whole transaction its rows are gone."""
        if previous_transaction is None or not previous_transaction.nested:
            session.info.pop(PENDING, None)

    def deliver_all(self, ids):
        for notification_id in ids:
            try:
                self.deliver(notification_id)
            except Exception:  # noqa: BLE001 - the database itself failed; the worker tries again
                log.exception("could not send notification %s; left for the worker", notification_id)

    def wait(self, timeout=30):
        """Wait until the background thread has sent what it was given (tests, shutdown)."""
        if self.executor is not None:
            self.executor.submit(lambda: None).result(timeout)

    # -- one row ----------------------------------------------------------

    def claim(self, session, notification_id, now):
        """Take the row for ``LEASE`` if nobody holds it and it is neither
        sent nor given up; True for the one winner. Commits."""
        taken = session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.sent_at.is_(None),
                   Notification.failed_at.is_(None),
                   or_(Notification.claimed_until.is_(None), Notification.claimed_until < now))
            .values(claimed_until=now + LEASE)
            .execution_options(synchronize_session=False)
        ).rowcount == 1
        session.commit()
        return taken

    def deliver(self, notification_id, now=None):
        """Send one row now if it can be claimed. Returns "sent", "retry"
        (failed; ``next_attempt_at`` set later), "failed" (the last attempt
        failed) or "skipped" (sent already, given up, or held by another)."""
        now = now or _now()
        with self.sessions() as session:
            if not self.claim(session, notification_id, now):
                return SKIPPED
            message = session.get(Notification, notification_id)
            session.expunge(message)
            session.rollback()  # no transaction stays open while the message is sent
        try:
            self.notifier.send(message)
        except Exception as error:  # noqa: BLE001 - any failure of the channel is counted and retried
            return self._failed(notification_id, message.attempts + 1, error, now)
        with self.sessions() as session:
            session.execute(update(Notification).where(Notification.id == notification_id)
                            .values(sent_at=_later(now), claimed_until=None, last_error=None)
                            .execution_options(synchronize_session=False))
            session.commit()
        return SENT

    def _failed(self, notification_id, attempts, error, now):
        log.warning("notification %s not sent (attempt %d): %s", notification_id, attempts, _error_text(error))
        values = {"attempts": attempts, "last_error": _error_text(error), "claimed_until": None}
        if attempts >= MAX_ATTEMPTS:
            values["failed_at"] = now
        else:
            values["next_attempt_at"] = now + retry_delay(attempts)
        with self.sessions() as session:
            session.execute(update(Notification).where(Notification.id == notification_id).values(**values)
                            .execution_options(synchronize_session=False))
            session.commit()
        return FAILED if attempts >= MAX_ATTEMPTS else RETRY

    # -- every due row ----------------------------------------------------

    def due(self, session, now, limit=BATCH):
        """Ids of the rows to send at ``now``, oldest first."""
        return session.scalars(
            select(Notification.id)
            .where(Notification.sent_at.is_(None), Notification.failed_at.is_(None),
                   Notification.next_attempt_at <= now,
                   or_(Notification.claimed_until.is_(None), Notification.claimed_until < now))
            .order_by(Notification.next_attempt_at, Notification.id).limit(limit)
        ).all()

    def process_due(self, now=None):
        """Send every row due at ``now`` (default: the time of each send),
        each at most once in this run. Returns a Counter of outcomes
        ("sent", "retry", "failed", "skipped")."""
        outcomes, seen = Counter(), set()
        while True:
            moment = now or _now()
            with self.sessions() as session:
                ids = [i for i in self.due(session, moment) if i not in seen]
            if not ids:
                return outcomes
            for notification_id in ids:
                seen.add(notification_id)
                outcomes[self.deliver(notification_id, now)] += 1


def _later(now):
    """When a send that began at ``now`` ended: the clock's time, unless
    the caller's ``now`` is ahead of it (a test moving time on)."""
    return max(now, _now())


def make_executor(backend):
    """A background thread for a mail server (anything but files), None
    for the files of development, which cost nothing to wait for."""
    from pyramid_mailer.mailer import DebugMailer

    if isinstance(backend, DebugMailer):
        return None
    # one thread, messages in order; Python waits for its queue at exit
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="notify")
