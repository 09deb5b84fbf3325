"""Sessions join the transaction manager they are given, and only it."""
import pytest
import transaction
from sqlalchemy import select

from congdichvu.catalog.models import Sector
from congdichvu.models import get_tm_session


def test_a_session_commits_and_aborts_with_its_manager(app):
    factory = app.registry["dbsession_factory"]
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        get_tm_session(factory, manager).add(Sector(code="ZZTEST", name="Thử", position=999))
    manager.begin()
    session = get_tm_session(factory, manager)
    sector = session.scalar(select(Sector).where(Sector.code == "ZZTEST"))
    assert sector is not None
    session.delete(sector)
    manager.abort()  # the delete is rolled back
    with manager:
        session = get_tm_session(factory, manager)
        sector = session.scalar(select(Sector).where(Sector.code == "ZZTEST"))
        assert sector is not None
        session.delete(sector)
    with manager:
        assert get_tm_session(factory, manager).scalar(select(Sector).where(Sector.code == "ZZTEST")) is None


def test_a_session_cannot_commit_behind_the_managers_back(app):
    factory = app.registry["dbsession_factory"]
    manager = transaction.TransactionManager(explicit=True)
    manager.begin()
    session = get_tm_session(factory, manager)
    session.scalar(select(Sector))
    with pytest.raises(AssertionError, match="transaction manager"):
        session.commit()
    manager.abort()


def test_two_managers_do_not_share_a_transaction(app):
    factory = app.registry["dbsession_factory"]
    first, second = (transaction.TransactionManager(explicit=True) for _ in range(2))
    first.begin(), second.begin()
    session = get_tm_session(factory, first)
    session.add(Sector(code="ZZONE", name="Một", position=998))
    session.flush()
    get_tm_session(factory, second).scalar(select(Sector))
    second.commit()  # commits nothing of the first
    first.abort()
    with first:
        assert get_tm_session(factory, first).scalar(select(Sector).where(Sector.code == "ZZONE")) is None
