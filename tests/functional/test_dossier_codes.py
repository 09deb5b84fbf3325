"""Dossier codes under concurrency: never repeated, never skipped."""
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
import transaction

from congdichvu.eservices.codes import dossier_code
from congdichvu.models import get_engine, get_session_factory, get_tm_session


@pytest.fixture
def session_factory(fresh_settings):
    engine = get_engine(fresh_settings)
    yield get_session_factory(engine)
    engine.dispose()


def _allocate(factory, agency, day, commit=True):
    manager = transaction.TransactionManager(explicit=True)
    manager.begin()
    code = dossier_code(get_tm_session(factory, manager), agency, day)
    if commit:
        manager.commit()
    else:
        manager.abort()
    return code


def test_codes_have_the_agreed_shape(session_factory):
    assert _allocate(session_factory, "H56.01.P05", date(2026, 11, 26)) == "H56.01.P05-261126-0001"
    assert _allocate(session_factory, "H56.01.P05", date(2026, 11, 26)) == "H56.01.P05-261126-0002"
    # every agency and every day has its own sequence
    assert _allocate(session_factory, "H56.01.P06", date(2026, 11, 26)).endswith("-0001")
    assert _allocate(session_factory, "H56.01.P05", date(2026, 11, 27)) == "H56.01.P05-261127-0001"


def test_a_rolled_back_submission_does_not_skip_a_number(session_factory):
    day = date(2026, 11, 26)
    assert _allocate(session_factory, "H56.01", day).endswith("-0001")
    assert _allocate(session_factory, "H56.01", day, commit=False).endswith("-0002")  # rolled back
    assert _allocate(session_factory, "H56.01", day).endswith("-0002")


def test_concurrent_submissions_get_distinct_consecutive_codes(session_factory):
    day = date(2026, 11, 26)
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda _n: _allocate(session_factory, "H56.01.X03", day), range(40)))
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    assert numbers == list(range(1, 41))
