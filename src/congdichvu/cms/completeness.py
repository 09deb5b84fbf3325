"""Which published procedures do not disclose everything (for editors), and
the share that does (for the home page)."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from ..catalog.exchange import procedure_loader_options
from ..catalog.models import PUBLISHED, Procedure

STALE_AFTER = timedelta(days=365)


def gaps(procedure, now=None):
    """What ``procedure`` lacks, as translatable labels' keys."""
    now = now or datetime.now(timezone.utc)
    missing = []
    if not any(channel.fees for channel in procedure.channels):
        missing.append("fees")
    if not procedure.papers:
        missing.append("papers")
    if not procedure.channels or all(c.duration_text is None and c.duration_value is None for c in procedure.channels):
        missing.append("time")
    if not procedure.legal_bases:
        missing.append("legal_basis")
    if now - procedure.updated_at > STALE_AFTER:
        missing.append("stale")
    return missing


def report(dbsession):
    procedures = list(
        dbsession.scalars(
            select(Procedure).where(Procedure.status == PUBLISHED).options(*procedure_loader_options())
            .order_by(Procedure.name_sort)
        )
    )
    incomplete = [(procedure, gaps(procedure)) for procedure in procedures]
    incomplete = [(procedure, missing) for procedure, missing in incomplete if missing]
    total = len(procedures)
    return {"total": total, "incomplete": incomplete, "complete": total - len(incomplete),
            "share": round(100 * (total - len(incomplete)) / total) if total else 100}


def disclosed_share(dbsession, now=None):
    """The share (%) of published procedures that disclose everything, in
    one SQL query (the home page shows it)."""
    from sqlalchemy import and_, exists, func

    from ..catalog.models import Channel, Fee, LegalBasis, Paper

    now = now or datetime.now(timezone.utc)
    complete = and_(
        exists().where(Channel.procedure_id == Procedure.id, Fee.channel_id == Channel.id),
        exists().where(Paper.procedure_id == Procedure.id),
        exists().where(LegalBasis.procedure_id == Procedure.id),
        Procedure.updated_at >= now - STALE_AFTER,
    )
    total, good = dbsession.execute(
        select(func.count(Procedure.id), func.count(Procedure.id).filter(complete)).where(Procedure.status == PUBLISHED)
    ).one()
    return round(100 * good / total) if total else 100
