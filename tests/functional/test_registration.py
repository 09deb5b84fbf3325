"""A citizen registers, confirms the email, forgets and resets the password."""
import re

import pytest
import webtest
from sqlalchemy import func, select

from congdichvu.accounts import services, tokens
from congdichvu.accounts.models import AuditEvent, User


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
    return form.submit("submit", expect_errors=True)


def _sign_in(testapp, login, password):
    form = testapp.get("/dang-nhap").forms["deform"]
    form["login"], form["password"] = login, password
    return form.submit("submit", expect_errors=True)


def test_register_confirm_then_sign_in(testapp, outbox, dbsession):
    page = _register(testapp)
    assert "binh@example.invalid" in page.text and "Mở liên kết" not in page.text
    (to, subject, body), = outbox
    assert to == "binh@example.invalid" and "Xác nhận" in subject or "xác nhận" in subject.lower()
    # not confirmed yet: the right password does not open the account, and the link is sent again;
    # the answer is the wrong password's, so registering an address and signing in with it tells
    # nobody whether it already had an account
    refused = _sign_in(testapp, "binh@example.invalid", "mật-khẩu-bình-2026")
    wrong = _sign_in(testapp, "binh@example.invalid", "mật-khẩu-khác-2026")
    assert refused.status_int == wrong.status_int == 200 and len(outbox) == 2
    assert refused.html.select_one("[role=alert]").text == \
        wrong.html.select_one("[role=alert]").text
    assert "mật khẩu không đúng" in refused.text and "thư xác nhận" in refused.text
    confirmed = testapp.get(_link(body))
    assert "đã được xác nhận" in confirmed.text
    assert _sign_in(testapp, "binh@example.invalid", "mật-khẩu-bình-2026").status_int == 302
    user = dbsession.scalar(select(User).where(User.email == "binh@example.invalid"))
    assert user.roles == ["citizen"] and user.email_verified and user.contact_number == "0912345678"
    assert user.phone is None  # a number typed on the web is no sign-in name: nobody confirmed it


def test_registration_errors_are_vietnamese_and_keep_what_was_typed(testapp, outbox, dbsession):
    services.create_user(dbsession, "co.roi", "mật-khẩu-có-rồi", "Có Rồi", ["citizen"], email="coroi@example.invalid")
    page = _register(testapp, email="coroi@example.invalid", phone="12345", password="ngắn")
    assert "đã có tài khoản" not in page.text  # who is registered is nobody's business
    assert "số điện thoại di động" in page.text
    assert "ít nhất 8 ký tự" in page.text
    assert page.forms["deform"]["full_name"].value == "Trần Thị Bình"
    assert outbox == []
    assert _register(testapp, email="không phải thư").text.count("không hợp lệ") >= 1


def _comparable(page, *emails):
    """The page's body with the emails it shows and the CSRF tokens it holds blanked out."""
    body = page.text
    for email in emails:
        body = body.replace(email, "EMAIL")
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', body)


def test_registering_with_an_email_that_has_an_account_answers_like_a_new_one(testapp, outbox, dbsession):
    existing = services.create_user(dbsession, "co.roi", "mật-khẩu-có-rồi", "Có Rồi", ["citizen"],
                                    email="coroi@example.invalid")
    fresh = _register(testapp, email="moi@example.invalid", phone="")
    testapp.reset()
    again = _register(testapp, email="CoRoi@Example.Invalid", phone="", password="mật-khẩu-khác-2026")
    assert again.status_int == fresh.status_int == 200
    assert _comparable(again, "coroi@example.invalid") == _comparable(fresh, "moi@example.invalid")
    (_to, _subject, _body), (to, subject, body) = outbox
    assert to == "coroi@example.invalid" and subject.startswith("Có người đăng ký tài khoản")
    assert "Xin chào Có Rồi" in body and "đã có tài khoản" in body
    assert "http://example.com/dang-nhap" in body and "http://example.com/quen-mat-khau" in body
    # nothing was made or changed
    assert dbsession.scalars(select(User).where(User.email == "coroi@example.invalid")).all() == [existing]
    assert services.authenticate(dbsession, "co.roi", "mật-khẩu-có-rồi", "127.0.0.1") is existing


def test_registering_costs_the_same_hashing_either_way(testapp, outbox, dbsession, monkeypatch):
    from congdichvu.accounts import passwords

    hashed = []
    real = passwords.hash_password
    monkeypatch.setattr(passwords, "hash_password", lambda password: hashed.append(password) or real(password))
    services.create_user(dbsession, "co.roi", "mật-khẩu-có-rồi", "Có Rồi", ["citizen"], email="coroi@example.invalid")
    hashed.clear()
    _register(testapp, email="coroi@example.invalid")
    _register(testapp, email="moi@example.invalid")
    assert hashed == ["mật-khẩu-bình-2026", "mật-khẩu-bình-2026"]


def _same_but_for_the_link(body):
    return re.sub(r"http://example\.com/\S+", "LINK", body)


def test_a_phone_another_account_has_changes_nothing_anyone_can_see(testapp, outbox, dbsession):
    """Not the page, not the mail to the typed address, not the account:
    registering tells nobody whether a number has an account."""
    owner = services.create_user(dbsession, "co.roi", "mật-khẩu-có-rồi", "Có Rồi", ["citizen"],
                                 email="coroi@example.invalid", phone="+84912345678")
    taken = _register(testapp, email="binh@example.invalid", phone="0912 345 678")
    testapp.reset()
    free = _register(testapp, email="binh2@example.invalid", phone="0987654321")
    assert _comparable(taken, "binh@example.invalid") == _comparable(free, "binh2@example.invalid")
    (to, subject, body), (other_to, other_subject, other_body) = outbox
    assert (to, other_to) == ("binh@example.invalid", "binh2@example.invalid")
    assert subject == other_subject and _same_but_for_the_link(body) == _same_but_for_the_link(other_body)
    accounts = [dbsession.scalar(select(User).where(User.email == email))
                for email in ("binh@example.invalid", "binh2@example.invalid")]
    assert [(user.phone, user.contact_number) for user in accounts] == [(None, "0912345678"),
                                                                        (None, "0987654321")]
    assert services.find_user(dbsession, "0912 345 678") is owner  # the number still signs its owner in alone


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


def _from(testapp, address):
    """A browser of its own, whose requests come from ``address``."""
    return webtest.TestApp(testapp.app, extra_environ=dict(testapp.extra_environ, REMOTE_ADDR=address))


def _forgot(browser, login):
    form = browser.get("/quen-mat-khau").forms["deform"]
    form["login"] = login
    return form.submit("submit", expect_errors=True)


def _audit(dbsession, action):
    return dbsession.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


@pytest.fixture
def an(dbsession):
    return services.create_user(dbsession, "an", "mật-khẩu-cũ-2026", "An", ["citizen"], email="an@example.invalid",
                                phone="0912345678")


def test_an_account_gets_at_most_three_reset_mails_an_hour_and_the_page_never_tells(testapp, outbox, an, dbsession):
    answers = [_forgot(_from(testapp, f"203.0.113.{n}"), login) for n, login in
               enumerate(("an", "an@example.invalid", "0912 345 678", "+84912345678", "AN@example.invalid"))]
    assert [to for to, _subject, _body in outbox] == ["an@example.invalid"] * services.ACCOUNT_MAIL.limit
    stranger = _forgot(_from(testapp, "203.0.113.99"), "khong.co.ai@example.invalid")
    assert {answer.status_int for answer in answers + [stranger]} == {200}
    assert len({answer.html.select_one("main").text for answer in answers + [stranger]}) == 1


def test_a_reset_request_is_logged_once_per_account_and_address(testapp, outbox, an, dbsession):
    browser = _from(testapp, "203.0.113.60")
    for login in ("an", "an@example.invalid", "0912345678", "an", "không.có.ai", "KHÔNG.CÓ.AI"):
        assert _forgot(browser, login).status_int == 200
    assert sorted(event.target for event in _audit(dbsession, "password.reset_requested")) == ["an", "không.có.ai"]
    _forgot(_from(testapp, "203.0.113.61"), "an")
    assert len(_audit(dbsession, "password.reset_requested")) == 3


def test_reset_requests_are_limited_per_address_whatever_login_is_typed(testapp, outbox, an, dbsession):
    robot = _from(testapp, "198.51.100.70")
    for number in range(services.RESET_REQUESTS.limit):
        assert _forgot(robot, f"ai.{number}@example.invalid").status_int == 200
    refused = [_forgot(robot, login) for login in ("an", "ai.moi@example.invalid")]
    assert [answer.status_int for answer in refused] == [429, 429]
    assert "quá nhiều yêu cầu đặt lại mật khẩu" in refused[0].text
    assert refused[0].html.select_one(".form-error").text == refused[1].html.select_one(".form-error").text
    assert refused[1].forms["deform"]["login"].value == "ai.moi@example.invalid"  # what was typed stays
    assert outbox == [] and len(_audit(dbsession, "password.reset_requested")) == services.RESET_REQUESTS.limit
    assert _forgot(_from(testapp, "198.51.100.71"), "an").status_int == 200  # another address is not paused
    assert len(outbox) == 1


def _writes(statements):
    return [statement.split("(")[0].split(" WHERE")[0].strip() for statement in statements
            if not statement.lstrip().upper().startswith("SELECT")]


def test_a_reset_request_writes_the_same_whether_or_not_the_account_exists(testapp, outbox, an, query_counter):
    known_form = _from(testapp, "203.0.113.80").get("/quen-mat-khau").forms["deform"]
    unknown_form = _from(testapp, "203.0.113.81").get("/quen-mat-khau").forms["deform"]
    known_form["login"], unknown_form["login"] = "an@example.invalid", "ai.khac@example.invalid"
    query_counter.clear()
    known_form.submit("submit")
    known = _writes(query_counter)
    query_counter.clear()
    unknown_form.submit("submit")
    assert _writes(query_counter) == known and len(known) >= 4  # counters, the audit row
    assert len(outbox) == 1


def test_the_already_registered_mail_goes_at_most_three_times_an_hour(testapp, outbox, dbsession):
    services.create_user(dbsession, "co.roi", "mật-khẩu-có-rồi", "Có Rồi", ["citizen"], email="coroi@example.invalid")
    pages = [_register(_from(testapp, f"203.0.113.{n}"), email="coroi@example.invalid", phone="") for n in range(5)]
    assert [to for to, _subject, _body in outbox] == ["coroi@example.invalid"] * services.ACCOUNT_MAIL.limit
    assert len({_comparable(page) for page in pages}) == 1
    _forgot(_from(testapp, "203.0.113.90"), "coroi@example.invalid")  # one budget for every mail to the account
    assert len(outbox) == services.ACCOUNT_MAIL.limit


def test_the_confirmation_link_is_sent_again_at_most_three_times_an_hour(testapp, outbox):
    _register(testapp)
    answers = [_sign_in(_from(testapp, f"203.0.113.{n}"), "binh@example.invalid", "mật-khẩu-bình-2026")
               for n in range(4)]
    assert len(outbox) == services.ACCOUNT_MAIL.limit  # registering, then twice more
    # every answer the same, mail or not: it is the wrong password's answer
    assert all("thư xác nhận chúng tôi đã gửi" in answer.text for answer in answers)


def test_an_address_may_register_ten_accounts_an_hour(testapp, outbox, dbsession):
    office = _from(testapp, "198.51.100.100")
    for number in range(services.REGISTRATIONS.limit):
        assert "Sắp xong" in _register(office, email=f"nguoi.{number}@example.invalid", phone="").text
    refused = _register(office, email="nguoi.moi@example.invalid", phone="", full_name="Lê Văn Mới")
    assert refused.status_int == 429
    assert "quá nhiều tài khoản được đăng ký từ mạng này" in refused.text
    assert refused.forms["deform"]["full_name"].value == "Lê Văn Mới"  # nothing typed is lost
    assert refused.forms["deform"]["email"].value == "nguoi.moi@example.invalid"
    assert dbsession.scalar(select(User).where(User.email == "nguoi.moi@example.invalid")) is None
    assert len(outbox) == services.REGISTRATIONS.limit
    assert "Sắp xong" in _register(_from(testapp, "198.51.100.101"), email="nguoi.moi@example.invalid").text


def test_an_email_longer_than_a_username_gets_a_field_error(testapp, outbox, dbsession):
    too_long = "a" * 89 + "@example.com"  # 101 characters: the email is the username, String(100)
    page = _register(testapp, email=too_long)
    assert page.status_int == 200 and "tối đa 100 ký tự" in page.text
    assert page.forms["deform"]["email"].value == too_long
    assert outbox == [] and dbsession.scalar(select(User).where(User.email == too_long)) is None
    longest = too_long[1:]
    assert "Sắp xong" in _register(testapp, email=longest).text
    assert dbsession.scalar(select(User.username).where(User.email == longest)) == longest


def test_the_already_registered_mail_goes_to_the_owner_never_to_another_typed_address(testapp, outbox, dbsession):
    """An account whose username looks like an address that is not its
    email: registering with that address mails the account's own confirmed
    email, and nothing reaches the typed one."""
    services.create_user(dbsession, "sep@example.invalid", "mật-khẩu-sếp-2026", "Sếp", ["editor"],
                         email="sep.that@example.invalid")
    page = _register(testapp, email="SEP@example.invalid", phone="")
    assert "Sắp xong" in page.text
    assert [to for to, _subject, _body in outbox] == ["sep.that@example.invalid"]
    services.create_user(dbsession, "moi@example.invalid", "mật-khẩu-mới-2026", "Mới", ["editor"],
                         email="moi.that@example.invalid", verified=False)
    _register(_from(testapp, "203.0.113.120"), email="moi@example.invalid", phone="")
    assert len(outbox) == 1  # an email not confirmed yet: nowhere


def test_an_email_registered_in_another_case_is_the_same_address(testapp, outbox, dbsession):
    assert "Sắp xong" in _register(testapp, email="Binh.Tran@Example.Invalid", phone="").text
    again = _register(_from(testapp, "203.0.113.121"), email="BINH.TRAN@example.INVALID", phone="")
    assert "Sắp xong" in again.text
    assert dbsession.scalar(select(func.count(User.id)).where(User.email_key == "binh.tran@example.invalid")) == 1
    (_to, _subject, _body), (to, subject, _body2) = outbox
    assert to == "binh.tran@example.invalid"  # the account's address as stored, not as typed the second time
    assert subject.startswith("Có người đăng ký tài khoản")


def test_a_reset_link_confirms_the_email_it_reached(testapp, outbox, dbsession):
    """Someone who registered and forgot the password before confirming:
    the reset link goes to the account's own address, and proves it."""
    _register(testapp)
    _forgot(_from(testapp, "203.0.113.122"), "BINH@example.invalid")
    (_to, _subject, _body), (to, _subject2, body) = outbox
    assert to == "binh@example.invalid" and _link(body).startswith("/dat-lai-mat-khau/")
    reset = testapp.get(_link(body)).forms["deform"]
    reset["password"] = reset["password-confirm"] = "mật-khẩu-mới-2026"
    assert "đã được lưu" in reset.submit("submit").text
    assert _sign_in(testapp, "binh@example.invalid", "mật-khẩu-mới-2026").status_int == 302


def test_signing_in_to_an_unconfirmed_account_pauses_like_a_wrong_password(testapp, outbox, dbsession):
    """Registering an address and signing in with one's own password must
    not tell whether it already had an account: a new, unconfirmed account
    pauses after as many tries as an existing one tried with a wrong password."""
    services.create_user(dbsession, "co.roi", "mật-khẩu-có-rồi", "Có Rồi", ["citizen"], email="coroi@example.invalid",
                         verified=True)
    _register(testapp)  # a new address: an unconfirmed account with this password
    _register(testapp, email="coroi@example.invalid")  # an existing one: nothing is created
    answers = {}
    for login in ("binh@example.invalid", "coroi@example.invalid"):
        answers[login] = [_sign_in(_from(testapp, "203.0.113.9"), login, "mật-khẩu-bình-2026").status_int
                          for _n in range(services.MAX_FAILURES_PER_USER + 1)]
    assert answers["binh@example.invalid"] == answers["coroi@example.invalid"]
    assert answers["binh@example.invalid"][-1] == 429
