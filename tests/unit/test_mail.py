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
