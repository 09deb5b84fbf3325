"""Rate limits counted in the database: exact, per key, per window, swept."""
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import transaction
from sqlalchemy import delete, select

from congdichvu.models import get_tm_session
from congdichvu.ratelimit import RateCounter, RateLimit

HOUR = timedelta(hours=1)
NOON = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)


def _limit(limit=3, window=HOUR):
    return RateLimit(f"test.{uuid.uuid4().hex[:12]}", limit, window)


def test_a_key_gets_its_limit_then_is_refused(dbsession):
    limit = _limit(3)
    assert [limit.hit(dbsession, "203.0.113.5", now=NOON) for _ in range(5)] == [True, True, True, False, False]
    assert limit.hit(dbsession, "203.0.113.6", now=NOON)  # another key counts apart
    assert _limit(3).hit(dbsession, "203.0.113.5", now=NOON)  # and so does another limit


def test_a_flood_rewrites_one_row(dbsession):
    limit = _limit(2)
    for _ in range(50):
        limit.hit(dbsession, "user", 42, now=NOON)
    (row,) = dbsession.scalars(select(RateCounter).where(RateCounter.bucket == limit.name)).all()
    assert row.hits == 50 and row.window_start == datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)


def test_windows_are_fixed_and_aligned(dbsession):
    limit = _limit(1, timedelta(minutes=15))
    assert limit.window_start(datetime(2026, 11, 30, 12, 29, 59, tzinfo=timezone.utc)) == \
        datetime(2026, 11, 30, 12, 15, tzinfo=timezone.utc)
    # the same instant written in Vietnam's time falls in the same window
    ict = timezone(timedelta(hours=7))
    assert limit.window_start(datetime(2026, 11, 30, 19, 29, 59, tzinfo=ict)) == \
        datetime(2026, 11, 30, 12, 15, tzinfo=timezone.utc)
    assert limit.hit(dbsession, "k", now=NOON)
    assert not limit.hit(dbsession, "k", now=NOON + timedelta(minutes=14, seconds=59))
    assert limit.hit(dbsession, "k", now=NOON + timedelta(minutes=15))


def test_keys_are_stored_as_digests_of_their_parts(dbsession):
    limit = _limit(1)
    assert limit.hit(dbsession, "a", "b c", now=NOON)
    assert limit.hit(dbsession, "a b", "c", now=NOON)  # other parts, another key
    assert limit.hit(dbsession, "login", "42", now=NOON)
    assert not limit.hit(dbsession, "login", 42, now=NOON)  # a number counts as its digits
    keys = dbsession.scalars(select(RateCounter.key).where(RateCounter.bucket == limit.name)).all()
    assert len(set(keys)) == 3 and all(len(key) == 64 and " " not in key and "login" not in key for key in keys)


def test_rows_are_swept_once_the_next_window_has_ended(dbsession):
    limit = _limit(5)
    limit.hit(dbsession, "old", now=NOON)
    limit.hit(dbsession, "recent", now=NOON + HOUR)
    limit.hit(dbsession, "new", now=NOON + 2 * HOUR)  # a new key's first hit sweeps
    windows = dbsession.scalars(select(RateCounter.window_start).where(RateCounter.bucket == limit.name)
                                .order_by(RateCounter.window_start)).all()
    assert windows == [NOON + HOUR, NOON + 2 * HOUR]  # the previous window stays: it may still be counting


def test_limits_are_checked_when_made():
    for name, count, window in (("x" * 51, 1, HOUR), ("x", 0, HOUR), ("x", 1, timedelta(0))):
        with pytest.raises(ValueError):
            RateLimit(name, count, window)


def test_simultaneous_hits_from_several_servers_get_exactly_the_limit(app):
    """Eight transactions at once, as eight app servers would run them:
    the upsert makes each wait for the one before, so exactly three pass."""
    limit, factory = _limit(3), app.registry["dbsession_factory"]
    start, results = threading.Barrier(8), []

    def one_request():
        manager = transaction.TransactionManager(explicit=True)
        with manager:
            session = get_tm_session(factory, manager)
            start.wait()
            results.append(limit.hit(session, "198.51.100.7"))
            time.sleep(0.05)  # hold the row a moment, as a request would

    threads = [threading.Thread(target=one_request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 5 + [True] * 3
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        session = get_tm_session(factory, manager)
        assert session.scalar(select(RateCounter.hits).where(RateCounter.bucket == limit.name)) == 8
        session.execute(delete(RateCounter).where(RateCounter.bucket == limit.name))
