"""The rules administrators manage accounts by (accounts.services), and
the lifetime of the links to set a password (accounts.tokens)."""
import time
from types import SimpleNamespace

import pytest

from congdichvu.accounts import services, tokens
from congdichvu.accounts.models import User, UserRole

CITY = SimpleNamespace(code="H56.01")


def _user(id=1, roles=("editor",)):
    user = User(id=id, username=f"u{id}", full_name="Người", password_hash="$argon2id$x" + "a" * 20, active=True,
                session_generation=0)
    user.role_rows = [UserRole(role=role) for role in roles]
    return user


def _fields(problems):
    return [field for field, _message in problems]


@pytest.mark.parametrize("role", ["officer", "leader"])
def test_officers_and_leaders_need_an_agency(role):
    assert _fields(services.staff_problems([role], None)) == ["agency"]
    assert services.staff_problems([role], CITY) == []
    assert services.staff_problems(["editor"], None) == []


def test_a_staff_account_needs_a_role_and_stays_staff():
    assert services.staff_problems([], None) == [("roles", services.NO_ROLE)]
    assert services.staff_problems(["citizen"], None, _user()) == [("roles", services.STAFF_NOT_CITIZEN)]


def test_a_citizens_account_gets_no_staff_role():
    citizen = _user(roles=("citizen",))
    assert services.staff_problems(["citizen", "admin"], None, citizen) == [("roles", services.CITIZEN_NOT_STAFF)]
    assert services.staff_problems(["citizen"], None, citizen, _user(id=2, roles=("admin",)), active=False) == []


def test_an_administrator_cannot_lock_themself_out():
    admin = _user(roles=("admin",))
    assert services.staff_problems(["admin"], None, admin, admin, active=False) == [("active", services.NOT_YOURSELF)]
    assert services.staff_problems(["editor"], None, admin, admin) == [("roles", services.KEEP_YOUR_ADMIN)]
    other = _user(id=2, roles=("admin",))
    assert services.staff_problems(["editor"], None, admin, other, active=False) == []


def test_set_roles_keeps_the_rows_it_can():
    user = _user(roles=("editor", "reviewer"))
    kept = user.role_rows[0]
    services.set_roles(user, ["editor", "leader"])
    assert user.roles == ["editor", "leader"] and kept in user.role_rows


def test_deactivating_ends_sessions_and_reactivating_does_not():
    user = _user()
    services.set_active(user, False)
    assert not user.active and user.session_generation == 1
    services.set_active(user, False)  # already closed: nothing more
    services.set_active(user, True)
    assert user.active and user.session_generation == 1


def test_a_reset_by_an_administrator_changes_the_password_and_ends_sessions():
    user = _user()
    before = user.password_hash
    services.reset_by_administrator(user)
    assert user.password_hash != before and user.password_hash.startswith("$argon2")
    assert user.session_generation == 1


def test_a_handed_over_link_lives_three_days_and_an_asked_one_an_hour(monkeypatch):
    user = _user()
    asked = tokens.reset_token("s", user)
    handed = tokens.reset_token("s", user, max_age=tokens.HANDOVER_MAX_AGE)
    assert tokens.read_reset("s", asked)["user"] == tokens.read_reset("s", handed)["user"] == 1
    later = time.time() + 2 * 60 * 60
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(tokens.InvalidToken) as expired:
        tokens.read_reset("s", asked)
    assert expired.value.expired
    assert tokens.read_reset("s", handed)["seal"] == user.password_hash[-12:]
    with pytest.raises(tokens.InvalidToken):
        tokens.read_reset("other secret", handed)
