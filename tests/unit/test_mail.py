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
