"""Administrators manage accounts at /quan-tri/nguoi-dung: the list, a new
staff account, roles, agency and state, a one-time link to set a password."""
import re

import pytest
import webtest
from sqlalchemy import func, select

from congdichvu.accounts import services
from congdichvu.accounts.models import AuditEvent, User
from congdichvu.catalog.models import Agency
from tests.factories import sign_in

LINK = re.compile(r"http://example\.com/dat-lai-mat-khau/[A-Za-z0-9._-]+")


@pytest.fixture
def admin(testapp, people):
    sign_in(testapp, "admin")
    return people["admin"]


def _browser(testapp):
    return webtest.TestApp(testapp.app, extra_environ=testapp.extra_environ)


def _sign_in(browser, login, password):
    browser.reset()
    form = browser.get("/dang-nhap").forms["deform"]
    form["login"], form["password"] = login, password
    return form.submit("submit", expect_errors=True)


def _signed_in(browser):
    return browser.get("/tai-khoan", expect_errors=True).status_int == 200


def _tick(form, roles):
    for field in form.fields["checkbox"]:
        field.checked = field._value in roles


def _reset_form(page):
    return next(form for form in page.forms.values() if form.action.endswith("/dat-lai-mat-khau"))


def _new(testapp, username="canbo.pdp", roles=("officer",), agency="H56.01.P08", email="", full_name="Trần Thị Bình"):
    form = testapp.get("/quan-tri/nguoi-dung/them").forms["deform"]
    form["username"], form["full_name"], form["email"], form["agency"] = username, full_name, email, agency
    _tick(form, roles)
    return form.submit("save", expect_errors=True)


def _user(dbsession, username):
    return dbsession.scalar(select(User).where(User.username == username))


def _actions(dbsession, target):
    return dbsession.scalars(select(AuditEvent.action).where(AuditEvent.target == target).order_by(AuditEvent.id)).all()


def _set_password(testapp, link, password):
    form = _browser(testapp).get(link.removeprefix("http://example.com")).forms["deform"]
    form["password"] = form["password-confirm"] = password
    return form.submit("submit")


def test_an_officer_account_is_created_with_a_link_shown_once(testapp, admin, dbsession):
    page = _new(testapp)
    assert page.status_int == 200 and "canbo.pdp" in page.text
    link = LINK.search(page.text).group(0)
    user = _user(dbsession, "canbo.pdp")
    assert user.roles == ["officer"] and user.agency.code == "H56.01.P08" and user.active
    assert _sign_in(_browser(testapp), "canbo.pdp", "").status_int == 200  # no password yet
    assert "đã được lưu" in _set_password(testapp, link, "mật-khẩu-cán-bộ-2026").text
    assert _sign_in(_browser(testapp), "canbo.pdp", "mật-khẩu-cán-bộ-2026").status_int == 302
    again = _browser(testapp).get(link.removeprefix("http://example.com"))
    assert "đã được dùng" in again.text and "deform" not in again.forms  # one time only
    assert "user.created" in _actions(dbsession, "canbo.pdp")
    created = dbsession.scalar(select(AuditEvent).where(AuditEvent.action == "user.created",
                                                        AuditEvent.target == "canbo.pdp"))
    assert created.actor == "admin.test" and created.details["link"] == "shown"


def test_an_account_with_an_email_gets_the_link_by_mail(testapp, admin, dbsession, outbox):
    page = _new(testapp, username="lanhdao", roles=("leader",), email="LanhDao@Example.Invalid")
    assert not LINK.search(page.text)  # the administrator never sees it
    assert "lanhdao@example.invalid" in page.text
    (to, subject, body), = outbox
    assert to == "lanhdao@example.invalid" and "lanhdao" in body
    link = LINK.search(body).group(0)
    _set_password(testapp, link, "mật-khẩu-lãnh-đạo")
    assert _sign_in(_browser(testapp), "lanhdao@example.invalid", "mật-khẩu-lãnh-đạo").status_int == 302


@pytest.mark.parametrize("taken", ["ADMIN.TEST", "Editor.Test", "officer.test"])
def test_a_username_taken_in_any_case_is_refused(testapp, admin, dbsession, taken):
    page = _new(testapp, username=taken)
    assert page.status_int == 200
    assert "Đã có tài khoản khác đăng nhập bằng tên này" in page.text
    assert page.forms["deform"]["full_name"].value == "Trần Thị Bình"  # nothing typed is lost
    assert not _actions(dbsession, taken) and _user(dbsession, "Trần Thị Bình") is None
    assert dbsession.scalar(select(func.count(User.id)).where(User.full_name == "Trần Thị Bình")) == 0


def test_an_email_taken_in_any_case_is_refused(testapp, admin, dbsession):
    page = _new(testapp, username="moi", email="Citizen.Test@EXAMPLE.invalid")
    assert "Đã có tài khoản khác đăng nhập bằng email này" in page.text
    assert _user(dbsession, "moi") is None


@pytest.mark.parametrize("role", ["officer", "leader"])
def test_an_officer_or_leader_without_an_agency_is_refused(testapp, admin, dbsession, role):
    page = _new(testapp, username="khongcoquan", roles=(role,), agency="")
    assert "chọn cơ quan" in page.text
    assert _user(dbsession, "khongcoquan") is None


def test_a_new_account_needs_a_role(testapp, admin, dbsession):
    page = _new(testapp, username="khongvaitro", roles=())
    assert "Chọn ít nhất một vai trò" in page.text
    assert _user(dbsession, "khongvaitro") is None


def _edit(testapp, user, **values):
    form = testapp.get(f"/quan-tri/nguoi-dung/{user.id}").forms["deform"]
    for name, value in values.items():
        if name == "roles":
            _tick(form, value)
        elif name == "active":
            form["active"].checked = value
        else:
            form[name] = value
    return form.submit("save", expect_errors=True)


def test_deactivating_ends_sessions_and_refuses_sign_in_as_a_wrong_password(testapp, admin, people, dbsession):
    officer = people["officer"]
    officer.agency = dbsession.scalar(select(Agency).where(Agency.code == "H56.01"))
    browser = _browser(testapp)
    assert _sign_in(browser, "officer.test", "officer-mật-khẩu-dài").status_int == 302 and _signed_in(browser)
    assert _edit(testapp, officer, active=False).status_int == 302
    assert not officer.active and not _signed_in(browser)
    refused = _sign_in(_browser(testapp), "officer.test", "officer-mật-khẩu-dài")
    wrong = _sign_in(_browser(testapp), "officer.test", "sai-mật-khẩu-nhé")
    assert refused.status_int == wrong.status_int == 200
    message = "Tên đăng nhập hoặc mật khẩu không đúng."
    assert message in refused.text and message in wrong.text
    assert _edit(testapp, officer, active=True).status_int == 302
    assert _sign_in(_browser(testapp), "officer.test", "officer-mật-khẩu-dài").status_int == 302
    assert _actions(dbsession, "officer.test")[-2:] == ["user.reactivated", "login"]
    assert "user.deactivated" in _actions(dbsession, "officer.test")


def test_roles_and_agency_are_changed_and_audited(testapp, admin, people, dbsession):
    editor = people["editor"]
    response = _edit(testapp, editor, roles=("editor", "leader"), agency="H56.01.P08", full_name="Lê Văn Cường")
    assert response.status_int == 302
    assert "Đã lưu" in response.follow().text
    assert editor.roles == ["editor", "leader"] and editor.agency.code == "H56.01.P08"
    assert editor.full_name == "Lê Văn Cường"
    event = dbsession.scalar(select(AuditEvent).where(AuditEvent.action == "user.updated",
                                                      AuditEvent.target == "editor.test"))
    assert event.details == {"changed": ["full_name", "roles", "agency"], "roles_before": ["editor"],
                             "roles": ["editor", "leader"], "agency_before": None, "agency": "H56.01.P08"}
    log = testapp.get("/quan-tri/nhat-ky", params={"action": "user.updated"})
    assert "editor.test" in log.text and "H56.01.P08" in log.text


def test_an_edit_to_an_email_another_account_has_is_refused(testapp, admin, people, dbsession):
    page = _edit(testapp, people["editor"], email="REVIEWER.test@example.invalid")
    assert "Đã có tài khoản khác đăng nhập bằng email này" in page.text
    assert people["editor"].email == "editor.test@example.invalid"


def test_an_administrator_cannot_lock_themself_out(testapp, admin, dbsession):
    page = _edit(testapp, admin, active=False)
    assert "Bạn không thể tự khoá tài khoản của mình" in page.text
    page = _edit(testapp, admin, roles=("editor",))
    assert "Bạn không thể tự bỏ vai trò quản trị" in page.text
    assert admin.active and admin.roles == ["admin"]
    assert "user.updated" not in _actions(dbsession, "admin.test")


def test_a_citizens_account_is_only_deactivated_never_made_staff(testapp, admin, people, dbsession):
    citizen = people["citizen"]
    form = testapp.get(f"/quan-tri/nguoi-dung/{citizen.id}").forms["deform"]
    assert "checkbox" not in form.fields and "full_name" not in form.fields
    forged = [("__formid__", "deform"), ("csrf_token", form["csrf_token"].value), ("active", "true"),
              ("__start__", "roles:sequence"), ("checkbox", "admin"), ("__end__", "roles:sequence")]
    testapp.post(f"/quan-tri/nguoi-dung/{citizen.id}", forged)
    assert citizen.roles == ["citizen"]
    assert _edit(testapp, citizen, active=False).status_int == 302
    assert not citizen.active


def test_a_reset_link_works_once_and_ends_sessions(testapp, admin, dbsession, outbox):
    _new(testapp)  # no email: the link is shown
    user = _user(dbsession, "canbo.pdp")
    shown = _reset_form(testapp.get(f"/quan-tri/nguoi-dung/{user.id}")).submit()
    link = LINK.search(shown.text).group(0)
    _set_password(testapp, link, "mật-khẩu-thứ-nhất")
    browser = _browser(testapp)
    assert _sign_in(browser, "canbo.pdp", "mật-khẩu-thứ-nhất").status_int == 302
    again = _reset_form(testapp.get(f"/quan-tri/nguoi-dung/{user.id}")).submit()
    assert not _signed_in(browser)  # resetting ends the sessions
    assert _sign_in(_browser(testapp), "canbo.pdp", "mật-khẩu-thứ-nhất").status_int == 200  # the old one is dead
    second = LINK.search(again.text).group(0)
    assert "đã được dùng" in _browser(testapp).get(link.removeprefix("http://example.com")).text
    _set_password(testapp, second, "mật-khẩu-thứ-hai")
    assert "đã được dùng" in _browser(testapp).get(second.removeprefix("http://example.com")).text
    assert _actions(dbsession, "canbo.pdp").count("user.password_reset_link") == 2


def test_a_reset_mails_the_link_to_an_account_with_an_email(testapp, admin, people, outbox):
    page = _reset_form(testapp.get(f"/quan-tri/nguoi-dung/{people['editor'].id}")).submit()
    assert not LINK.search(page.text) and "editor.test@example.invalid" in page.text
    assert [to for to, _subject, _body in outbox] == ["editor.test@example.invalid"]


@pytest.mark.parametrize("role", ["citizen", "officer", "editor", "reviewer"])
def test_only_administrators_manage_accounts(testapp, people, role):
    sign_in(testapp, role)
    editor = people["editor"]
    for path in ("/quan-tri/nguoi-dung", "/quan-tri/nguoi-dung/them", f"/quan-tri/nguoi-dung/{editor.id}"):
        assert testapp.get(path, expect_errors=True).status_int == 403
    assert testapp.post(f"/quan-tri/nguoi-dung/{editor.id}/dat-lai-mat-khau", expect_errors=True).status_int in (400, 403)


def test_anonymous_visitors_are_sent_to_sign_in(testapp, people):
    response = testapp.get("/quan-tri/nguoi-dung", expect_errors=True)
    assert response.status_int in (302, 403)
    if response.status_int == 302:
        assert "/dang-nhap" in response.location


def test_an_account_removed_meanwhile_is_not_found(testapp, admin, people, dbsession):
    editor = people["editor"]
    form = testapp.get(f"/quan-tri/nguoi-dung/{editor.id}").forms["deform"]
    dbsession.delete(editor)
    dbsession.flush()
    assert form.submit("save", expect_errors=True).status_int == 404
    testapp.get(f"/quan-tri/nguoi-dung/{editor.id}", status=404)
    testapp.get("/quan-tri/nguoi-dung/0", status=404)


def test_the_list_searches_and_filters(testapp, admin, people, dbsession):
    city = dbsession.scalar(select(Agency).where(Agency.code == "H56.01"))
    people["officer"].agency = city
    services.create_user(dbsession, "nguyen.hoa", None, "Nguyễn Thị Hoà", ["leader"], agency=city)
    dbsession.flush()
    page = testapp.get("/quan-tri/nguoi-dung", params={"q": "NGUYEN.HOA"})
    assert "Nguyễn Thị Hoà" in page.text and "Người officer" not in page.text
    page = testapp.get("/quan-tri/nguoi-dung", params={"role": "staff", "agency": "H56.01"})
    assert "Nguyễn Thị Hoà" in page.text and "Người officer" in page.text and "Người citizen" not in page.text
    page = testapp.get("/quan-tri/nguoi-dung", params={"role": "citizen"})
    assert "Người citizen" in page.text and "admin.test@" not in page.text
    page = testapp.get("/quan-tri/nguoi-dung", params={"q": "%", "page": "99999999999999999999"})
    assert page.status_int == 200
    assert "Lãnh đạo" in testapp.get("/quan-tri/nguoi-dung").text


def test_the_list_is_paginated(testapp, admin, dbsession):
    from congdichvu.accounts.admin_views import PER_PAGE

    for number in range(PER_PAGE + 1):
        services.create_user(dbsession, f"staff{number:03d}", None, f"Cán bộ {number:03d}", ["editor"])
    first = testapp.get("/quan-tri/nguoi-dung", params={"role": "editor"})
    assert "Cán bộ 000" in first.text and 'rel="next"' in first.text
    second = testapp.get("/quan-tri/nguoi-dung", params={"role": "editor", "page": "2"})
    assert "Cán bộ 000" not in second.text and "Người editor" in second.text


def test_names_taken_are_found_in_any_case_or_written_form(dbsession, people):
    editor = people["editor"]
    editor.phone = "0912345678"
    dbsession.flush()
    taken = services.names_taken(dbsession, {"username": "EDITOR.test", "email": "Reviewer.Test@example.invalid",
                                             "phone": "+84 912.345.678"})
    assert [(name, owner.username) for name, _value, owner in taken] == [
        ("username", "editor.test"), ("email", "reviewer.test"), ("phone", "editor.test")]
    # the account's own names are not taken from it
    assert services.names_taken(dbsession, {"username": "editor.test", "phone": "0912345678"}, editor) == []
    assert services.names_taken(dbsession, {"username": "nobody", "email": None}) == []
