"""Fixtures of the functional tests."""
import pytest

from congdichvu.accounts import services
from congdichvu.config import configure
from congdichvu.mail import TransactionalMailer
from tests.factories import ROLES, STAFF_AGENCY


@pytest.fixture
def people(dbsession):
    """One person per role, signing in as "<role>.test" / "<role>-mật-khẩu-dài";
    the officer and the leader work at STAFF_AGENCY (when the catalogue is loaded)."""
    from congdichvu.catalog.services import catalog_for

    agency = catalog_for(dbsession).agency(STAFF_AGENCY)
    return {
        role: services.create_user(dbsession, f"{role}.test", f"{role}-mật-khẩu-dài", f"Người {role}", [role],
                                   email=f"{role}.test@example.invalid",
                                   agency=agency if role in ("officer", "leader") else None)
        for role in ROLES
    }


@pytest.fixture
def outbox(monkeypatch):
    """Mail the portal sends, as (to, subject, body), kept here (the test
    transaction never commits, so nothing would be delivered)."""
    sent = []
    monkeypatch.setattr(TransactionalMailer, "send", lambda self, to, subject, body: sent.append((to, subject, body)))
    return sent


@pytest.fixture
def command_registry(fresh_settings, monkeypatch):
    """A fresh, migrated database that the console commands find through
    the environment (as a second instance beside the first would), and the
    registry of an app configured on it."""
    monkeypatch.setenv("CONGDICHVU_DATABASE_URL", fresh_settings["sqlalchemy.url"])
    monkeypatch.setenv("CONGDICHVU_DATA_DIR", fresh_settings["congdichvu.data_dir"])
    config = configure(fresh_settings)
    config.make_wsgi_app()
    yield config.registry
    config.registry["dbengine"].dispose()
