"""Every change to a procedure writes an outbox row in the same transaction."""
import logging
from datetime import datetime, timezone

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..catalog.models import Agency, Channel, Fee, LegalBasis, Paper, Procedure, Sector
from .models import EVERYTHING, THESAURUS, SearchOutbox

PENDING = "search_outbox_pending"
log = logging.getLogger(__name__)


def _changed_objects(session):
    """(objects changed in this flush, the new ones among them).

    ``session.new`` builds a fresh identity set on every access, so it is
    read once per flush: asking it once per object made a flush of n new
    objects cost n² (an import of 2,000 procedures writes 25,000)."""
    new = session.new
    changed = [*new, *session.deleted]
    changed.extend(obj for obj in session.dirty if session.is_modified(obj))
    return changed, new


def _codes_to_index(session):
    codes = set()
    changed, new = _changed_objects(session)
    for obj in changed:
        if isinstance(obj, Procedure):
            codes.add(obj.code)
        elif isinstance(obj, Channel | Paper | LegalBasis) and obj.procedure is not None:
            codes.add(obj.procedure.code)
        elif isinstance(obj, Fee) and obj.channel is not None and obj.channel.procedure is not None:
            codes.add(obj.channel.procedure.code)
        elif isinstance(obj, Agency | Sector) and obj not in new:
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


def thesaurus_changed(session):
    """Tell every process, through the outbox, that the thesaurus changed
    in this transaction: each loads its table again once the row is
    applied to its index directory (IndexManager.thesaurus)."""
    session.add(SearchOutbox(procedure_code=THESAURUS, created_at=datetime.now(timezone.utc)))
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
