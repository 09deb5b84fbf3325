"""The editing workflow of procedures: draft → pending review → published
→ archived, with a revision for every save.

The catalogue tables hold what is published; revisions hold everything
else. Publishing applies a revision to the catalogue through the same code
as an import (so the search index, the page cache and the last-updated date
follow); until then the public keeps seeing the published procedure.
"""
from datetime import datetime, timezone

from sqlalchemy import func, select

from ..accounts.services import record
from ..catalog import exchange
from ..catalog.models import ARCHIVED as PROCEDURE_ARCHIVED
from ..catalog.models import Procedure
from .models import ARCHIVED, DRAFT, HISTORIC, PENDING, PUBLISHED, WORKING, ProcedureRevision


class WorkflowError(Exception):
    """A transition that the revision's state does not allow."""


def _now():
    return datetime.now(timezone.utc)


def revisions(dbsession, code):
    return list(
        dbsession.scalars(
            select(ProcedureRevision)
            .where(ProcedureRevision.procedure_code == code)
            .order_by(ProcedureRevision.number.desc())
        )
    )


def working_revision(dbsession, code):
    return dbsession.scalar(
        select(ProcedureRevision)
        .where(ProcedureRevision.procedure_code == code, ProcedureRevision.state.in_(WORKING))
        .order_by(ProcedureRevision.number.desc())
        .limit(1)
    )


def current_document(dbsession, code):
    """What an editor starts from: the working revision, else the catalogue."""
    working = working_revision(dbsession, code)
    if working is not None:
        return working.document
    procedure = dbsession.scalar(select(Procedure).where(Procedure.code == code))
    return exchange.procedure_to_dict(procedure) if procedure is not None else None


def existing_name(dbsession, code):
    """The name of the procedure ``code`` when the portal has it in any
    form (published, archived, a draft, or only in history), else None."""
    document = current_document(dbsession, code)
    if document is None:
        latest = dbsession.scalar(select(ProcedureRevision).where(ProcedureRevision.procedure_code == code)
                                  .order_by(ProcedureRevision.number.desc()).limit(1))
        document = latest.document if latest is not None else None
    return document["name"] if document is not None else None


def _as_catalog(document):
    """One procedure as a catalogue file, for the exchange code."""
    return {"format": exchange.FORMAT, "version": exchange.VERSION, "agencies": [], "sectors": [],
            "procedures": [document]}


def check(dbsession, document):
    """Problems of one procedure document (schema and references)."""
    return exchange.validate_document(_as_catalog(document), dbsession)


def _next_number(dbsession, code):
    return (
        dbsession.scalar(select(func.max(ProcedureRevision.number)).where(ProcedureRevision.procedure_code == code))
        or 0
    ) + 1


def save(dbsession, document, user, comment=None):
    """A new draft revision of ``document``; earlier working ones become history."""
    problems = check(dbsession, document)
    if problems:
        raise exchange.CatalogInvalid(problems)
    code = document["code"]
    for older in dbsession.scalars(
        select(ProcedureRevision).where(ProcedureRevision.procedure_code == code, ProcedureRevision.state.in_(WORKING))
    ):
        older.state = HISTORIC
    revision = ProcedureRevision(
        procedure_code=code,
        number=_next_number(dbsession, code),
        state=DRAFT,
        document=exchange.canonical_procedure(document),
        author_id=user.id,
        author=user.username,
        created_at=_now(),
        comment=comment,
    )
    dbsession.add(revision)
    dbsession.flush()
    record(dbsession, "procedure.saved", actor=user, target=code, details={"revision": revision.number})
    return revision


def _expect(revision, *states):
    if revision.state not in states:
        raise WorkflowError(revision.state)


def submit(dbsession, revision, user):
    _expect(revision, DRAFT)
    revision.state = PENDING
    record(dbsession, "procedure.submitted", actor=user, target=revision.procedure_code,
           details={"revision": revision.number})


def send_back(dbsession, revision, user, comment):
    _expect(revision, PENDING)
    revision.state = DRAFT
    revision.comment = comment
    revision.reviewed_by, revision.reviewed_at = user.username, _now()
    record(dbsession, "procedure.sent_back", actor=user, target=revision.procedure_code,
           details={"revision": revision.number}, note=comment)


def publish(dbsession, revision, user):
    """Apply ``revision`` to the catalogue; the previous published one
    becomes history."""
    _expect(revision, PENDING)
    # first, so a revision that no longer validates (a sector or agency has
    # gone since it was saved) changes nothing
    _apply(dbsession, revision.document)
    for older in dbsession.scalars(
        select(ProcedureRevision).where(
            ProcedureRevision.procedure_code == revision.procedure_code,
            ProcedureRevision.state.in_((PUBLISHED, ARCHIVED)),
        )
    ):
        older.state = HISTORIC
    revision.state = PUBLISHED
    revision.reviewed_by, revision.reviewed_at = user.username, _now()
    record(dbsession, "procedure.published", actor=user, target=revision.procedure_code,
           details={"revision": revision.number})


def _apply(dbsession, document):
    """Write one procedure document to the catalogue tables, as an import."""
    exchange.import_catalog(dbsession, _as_catalog(document), now=_now())


def archive(dbsession, code, user, comment=None):
    """Withdraw a published procedure: kept, no longer disclosed."""
    procedure = dbsession.scalar(select(Procedure).where(Procedure.code == code))
    if procedure is None or procedure.status == PROCEDURE_ARCHIVED:
        raise WorkflowError("not published")
    procedure.status = PROCEDURE_ARCHIVED
    procedure.updated_at = _now()
    revision = ProcedureRevision(
        procedure_code=code, number=_next_number(dbsession, code), state=ARCHIVED,
        document=exchange.procedure_to_dict(procedure), author_id=user.id, author=user.username,
        created_at=_now(), comment=comment,
    )
    dbsession.add(revision)
    dbsession.flush()
    record(dbsession, "procedure.archived", actor=user, target=code, note=comment)
    return revision


def restore(dbsession, revision, user, comment=None):
    """An old revision, saved again as the new draft."""
    restored = save(dbsession, revision.document, user, comment=comment)
    record(dbsession, "procedure.restored", actor=user, target=revision.procedure_code,
           details={"from": revision.number, "revision": restored.number})
    return restored


# -- comparing revisions ---------------------------------------------------------


def flatten(value, prefix=""):
    """{"channels[0].fees[1].amount": 5000, ...} for a document."""
    if isinstance(value, dict):
        items = {}
        for key, inner in value.items():
            items.update(flatten(inner, f"{prefix}.{key}" if prefix else key))
        return items
    if isinstance(value, list):
        items = {}
        for index, inner in enumerate(value):
            items.update(flatten(inner, f"{prefix}[{index}]"))
        return items if items else {prefix: []}
    return {prefix: value}


def diff(old, new):
    """[(field path, old value, new value)] where the documents differ."""
    before, after = flatten(old or {}), flatten(new or {})
    changed = []
    for path in sorted(set(before) | set(after), key=lambda p: (p.split(".")[0], p)):
        if before.get(path) != after.get(path):
            changed.append((path, before.get(path), after.get(path)))
    return changed
