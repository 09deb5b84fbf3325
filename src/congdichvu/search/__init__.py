"""Search: the Whoosh index, the Vietnamese analyzer, indexing from the
outbox, the search pages and API."""
import logging
from pathlib import Path

log = logging.getLogger(__name__)


def includeme(config):
    # imported here: the models package imports this package's models early
    from sqlalchemy import event
    from sqlalchemy.orm import sessionmaker

    from ..catalog import versioning
    from ..catalog.services import catalog_for
    from . import outbox
    from .models import ThesaurusEntry
    from .index import IndexManager
    from .interfaces import ISearchService
    from .services import WhooshSearchService

    settings = config.get_settings()
    registry = config.registry
    # an entry changes what searches find: their pages' ETags must change with it
    versioning.watch(ThesaurusEntry)
    # the indexer's own sessions are plain ones, outside any request
    plain_sessions = sessionmaker(bind=registry["dbengine"])
    manager = IndexManager(Path(settings["congdichvu.data_dir"]) / "search", catalog_for, plain_sessions)
    registry["search_index"] = manager

    factory = registry["dbsession_factory"]
    event.listen(factory, "after_commit", outbox.after_commit_hook(manager.apply_outbox))
    event.listen(factory, "after_soft_rollback", outbox.forget_on_rollback)

    def search_service_factory(context, request):
        return WhooshSearchService(manager, request.dbsession)

    config.register_service_factory(search_service_factory, ISearchService)
    config.scan(".views")
    config.scan(".admin_views")

    def check_index():
        try:
            manager.ensure()
        except Exception:  # e.g. a database not migrated yet: built on first search
            log.warning("search index not ready at startup; it will be built on first use", exc_info=True)

    config.action(None, check_index, order=1000)
