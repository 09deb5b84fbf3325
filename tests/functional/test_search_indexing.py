"""The index follows the database: committed changes are found, rolled
back ones are not, a crash between commit and indexing is repaired, and a
lost index is rebuilt the same."""
import shutil
import subprocess
import sys

import pytest
import transaction
from sqlalchemy import select

from congdichvu.catalog import exchange
from congdichvu.catalog.models import Procedure
from congdichvu.config import configure
from congdichvu.models import get_tm_session
from congdichvu.search.models import SearchOutbox
from congdichvu.search.schema import SCHEMA_VERSION
from congdichvu.search.services import WhooshSearchService
from tests.factories import demo_document


@pytest.fixture
def portal(fresh_settings):
    """A freshly configured portal over an empty, migrated database."""
    config = configure(fresh_settings)
    config.make_wsgi_app()
    registry = config.registry
    yield registry
    registry["dbengine"].dispose()


def _commit(registry, change):
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        change(get_tm_session(registry["dbsession_factory"], manager))


def _found(registry, text):
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        service = WhooshSearchService(registry["search_index"], get_tm_session(registry["dbsession_factory"], manager))
        return [result.code for result in service.search(text, log=False).results]


def _load_demo(registry):
    _commit(registry, lambda session: exchange.import_catalog(session, demo_document()))


def _rename(code, name):
    def change(session):
        session.scalar(select(Procedure).where(Procedure.code == code)).name = name

    return change


def test_a_committed_change_is_searchable(portal):
    _load_demo(portal)
    assert _found(portal, "khai sinh")[0] == "1.001193"
    _commit(portal, _rename("1.001193", "Đăng ký khai sinh cho trẻ sơ sinh mồ côi"))
    assert _found(portal, "mồ côi")[0] == "1.001193"


def test_a_rolled_back_change_is_not(portal):
    _load_demo(portal)
    manager = transaction.TransactionManager(explicit=True)
    manager.begin()
    session = get_tm_session(portal["dbsession_factory"], manager)
    _rename("1.001193", "Đăng ký khai sinh cho trẻ sơ sinh mồ côi")(session)
    session.flush()
    manager.abort()
    assert "1.001193" not in _found(portal, "mồ côi")
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        session = get_tm_session(portal["dbsession_factory"], manager)
        codes = session.scalars(select(SearchOutbox.procedure_code)).all()
    assert "1.001193" in codes and codes.count("1.001193") == 1  # only the import's row


def test_a_crash_between_commit_and_indexing_is_repaired(portal, monkeypatch):
    _load_demo(portal)
    index = portal["search_index"]

    def crash(*args, **kwargs):
        raise RuntimeError("the process died here")

    monkeypatch.setattr(index, "_apply_outbox", crash)
    _commit(portal, _rename("1.000656", "Đăng ký khai tử cho người vô gia cư"))
    assert "1.000656" not in _found(portal, "vô gia cư")  # committed, not yet indexed
    monkeypatch.undo()
    assert index.apply_outbox() == 1  # the next indexer run
    assert _found(portal, "vô gia cư")[0] == "1.000656"


HOLD_LOCK = """
import sys
from whoosh import index
lock = index.open_dir(sys.argv[1]).lock("WRITELOCK")
assert lock.acquire()
print("locked", flush=True)
sys.stdin.read()
"""


def test_a_busy_index_defers_instead_of_failing(portal, monkeypatch):
    _load_demo(portal)
    index = portal["search_index"]
    monkeypatch.setattr("congdichvu.search.index.WRITE_TIMEOUT", 0.2)
    # another process is writing the index (file locks are per process)
    writer = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(index.directory / "live")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "locked"
        _commit(portal, _rename("1.000894", "Đăng ký kết hôn tập thể"))  # the request does not fail
        assert index.apply_outbox(timeout=0.2) is None
        assert "1.000894" not in _found(portal, "tập thể")
    finally:
        writer.stdin.close()
        writer.wait(timeout=10)
    assert index.apply_outbox() == 1
    assert _found(portal, "tập thể")[0] == "1.000894"


def test_deleting_the_index_and_restarting_gives_the_same_results(portal, fresh_settings):
    _load_demo(portal)
    queries = ["khai sinh", "GPXD", "dang ky tam tru", "sổ đỏ", "1.004222"]
    before = [_found(portal, query) for query in queries]
    portal["dbengine"].dispose()
    shutil.rmtree(portal["search_index"].directory)
    config = configure(fresh_settings)
    config.make_wsgi_app()  # startup finds no index and rebuilds it
    restarted = config.registry
    try:
        assert [_found(restarted, query) for query in queries] == before
    finally:
        restarted["dbengine"].dispose()


def test_an_outdated_or_damaged_index_is_rebuilt_at_startup(portal, fresh_settings):
    _load_demo(portal)
    index = portal["search_index"]
    state = index.state()
    index._write_state(index.directory / "live", state["cursor"], state["build"])
    (index.directory / "live" / "congdichvu-index.json").write_text(
        '{"schema": "0", "cursor": 0, "build": "old"}', encoding="utf-8"
    )
    assert not index.is_usable()
    for segment in (index.directory / "live").glob("*.seg"):
        segment.write_bytes(b"garbage")
    config = configure(fresh_settings)
    config.make_wsgi_app()
    restarted = config.registry
    try:
        assert restarted["search_index"].state()["schema"] == SCHEMA_VERSION
        assert _found(restarted, "khai sinh")[0] == "1.001193"
    finally:
        restarted["dbengine"].dispose()


def test_the_reindex_command(portal, fresh_settings, monkeypatch, capsys):
    from congdichvu.scripts import search as search_command
    from tests.conftest import INI

    _load_demo(portal)
    monkeypatch.setenv("CONGDICHVU_DATABASE_URL", fresh_settings["sqlalchemy.url"])
    monkeypatch.setenv("CONGDICHVU_DATA_DIR", fresh_settings["congdichvu.data_dir"])
    assert search_command.main(["reindex", INI]) == 0
    assert "89 procedures indexed" in capsys.readouterr().out
    assert search_command.main(["process", INI]) == 0
    assert "0 outbox rows applied" in capsys.readouterr().out
