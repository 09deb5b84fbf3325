"""Which published procedures do not disclose everything (for editors), and
the share that does (for the home page): one definition, as SQL.

A published procedure is fully disclosed when it gives at least one fee or
charge, at least one paper, a processing time on some channel, at least one
legal basis, and was reviewed (last changed) within 12 months. Each rule is
one SQL expression in ``missing``; the dashboard lists, per procedure, the
rules it fails, and the home page counts in one query the procedures that
fail none, so the two can never disagree.
"""
from datetime import datetime, timedelta, timezone

from sqlalchemy import exists, func, not_, or_, select

from ..catalog.models import PUBLISHED, Channel, Fee, LegalBasis, Paper, Procedure

STALE_AFTER = timedelta(days=365)
#: the rules, in the order the dashboard names a procedure's gaps
GAPS = ("fees", "papers", "time", "legal_basis", "stale")


def missing(now):
    """{gap: SQL boolean, true when the procedure (correlated to the outer
    query's ``procedure`` row) lacks it}; ``now`` is an aware datetime."""
    return {
        "fees": ~exists().where(Channel.procedure_id == Procedure.id, Fee.channel_id == Channel.id),
        "papers": ~exists().where(Paper.procedure_id == Procedure.id),
        "time": ~exists().where(Channel.procedure_id == Procedure.id,
                                or_(Channel.duration_value.is_not(None), Channel.duration_text.is_not(None))),
        "legal_basis": ~exists().where(LegalBasis.procedure_id == Procedure.id),
        "stale": Procedure.updated_at < now - STALE_AFTER,
    }


def _now(now):
    return now or datetime.now(timezone.utc)


def report(dbsession, now=None):
    """The dashboard: {"total", "complete", "share" (%, rounded), "incomplete":
    [(procedure, [gap, ...])]} over published procedures, by name."""
    rules = missing(_now(now))
    rows = dbsession.execute(
        select(Procedure, *(rules[gap].label(gap) for gap in GAPS))
        .where(Procedure.status == PUBLISHED).order_by(Procedure.name_sort)
    ).all()
    incomplete = [(row.Procedure, gaps) for row in rows if (gaps := [gap for gap in GAPS if getattr(row, gap)])]
    total = len(rows)
    return {"total": total, "incomplete": incomplete, "complete": total - len(incomplete),
            "share": _share(total - len(incomplete), total)}


def disclosed_share(dbsession, now=None):
    """The share (%, rounded) of published procedures that disclose
    everything, in one SQL query (the home page shows it)."""
    complete = not_(or_(*missing(_now(now)).values()))
    total, good = dbsession.execute(
        select(func.count(Procedure.id), func.count(Procedure.id).filter(complete)).where(Procedure.status == PUBLISHED)
    ).one()
    return _share(good, total)


def _share(complete, total):
    return round(100 * complete / total) if total else 100
