"""Every change to a procedure writes an outbox row in the same transaction."""
import logging
from datetime import datetime, timezone

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..catalog.models import Agency, Channel, Fee, LegalBasis, Paper, Procedure, Sector
from .models import EVERYTHING, SearchOutbox

PENDING = "search_outbox_pending"
log = logging.getLogger(__name__)


def _changed(session, obj):
    return obj in session.new or obj in session.deleted or session.is_modified(obj)


def _codes_to_index(session):
    codes = set()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if not _changed(session, obj):
            continue
        if isinstance(obj, Procedure):
            codes.add(obj.code)
        elif isinstance(obj, Channel | Paper | LegalBasis) and obj.procedure is not None:
            codes.add(obj.procedure.code)
        elif isinstance(obj, Fee) and obj.channel is not None and obj.channel.procedure is not None:
            codes.add(obj.channel.procedure.code)
        elif isinstance(obj, Agency | Sector) and obj not in session.new:
            # names of sectors and agencies are in many documents
            codes.add(EVERYTHING)
    return codes


@event.listens_for(Session, "before_flush")
def _write_outbox(session, flush_context, instances):
    codes = _codes_to_index(session)
    if not codes:
        return
    now = datetime.now(timezone.utc)
    for code in sorted(codes):
        session.add(SearchOutbox(procedure_code=code, created_at=now))
    session.info[PENDING] = True


def after_commit_hook(apply):
    """A session-factory listener that calls ``apply()`` after a commit that
    wrote outbox rows. The data are committed by then: indexing must not
    fail the request, and what it could not do the next run does."""

    def after_commit(session):
        if session.info.pop(PENDING, False):
            try:
                apply()
            except Exception:
                log.exception("indexing after commit failed; the outbox keeps the work")

    return after_commit


def forget_on_rollback(session, previous_transaction=None):
    session.info.pop(PENDING, None)
