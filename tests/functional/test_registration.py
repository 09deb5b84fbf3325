"""A citizen registers, confirms the email, forgets and resets the password."""
import re

import pytest
from sqlalchemy import select

from congdichvu.accounts import services, tokens
from congdichvu.accounts.models import User
from congdichvu.mail import TransactionalMailer


@pytest.fixture
def outbox(monkeypatch):
    """Mail the portal sends, kept here (the test transaction never commits)."""
    sent = []
    monkeypatch.setattr(TransactionalMailer, "send", lambda self, to, subject, body: sent.append((to, subject, body)))
    return sent


def _link(body):
    return re.search(r"http://example\.com(/\S+)", body).group(1)


def _register(testapp, **values):
    form = testapp.get("/dang-ky").forms["deform"]
    fields = {"full_name": "Trần Thị Bình", "email": "binh@example.invalid", "phone": "0912345678",
              "password": "mật-khẩu-bình-2026"}
    fields.update(values)
    for name in ("full_name", "email", "phone"):
        form[name] = fields[name]
    form["password"] = form["password-confirm"] = fields["password"]
    return form.submit("submit")


def _sign_in(testapp, login, password):
    form = testapp.get("/dang-nhap").forms["deform"]
    form["login"], form["password"] = login, password
    return form.submit("submit")


def test_register_confirm_then_sign_in(testapp, outbox, dbsession):
    page = _register(testapp)
    assert "binh@example.invalid" in page.text and "Mở liên kết" not in page.text
    (to, subject, body), = outbox
    assert to == "binh@example.invalid" and "Xác nhận" in subject or "xác nhận" in subject.lower()
    # not confirmed yet: the right password does not open the account, and the link is sent again
    refused = _sign_in(testapp, "binh@example.invalid", "mật-khẩu-bình-2026")
    assert "chưa được xác nhận" in refused.text and len(outbox) == 2
    confirmed = testapp.get(_link(body))
    assert "đã được xác nhận" in confirmed.text
    assert _sign_in(testapp, "binh@example.invalid", "mật-khẩu-bình-2026").status_int == 302
    user = dbsession.scalar(select(User).where(User.email == "binh@example.invalid"))
    assert user.roles == ["citizen"] and user.email_verified and user.phone == "0912345678"


def test_registration_errors_are_vietnamese_and_keep_what_was_typed(testapp, outbox, dbsession):
    services.create_user(dbsession, "co.roi", "mật-khẩu-có-rồi", "Có Rồi", ["citizen"], email="coroi@example.invalid")
    page = _register(testapp, email="coroi@example.invalid", phone="12345", password="ngắn")
    assert "Thư điện tử này đã có tài khoản" in page.text
    assert "số điện thoại di động" in page.text
    assert "ít nhất 8 ký tự" in page.text
    assert page.forms["deform"]["full_name"].value == "Trần Thị Bình"
    assert outbox == []
    assert _register(testapp, email="không phải thư").text.count("không hợp lệ") >= 1


def test_forgot_and_reset_the_password(testapp, outbox, dbsession):
    services.create_user(dbsession, "an", "mật-khẩu-cũ-2026", "An", ["citizen"], email="an@example.invalid")
    form = testapp.get("/quen-mat-khau").forms["deform"]
    form["login"] = "an@example.invalid"
    answer = form.submit("submit")
    (to, _subject, body), = outbox
    assert to == "an@example.invalid"
    # an unknown account gets the same answer, and no mail
    form = testapp.get("/quen-mat-khau").forms["deform"]
    form["login"] = "không-có-ai"
    assert form.submit("submit").html.select_one("main").text == answer.html.select_one("main").text
    assert len(outbox) == 1
    reset = testapp.get(_link(body)).forms["deform"]
    reset["password"] = reset["password-confirm"] = "mật-khẩu-mới-2026"
    assert "đã được lưu" in reset.submit("submit").text
    assert _sign_in(testapp, "an", "mật-khẩu-mới-2026").status_int == 302
    # the link works once
    assert "đã được dùng" in testapp.get(_link(body)).text


def test_forged_and_expired_links_are_refused(testapp, dbsession, app):
    user = services.create_user(dbsession, "an", "mật-khẩu-cũ-2026", "An", ["citizen"], email="an@example.invalid")
    assert "không hợp lệ" in testapp.get("/dat-lai-mat-khau/gia-mao").text
    forged = tokens.reset_token("not-the-secret", user)
    assert "không hợp lệ" in testapp.get(f"/dat-lai-mat-khau/{forged}").text
    secret = app.registry.settings["congdichvu.secret"]
    token = tokens.reset_token(secret, user)
    with pytest.raises(tokens.InvalidToken) as caught:
        tokens.read(secret, "reset", token, max_age=-1)
    assert caught.value.expired
    assert "không hợp lệ" in testapp.get(f"/xac-minh/{token}").text  # a reset token is no verification token
