import transaction

from congdichvu.mail import TransactionalMailer, make_backend


class Backend:
    def __init__(self):
        self.sent = []

    def send_immediately(self, message):
        self.sent.append(message)


def test_mail_leaves_only_when_the_transaction_commits():
    backend, manager = Backend(), transaction.TransactionManager(explicit=True)
    with manager:
        TransactionalMailer(backend, "portal@example.invalid", manager).send("an@example.invalid", "Chủ đề", "Nội dung")
        assert backend.sent == []
    assert [message.recipients for message in backend.sent] == [["an@example.invalid"]]
    manager.begin()
    TransactionalMailer(backend, "portal@example.invalid", manager).send("b@example.invalid", "x", "y")
    manager.abort()
    assert len(backend.sent) == 1


def test_development_writes_mail_files(tmp_path):
    backend = make_backend({"congdichvu.data_dir": str(tmp_path), "congdichvu.mailer": "file"})
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        TransactionalMailer(backend, "portal@example.invalid", manager).send("an@example.invalid", "Xác nhận", "Chào An")
    files = list((tmp_path / "mail").iterdir())
    assert len(files) == 1 and "an@example.invalid" in files[0].read_text(encoding="utf-8", errors="replace")


def _parsed(message):
    """The bytes pyramid_mailer produces (and SMTP delivery sends, through
    repoze.sendmail), read back by the standard parser."""
    from email import message_from_bytes, policy

    from repoze.sendmail.encoding import encode_message

    raw = message.to_message().as_bytes()
    assert message_from_bytes(encode_message(message.to_message()), policy=policy.default)["From"] == \
        message_from_bytes(raw, policy=policy.default)["From"]
    return message_from_bytes(raw, policy=policy.default)


def test_the_sender_keeps_its_vietnamese_name_and_its_address():
    from email.headerregistry import Address

    manager = transaction.TransactionManager(explicit=True)
    mailer = TransactionalMailer(Backend(), "Cổng Dịch vụ công <no-reply@localhost>", manager)
    recipient = Address("Nguyễn Văn An", addr_spec="an@example.invalid")
    parsed = _parsed(mailer.message(recipient, "Đã nộp hồ sơ", "Chào An"))
    for name, display, addr_spec in (("From", "Cổng Dịch vụ công", "no-reply@localhost"),
                                     ("To", "Nguyễn Văn An", "an@example.invalid")):
        header = parsed[name]
        assert header.defects == ()
        assert [(a.display_name, a.addr_spec) for a in header.addresses] == [(display, addr_spec)]
    assert parsed["Subject"] == "Đã nộp hồ sơ" and parsed.get_content().strip() == "Chào An"


def test_the_development_mail_file_has_a_from_address(tmp_path):
    from email import message_from_bytes, policy

    backend = make_backend({"congdichvu.data_dir": str(tmp_path), "congdichvu.mailer": "file"})
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        mailer = TransactionalMailer(backend, "Cổng Dịch vụ công <no-reply@localhost>", manager)
        mailer.send("an@example.invalid", "x", "y")
    parsed = message_from_bytes(next((tmp_path / "mail").iterdir()).read_bytes(), policy=policy.default)
    assert parsed["From"].defects == () and parsed["From"].addresses[0].addr_spec == "no-reply@localhost"


def test_a_sender_setting_without_an_address_is_refused():
    import pytest

    from congdichvu.mail import address

    for value in ("Cổng Dịch vụ công", "", "<>"):
        with pytest.raises(ValueError):
            address(value)
    assert address("Cổng <a@b.vn>").display_name == "Cổng"


def test_with_an_executor_the_answer_does_not_wait_for_the_mail_server():
    import threading
    from concurrent.futures import ThreadPoolExecutor

    release, backend = threading.Event(), Backend()
    slow = type("Slow", (), {"send_immediately": lambda self, message: (release.wait(5), backend.sent.append(message))})()
    manager, executor = transaction.TransactionManager(explicit=True), ThreadPoolExecutor(max_workers=1)
    with manager:
        TransactionalMailer(slow, "portal@example.invalid", manager, executor).send("an@example.invalid", "x", "y")
    assert backend.sent == []  # committed and answered while the server is still busy
    release.set()
    executor.shutdown(wait=True)
    assert [message.recipients for message in backend.sent] == [["an@example.invalid"]]


def test_smtp_delivers_from_a_background_thread(tmp_path):
    from congdichvu.mail import delivery_executor

    smtp = make_backend({"congdichvu.mailer": "smtp", "mail.host": "localhost"})
    files = make_backend({"congdichvu.data_dir": str(tmp_path), "congdichvu.mailer": "file"})
    executor = delivery_executor(smtp)
    assert executor is not None and delivery_executor(files) is None
    executor.shutdown()
