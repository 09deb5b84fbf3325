"""congdichvu-user, as an operator creates the first administrator."""
import pytest
import transaction
from sqlalchemy import select

from congdichvu.accounts import services
from congdichvu.accounts.models import User
from congdichvu.config import configure
from congdichvu.models import get_tm_session
from congdichvu.scripts import user as user_command
from tests.conftest import INI


@pytest.fixture
def environment(fresh_settings, monkeypatch):
    monkeypatch.setenv("CONGDICHVU_DATABASE_URL", fresh_settings["sqlalchemy.url"])
    monkeypatch.setenv("CONGDICHVU_DATA_DIR", fresh_settings["congdichvu.data_dir"])
    config = configure(fresh_settings)
    config.make_wsgi_app()
    yield config.registry
    config.registry["dbengine"].dispose()


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
    assert "đã có" in capsys.readouterr().out


def test_short_passwords_are_refused(environment, monkeypatch, capsys):
    monkeypatch.setenv("CONGDICHVU_NEW_PASSWORD", "ngắn")
    assert user_command.main(["add", INI, "--username", "x", "--full-name", "X", "--role", "editor"]) == 1
    assert "ít nhất 8 ký tự" in capsys.readouterr().out
    assert "x" not in _users(environment)


def test_demo_accounts_once(environment, capsys):
    assert user_command.main(["demo", INI]) == 0
    assert "admin / admin-demo-2026" in capsys.readouterr().out
    users = _users(environment)
    assert set(users) == {"admin", "editor", "reviewer", "officer", "citizen"}
    assert user_command.main(["demo", INI]) == 0
    assert capsys.readouterr().out == ""
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        session = get_tm_session(environment["dbsession_factory"], manager)
        assert services.authenticate(session, "officer", "officer-demo-2026", "127.0.0.1").roles == ["officer"]
