"""Signing in and out, the account page, the password, the audit log."""
import re

import pytest
import webtest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from congdichvu.accounts import browsers, services
from congdichvu.accounts.models import AuditEvent, LoginAttempt


@pytest.fixture
def citizen(dbsession):
    return services.create_user(
        dbsession, "an.nguyen", "mật-khẩu-an-2026", "Nguyễn Văn An", ["citizen"], email="an@example.invalid"
    )


def _sign_in(testapp, login, password, came_from="/"):
    form = testapp.get("/dang-nhap", params={"came_from": came_from}).forms["deform"]
    form["login"] = login
    form["password"] = password
    return form.submit("submit", expect_errors=True)


def test_a_citizen_signs_in_and_out(testapp, citizen, dbsession):
    response = _sign_in(testapp, "an.nguyen", "mật-khẩu-an-2026", came_from="/thu-tuc/1.001193")
    assert response.status_int == 302 and response.location.endswith("/thu-tuc/1.001193")
    page = response.follow()
    assert "Nguyễn Văn An" in page.text  # the header names the person
    account = testapp.get("/tai-khoan")
    assert "an.nguyen" in account.text and "Công dân" in account.text
    logout = page.forms[0]
    assert logout.action == "/dang-xuat"
    home = logout.submit().follow()
    assert "Đăng nhập" in home.text and "Nguyễn Văn An" not in home.text
    actions = dbsession.scalars(select(AuditEvent.action).where(AuditEvent.target == "an.nguyen")).all()
    assert "login" in actions


def test_email_works_as_the_login_too(testapp, citizen):
    assert _sign_in(testapp, "an@example.invalid", "mật-khẩu-an-2026").status_int == 302


def test_a_wrong_password_is_refused_in_vietnamese(testapp, citizen, dbsession):
    response = _sign_in(testapp, "an.nguyen", "sai-mật-khẩu")
    assert response.status_int == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.text
    assert response.forms["deform"]["login"].value == "an.nguyen"  # nothing typed is lost
    assert dbsession.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "login.failed"))


def test_missing_fields_are_explained_next_to_them(testapp):
    response = _sign_in(testapp, "", "")
    # next to each field, and summarised at the top with links to the fields
    assert [p.text.strip() for p in response.html.select("p[id^=error-]")] == ["Bắt buộc", "Bắt buộc"]
    summary = response.html.select(".error-summary li a")
    assert [a["href"] for a in summary] == ["#" + field["id"] for field in response.html.select("input[aria-invalid]")]
    assert 'aria-describedby="error-' in response.text and 'role="alert"' in response.text


def test_repeated_failures_slow_the_account_down(testapp, citizen):
    for _attempt in range(services.MAX_FAILURES_PER_USER):
        assert _sign_in(testapp, "an.nguyen", "đoán-bừa").status_int == 200
    blocked = _sign_in(testapp, "an.nguyen", "mật-khẩu-an-2026")  # even the right one, for now
    assert blocked.status_int == 429
    assert "tạm dừng trong 15 phút" in blocked.text


def test_forms_without_a_csrf_token_are_not_acted_on(testapp, citizen):
    response = testapp.post("/dang-nhap", {"login": "an.nguyen", "password": "mật-khẩu-an-2026"}, status=302)
    assert response.location == "http://example.com/dang-nhap"
    assert testapp.get("/tai-khoan").status_int == 302  # not signed in


def test_signing_out_without_a_token_asks_to_confirm(testapp, citizen):
    _sign_in(testapp, "an.nguyen", "mật-khẩu-an-2026")
    page = testapp.post("/dang-xuat", {}, status=200)
    assert "Bạn có muốn đăng xuất" in page.text
    assert testapp.get("/tai-khoan").status_int == 200  # still signed in
    assert page.forms[0].submit().status_int == 302
    assert testapp.get("/tai-khoan").status_int == 302


def test_signing_out_when_already_signed_out_simply_succeeds(testapp):
    response = testapp.post("/dang-xuat", {"csrf_token": "stale"}, status=302)
    assert response.location == "http://example.com/"
    assert testapp.get("/dang-xuat").status_int == 302


def test_the_account_page_asks_anonymous_visitors_to_sign_in(testapp):
    response = testapp.get("/tai-khoan")
    assert response.status_int == 302 and "/dang-nhap?came_from=%2Ftai-khoan" in response.location


def test_changing_the_password(testapp, citizen, dbsession):
    _sign_in(testapp, "an.nguyen", "mật-khẩu-an-2026")
    form = testapp.get("/tai-khoan/mat-khau").forms["deform"]
    form["current_password"] = "không đúng"
    form["new_password"] = "ngắn"
    form["new_password-confirm"] = "ngắn"
    response = form.submit("submit")
    assert "Mật khẩu phải có ít nhất 8 ký tự." in response.text
    form = response.forms["deform"]
    form["current_password"] = "không đúng"
    form["new_password"] = form["new_password-confirm"] = "mật-khẩu-mới-2026"
    assert "Mật khẩu hiện tại không đúng." in form.submit("submit").text
    form = testapp.get("/tai-khoan/mat-khau").forms["deform"]
    form["current_password"] = "mật-khẩu-an-2026"
    form["new_password"] = form["new_password-confirm"] = "mật-khẩu-mới-2026"
    done = form.submit("submit").follow()
    assert "Mật khẩu của bạn đã được thay đổi." in done.text
    assert services.authenticate(dbsession, "an.nguyen", "mật-khẩu-mới-2026", "127.0.0.1") is not None


def test_signed_in_visitors_never_get_an_anonymous_cached_page(testapp, citizen):
    for _ in range(3):
        testapp.get("/thu-tuc/1.001193")  # cached for anonymous visitors
    _sign_in(testapp, "an.nguyen", "mật-khẩu-an-2026")
    assert "Nguyễn Văn An" in testapp.get("/thu-tuc/1.001193").text


def test_the_audit_log_cannot_be_rewritten(dbsession):
    services.record(dbsession, "test.event", target="x")
    dbsession.flush()
    with pytest.raises(DBAPIError, match="append-only"):
        with dbsession.begin_nested():
            dbsession.execute(text("UPDATE audit_event SET action = 'forged'"))
    with pytest.raises(DBAPIError, match="append-only"):
        with dbsession.begin_nested():
            dbsession.execute(text("DELETE FROM audit_event"))
    assert dbsession.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "test.event")) == 1


def test_login_attempts_are_recorded(testapp, citizen, dbsession):
    _sign_in(testapp, "an.nguyen", "sai")
    _sign_in(testapp, "an.nguyen", "mật-khẩu-an-2026")
    outcomes = dbsession.scalars(
        select(LoginAttempt.succeeded).where(LoginAttempt.username == "an.nguyen").order_by(LoginAttempt.id)
    ).all()
    assert outcomes == [False, True]


@pytest.fixture
def citizen_with_phone(dbsession):
    return services.create_user(dbsession, "binh.tran", "mật-khẩu-bình-2026", "Trần Thị Bình", ["citizen"],
                                email="binh@example.invalid", phone="0912345678")


def test_failures_count_per_account_whatever_form_of_login_was_typed(testapp, citizen_with_phone, citizen):
    for login in ("binh.tran", "BINH@EXAMPLE.INVALID", "0912 345 678", "Binh@Example.Invalid", "0912.345.678"):
        assert _sign_in(testapp, login, "đoán-bừa").status_int == 200
    for login in ("binh.tran", "binh@example.invalid", "0912345678", "+84912345678"):
        assert _sign_in(testapp, login, "mật-khẩu-bình-2026").status_int == 429, login
    assert _sign_in(testapp, "an.nguyen", "mật-khẩu-an-2026").status_int == 302  # another account is not paused


def test_every_form_of_the_login_signs_in(testapp, citizen_with_phone):
    for login in ("binh.tran", " BINH@example.invalid ", "0912 345 678", "0912.345.678", "+84 912 345 678"):
        testapp.reset()
        assert _sign_in(testapp, login, "mật-khẩu-bình-2026").status_int == 302, login


def test_a_login_that_names_no_account_counts_under_its_normalised_form(testapp, citizen):
    for login in ("Khong.Co.Ai", "KHONG.CO.AI", " khong.co.ai", "Khong.Co.AI", "khong.co.ai "):
        assert _sign_in(testapp, login, "đoán-bừa").status_int == 200
    assert _sign_in(testapp, "kHoNg.cO.aI", "đoán-bừa").status_int == 429
    assert _sign_in(testapp, "an.nguyen", "mật-khẩu-an-2026").status_int == 302


def test_an_unknown_login_costs_the_same_hashing_as_a_known_one(testapp, citizen, monkeypatch):
    from argon2 import PasswordHasher

    from congdichvu.accounts import passwords

    verified = []
    real = PasswordHasher.verify
    monkeypatch.setattr(PasswordHasher, "verify", lambda self, stored, given: verified.append(stored) or real(self, stored, given))
    passwords._dummy_hash()  # made once per process, before any timing matters
    _sign_in(testapp, "an.nguyen", "đoán-bừa")
    _sign_in(testapp, "không.có.ai", "đoán-bừa")
    assert len(verified) == 2 and all(stored.startswith("$argon2id$") for stored in verified)
    assert verified[0] != verified[1]  # the account's hash, then the dummy one


def _signed_in_browser(testapp, login, password):
    browser = webtest.TestApp(testapp.app, extra_environ=testapp.extra_environ)
    assert _sign_in(browser, login, password).status_int == 302
    return browser


def _is_anonymous(browser):
    return browser.get("/tai-khoan", expect_errors=True).status_int == 302


def test_a_cookie_copied_before_signing_out_no_longer_signs_in(testapp, citizen):
    _sign_in(testapp, "an.nguyen", "mật-khẩu-an-2026")
    copied = dict(testapp.cookies)
    testapp.get("/").forms[0].submit()  # sign out
    for name, value in copied.items():
        testapp.set_cookie(name, value)
    assert _is_anonymous(testapp)
    home = testapp.get("/")
    assert "Nguyễn Văn An" not in home.text and "Đăng nhập" in home.text


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(testapp, citizen):
    here = _signed_in_browser(testapp, "an.nguyen", "mật-khẩu-an-2026")
    elsewhere = _signed_in_browser(testapp, "an.nguyen", "mật-khẩu-an-2026")
    form = here.get("/tai-khoan/mat-khau").forms["deform"]
    form["current_password"] = "mật-khẩu-an-2026"
    form["new_password"] = form["new_password-confirm"] = "mật-khẩu-mới-2026"
    assert "Mật khẩu của bạn đã được thay đổi." in form.submit("submit").follow().text
    assert not _is_anonymous(here)
    assert _is_anonymous(elsewhere)


def test_resetting_the_password_ends_every_session(testapp, citizen, app):
    from congdichvu.accounts import tokens

    browser = _signed_in_browser(testapp, "an.nguyen", "mật-khẩu-an-2026")
    token = tokens.reset_token(app.registry.settings["congdichvu.secret"], citizen)
    reset = testapp.get(f"/dat-lai-mat-khau/{token}").forms["deform"]
    reset["password"] = reset["password-confirm"] = "mật-khẩu-mới-2026"
    assert "đã được lưu" in reset.submit("submit").text
    assert _is_anonymous(browser)
    assert _sign_in(browser, "an.nguyen", "mật-khẩu-mới-2026").status_int == 302


def test_a_deactivated_account_is_signed_out_at_once(testapp, citizen, dbsession):
    browser = _signed_in_browser(testapp, "an.nguyen", "mật-khẩu-an-2026")
    citizen.active = False
    dbsession.flush()
    assert _is_anonymous(browser)


def _from(testapp, address):
    """A browser of its own, whose requests come from ``address``."""
    return webtest.TestApp(testapp.app, extra_environ=dict(testapp.extra_environ, REMOTE_ADDR=address))


def _audit_count(dbsession, action, **where):
    conditions = [getattr(AuditEvent, name) == value for name, value in where.items()]
    return dbsession.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action, *conditions))


def test_a_refused_sign_in_is_logged_once_per_account_and_address_per_window(testapp, citizen_with_phone, dbsession):
    here, there = _from(testapp, "203.0.113.10"), _from(testapp, "203.0.113.11")
    for _attempt in range(services.MAX_FAILURES_PER_USER):
        assert _sign_in(here, "binh.tran", "đoán-bừa").status_int == 200
    attempts = dbsession.scalar(select(func.count()).select_from(LoginAttempt))
    for login in ("binh.tran", "BINH@example.invalid", "0912345678", "+84 912 345 678") * 5:
        assert _sign_in(here, login, "đoán-bừa").status_int == 429
    assert _audit_count(dbsession, "login.blocked", address="203.0.113.10") == 1
    assert dbsession.scalar(select(func.count()).select_from(LoginAttempt)) == attempts  # refused: not tried
    for _attempt in range(3):
        assert _sign_in(there, "binh.tran", "mật-khẩu-bình-2026").status_int == 429
    assert _audit_count(dbsession, "login.blocked") == 2  # the second address, once


def test_a_paused_address_is_logged_once_whatever_logins_it_tries(testapp, dbsession):
    robot = _from(testapp, "198.51.100.20")
    for number in range(services.MAX_FAILURES_PER_ADDRESS):
        assert _sign_in(robot, f"khong.co.{number}", "đoán-bừa").status_int == 200
    for number in range(40):  # a new login each time, as a robot would
        assert _sign_in(robot, f"ai.do.{number}@example.invalid", "đoán-bừa").status_int == 429
    assert _audit_count(dbsession, "login.blocked", address="198.51.100.20") == 1
    assert _audit_count(dbsession, "login.failed", address="198.51.100.20") == services.MAX_FAILURES_PER_ADDRESS


def _failure_sequence(testapp, address, national, international, password):
    """Three failures typed "0…", three typed "+84 …", then the right
    password or a guess: the status of each answer."""
    browser = _from(testapp, address)
    logins = [national] * 3 + [international] * 3
    return [_sign_in(browser, login, "đoán-bừa").status_int for login in logins] + \
        [_sign_in(browser, national, password).status_int]


def test_an_unknown_phone_and_a_known_phone_are_paused_alike(testapp, citizen_with_phone):
    known = _failure_sequence(testapp, "203.0.113.30", "0912345678", "+84 912 345 678", "mật-khẩu-bình-2026")
    unknown = _failure_sequence(testapp, "203.0.113.31", "0987654321", "+84 987 654 321", "đoán-bừa")
    assert known == unknown == [200] * 5 + [429, 429]


def test_unknown_phones_count_under_one_form(testapp):
    assert services.normalised_login("+84 987.654.321") == services.normalised_login("0987 654 321") == "0987654321"
    assert services.normalised_login("987654321") == "987654321"  # no country or trunk prefix: as typed
    assert services.normalised_login(" Ai.Do@Example.Invalid ") == "ai.do@example.invalid"


@pytest.fixture
def administrator(dbsession):
    return services.create_user(dbsession, "quan.tri", "mật-khẩu-quản-trị-2026", "Quản Trị", ["admin"],
                                email="quantri@example.invalid")


def test_others_failing_cannot_keep_the_owner_out_of_an_address_they_signed_in_from(testapp, administrator):
    office, attacker, elsewhere = (_from(testapp, address) for address in ("203.0.113.40", "198.51.100.41",
                                                                          "203.0.113.42"))
    assert _sign_in(office, "quan.tri", "mật-khẩu-quản-trị-2026").status_int == 302
    office.reset()
    for _attempt in range(services.MAX_FAILURES_PER_USER + 2):  # the attacker keeps the account paused
        _sign_in(attacker, "quan.tri", "đoán-bừa")
    assert _sign_in(attacker, "quan.tri", "mật-khẩu-quản-trị-2026").status_int == 429
    assert _sign_in(elsewhere, "quan.tri", "mật-khẩu-quản-trị-2026").status_int == 429  # a new address waits
    assert _sign_in(office, "quan.tri", "mật-khẩu-quản-trị-2026").status_int == 302  # the owner's does not
    office.reset()
    # guessing from that address is paused after as many failures as anywhere
    for _attempt in range(services.MAX_FAILURES_PER_USER):
        assert _sign_in(office, "quan.tri", "đoán-bừa").status_int == 200
    assert _sign_in(office, "quan.tri", "mật-khẩu-quản-trị-2026").status_int == 429


def test_an_address_is_known_only_for_the_account_signed_into_and_for_a_while(dbsession, administrator, citizen):
    assert services.authenticate(dbsession, "an.nguyen", "mật-khẩu-an-2026", "203.0.113.50") is citizen
    assert services.known_address(dbsession, citizen, "203.0.113.50")
    assert not services.known_address(dbsession, administrator, "203.0.113.50")
    assert not services.known_address(dbsession, citizen, "203.0.113.51")
    services.authenticate(dbsession, "an.nguyen", "sai", "203.0.113.52")  # a failure makes no address known
    assert not services.known_address(dbsession, citizen, "203.0.113.52")
    attempt = dbsession.scalar(select(LoginAttempt).where(LoginAttempt.address == "203.0.113.50"))
    attempt.at = services.now() - services.KNOWN_ADDRESS_PERIOD - services.FAILURE_WINDOW
    dbsession.flush()
    assert not services.known_address(dbsession, citizen, "203.0.113.50")


# -- names compared in any case (accounts.identity) --------------------------


def test_a_username_signs_in_whatever_case_it_is_typed_in(testapp, dbsession):
    services.create_user(dbsession, "Quan.Tri", "mật-khẩu-quản-trị-2026", "Quản Trị", ["admin"])
    for login in ("Quan.Tri", "quan.tri", "QUAN.TRI", " quan.TRI "):
        testapp.reset()
        assert _sign_in(testapp, login, "mật-khẩu-quản-trị-2026").status_int == 302, login


def test_failures_count_on_the_account_whatever_case_its_username_is_typed_in(testapp, dbsession):
    services.create_user(dbsession, "Quan.Tri", "mật-khẩu-quản-trị-2026", "Quản Trị", ["admin"])
    for login in ("quan.tri", "QUAN.TRI", "Quan.Tri", "quan.TRI", "QUAN.tri"):
        assert _sign_in(testapp, login, "đoán-bừa").status_int == 200
    assert _sign_in(testapp, "Quan.Tri", "mật-khẩu-quản-trị-2026").status_int == 429


@pytest.mark.parametrize("first, second", [
    (dict(username="Admin"), dict(username="admin")),
    (dict(username="strasse"), dict(username="STRAẞE")),  # full case folding, not lower()
    (dict(username="a", email="straße@example.invalid"), dict(username="b", email="STRASSE@example.invalid")),
    (dict(username="a", phone="+84 912 345 678"), dict(username="b", phone="0912.345.678")),
])
def test_two_accounts_never_share_a_name_apart_from_case_or_a_number_apart_from_its_writing(dbsession, first,
                                                                                            second):
    services.create_user(dbsession, password="mật-khẩu-dài-2026", full_name="Một", roles=["editor"], **first)
    with pytest.raises(IntegrityError):
        with dbsession.begin_nested():
            services.create_user(dbsession, password="mật-khẩu-dài-2026", full_name="Hai", roles=["editor"],
                                 **second)


# -- a password asked again counts as a sign-in ------------------------------


def _change_password(browser, current, new="mật-khẩu-mới-2026"):
    form = browser.get("/tai-khoan/mat-khau").forms["deform"]
    form["current_password"] = current
    form["new_password"] = form["new_password-confirm"] = new
    return form.submit("submit", expect_errors=True)


def test_wrong_current_passwords_pause_the_account_as_failed_sign_ins_do(testapp, citizen, dbsession):
    """A session left open or stolen is no way to guess the password
    without limit: the change-password page counts with sign-in."""
    assert _sign_in(testapp, "an.nguyen", "mật-khẩu-an-2026").status_int == 302
    for _attempt in range(services.MAX_FAILURES_PER_USER):
        wrong = _change_password(testapp, "đoán-bừa")
        assert wrong.status_int == 200 and "Mật khẩu hiện tại không đúng." in wrong.text
    refused = _change_password(testapp, "mật-khẩu-an-2026")  # even the right one, for now
    assert refused.status_int == 429 and "tạm dừng trong 15 phút" in refused.text
    assert refused.forms["deform"]["current_password"].value == ""
    assert _sign_in(_from(testapp, "198.51.100.90"), "an.nguyen", "mật-khẩu-an-2026").status_int == 429
    assert _audit_count(dbsession, "password.check_failed", target="an.nguyen") == services.MAX_FAILURES_PER_USER
    assert services.find_user(dbsession, "an.nguyen").password_hash == citizen.password_hash  # unchanged


def test_a_wrong_current_password_after_failed_sign_ins_elsewhere_is_paused_too(testapp, citizen):
    assert _sign_in(testapp, "an.nguyen", "mật-khẩu-an-2026").status_int == 302
    here = _from(testapp, "203.0.113.91")  # another browser, elsewhere
    for _attempt in range(services.MAX_FAILURES_PER_USER - 1):
        _sign_in(here, "an.nguyen", "đoán-bừa")
    assert _change_password(testapp, "đoán-bừa").status_int == 200
    assert _sign_in(here, "an.nguyen", "mật-khẩu-an-2026").status_int == 429


# -- the owner's browser ------------------------------------------------------


def _signed_out(browser):
    """The same browser with its session gone (signed out, cookie expired):
    only what it keeps for long, its browser token, stays."""
    token = browser.cookies.get(browsers.COOKIE)
    browser.reset()
    if token:
        browser.set_cookie(browsers.COOKIE, token)
    return browser


def test_others_failing_cannot_keep_the_owner_out_of_a_browser_they_signed_in_with(testapp, administrator):
    laptop = _from(testapp, "203.0.113.60")
    assert _sign_in(laptop, "quan.tri", "mật-khẩu-quản-trị-2026").status_int == 302
    _signed_out(laptop)
    attacker = _from(testapp, "198.51.100.61")
    for _attempt in range(services.MAX_FAILURES_PER_USER + 2):  # the attacker keeps the account paused
        _sign_in(attacker, "quan.tri", "đoán-bừa")
    laptop.extra_environ["REMOTE_ADDR"] = "203.0.113.99"  # the owner on another network
    assert _sign_in(_from(testapp, "203.0.113.99"), "quan.tri", "mật-khẩu-quản-trị-2026").status_int == 429
    assert _sign_in(laptop, "quan.tri", "mật-khẩu-quản-trị-2026").status_int == 302
    # guessing from that browser is paused after as many failures as anywhere
    _signed_out(laptop)
    for _attempt in range(services.MAX_FAILURES_PER_USER):
        assert _sign_in(laptop, "quan.tri", "đoán-bừa").status_int == 200
    assert _sign_in(laptop, "quan.tri", "mật-khẩu-quản-trị-2026").status_int == 429


def test_a_flood_from_the_owners_network_does_not_keep_their_browser_out(testapp, administrator):
    laptop = _from(testapp, "203.0.113.70")
    assert _sign_in(laptop, "quan.tri", "mật-khẩu-quản-trị-2026").status_int == 302
    _signed_out(laptop)
    neighbour = _from(testapp, "203.0.113.70")  # the same office network
    for number in range(services.MAX_FAILURES_PER_ADDRESS):
        _sign_in(neighbour, f"khong.co.{number}", "đoán-bừa")
    assert _sign_in(_from(testapp, "203.0.113.70"), "quan.tri", "mật-khẩu-quản-trị-2026").status_int == 429
    assert _sign_in(laptop, "quan.tri", "mật-khẩu-quản-trị-2026").status_int == 302
    # the owner's browser is known to the owner's account only
    assert _sign_in(_signed_out(laptop), "khong.co.ai", "đoán-bừa").status_int == 429


def test_a_made_up_browser_token_is_no_known_browser(testapp, administrator, dbsession):
    attacker = _from(testapp, "198.51.100.80")
    attacker.set_cookie(browsers.COOKIE, "0" * 32)
    for _attempt in range(services.MAX_FAILURES_PER_USER):
        assert _sign_in(attacker, "quan.tri", "đoán-bừa").status_int == 200
    assert _sign_in(attacker, "quan.tri", "mật-khẩu-quản-trị-2026").status_int == 429
    # the token is never stored as sent, and one not of the form is replaced
    assert dbsession.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.browser == "0" * 32)) == 0
    odd = _from(testapp, "198.51.100.81")
    odd.set_cookie(browsers.COOKIE, "nope")
    _sign_in(odd, "quan.tri", "đoán-bừa")
    assert re.fullmatch(r"[0-9a-f]{32}", odd.cookies[browsers.COOKIE])


def test_the_browser_cookie_is_kept_from_scripts_and_other_sites(testapp, administrator):
    answer = _sign_in(testapp, "quan.tri", "mật-khẩu-quản-trị-2026")
    cookie = next(value for name, value in answer.headerlist
                  if name == "Set-Cookie" and value.startswith(browsers.COOKIE + "="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=7776000" in cookie


def test_an_unconfirmed_account_without_an_email_is_refused_without_a_mail(testapp, dbsession, outbox):
    """A citizen account an administrator made with a phone and no address, not confirmed: signing in is
    refused like a wrong password, and no mail is attempted to nowhere (it used to raise)."""
    from congdichvu.accounts import services

    services.create_user(dbsession, "khongthu", "mat-khau-rat-dai-2026", "Hà Văn Thư", ["citizen"],
                         phone="0912345678", verified=False)
    page = testapp.get("/dang-nhap")
    form = page.forms["deform"]
    form["login"], form["password"] = "khongthu", "mat-khau-rat-dai-2026"
    answer = form.submit("submit")
    assert answer.status_int == 200 and outbox == []
