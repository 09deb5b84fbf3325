"""Fixtures of the functional tests."""
import pytest

from congdichvu.accounts import services
from tests.factories import ROLES


@pytest.fixture
def people(dbsession):
    """One person per role, signing in as "<role>.test" / "<role>-mật-khẩu-dài"."""
    return {
        role: services.create_user(dbsession, f"{role}.test", f"{role}-mật-khẩu-dài", f"Người {role}", [role],
                                   email=f"{role}.test@example.invalid")
        for role in ROLES
    }
