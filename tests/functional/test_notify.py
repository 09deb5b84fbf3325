"""The notification outbox on a database that really commits: a message
leaves only after its transaction commits, is sent by the web process then,
and when the mail server is down it is kept, retried by the worker
(``congdichvu-notify process``) and sent once."""
import email
import io
import smtplib
import socket
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from email import policy
from pathlib import Path

import pytest
import transaction
from pyramid.scripting import prepare
from sqlalchemy import select, update

from congdichvu import notify
from congdichvu.eservices.models import Dossier, DossierEvent
from congdichvu.models import get_tm_session
from congdichvu.notify import outbox as outbox_module
from congdichvu.notify.models import Notification
from congdichvu.scripts import notify as notify_script
from tests.conftest import INI, committing_portal


@pytest.fixture(scope="module")
def portal(databases, tmp_path_factory):
    app = committing_portal(databases, tmp_path_factory)
    yield app
    app.registry["dbengine"].dispose()


def _now():
    return datetime.now(timezone.utc)


def run(portal, work):
    """``work(request)`` in one committed transaction, ``request.dbsession``
    joined to it (as a view runs); returns what it returns."""
    manager = transaction.TransactionManager(explicit=True)
    env = prepare(registry=portal.registry)
    try:
        with manager:
            request = env["request"]
            request.tm = manager
            request.dbsession = get_tm_session(portal.registry["dbsession_factory"], manager, request=request)
            return work(request)
    finally:
        env["closer"]()


def rows(portal, code):
    """The outbox rows about the dossier ``code``, read afresh."""
    with portal.registry["notify_outbox"].sessions() as session:
        dossier_id = session.scalar(select(Dossier.id).where(Dossier.code == code))
        return session.scalars(select(Notification).where(Notification.dossier_id == dossier_id)
                               .order_by(Notification.id)).all()


def mails_about(portal, code):
    """The mail files (development's DebugMailer) whose subject names ``code``, parsed."""
    folder = Path(portal.registry.settings["congdichvu.data_dir"]) / "mail"
    found = []
    for path in folder.glob("*") if folder.is_dir() else ():
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if code in str(message["Subject"]):
            found.append(message)
    return found


def texts_about(portal, code):
    """The text messages (development's files) naming ``code``."""
    folder = Path(portal.registry.settings["congdichvu.data_dir"]) / "sms"
    texts = [path.read_text(encoding="utf-8") for path in folder.glob("*.txt")] if folder.is_dir() else []
    return [text for text in texts if code in text]


def new_dossier(request, action="receive", note=None, **changes):
    """A dossier entered at the desk, with an event ``action``; its code is new."""
    now = _now()
    values = dict(code=f"H56.01.P05-TEST-{uuid.uuid4().hex[:10]}", procedure_code="1.001193",
                  procedure_snapshot={"name": "Đăng ký khai sinh"}, agency_code="H56.01.P05",
                  handling_agency_code="H56.01.P05", state=4, channel="in_person", data={},
                  applicant_name="Trần Thị <Bình>", applicant_email="binh@example.invalid",
                  applicant_phone="0912 345 678", submitted_at=now, received_at=now,
                  appointment_at=now + timedelta(days=5))
    values.update(changes)
    dossier = Dossier(**values)
    dossier.events.append(DossierEvent(at=now, actor="officer", action=action, from_state=1, to_state=4, note=note))
    request.dbsession.add(dossier)
    request.dbsession.flush()
    return dossier


def tell(request, **changes):
    dossier = new_dossier(request, **changes)
    notify.tell_applicant(request, dossier, dossier.events[-1])
    return dossier.code


class Refusing:
    """A mail server that is down."""

    def __init__(self, error=smtplib.SMTPServerDisconnected("Connection unexpectedly closed")):
        self.error, self.tries = error, 0

    def send_immediately(self, message):
        self.tries += 1
        raise self.error


@pytest.fixture
def mail_server_down(portal, monkeypatch):
    email_notifier = portal.registry["notify_outbox"].notifier.notifiers["email"]
    down = Refusing()
    monkeypatch.setattr(email_notifier, "backend", down)
    return down


def test_an_aborted_transaction_leaves_no_message_and_sends_none(portal):
    code = f"H56.01.P05-TEST-{uuid.uuid4().hex[:10]}"

    def aborted(request):
        dossier = new_dossier(request, code=code)
        notify.tell_applicant(request, dossier, dossier.events[-1])
        assert request.dbsession.scalars(select(Notification).where(Notification.dossier_id == dossier.id)).all()
        raise RuntimeError("the officer's action failed")

    with pytest.raises(RuntimeError):
        run(portal, aborted)
    assert rows(portal, code) == [] and mails_about(portal, code) == []


def test_a_committed_message_is_sent_after_commit_by_email_and_text(portal):
    code = run(portal, lambda request: tell(request, action="refuse", state=3, note="Thiếu <giấy> & dấu"))
    mail, text = rows(portal, code)
    assert (mail.channel, mail.recipient, mail.kind) == ("email", "binh@example.invalid", "dossier.refuse")
    assert (text.channel, text.recipient) == ("sms", "0912345678")
    assert mail.sent_at is not None and text.sent_at is not None and mail.attempts == 0 and mail.claimed_until is None
    [message] = mails_about(portal, code)
    assert message["Subject"] == f"Hồ sơ {code} không được tiếp nhận"
    assert message["To"] == "binh@example.invalid" and "Cổng Dịch vụ công" in message["From"]
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Kính gửi Ông/Bà Trần Thị <Bình>," in plain and "Lý do: Thiếu <giấy> & dấu" in plain
    assert "Trần Thị &lt;Bình&gt;" in html and "Thiếu &lt;giấy&gt; &amp; dấu" in html
    assert "http://example.com/tra-cuu-ho-so" in plain  # congdichvu.public_url, not a Host header
    [sms] = texts_about(portal, code)
    assert sms.startswith(f"To: 0912345678\n\nHồ sơ {code}: Không tiếp nhận. Tra cứu: "
                          f"http://example.com/tra-cuu-ho-so?ma={code}")


def test_an_internal_step_tells_the_applicant_nothing(portal):
    code = run(portal, lambda request: tell(request, action="hand_over"))
    assert rows(portal, code) == []


def test_with_sms_none_no_text_is_written(portal, monkeypatch):
    monkeypatch.delitem(portal.registry["notify_outbox"].notifier.notifiers, "sms")
    code = run(portal, lambda request: tell(request))
    assert [row.channel for row in rows(portal, code)] == ["email"]


def test_a_mail_server_down_delays_the_message_then_the_worker_sends_it_once(portal, mail_server_down, monkeypatch):
    before = _now()
    code = run(portal, lambda request: tell(request, action="request_payment", state=6, fee_due=1500000,
                                            applicant_phone=None))
    # the officer's change is committed; the message is kept for later
    with portal.registry["notify_outbox"].sessions() as session:
        assert session.scalar(select(Dossier.state).where(Dossier.code == code)) == 6
    [row] = rows(portal, code)
    assert mail_server_down.tries == 1
    assert row.sent_at is None and row.failed_at is None and row.attempts == 1 and row.claimed_until is None
    assert "SMTPServerDisconnected" in row.last_error
    assert row.next_attempt_at >= before + timedelta(minutes=1)
    assert mails_about(portal, code) == []

    # the worker finds nothing due yet
    monkeypatch.undo()  # the server is back
    monkeypatch.setenv("CONGDICHVU_DATABASE_URL", portal.registry.settings["sqlalchemy.url"])
    monkeypatch.setenv("CONGDICHVU_DATA_DIR", portal.registry.settings["congdichvu.data_dir"])
    out = io.StringIO()
    assert notify_script.main(["process", INI], out=out) == 0
    assert rows(portal, code)[0].sent_at is None
    # a minute later it is due, and sent
    with portal.registry["notify_outbox"].sessions() as session:
        session.execute(update(Notification).where(Notification.id == row.id)
                        .values(next_attempt_at=_now() - timedelta(seconds=1)))
        session.commit()
    out = io.StringIO()
    assert notify_script.main(["process", INI, "--once"], out=out) == 0
    assert "Thông báo đã gửi: " in out.getvalue() and "bỏ sau 8 lần thử" in out.getvalue()
    [row] = rows(portal, code)
    assert row.sent_at is not None and row.attempts == 1
    [message] = mails_about(portal, code)
    assert "Số tiền phải nộp: 1.500.000 ₫" in message.get_body(("plain",)).get_content()
    # again: nothing more is sent
    assert notify_script.main(["process", INI], out=io.StringIO()) == 0
    assert len(mails_about(portal, code)) == 1


def test_after_the_last_attempt_the_message_is_given_up(portal, mail_server_down):
    code = run(portal, lambda request: tell(request, applicant_phone=None))
    outbox, moment = portal.registry["notify_outbox"], _now()
    for attempt in range(2, outbox_module.MAX_ATTEMPTS + 1):
        moment += timedelta(days=2)
        outcomes = outbox.process_due(now=moment)
        assert outcomes[outbox_module.FAILED if attempt == outbox_module.MAX_ATTEMPTS else outbox_module.RETRY] >= 1
        assert rows(portal, code)[0].attempts == attempt
    [row] = rows(portal, code)
    assert row.failed_at is not None and row.sent_at is None and row.attempts == outbox_module.MAX_ATTEMPTS
    tries = mail_server_down.tries
    outbox.process_due(now=moment + timedelta(days=30))
    assert mail_server_down.tries == tries  # given up: never tried again
    assert [delay.total_seconds() / 60 for delay in outbox_module.BACKOFF[:4]] == [1, 5, 15, 60]


class Slow:
    """A mail server that takes its time, counting what it receives."""

    def __init__(self):
        self.sent, self.lock = [], threading.Lock()

    def send_immediately(self, message):
        time.sleep(0.3)
        with self.lock:
            self.sent.append(message.subject)


def test_two_workers_at_once_send_a_message_once(portal, mail_server_down, monkeypatch):
    code = run(portal, lambda request: tell(request, applicant_phone=None))
    outbox = portal.registry["notify_outbox"]
    slow = Slow()
    monkeypatch.setattr(outbox.notifier.notifiers["email"], "backend", slow)
    later = _now() + timedelta(minutes=2)
    start, results = threading.Barrier(2), []

    def worker():
        start.wait()
        results.append(outbox.process_due(now=later))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads) and len(results) == 2
    assert [subject for subject in slow.sent if code in subject] == [f"Đã tiếp nhận hồ sơ {code}"]
    assert rows(portal, code)[0].sent_at is not None


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_real_smtp_server_refusing_keeps_the_message_and_it_is_retried(databases, tmp_path_factory):
    app = committing_portal(databases, tmp_path_factory, **{
        "congdichvu.mailer": "smtp", "mail.host": "127.0.0.1", "mail.port": str(free_port()), "mail.tls": "false"})
    try:
        outbox = app.registry["notify_outbox"]
        assert outbox.executor is not None  # SMTP is sent from a background thread
        code = run(app, lambda request: tell(request, applicant_phone=None))
        outbox.wait()
        [row] = rows(app, code)
        assert row.attempts == 1 and row.sent_at is None and "ConnectionRefusedError" in row.last_error
        assert outbox.process_due(now=row.next_attempt_at + timedelta(seconds=1))[outbox_module.RETRY] >= 1
        [row] = rows(app, code)
        assert row.attempts == 2 and row.sent_at is None and row.failed_at is None
    finally:
        app.registry["notify_outbox"].wait()
        app.registry["dbengine"].dispose()


def test_the_interval_of_the_worker_is_checked(portal, monkeypatch):
    monkeypatch.setenv("CONGDICHVU_DATABASE_URL", portal.registry.settings["sqlalchemy.url"])
    monkeypatch.setenv("CONGDICHVU_DATA_DIR", portal.registry.settings["congdichvu.data_dir"])
    err = io.StringIO()
    assert notify_script.main(["process", INI, "--loop", "--interval", "0"], out=io.StringIO(), err=err) == 2
    assert "--interval phải là một số nguyên giây, từ 1 đến 3600" in err.getvalue()


def test_the_worker_loops_until_stopped(portal, monkeypatch):
    from types import SimpleNamespace

    stop, out = threading.Event(), io.StringIO()
    env = {"registry": portal.registry}
    runner = threading.Thread(target=notify_script.run, args=(
        env, SimpleNamespace(interval="1", loop=True), out, io.StringIO(), stop))
    runner.start()
    time.sleep(1.5)
    stop.set()
    runner.join(10)
    assert not runner.is_alive() and out.getvalue().count("Thông báo đã gửi") >= 2
