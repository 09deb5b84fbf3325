"""The content version: a token that changes with any change to disclosed
catalogue content, in the same transaction (see congdichvu.pagecache).

On PostgreSQL the change is also announced (NOTIFY, delivered when the
transaction commits), so a process can follow the version from a listening
connection instead of asking the database on every cached page.
"""
import logging
import threading
import time
import uuid

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from .models import Agency, CatalogInfo, Channel, Fee, FormTemplate, LegalBasis, Paper, Procedure, Sector

VERSION_KEY = "content_version"
#: the PostgreSQL channel announcing each new version
CHANNEL = "congdichvu_content_version"
#: session.info key: this session made a new version (told on commit to the page cache)
BUMPED = "congdichvu.content_version_bumped"
log = logging.getLogger(__name__)
#: the models whose changes are disclosed content; other packages add theirs with ``watch``
WATCHED = (Agency, Sector, Procedure, Channel, Fee, Paper, LegalBasis, FormTemplate)


def watch(*models):
    """Count changes to ``models`` as changes to the disclosed content
    (the CMS's articles and pages, shown on cached public pages)."""
    global WATCHED
    WATCHED = tuple(dict.fromkeys(WATCHED + models))


# built once: this runs on every request the page cache answers
_VERSION_QUERY = select(CatalogInfo.value).where(CatalogInfo.key == VERSION_KEY)


def content_version(dbsession):
    return dbsession.scalar(_VERSION_QUERY) or "0"


def bump(dbsession):
    """A new token, unique even for changes within the same second:
    ``<epoch seconds>.<random hex>``, so that it also says when the content
    changed (HTTP's Last-Modified, congdichvu.httpcache)."""
    info = dbsession.scalar(select(CatalogInfo).where(CatalogInfo.key == VERSION_KEY))
    token = f"{int(time.time())}.{uuid.uuid4().hex}"
    dbsession.info[BUMPED] = True
    if info is None:
        dbsession.add(CatalogInfo(key=VERSION_KEY, value=token))
    else:
        info.value = token
    if dbsession.get_bind().dialect.name == "postgresql":
        dbsession.execute(select(func.pg_notify(CHANNEL, token)))  # sent on commit, never on rollback


def _touches_catalogue(session):
    if any(isinstance(obj, WATCHED) for obj in session.new) or any(
        isinstance(obj, WATCHED) for obj in session.deleted
    ):
        return True
    return any(isinstance(obj, WATCHED) and session.is_modified(obj) for obj in session.dirty)


@event.listens_for(Session, "before_flush")
def _bump_on_change(session, flush_context, instances):
    if _touches_catalogue(session):
        with session.no_autoflush:
            bump(session)


class VersionWatcher:
    """Follows the content version on PostgreSQL from a connection that
    LISTENs on ``CHANNEL``, in a daemon thread.

    ``current()`` is the version, or None while the connection is not
    listening (starting, or lost and being re-established): callers then
    ask the database as before, so a lost connection costs speed, never
    correctness. It listens before it reads the version, so no change can
    slip between the two.
    """

    def __init__(self, conninfo, retry_seconds=2.0):
        self.conninfo, self.retry_seconds = conninfo, retry_seconds
        self._version, self._stopped = None, threading.Event()
        self._thread = threading.Thread(target=self._run, name="content-version-watcher", daemon=True)

    @classmethod
    def for_engine(cls, engine):
        url = engine.url.set(drivername="postgresql")
        return cls(url.render_as_string(hide_password=False))

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stopped.set()

    def current(self):
        return self._version

    def _run(self):
        import psycopg

        while not self._stopped.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    row = connection.execute("SELECT value FROM catalog_info WHERE key = %s", (VERSION_KEY,)).fetchone()
                    self._version = row[0] if row else "0"
                    while not self._stopped.is_set():
                        for notice in connection.notifies(timeout=1.0):
                            self._version = notice.payload
            except Exception:  # the database went away: ask it directly until it is back
                log.warning("content version watcher lost its connection; retrying", exc_info=True)
            finally:
                self._version = None
            self._stopped.wait(self.retry_seconds)
