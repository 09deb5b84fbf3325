"""The index follows the database: committed changes are found, rolled
back ones are not, a crash between commit and indexing is repaired, and a
lost index is rebuilt the same."""
import copy
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


def test_the_worker_loop_applies_what_the_web_could_not(portal, monkeypatch):
    """``congdichvu-search process --loop``: a change whose web process
    died before indexing it is found once the worker's next run has passed;
    a failing run is reported and the loop goes on; it stops when told."""
    import io
    import threading
    import time
    from types import SimpleNamespace

    from congdichvu.scripts import search as search_command

    _load_demo(portal)
    index = portal["search_index"]
    applied, failures = index._apply_outbox, []

    def crash_once(*args, **kwargs):
        if not failures:
            failures.append(1)
            raise RuntimeError("the database went away")
        return applied(*args, **kwargs)

    monkeypatch.setattr(index, "_apply_outbox", lambda *args, **kwargs: None)  # the web process "dies"
    _commit(portal, _rename("1.000656", "Đăng ký khai tử cho người lang thang"))
    assert "1.000656" not in _found(portal, "lang thang")
    monkeypatch.setattr(index, "_apply_outbox", crash_once)
    stop, out, err = threading.Event(), io.StringIO(), io.StringIO()
    worker = threading.Thread(target=search_command.process, args=(
        {"registry": portal}, SimpleNamespace(interval="1", loop=True), out, err, stop))
    worker.start()
    try:
        deadline = time.monotonic() + 15
        while "1.000656" not in _found(portal, "lang thang") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _found(portal, "lang thang")[0] == "1.000656"
    finally:
        stop.set()
        worker.join(10)
    assert not worker.is_alive()
    assert "Không áp dụng được" in err.getvalue() and "RuntimeError" in err.getvalue()
    assert "1 outbox rows applied" in out.getvalue()


def test_the_search_worker_checks_its_interval_and_says_when_the_index_is_busy(portal, fresh_settings,
                                                                                  monkeypatch, capsys):
    from congdichvu.scripts import search as search_command
    from tests.conftest import INI

    monkeypatch.setenv("CONGDICHVU_DATABASE_URL", fresh_settings["sqlalchemy.url"])
    monkeypatch.setenv("CONGDICHVU_DATA_DIR", fresh_settings["congdichvu.data_dir"])
    err = __import__("io").StringIO()
    assert search_command.main(["process", INI, "--loop", "--interval", "0"], err=err) == 2
    assert "--interval phải là một số nguyên giây, từ 1 đến 3600" in err.getvalue()
    monkeypatch.setattr("congdichvu.search.index.IndexManager.apply_outbox", lambda self, timeout=None: None)
    assert search_command.main(["process", INI]) == search_command.BUSY
    assert "index busy" in capsys.readouterr().out


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


# -- many changes at once: linear, built in full, in catalogue order ----------


def _twins(count):
    """``count`` copies of one demo procedure that differ only in their
    codes: every search finds them with equal scores."""
    catalogue = demo_document()
    first = catalogue["procedures"][0]
    catalogue["procedures"] = [dict(copy.deepcopy(first), code=f"3.{n:06d}") for n in range(1, count + 1)]
    return catalogue


def _codes_found(registry, text, pages, per_page=50):
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        service = WhooshSearchService(registry["search_index"], get_tm_session(registry["dbsession_factory"], manager))
        return [
            result.code
            for page in range(1, pages + 1)
            for result in service.search(text, page=page, per_page=per_page, log=False).results
        ]


def _outbox(registry):
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        session = get_tm_session(registry["dbsession_factory"], manager)
        return session.execute(select(SearchOutbox.id, SearchOutbox.procedure_code).order_by(SearchOutbox.id)).all()


def test_the_outbox_reads_the_new_objects_once_per_flush(portal, monkeypatch):
    from sqlalchemy.orm import Session

    reads = []
    new = Session.new

    def counted(session):
        reads.append(1)
        return new.fget(session)

    monkeypatch.setattr(Session, "new", property(counted))
    _load_demo(portal)  # 89 procedures, about 1,200 new objects in one flush
    assert len(reads) < 20  # was once per object: n² work for n objects


def test_changes_to_a_procedures_parts_name_the_procedure(portal):
    from congdichvu.catalog.models import Channel, Fee, LegalBasis, Paper, Sector

    _load_demo(portal)
    seen = _outbox(portal)[-1].id

    def change(session):
        session.scalar(select(Paper).join(Procedure).where(Procedure.code == "1.001193")).name = "Tờ khai mới"
        fee = session.scalar(select(Fee).join(Channel).join(Procedure).where(Procedure.code == "1.000656").limit(1))
        session.delete(fee)
        procedure = session.scalar(select(Procedure).where(Procedure.code == "1.000894"))
        procedure.legal_bases.append(LegalBasis(position=9, number="99/2026/NĐ-CP", title="Nghị định thử"))

    _commit(portal, change)
    owners = [code for row_id, code in _outbox(portal) if row_id > seen]
    assert sorted(owners) == ["1.000656", "1.000894", "1.001193"]
    _commit(portal, lambda session: setattr(session.scalar(select(Sector).limit(1)), "name", "Lĩnh vực mới"))
    assert _outbox(portal)[-1].procedure_code == "*"


def test_ties_keep_the_catalogue_order_after_a_document_is_rewritten(portal):
    _commit(portal, lambda session: exchange.import_catalog(session, _twins(30)))
    name = _twins(1)["procedures"][0]["name"]
    in_order = [f"3.{n:06d}" for n in range(1, 31)]
    assert _codes_found(portal, name, pages=1) == in_order
    # rewriting a document puts it last in the index, not in the catalogue
    _commit(portal, lambda session: setattr(
        session.scalar(select(Procedure).where(Procedure.code == "3.000001")), "requirements", "Không"
    ))
    assert _codes_found(portal, name, pages=1) == in_order


def test_a_large_change_is_built_in_full_on_several_processes(portal, monkeypatch):
    index = portal["search_index"]
    monkeypatch.setattr("congdichvu.search.index.FULL_BUILD_MIN", 50)
    index.processes = 2  # as in a console command
    before = index.state()["build"]
    _commit(portal, lambda session: exchange.import_catalog(session, _twins(250)))
    state = index.state()
    assert state["build"] != before and state["cursor"] == _outbox(portal)[-1].id
    # batches of 100 documents went to two processes; the catalogue order holds
    name = _twins(1)["procedures"][0]["name"]
    assert _codes_found(portal, name, pages=5) == [f"3.{n:06d}" for n in range(1, 251)]
    # one procedure changed: written into the live index, no new build
    _commit(portal, _rename("3.000007", "Thủ tục đổi tên riêng lẻ"))
    assert index.state()["build"] == state["build"] and index.state()["cursor"] == _outbox(portal)[-1].id
    assert _found(portal, "đổi tên riêng lẻ")[0] == "3.000007"


def _all_postings(index):
    """Every (field, term, [documents]) of the live index."""
    from whoosh import index as whoosh_index

    with whoosh_index.open_dir(str(index.directory / "live")).reader() as reader:
        return [(field, text, list(reader.postings(field, text).all_ids())) for field, text in reader.all_terms()]


def test_a_build_that_spills_to_disk_writes_the_same_index(portal, monkeypatch):
    """Past WRITER_MEMORY_MB a writer sorts its postings in runs on disk,
    a chunk at a time (search.spill): the index is the one built in memory."""
    from whoosh.writing import PostingPool

    index = portal["search_index"]
    _load_demo(portal)
    assert index.rebuild(processes=1) == 89
    in_memory = _all_postings(index)
    saves, save = [], PostingPool.save
    monkeypatch.setattr(PostingPool, "save", lambda pool: saves.append(len(pool.current)) or save(pool))
    monkeypatch.setattr("congdichvu.search.index.WRITER_MEMORY_MB", 2)
    assert index.rebuild(processes=1) == 89
    assert len(saves) > 3 and max(saves) > 10_000  # several runs, of more than one chunk
    assert _all_postings(index) == in_memory
    assert _found(portal, "khai sinh")[0] == "1.001193"


def test_a_crash_during_a_full_build_keeps_the_live_index(portal, monkeypatch):
    index = portal["search_index"]
    monkeypatch.setattr("congdichvu.search.index.FULL_BUILD_MIN", 10)
    _load_demo(portal)
    state = index.state()
    documents = index._documents

    def dies_midway(session, codes=None):
        for number, item in enumerate(documents(session, codes)):
            if number == 5:
                raise RuntimeError("the process died here")
            yield item

    monkeypatch.setattr(index, "_documents", dies_midway)
    _commit(portal, lambda session: exchange.import_catalog(session, _twins(40)))  # the commit stands
    assert index.state() == state and not list(index.directory.glob("build-*"))
    assert _found(portal, "khai sinh")[0] == "1.001193"
    monkeypatch.setattr(index, "_documents", documents)
    assert index.apply_outbox() == 40  # the next indexer run
    assert index.state()["cursor"] == _outbox(portal)[-1].id
    assert "3.000040" in _codes_found(portal, _twins(1)["procedures"][0]["name"], pages=1)


def test_servers_starting_together_on_one_outdated_index_build_it_once(portal, monkeypatch):
    """Two app servers sharing the data directory start after an upgrade:
    both find the index outdated, the one that gets the writer lock second
    finds it rebuilt and uses it (each built it in turn before)."""
    import threading
    import time

    from congdichvu.search.index import IndexManager

    _load_demo(portal)
    first = portal["search_index"]
    live = first.directory / "live"
    (live / "congdichvu-index.json").write_text('{"schema": "0", "cursor": 0, "build": "old"}', encoding="utf-8")
    second = IndexManager(first.directory, first.catalog_for_session, first.session_factory)
    builds, build = [], IndexManager._build

    def slow_build(self, processes):
        builds.append(self)
        time.sleep(0.5)  # long enough for the other server to find the index outdated too
        return build(self, processes)

    monkeypatch.setattr(IndexManager, "_build", slow_build)
    monkeypatch.setattr("congdichvu.search.index.WRITER_PROCESSES", 1)
    starts = [threading.Thread(target=manager.ensure) for manager in (first, second)]
    [thread.start() for thread in starts]
    [thread.join(60) for thread in starts]
    assert len(builds) == 1 and first.state()["schema"] == SCHEMA_VERSION
    assert _found(portal, "khai sinh")[0] == "1.001193"


HOLD_WRITER_LOCK = """
import sys
from whoosh.filedb.filestore import FileStorage
lock = FileStorage(sys.argv[1]).lock("rebuild")
assert lock.acquire()
print("locked", flush=True)
sys.stdin.read()
"""


def test_one_writer_at_a_time_across_processes(portal):
    _load_demo(portal)
    index = portal["search_index"]
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITER_LOCK, str(index.directory)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        cursor = index.state()["cursor"]
        _commit(portal, _rename("1.000894", "Đăng ký kết hôn tập thể"))
        assert index.apply_outbox(timeout=0.2) is None and index.state()["cursor"] == cursor
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    assert index.apply_outbox() == 1
    assert _found(portal, "tập thể")[0] == "1.000894"


def test_the_vocabulary_knows_every_word_and_code_the_catalogue_holds(portal):
    """What "is this word in the catalogue?" answers from: every folded
    syllable of every searchable text (names, papers, legal bases, steps)
    and every code, with parts written by the bulk path of an import."""
    from congdichvu.search.services import Vocabulary

    _load_demo(portal)
    manager = portal["search_index"]
    vocabulary = manager.shared(Vocabulary)
    demo = demo_document()
    procedure = next(entry for entry in demo["procedures"] if entry["code"] == "1.001193")
    words = {
        "paper": procedure["papers"][0]["name"].split()[-1],
        "legal basis": procedure["legal_bases"][0]["title"].split()[-1],
        "step": procedure["steps"][0].split()[-1],
    }
    from congdichvu.search.analysis import fold

    for where, word in words.items():
        assert vocabulary.knows(fold(word.strip(".,;:()"))), where
    assert vocabulary.knows("1.001193")
    assert not vocabulary.knows("zzqxv")
    assert vocabulary._frequency("dang") > 0 and vocabulary._frequency("zzqxv") == 0
