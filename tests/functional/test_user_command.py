"""congdichvu-user, as an operator creates the first administrator."""
import unicodedata

import pytest
import transaction
import webtest
from sqlalchemy import select

from congdichvu.accounts import services
from congdichvu.accounts.models import User
from congdichvu.config import configure
from congdichvu.models import get_tm_session
from congdichvu.scripts import user as user_command
from tests.conftest import INI


@pytest.fixture
def environment(command_registry):
    return command_registry


def _users(registry):
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        session = get_tm_session(registry["dbsession_factory"], manager)
        return {user.username: (user.roles, user.password_hash) for user in session.scalars(select(User))}


def test_the_first_administrator(environment, monkeypatch, capsys):
    monkeypatch.setenv("CONGDICHVU_NEW_PASSWORD", "mật-khẩu-quản-trị")
    args = ["add", INI, "--username", "quantri", "--full-name", "Quản trị", "--role", "admin"]
    assert user_command.main(args) == 0
    assert "Đã tạo tài khoản quantri" in capsys.readouterr().out
    roles, password_hash = _users(environment)["quantri"]
    assert roles == ["admin"] and password_hash.startswith("$argon2id$")
    assert user_command.main(args) == 1
    assert "--username quantri đã được dùng: tài khoản quantri" in capsys.readouterr().out


def test_short_passwords_are_refused(environment, monkeypatch, capsys):
    monkeypatch.setenv("CONGDICHVU_NEW_PASSWORD", "ngắn")
    assert user_command.main(["add", INI, "--username", "x", "--full-name", "X", "--role", "editor"]) == 1
    assert "ít nhất 8 ký tự" in capsys.readouterr().out
    assert "x" not in _users(environment)


def test_an_officer_needs_an_agency(environment, monkeypatch, capsys):
    monkeypatch.setenv("CONGDICHVU_NEW_PASSWORD", "mật-khẩu-cán-bộ")
    assert user_command.main(["add", INI, "--username", "canbo", "--full-name", "Cán bộ", "--role", "officer"]) == 1
    assert "chọn cơ quan" in capsys.readouterr().out
    assert "canbo" not in _users(environment)


def test_demo_accounts_once(environment, capsys):
    assert user_command.main(["demo", INI]) == 0
    assert "admin / admin-demo-2026" in capsys.readouterr().out
    users = _users(environment)
    assert set(users) == {"admin", "editor", "reviewer", "officer", "leader", "officer.pdp", "leader.pdp", "citizen"}
    assert users["leader.pdp"][0] == ["leader"]
    assert user_command.main(["demo", INI]) == 0
    assert capsys.readouterr().out == ""
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        session = get_tm_session(environment["dbsession_factory"], manager)
        assert services.authenticate(session, "officer", "officer-demo-2026", "127.0.0.1").roles == ["officer"]


def _web_sign_in(settings, login, password):
    app = webtest.TestApp(configure(settings).make_wsgi_app(), extra_environ={"HTTP_HOST": "example.com"})
    try:
        form = app.get("/dang-nhap").forms["deform"]
        form["login"], form["password"] = login, password
        return form.submit("submit", expect_errors=True).status_int
    finally:
        app.app.registry["dbengine"].dispose()


COMPOSED = "mật-khẩu-quản-trị"
DECOMPOSED = unicodedata.normalize("NFD", COMPOSED)


def test_a_password_typed_decomposed_at_the_console_signs_in_on_the_web(environment, fresh_settings, monkeypatch,
                                                                        capsys):
    assert DECOMPOSED != COMPOSED  # what some terminals send
    monkeypatch.setenv("CONGDICHVU_NEW_PASSWORD", DECOMPOSED)
    name = unicodedata.normalize("NFD", "Quản trị")
    assert user_command.main(["add", INI, "--username", "quantri", "--full-name", name, "--role", "admin"]) == 0
    assert _web_sign_in(fresh_settings, "quantri", COMPOSED) == 302
    assert _web_sign_in(fresh_settings, "quantri", DECOMPOSED) == 302  # the web reads it composed too
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        session = get_tm_session(environment["dbsession_factory"], manager)
        assert session.scalar(select(User.full_name).where(User.username == "quantri")) == "Quản trị"  # NFC


def test_a_password_typed_at_the_console_from_the_prompt_is_read_alike(environment, fresh_settings, monkeypatch):
    monkeypatch.delenv("CONGDICHVU_NEW_PASSWORD", raising=False)
    typed = iter([DECOMPOSED, COMPOSED])  # the same password, once each way
    monkeypatch.setattr(user_command.getpass, "getpass", lambda prompt: next(typed))
    assert user_command.main(["add", INI, "--username", "bientap", "--full-name", "Biên tập", "--role", "editor"]) == 0
    assert _web_sign_in(fresh_settings, "bientap", COMPOSED) == 302


def test_the_minimum_length_counts_characters_as_the_web_does(environment, monkeypatch, capsys):
    short = unicodedata.normalize("NFD", "mật khẩ")  # 7 characters, 10 code points decomposed
    assert len(short) >= 8
    monkeypatch.setenv("CONGDICHVU_NEW_PASSWORD", short)
    assert user_command.main(["add", INI, "--username", "x", "--full-name", "X", "--role", "editor"]) == 1
    assert "ít nhất 8 ký tự" in capsys.readouterr().out


def test_values_longer_than_their_column_are_refused_in_words(environment, monkeypatch, capsys):
    monkeypatch.setenv("CONGDICHVU_NEW_PASSWORD", COMPOSED)
    args = ["add", INI, "--username", "u" * 101, "--full-name", "X", "--role", "editor"]
    assert user_command.main(args) == 1
    assert "--username chỉ được dài tối đa 100 ký tự" in capsys.readouterr().out
    assert _users(environment) == {}


def _add(*options):
    return user_command.main(["add", INI, "--full-name", "Người Mới", "--role", "editor", *options])


def test_a_name_another_account_signs_in_with_is_refused_in_any_case_or_form(environment, monkeypatch, capsys):
    monkeypatch.setenv("CONGDICHVU_NEW_PASSWORD", COMPOSED)
    assert _add("--username", "Quan.Tri", "--email", "quantri@example.invalid", "--phone", "+84 912 345 678") == 0
    capsys.readouterr()
    for options, said in (
        (("--username", "QUAN.TRI"), "--username QUAN.TRI đã được dùng: tài khoản Quan.Tri"),
        (("--username", "quantri@example.invalid", "--email", "QuanTri@Example.Invalid"), "--username"),
        (("--username", "khac", "--email", "QUANTRI@example.invalid"), "--email QUANTRI@example.invalid"),
        (("--username", "khac", "--phone", "0912.345.678"), "--phone 0912.345.678 đã được dùng"),
    ):
        assert _add(*options) == 1, options
        assert said in capsys.readouterr().out
    assert set(_users(environment)) == {"Quan.Tri"}
    assert _web_sign_in(environment.settings, "quan.tri", COMPOSED) == 302


def test_an_email_or_phone_the_web_would_refuse_is_refused_here(environment, monkeypatch, capsys):
    monkeypatch.setenv("CONGDICHVU_NEW_PASSWORD", COMPOSED)
    assert _add("--username", "a", "--email", "khong-phai-thu") == 1
    assert "--email: Địa chỉ thư điện tử không hợp lệ." in capsys.readouterr().out
    assert _add("--username", "b", "--phone", "12345") == 1
    assert "--phone: " in capsys.readouterr().out
    assert _add("--username", "sep@example.invalid", "--email", "sep.that@example.invalid") == 1
    assert "phải chính là thư điện tử của tài khoản" in capsys.readouterr().out
    assert _users(environment) == {}
