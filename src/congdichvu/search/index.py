"""The Whoosh index: built from the database, fed from the outbox.

One directory per instance (``{data_dir}/search``) holds the live index and
a cursor file naming the last outbox row applied. One writer at a time
across processes: a file lock in the directory is held by whoever builds or
feeds the index; a writer that cannot get it within a few seconds leaves
the rows for the next run, which never loses them because the cursor moves
only after the index has committed.

Outbox rows naming many procedures (an import, a change to every
document) are not applied one by one: a full build beside the live index,
on several processes where the caller may fork, reads everything once and
is swapped in with the cursor it read first.

The thesaurus (search.thesaurus) is query-side: no document holds it. A
change writes a THESAURUS outbox row; whoever applies it to a directory
writes its id into the state file, and every process reading that
directory loads its table again when the id there is not the one it
loaded with (``thesaurus``).
"""
import json
import logging
import os
import shutil
import threading
import uuid
from pathlib import Path

from sqlalchemy import func, select
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.util.filelock import try_for

from . import spill
from . import thesaurus as thesauri
from .documents import procedure_document
from .models import EVERYTHING, THESAURUS, SearchOutbox
from .schema import SCHEMA_VERSION, build_schema

log = logging.getLogger(__name__)
spill.install()

STATE_FILE = "congdichvu-index.json"
#: the directory's writer lock (the file name of earlier versions, which
#: took it only to rebuild, so a rolling upgrade keeps them apart)
WRITER_LOCK = "rebuild"
WRITE_TIMEOUT = 5.0
BATCH = 500
#: procedures read at a time by a full build (Whoosh's parallel writer
#: hands its processes 100 documents at a time)
READ_BATCH = 200
# a full build analyses every text twice or three times: use the cores
WRITER_PROCESSES = max(1, min(4, os.cpu_count() or 1))
#: a full build keeps each process's postings in memory up to this (by
#: Whoosh's own estimate, about half the real size), about 3,000
#: procedures' worth at a peak of 0.75 GB a process, then sorts them in
#: runs on disk (search.spill: a chunk at a time, so that a procedure costs
#: the same CPU at 16,000 as at 2,000)
WRITER_MEMORY_MB = 512
#: outbox rows naming at least this many procedures, and this share of the
#: index, are applied by a full build: it costs what indexing the whole
#: catalogue costs, and it runs on several processes
FULL_BUILD_MIN = 200
FULL_BUILD_SHARE = 0.25


def _cancel(writer):
    """Cancel ``writer``. Whoosh's parallel writer (whoosh-reloaded 2.7.5,
    ``multiproc.MpWriter``) only flags its subprocesses in the parent's
    memory, so they would wait for work for ever: end them too."""
    try:
        writer.cancel()
    finally:
        for task in getattr(writer, "tasks", ()):
            task.terminate()
            task.join()


class IndexManager:
    """Owns the index directory of one instance and hands out searchers."""

    def __init__(self, directory, catalog_for_session, session_factory):
        self.directory = Path(directory)
        self.catalog_for_session = catalog_for_session
        self.session_factory = session_factory
        self._local = threading.local()
        # Whoosh's file lock keeps other processes out, not other threads
        self._lock = threading.RLock()
        self._shared = None
        #: (the state file's thesaurus mark it was loaded for, the table)
        self._thesaurus = None
        self._thesaurus_lock = threading.Lock()
        #: processes a full build may use; 1 in a server, whose threads
        #: must not fork, more in console commands (see scripts.console_env)
        self.processes = 1

    # -- state -----------------------------------------------------------------

    def _state_path(self):
        return self.directory / "live" / STATE_FILE

    def state(self):
        try:
            return json.loads(self._state_path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _write_state(self, directory, cursor, build, thesaurus=0):
        """``thesaurus``: the id of the newest THESAURUS outbox row applied
        here (or any value that changes when the thesaurus may have)."""
        path = Path(directory) / STATE_FILE
        temporary = path.with_suffix(".tmp")
        state = {"schema": SCHEMA_VERSION, "cursor": cursor, "build": build, "thesaurus": thesaurus}
        temporary.write_text(json.dumps(state), encoding="utf-8")
        os.replace(temporary, path)

    def is_usable(self):
        """The index exists, opens, and was built with this schema."""
        state = self.state()
        if not state or state.get("schema") != SCHEMA_VERSION:
            return False
        try:
            index = whoosh_index.open_dir(str(self.directory / "live"))
            with index.searcher() as searcher:
                searcher.doc_count()
            return True
        except Exception:  # any damage means: rebuild
            log.warning("search index in %s is unreadable", self.directory, exc_info=True)
            return False

    # -- building and feeding ---------------------------------------------------

    def _documents(self, session, codes=None):
        """(code, document) of the procedures in force with ``codes``, or
        of all of them, in catalogue order. All are read a batch at a time,
        so that a parallel build starts writing at once and the catalogue
        is never all in memory."""
        catalog = self.catalog_for_session(session)
        procedures = catalog.procedures(codes) if codes is not None else catalog.procedures_in_batches(READ_BATCH)
        for procedure in procedures:
            yield procedure.code, procedure_document(procedure, catalog.handling_agencies(procedure))

    def _writer_lock(self):
        self.directory.mkdir(parents=True, exist_ok=True)
        return FileStorage(str(self.directory)).lock(WRITER_LOCK)

    def rebuild(self, processes=None):
        """Build a new index from the database beside the live one, then
        swap it in. Returns the number of documents. ``processes`` defaults
        to ``self.processes``: several are for startup and the console, a
        server thread must not fork."""
        with self._lock:
            return self._rebuild(processes)

    def _rebuild(self, processes=None, unless_usable=False):
        """The full build under the writer lock; with ``unless_usable``,
        none when the index is usable once the lock is held: app servers
        starting together on one shared directory (after an upgrade that
        changed the schema) each found it unusable, and the first to get
        the lock has built it for all of them."""
        lock = self._writer_lock()
        if not lock.acquire(blocking=True):  # pragma: no cover - fcntl blocks
            raise LockError(WRITER_LOCK)
        try:
            if unless_usable and self.is_usable():
                return None
            return self._build(processes or self.processes)
        finally:
            lock.release()

    def _build(self, processes):
        """The full build; the caller holds the writer lock."""
        build = uuid.uuid4().hex
        fresh = self.directory / f"build-{build}"
        fresh.mkdir()
        index = whoosh_index.create_in(str(fresh), build_schema())
        with self.session_factory() as session:
            # rows up to here are in what we read; later ones are replayed
            cursor = session.scalar(select(func.max(SearchOutbox.id))) or 0
            if processes > 1:
                writer = index.writer(limitmb=WRITER_MEMORY_MB, procs=processes, multisegment=True)
            else:
                writer = index.writer(limitmb=WRITER_MEMORY_MB)
            count = 0
            try:
                for _code, document in self._documents(session):
                    writer.add_document(**document)
                    count += 1
                writer.commit()
            except BaseException:
                _cancel(writer)
                shutil.rmtree(fresh, ignore_errors=True)
                raise
        # a full build applies every row up to the cursor, thesaurus ones too
        self._write_state(fresh, cursor, build, cursor)
        self._swap(fresh)
        log.info("search index rebuilt: %d procedures", count)
        return count

    def _swap(self, fresh):
        live = self.directory / "live"
        old = self.directory / f"old-{uuid.uuid4().hex}"
        if live.exists():
            os.replace(live, old)
        os.replace(fresh, live)
        shutil.rmtree(old, ignore_errors=True)
        for leftover in self.directory.glob("build-*"):
            if leftover != fresh:
                shutil.rmtree(leftover, ignore_errors=True)

    def ensure(self):
        """At startup: rebuild a missing, damaged or outdated index, then
        apply what the outbox holds."""
        with self._lock:
            self._ensure_locked()

    def _ensure_locked(self):
        if not self.is_usable():
            self._rebuild(processes=WRITER_PROCESSES, unless_usable=True)
        self._apply_outbox(WRITE_TIMEOUT)

    def apply_outbox(self, timeout=None):
        """Apply outbox rows newer than the cursor. Returns how many rows
        were applied, or None when another writer held the lock."""
        with self._lock:
            return self._apply_outbox(WRITE_TIMEOUT if timeout is None else timeout)

    def _apply_outbox(self, timeout):
        if self.state() is None:
            self._rebuild()
            return 0
        lock = self._writer_lock()
        if not try_for(lock.acquire, timeout):
            log.info("search index busy; outbox rows left for the next run")
            return None
        try:
            return self._apply_locked(timeout)
        finally:
            lock.release()

    def _apply_locked(self, timeout):
        state = self.state()
        with self.session_factory() as session:
            rows = session.execute(
                select(SearchOutbox.id, SearchOutbox.procedure_code)
                .where(SearchOutbox.id > state["cursor"])
                .order_by(SearchOutbox.id)
            ).all()
        if not rows:
            return 0
        codes = sorted({code for _id, code in rows} - {THESAURUS})
        if EVERYTHING in codes or self._worth_a_full_build(len(codes)):
            self._build(self.processes)  # with the cursor it read before the documents
            return len(rows)
        if codes:
            with self.session_factory() as session:
                if self._update(session, codes, timeout) is None:
                    return None
        mark = max((number for number, code in rows if code == THESAURUS), default=state.get("thesaurus", 0))
        # the state file moves only once the index has committed
        latest = self.state()
        if latest is not None and latest["build"] == state["build"]:
            self._write_state(self.directory / "live", rows[-1][0], state["build"], mark)
        return len(rows)

    def _worth_a_full_build(self, changed):
        """Whether ``changed`` procedures are better indexed by a full build."""
        if changed < FULL_BUILD_MIN:
            return False
        try:
            documents = whoosh_index.open_dir(str(self.directory / "live")).doc_count()
        except Exception:  # unreadable: a full build is the repair anyway
            return True
        return changed >= FULL_BUILD_SHARE * documents

    def _update(self, session, codes, timeout):
        """Write the documents of ``codes`` into the live index (removing
        those no longer in force); None when Whoosh's lock is held."""
        index = whoosh_index.open_dir(str(self.directory / "live"))
        try:
            writer = index.writer(timeout=timeout)
        except LockError:
            log.info("search index busy; %d procedures left for the next run", len(codes))
            return None
        try:
            for start in range(0, len(codes), BATCH):
                chunk = codes[start:start + BATCH]
                found = dict(self._documents(session, chunk))
                for code in chunk:
                    if code in found:
                        writer.update_document(**found[code])
                    else:
                        writer.delete_by_term("code", code)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        return len(codes)

    def pending(self, session):
        state = self.state()
        cursor = state["cursor"] if state else 0
        return session.scalar(select(func.count(SearchOutbox.id)).where(SearchOutbox.id > cursor))

    # -- reading ------------------------------------------------------------------

    def thesaurus(self):
        """The thesaurus search uses now (synonyms.table's shape), loaded
        from the database, and again whenever the state file says a
        thesaurus change was applied to this directory since."""
        state = self.state() or {}
        mark = state.get("thesaurus", 0)
        with self._thesaurus_lock:
            if self._thesaurus is None or self._thesaurus[0] != mark:
                with self.session_factory() as session:
                    self._thesaurus = (mark, thesauri.load_table(session))
            return self._thesaurus[1]

    def shared(self, factory):
        """One ``factory(searcher, build)`` object for all threads, made
        anew when the index changes (search keeps what the index knows and
        its postings there, see services.Vocabulary)."""
        with self._lock:
            state = self.state()
            if state is None:
                self._ensure_locked()
                state = self.state()
            current = self._shared
            if current is None or current.build != state["build"] or not current.up_to_date():
                index = whoosh_index.open_dir(str(self.directory / "live"))
                # the one it replaces closes when the last search using it ends
                self._shared = factory(index.searcher(), state["build"])
            return self._shared

    def searcher(self):
        """This thread's searcher, refreshed when the index has changed."""
        state = self.state()
        if state is None:
            self.ensure()
            state = self.state()
        build = state["build"]
        cached = getattr(self._local, "searcher", None)
        if cached is not None and self._local.build == build:
            fresh = cached.refresh()
            if fresh is not cached:
                self._local.searcher = fresh
            return self._local.searcher
        if cached is not None:
            cached.close()
        index = whoosh_index.open_dir(str(self.directory / "live"))
        self._local.searcher = index.searcher()
        self._local.build = build
        return self._local.searcher
