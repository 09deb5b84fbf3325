"""The content version: a token that changes with any change to disclosed
catalogue content, in the same transaction (see congdichvu.pagecache)."""
import uuid

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from .models import Agency, CatalogInfo, Channel, Fee, FormTemplate, LegalBasis, Paper, Procedure, Sector

VERSION_KEY = "content_version"
WATCHED = (Agency, Sector, Procedure, Channel, Fee, Paper, LegalBasis, FormTemplate)


# built once: this runs on every request the page cache answers
_VERSION_QUERY = select(CatalogInfo.value).where(CatalogInfo.key == VERSION_KEY)


def content_version(dbsession):
    return dbsession.scalar(_VERSION_QUERY) or "0"


def bump(dbsession):
    """A new token, unique even for changes within the same second."""
    info = dbsession.scalar(select(CatalogInfo).where(CatalogInfo.key == VERSION_KEY))
    if info is None:
        dbsession.add(CatalogInfo(key=VERSION_KEY, value=uuid.uuid4().hex))
    else:
        info.value = uuid.uuid4().hex


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
