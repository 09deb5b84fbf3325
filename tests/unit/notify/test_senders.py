"""The notifiers: email with its HTML alternative, texts as files in
development, and the settings that choose them."""
from email import message_from_bytes, policy
from types import SimpleNamespace

import pytest

from congdichvu.notify import senders


class Backend:
    def __init__(self):
        self.sent = []

    def send_immediately(self, message):
        self.sent.append(message)


def row(**changes):
    values = dict(channel="email", recipient="an@example.invalid", subject="Đã tiếp nhận hồ sơ X",
                  body_text="Kính gửi An,", body_html="<p>Kính gửi An,</p>")
    values.update(changes)
    return SimpleNamespace(**values)


def test_an_email_carries_its_text_and_its_html():
    backend = Backend()
    senders.EmailNotifier(backend, "Cổng Dịch vụ công <no-reply@localhost>").send(row())
    parsed = message_from_bytes(backend.sent[0].to_message().as_bytes(), policy=policy.default)
    assert parsed["Subject"] == "Đã tiếp nhận hồ sơ X" and parsed["To"] == "an@example.invalid"
    assert parsed.get_body(("plain",)).get_content().strip() == "Kính gửi An,"
    assert parsed.get_body(("html",)).get_content().strip() == "<p>Kính gửi An,</p>"


def test_a_text_is_a_file_in_development(tmp_path):
    notifier = senders.make_notifier({"congdichvu.data_dir": str(tmp_path), "congdichvu.sms": "file"},
                                     backend=Backend())
    notifier.send(row(channel="sms", recipient="0912345678", subject="", body_text="Hồ sơ X: Đã tiếp nhận."))
    [path] = (tmp_path / "sms").glob("*.txt")
    assert path.read_text(encoding="utf-8") == "To: 0912345678\n\nHồ sơ X: Đã tiếp nhận.\n"


def test_with_sms_none_there_is_no_text_channel():
    notifier = senders.make_notifier({"congdichvu.data_dir": "/nonexistent", "congdichvu.sms": "none"},
                                     backend=Backend())
    assert notifier.serves("email") and not notifier.serves("sms")
    with pytest.raises(senders.UnknownChannel):
        notifier.send(row(channel="sms"))


def test_a_mistyped_sms_setting_fails_at_start():
    with pytest.raises(ValueError, match="congdichvu.sms"):
        senders.sms_setting({"congdichvu.sms": "zalo"})
