"""Database plumbing: one engine per process, one session per request.

The request's session joins the pyramid_tm transaction, so views never
commit; a test may hand in its own session through ``app.dbsession``.
"""
from sqlalchemy import engine_from_config, event
from sqlalchemy.orm import configure_mappers, sessionmaker
from transaction._transaction import Status as TransactionStatus
from zope.sqlalchemy.datamanager import (
    STATUS_ACTIVE,
    ZopeTransactionEvents,
    join_transaction,
    mark_changed,
)

from .meta import Base  # noqa: F401

# Import every model module so the mappers are complete before use.
from ..accounts import models as _accounts_models  # noqa: F401, E402
from ..calendar import models as _calendar_models  # noqa: F401, E402
from ..catalog import models as _catalog_models  # noqa: F401, E402
from ..cms import models as _cms_models  # noqa: F401, E402
from ..eservices import models as _eservices_models  # noqa: F401, E402
from ..notify import models as _notify_models  # noqa: F401, E402
from ..payments import models as _payments_models  # noqa: F401, E402
from ..search import models as _search_models  # noqa: F401, E402
from ..stats import models as _stats_models  # noqa: F401, E402
from .. import typed_input as _typed_input  # noqa: F401, E402
from .. import ratelimit as _ratelimit  # noqa: F401, E402



def _sqlite_pragmas(dbapi_connection, connection_record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def get_engine(settings, prefix="sqlalchemy."):
    engine = engine_from_config(settings, prefix)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class _SessionTransactionEvents(ZopeTransactionEvents):
    """zope.sqlalchemy's events, registered once on the session factory and
    joining each session to the transaction manager in its ``info``.

    ``zope.sqlalchemy.register(session)`` adds seven listeners to every new
    session, a quarter of the time of a page served from the cache; these
    class-level listeners cost nothing per request.
    """

    def __init__(self):
        super().__init__(initial_state=STATUS_ACTIVE, keep_session=False)

    @staticmethod
    def _manager(session):
        # a session made without a manager (background work) is a plain one
        return session.info.get("transaction_manager")

    def _join(self, session):
        if self._manager(session) is not None:
            join_transaction(session, self.initial_state, self._manager(session), self.keep_session)

    def _changed(self, session):
        if self._manager(session) is not None:
            mark_changed(session, self._manager(session), self.keep_session)

    def after_begin(self, session, transaction, connection):
        self._join(session)

    def after_attach(self, session, instance):
        self._join(session)

    def after_flush(self, session, flush_context):
        self._changed(session)

    def after_bulk_update(self, update_context):
        self._changed(update_context.session)

    def after_bulk_delete(self, delete_context):
        self._changed(delete_context.session)

    def before_commit(self, session):
        if self._manager(session) is None:
            return
        committing = self._manager(session).get().status == TransactionStatus.COMMITTING
        assert session.in_nested_transaction() or committing, (
            "Transaction must be committed using the transaction manager"
        )

    def do_orm_execute(self, execute_state):
        # any DML sent through the session writes, a Core statement built
        # once (eservices.services.transition) as surely as an ORM one;
        # zope.sqlalchemy's own listener counts ORM statements only
        if execute_state.is_update or execute_state.is_insert or execute_state.is_delete:
            self._changed(execute_state.session)


def get_session_factory(engine):
    factory = sessionmaker(bind=engine)
    events = _SessionTransactionEvents()
    for name in (
        "after_begin", "after_attach", "after_flush", "after_bulk_update",
        "after_bulk_delete", "before_commit", "do_orm_execute",
    ):
        event.listen(factory, name, getattr(events, name))
    from ..stats.summary import install  # each dossier's figures follow its events, in their transaction

    install(factory)
    return factory


def get_tm_session(session_factory, transaction_manager, request=None):
    """A session joined to ``transaction_manager``: committed or rolled back
    with it, never on its own."""
    return session_factory(info={"request": request, "transaction_manager": transaction_manager})


def includeme(config):
    # Here, not at import: a command may import one model module first,
    # and mappers can only be configured once every module has loaded.
    configure_mappers()
    settings = config.get_settings()
    settings["tm.manager_hook"] = "pyramid_tm.explicit_manager"
    config.include("pyramid_tm")
    config.include("pyramid_retry")

    engine = get_engine(settings)
    session_factory = get_session_factory(engine)
    config.registry["dbsession_factory"] = session_factory
    config.registry["dbengine"] = engine

    def dbsession(request):
        # a test hands in its own session, bound to a rolled-back transaction
        session = request.environ.get("app.dbsession")
        if session is None:
            session = get_tm_session(session_factory, request.tm, request=request)
        return session

    config.add_request_method(dbsession, reify=True)
