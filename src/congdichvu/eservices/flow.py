"""The online submission flow: its steps, what a draft holds, checking a
whole draft, and turning it into a dossier.

A draft keeps each step's answers exactly as typed (Deform's cstruct), so
going Back or saving never loses anything, valid or not; the answers are
validated again, all together, when the dossier is submitted.
"""
import copy
import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from decimal import Decimal

import colander
from sqlalchemy import func, select, update

from ..accounts.models import User
from ..catalog import exchange
from ..catalog.models import PUBLISHED
from ..cms.models import ProcedureRevision
from ..filetypes import CONTENT_TYPES
from ..i18n import _
from ..i18n.formatting import format_date, format_number, from_local, today_local
from ..payments import fees
from . import receipt, schemas, services
from .models import Dossier, DossierDraft, DossierFile, SubmissionForm

COUNTER, POSTAL = "counter", "postal"  # ways the result is received (schemas.DELIVERIES)


@dataclass(frozen=True)
class Step:
    key: str
    slug: str
    title: str


STEPS = (
    Step("applicant", "nguoi-nop", _("Applicant")),
    Step("fields", "thong-tin", _("Dossier details")),
    Step("papers", "giay-to", _("Papers")),
    Step("delivery", "nhan-ket-qua", _("Receiving the result")),
    Step("review", "xac-nhan", _("Review and submit")),
)


def now_utc():
    return datetime.now(timezone.utc)


def field_specs(dbsession, procedure_code):
    """The procedure's questions as the step form asks them
    (``schemas.usable_specs``): the form, the review and the dossier all
    name the answers the same way."""
    form = dbsession.get(SubmissionForm, procedure_code)
    return schemas.usable_specs(form.fields) if form is not None else []


def steps_for(specs):
    """The steps of a procedure's flow: "Details" only when editors asked questions."""
    return [step for step in STEPS if step.key != "fields" or specs]


def open_to_drafts(procedure):
    """Whether drafts of ``procedure`` (a Procedure, or None when it is
    gone) can be begun and continued: in force, and submitted online at
    level 3 or 4. A draft of any other is kept only to be deleted."""
    return procedure is not None and procedure.status == PUBLISHED and procedure.accepts_online_submission


class TooManyDrafts(Exception):
    """The applicant already has as many open drafts as they may."""

    def __init__(self, limit):
        super().__init__(limit)
        self.limit = limit


#: open (not submitted) drafts a person may keep, unless ``congdichvu.max_open_drafts`` says otherwise
MAX_OPEN_DRAFTS = 20


def max_open_drafts(settings):
    return int(settings.get("congdichvu.max_open_drafts", MAX_OPEN_DRAFTS))


def open_drafts(dbsession, user_id):
    return dbsession.scalar(select(func.count(DossierDraft.id)).where(
        DossierDraft.user_id == user_id, DossierDraft.dossier_id.is_(None)))


def new_draft(dbsession, user, procedure, limit=MAX_OPEN_DRAFTS):
    """A new draft of ``procedure`` for ``user``, or TooManyDrafts when
    they already keep ``limit`` open drafts (each may hold up to
    ``upload_max_dossier_mb`` of papers, so drafts are bounded too).

    The draft is inserted, then counted under the account's row lock, so
    concurrent starts by one person cannot pass the limit together: the
    insert holds SQLite's write lock until commit, and on PostgreSQL the
    ``FOR NO KEY UPDATE`` waits for another start to commit, after which
    the count sees its draft."""
    now = now_utc()
    draft = DossierDraft(token=uuid.uuid4().hex, user_id=user.id, procedure_code=procedure.code,
                         data={}, created_at=now, updated_at=now)
    dbsession.add(draft)
    dbsession.flush()
    dbsession.execute(select(User.id).where(User.id == user.id).with_for_update(key_share=True))
    if open_drafts(dbsession, user.id) > limit:
        dbsession.delete(draft)
        dbsession.flush()
        raise TooManyDrafts(limit)
    return draft


class TooManyDossiers(Exception):
    """The applicant already submitted as many dossiers today as they may."""

    def __init__(self, limit):
        super().__init__(limit)
        self.limit = limit


#: dossiers one person may submit online in one of the city's days, unless
#: ``congdichvu.max_dossiers_per_day`` says otherwise: each one is work for
#: an officer, so an account (or a script behind it) cannot bury a desk
MAX_DOSSIERS_PER_DAY = 20


def max_dossiers_per_day(settings):
    return int(settings.get("congdichvu.max_dossiers_per_day", MAX_DOSSIERS_PER_DAY))


def check_daily_limit(dbsession, user, limit, now):
    """Raise TooManyDossiers when ``user`` already submitted ``limit``
    dossiers on the city's day of ``now`` (from local midnight, Asia/Ho_Chi_Minh).

    Counted under the account's row lock, after the caller's first write
    (``claim``), so concurrent submissions of one person's drafts cannot
    pass the limit together: SQLite's write lock is held until commit, and
    on PostgreSQL the ``FOR NO KEY UPDATE`` waits for another submission to
    commit, after which the count sees its dossier."""
    dbsession.execute(select(User.id).where(User.id == user.id).with_for_update(key_share=True))
    midnight = from_local(datetime.combine(today_local(now), time()))
    submitted = dbsession.scalar(select(func.count(Dossier.id)).where(
        Dossier.applicant_id == user.id, Dossier.submitted_at >= midnight))
    if submitted >= limit:
        raise TooManyDossiers(limit)


def update_draft(draft, key, value):
    """Store ``value`` as the draft's ``key`` (the JSON column is replaced
    whole so the change is seen)."""
    data = copy.deepcopy(draft.data or {})
    data[key] = value
    draft.data = data
    draft.updated_at = now_utc()


def paper_files(draft):
    """{paper name: [file records]} of the draft. Keyed by name, not by
    position, so files stay with their paper if editors reorder the list."""
    return (draft.data or {}).get("papers", {})


def upload_slots(procedure):
    """{position in the procedure's papers: paper} for the papers handed in,
    hence uploaded. A paper only shown for comparison (``presented_only``)
    gets no slot: the applicant brings it to the office instead."""
    return {index: paper for index, paper in enumerate(procedure.papers) if not paper.presented_only}


def papers_to_show(procedure):
    """The papers the applicant brings only to show (never uploaded)."""
    return [paper for paper in procedure.papers if paper.presented_only]


def missing_papers(procedure, draft):
    """The required papers handed in that have no file yet."""
    files = paper_files(draft)
    return [paper for paper in upload_slots(procedure).values()
            if paper.required and not paper.case_group and not files.get(paper.name)]


@dataclass
class Schemas:
    """The bound schemas of one procedure's steps."""

    applicant: colander.Schema
    fields: colander.Schema
    delivery: colander.Schema


def _check(schema, cstruct):
    """(appstruct, None) or (None, colander.Invalid) for stored answers."""
    try:
        return schema.deserialize(dict(cstruct or {}, csrf_token="-")), None
    except colander.Invalid as invalid:
        return None, invalid


def check_draft(draft, procedure, bound, specs):
    """Everything a submission needs, or the steps that are not right.

    Returns (values, problems): ``values`` is what the dossier stores (each
    step re-serialised, so dates and numbers are plain strings);
    ``problems`` lists (step, message) for steps to go back to."""
    data = draft.data or {}
    values, problems = {}, []
    for key, schema in (("applicant", bound.applicant), ("fields", bound.fields), ("delivery", bound.delivery)):
        if key == "fields" and not specs:
            values[key] = {}
            continue
        appstruct, invalid = _check(schema, data.get(key))
        if invalid is not None:
            problems.append((key, _("Some answers in this step are missing or not right.")))
            continue
        values[key] = stored_answers(schema, appstruct)
        if key == "applicant":
            values[key] = schemas.applicant_record(values[key])
    for paper in missing_papers(procedure, draft):
        problems.append(("papers", _("Missing: ${paper}", mapping={"paper": paper.name})))
    return values, problems


def stored_answers(schema, appstruct):
    """One step's valid answers as the dossier keeps them (JSON text, the
    same for every kind of field): a date as ISO ``1990-08-15``, a number
    as plain digits with a point (``1500000``, ``1.5``), yes/no as
    ``true``/``false``, and an optional answer left blank as ``""``."""
    return {node.name: _stored(appstruct.get(node.name)) for node in schema.children if node.name != "csrf_token"}


def _stored(value):
    if value is None or value is colander.null:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def fees_due(procedure, values, specs, postal_fee, postal_name=fees.POSTAL_FEE_NAME):
    """What a dossier of ``procedure`` (a Procedure) with the answers
    ``values`` (``check_draft``'s; a step missing from them counts as
    unanswered) owes when submitted online: a payments.fees.Quote, read
    from the procedure as its dossier's snapshot keeps it, with the postal
    charge ``postal_fee`` (đồng) when the result goes by post."""
    return fees.quote(exchange.procedure_to_dict(procedure), values.get("fields") or {}, specs,
                      result_channel=(values.get("delivery") or {}).get("delivery"), postal_fee=postal_fee,
                      channel="online", postal_name=postal_name)


def published_revision(dbsession, code):
    """The number of the revision of procedure ``code`` in force now (the CMS), or None."""
    return dbsession.scalar(select(ProcedureRevision.number).where(
        ProcedureRevision.procedure_code == code, ProcedureRevision.state == "published",
    ).order_by(ProcedureRevision.number.desc()).limit(1))


class DraftGone(Exception):
    """The draft was deleted (from another tab) before this request could change it."""


def lock_draft(dbsession, draft):
    """Take ``draft`` for the changes this request is about to make, and
    read it again as the last change committed left it. Raises DraftGone.

    Every change of a draft (a step sent, files added or removed, the
    submit, deleting it; resources.draft_factory takes it for each request
    that may change one) starts here, so two tabs, a double click or
    parallel uploads act one after the other, the second on what the first
    wrote: the limits of files and bytes count every file, no answer is
    overwritten, and a submit or delete happens once.

    One statement does it on both databases: an UPDATE of the draft's row
    (to the value it has) waits for another transaction holding the row
    (PostgreSQL's row lock, as SELECT … FOR UPDATE would) or the database's
    write lock (SQLite, where it is the first write and so begins the
    transaction as BEGIN IMMEDIATE would) until that one commits; the
    re-read then sees what it committed. The lock is held until this
    request's transaction ends. A wait longer than SQLite's busy timeout
    fails as "database is locked", which views.server_error retries."""
    taken = dbsession.execute(
        update(DossierDraft).where(DossierDraft.id == draft.id).values(updated_at=DossierDraft.updated_at)
        .execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        raise DraftGone()
    dbsession.refresh(draft)
    return draft


class AlreadySubmitted(Exception):
    def __init__(self, dossier_id):
        super().__init__(dossier_id)
        self.dossier_id = dossier_id


def claim(dbsession, draft):
    """Take the draft for submission, once: under the draft's lock a double
    click or a replayed POST finds it submitted already (AlreadySubmitted,
    with the dossier's id) and makes no second dossier. Raises DraftGone."""
    lock_draft(dbsession, draft)
    if draft.dossier_id is not None:
        raise AlreadySubmitted(draft.dossier_id)


def submit(dbsession, draft, procedure, user, values, specs, *, calendar, store, transaction, secret_key,
           agency_name, ward_name, translate, now=None, daily_limit=MAX_DOSSIERS_PER_DAY, place="",
           lookup_url=None, postal_fee=0):
    """The dossier made from ``draft``, in the caller's transaction, with its
    files recorded (moved into the dossier store after commit) and its
    receipt. Returns (dossier, lookup secret). Raises AlreadySubmitted, or
    TooManyDossiers when ``user`` submitted ``daily_limit`` dossiers today
    (the draft then stays a draft, as it was).

    The fees it owes (``fees_due``, with the postal charge ``postal_fee``
    in đồng) are kept in ``data["fees"]`` (payments.fees.Quote.as_json),
    their names in the official language, as the review showed them."""
    claim(dbsession, draft)
    now = now or now_utc()
    check_daily_limit(dbsession, user, daily_limit, now)
    files = paper_files(draft)
    handed_in = list(upload_slots(procedure).values())
    papers = [{"paper": paper.name, "files": [f["name"] for f in files.get(paper.name, [])]} for paper in handed_in]
    due = fees_due(procedure, values, specs, postal_fee, postal_name=translate(fees.POSTAL_FEE_NAME))
    data = dict(values, field_specs=specs, papers=papers, ward_name=ward_name,
                procedure_revision=published_revision(dbsession, procedure.code), fees=due.as_json())
    dossier, secret = services.create_dossier(dbsession, procedure, values["delivery"]["agency"], user, data,
                                              calendar, "online", secret_key, now=now)
    # every required paper came as a file (the submit step refuses otherwise): digitised, Decree 45/2020/NĐ-CP
    dossier.digitised = not missing_papers(procedure, draft)
    if dossier.result_channel == POSTAL:  # the charge Form 01 and the slips print
        dossier.postal_fee = postal_fee
    moves = []
    folder = store.draft_dir(draft.token)
    for paper in handed_in:
        for record in files.get(paper.name, []):
            key = store.key_for(dossier.id, record["id"], record["type"])
            dossier.files.append(file_row("paper", paper.name, record, key, now))
            moves.append((folder / record["id"], key))
    pdf = receipt.receipt_pdf(dossier, agency_name, schemas.applicant_name(values["applicant"]),
                              [p["paper"] for p in papers if p["files"]],
                              values["delivery"]["delivery"], secret, translate=translate, place=place,
                              lookup_url=lookup_url(dossier.code) if lookup_url else "")
    receipt_record = {"id": uuid.uuid4().hex, "name": f"giay-tiep-nhan-{dossier.code}.pdf", "type": ".pdf",
                      "size": len(pdf), "sha256": hashlib.sha256(pdf).hexdigest()}
    receipt_key = store.key_for(dossier.id, receipt_record["id"], ".pdf")
    dossier.files.append(file_row("receipt", None, receipt_record, receipt_key, now))
    draft.dossier_id, draft.lookup_secret = dossier.id, secret
    dbsession.flush()
    store.move_after_commit(transaction, moves, cleanup=folder)
    store.write_after_commit(transaction, receipt_key, pdf)
    return dossier, secret


def take_secret(dbsession, dossier_id):
    """The lookup secret of the dossier just submitted from a draft, the
    first time it is asked for, then None: of two concurrent asks (two
    tabs) the conditional UPDATE lets one through."""
    secret = dbsession.scalar(select(DossierDraft.lookup_secret).where(DossierDraft.dossier_id == dossier_id))
    if secret is None:
        return None
    taken = dbsession.execute(
        update(DossierDraft).where(DossierDraft.dossier_id == dossier_id, DossierDraft.lookup_secret == secret)
        .values(lookup_secret=None).execution_options(synchronize_session=False))
    return secret if taken.rowcount == 1 else None


def file_row(kind, paper, record, key, now):
    return DossierFile(kind=kind, paper=paper, filename=record["name"], content_type=CONTENT_TYPES[record["type"]],
                       size=record["size"], sha256=record["sha256"], storage_key=key, uploaded_at=now)


def _show_date(value):
    try:
        return format_date(date.fromisoformat(value))
    except (TypeError, ValueError):
        return value or ""


def _show(spec, value):
    if value in (None, "", colander.null):
        return ""
    if spec.get("kind") == "yesno":
        return _("Yes") if value == "true" else _("No")
    if spec.get("kind") == "date":
        return _show_date(value)
    if spec.get("kind") == "number":
        try:
            return format_number(Decimal(value))
        except (ArithmeticError, ValueError, TypeError):
            return value
    return value


def applicant_rows(applicant, ward_name):
    """[(label, value)] of who applied (the stored answers: a person, or an
    organisation with its representative; answers of old dossiers, without
    ``kind``, are a person's)."""
    address = (_("Address"), ", ".join(part for part in (applicant.get("address"), ward_name) if part))
    contact = [(_("Mobile phone"), applicant.get("phone", "")), (_("Email"), applicant.get("email", "")), address]
    if applicant.get("kind") == schemas.ORGANISATION:
        return [
            (_("Applicant"), schemas.APPLICANT_KINDS[schemas.ORGANISATION]),
            (_("Name of the organisation"), applicant.get("organisation_name", "")),
            (_("Tax code"), applicant.get("tax_code", "")),
            (_("Legal representative"), applicant.get("representative") or applicant.get("full_name", "")),
            (_("Representative's citizen identity card number (CCCD)"), applicant.get("id_number", "")),
            (_("Representative's date of birth"), _show_date(applicant.get("birth_date"))),
        ] + contact
    return [
        (_("Full name"), applicant.get("full_name", "")),
        (_("Date of birth"), _show_date(applicant.get("birth_date"))),
        (_("Citizen identity card number (CCCD)"), applicant.get("id_number", "")),
    ] + contact


def summary(values, specs, ward_name, agency_name):
    """What a dossier says, step by step, for people to read: [(step key,
    [(label, value)])] for the steps present in ``values``."""
    sections = []
    applicant = values.get("applicant")
    if applicant:
        sections.append(("applicant", applicant_rows(applicant, ward_name)))
    answers = values.get("fields")
    if specs and answers is not None:
        sections.append(("fields", [(spec.get("label") or spec["name"], _show(spec, answers.get(spec["name"])))
                                    for spec in specs]))
    delivery = values.get("delivery")
    if delivery:
        rows = [(_("Agency that receives the dossier"), agency_name),
                (_("Result received"), schemas.DELIVERIES.get(delivery["delivery"], delivery["delivery"]))]
        if delivery["delivery"] == POSTAL:
            rows.append((_("Address for the postal service"), delivery["postal_address"]))
        sections.append(("delivery", rows))
    return sections
