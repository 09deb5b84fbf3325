"""The editing workflow of procedures: draft → pending review → published
→ archived, with a revision for every save.

The catalogue tables hold what is published; revisions hold everything
else. Publishing applies a revision to the catalogue through the same code
as an import (so the search index, the page cache and the last-updated date
follow); until then the public keeps seeing the published procedure.
"""
from datetime import datetime, timezone

from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from ..accounts.services import record
from ..catalog import exchange
from ..catalog.models import ARCHIVED as PROCEDURE_ARCHIVED
from ..catalog.models import PUBLISHED as PROCEDURE_PUBLISHED
from ..catalog.models import Procedure
from ..i18n import _
from ..i18n.formatting import format_number
from .models import ARCHIVED, DRAFT, HISTORIC, PENDING, PUBLISHED, WORKING, ProcedureRevision


class WorkflowError(Exception):
    """A step that the object's state does not allow (any more): someone
    else (another editor, another tab, the first of a double click) took a
    step on it first. Nothing was written by the step that raised it."""


#: what the one who came second is told
TAKEN = _("Someone else took this step or changed this before you (perhaps you, in another tab). This page shows "
          "how it stands now; nothing that was saved is lost.")
#: the longest note a step carries (sending back, archiving), in
#: characters: a longer one is refused and shown back, never cut
MAX_NOTE = 4000
NOTE_TOO_LONG = _("The comment is longer than ${max} characters. Shorten it and send it again.",
                  mapping={"max": format_number(MAX_NOTE)})


def note(raw):
    """The note a step's form carries: stripped text, or None when blank."""
    return (raw or "").strip() or None


def _now():
    return datetime.now(timezone.utc)


def step(dbsession, row, expected, to_state, *, column="state", **values):
    """Move ``row`` (a mapped object with an ``id``: a revision, an
    article, a procedure, a comment) from one of the ``expected`` states
    (a string or a tuple) to ``to_state``, writing ``values`` with it: every
    workflow step of the CMS goes through here.

    One conditional ``UPDATE … SET column = to_state WHERE id = … AND column
    IN expected`` decides, by its row count: of two requests taking a step
    at once (two reviewers, a double click), the first one's update holds
    the row (PostgreSQL's row lock, SQLite's write lock) until it commits;
    the other then matches no row and raises WorkflowError before writing
    anything, as does a step on an object whose state changed since its
    page was shown. ``row`` then holds what the database holds now."""
    model = type(row)
    expected = (expected,) if isinstance(expected, str) else tuple(expected)
    written = {column: to_state, **values}
    result = dbsession.execute(
        update(model).where(model.id == row.id, getattr(model, column).in_(expected))
        .values(written).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        dbsession.refresh(row)
        raise WorkflowError(getattr(row, column))
    for name, value in written.items():
        set_committed_value(row, name, value)  # what the UPDATE wrote: nothing more to flush


def retire(dbsession, model, owner, states, keep=None):
    """Every revision of ``owner`` (a condition, e.g. ``model.article_id ==
    3``) still in one of ``states`` becomes history, except ``keep``: one
    conditional UPDATE, so a revision another request has just moved out of
    those states (published it, meanwhile) keeps its new state."""
    query = update(model).where(owner, model.state.in_(states))
    if keep is not None:
        query = query.where(model.id != keep.id)
    dbsession.execute(query.values(state=HISTORIC).execution_options(synchronize_session="fetch"))


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
    # the insert first: of two saves counting the same number, the second
    # fails on the unique number and is tried again (a new procedure's code
    # is then found taken); only then are the earlier working ones retired
    dbsession.add(revision)
    dbsession.flush()
    retire(dbsession, ProcedureRevision, ProcedureRevision.procedure_code == code, WORKING, keep=revision)
    record(dbsession, "procedure.saved", actor=user, target=code, details={"revision": revision.number})
    return revision


def submit(dbsession, revision, user):
    step(dbsession, revision, DRAFT, PENDING)
    record(dbsession, "procedure.submitted", actor=user, target=revision.procedure_code,
           details={"revision": revision.number})


def send_back(dbsession, revision, user, comment):
    step(dbsession, revision, PENDING, DRAFT, comment=comment, reviewed_by=user.username, reviewed_at=_now())
    record(dbsession, "procedure.sent_back", actor=user, target=revision.procedure_code,
           details={"revision": revision.number}, note=comment)


def publish(dbsession, revision, user):
    """Apply ``revision`` to the catalogue; the previous published one
    becomes history. Raises WorkflowError when it no longer awaits review,
    and CatalogInvalid when it no longer validates (a sector or agency has
    gone since it was saved); the caller then lets nothing be committed."""
    step(dbsession, revision, PENDING, PUBLISHED, reviewed_by=user.username, reviewed_at=_now())
    _apply(dbsession, revision.document)
    retire(dbsession, ProcedureRevision, ProcedureRevision.procedure_code == revision.procedure_code,
           (PUBLISHED, ARCHIVED), keep=revision)
    record(dbsession, "procedure.published", actor=user, target=revision.procedure_code,
           details={"revision": revision.number})


def _apply(dbsession, document):
    """Write one procedure document to the catalogue tables, as an import."""
    exchange.import_catalog(dbsession, _as_catalog(document), now=_now())


def archive(dbsession, code, user, comment=None):
    """Withdraw a published procedure: kept, no longer disclosed. Raises
    WorkflowError when it is not published (any more)."""
    procedure = dbsession.scalar(select(Procedure).where(Procedure.code == code))
    if procedure is None:
        raise WorkflowError("not published")
    step(dbsession, procedure, PROCEDURE_PUBLISHED, PROCEDURE_ARCHIVED, column="status")
    procedure.updated_at = _now()  # through the session: the search index and the page cache follow
    revision = ProcedureRevision(
        procedure_code=code, number=_next_number(dbsession, code), state=ARCHIVED,
        document=exchange.procedure_to_dict(procedure), author_id=user.id, author=user.username,
        created_at=_now(), comment=comment,
    )
    dbsession.add(revision)
    dbsession.flush()
    record(dbsession, "procedure.archived", actor=user, target=code, note=comment)
    return revision


def restore(dbsession, revision, user, newest, comment=None):
    """An old revision, saved again as the new draft, provided the newest
    revision is still ``newest`` (its number, as the page showed it): a
    second click, or a restore another editor made first, raises
    WorkflowError instead of stacking one more draft. (Two at once both
    pass this check; their drafts take the same number, and the second
    insert fails on the unique number; tried again, it ends here.)"""
    if _next_number(dbsession, revision.procedure_code) - 1 != newest:
        raise WorkflowError("changed")
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
