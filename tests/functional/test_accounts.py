"""Signing in and out, the account page, the password, the audit log."""
import pytest
import webtest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from congdichvu.accounts import services
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
