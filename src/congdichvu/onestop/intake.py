"""Entering a dossier at the counter or from the post (tiếp nhận trực tiếp,
qua bưu chính): an officer types what the applicant brings, ticks the
papers received (with their numbers of originals and copies), scans them if
they can, and the dossier is created and received at once.

The same model and validation as a dossier submitted online (Decree
61/2018/NĐ-CP, Art. 15: a dossier is received the same way whichever way
it came): the applicant step's schema (a person, or an organisation with
its tax code and representative), the procedure's own questions, the way
the result is returned. Added here: who handed it in for the applicant
(người nộp thay), the number of sets, and the papers received.

Whose desk: an officer enters dossiers for their own agency only, and only
of a procedure that agency handles. A procedure is handled by the agencies
it lists, or, when it lists none, by every agency of its level (a ward's
desk receives the commune-level procedures): ``ICatalogService.
handling_agencies``, the rule the online flow offers receiving agencies by.
"""

import re
import uuid

import colander
import deform
from pyramid_retry import mark_error_retryable
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..catalog.interfaces import ICatalogService
from ..eservices import flow, schemas, services
from ..eservices.flow import file_row
from ..eservices.models import Dossier
from ..forms import CSRFSchema, WholeNumber
from ..i18n import _
from ..inputs import parse_int
from ..security import agency_principal
from .actions import Actor, after_action, receive

IN_PERSON, POSTAL = "in_person", "postal"
#: how a dossier entered by an officer reached the desk (Dossier.channel)
INTAKE_CHANNELS = {IN_PERSON: _("Handed in at the counter"), POSTAL: _("Received by post")}
#: the sets of papers (Form 01 "Số lượng hồ sơ") one entry may say
MAX_SETS = 99
#: originals or copies of one paper
MAX_COPIES = 99


def intake_agency(request):
    """The agency whose desk the visitor enters dossiers for: an officer's
    own (their principals name it, ``security.principals``), else None
    (citizens, editors, leaders and administrators without the officer role,
    officers not attached to an agency)."""
    user = request.user
    agency = getattr(user, "agency", None)
    if agency is None or agency_principal(agency.code) not in request.principals:
        return None
    return agency


def handles(catalog, agency, procedure):
    """Whether ``agency`` receives dossiers of ``procedure`` (see the module)."""
    return any(candidate.code == agency.code for candidate in catalog.handling_agencies(procedure))


def procedures_for(request, agency):
    """[(code, name)] of the procedures ``agency``'s desk may enter."""
    return request.find_service(ICatalogService).procedures_handled_by(agency)


def intake_channels(procedure):
    """The channels an officer may enter ``procedure``'s dossier by: at the
    counter always (every procedure can be handed in at the desk), by post
    when the procedure offers the postal channel."""
    offered = {channel.channel for channel in procedure.channels}
    return [key for key in INTAKE_CHANNELS if key == IN_PERSON or key in offered]


def intake_schema(specs, channels):
    """The schema of the counter's form: one mapping per section, named as
    the dossier's data names them (``reception``, ``applicant``,
    ``submitter``, ``fields`` when the procedure has questions,
    ``delivery``); bind it with ``bound_kw``."""
    schema = CSRFSchema()
    reception = colander.SchemaNode(colander.Mapping(), name="reception", title=_("Reception"))
    reception.add(colander.SchemaNode(
        colander.String(), name="channel", title=_("How the dossier came"), default=channels[0],
        validator=colander.OneOf(channels),
        widget=deform.widget.RadioChoiceWidget(values=[(key, INTAKE_CHANNELS[key]) for key in channels])))
    reception.add(colander.SchemaNode(
        WholeNumber(1, MAX_SETS), name="dossier_count", title=_("Number of sets of papers"), default=1,
        widget=deform.widget.TextInputWidget(attributes={"inputmode": "numeric"})))
    schema.add(reception)
    schema.add(_section(schemas.ApplicantSchema(name="applicant", title=_("Applicant"))))
    schema.add(schemas.SubmitterSchema(
        name="submitter", title=_("Handed in by someone else (optional)"),
        description=_("Fill in only when someone hands the dossier in for the applicant, e.g. a son or "
                      "daughter for a parent. The applicant stays the one named above.")))
    if specs:
        schema.add(_section(schemas.fields_schema(specs), name="fields", title=_("Dossier details")))
    delivery = _section(schemas.DeliverySchema(name="delivery", title=_("Returning the result")))
    del delivery["agency"]  # the officer's own agency receives it
    # the officer asks on the applicant's behalf: the online wording speaks as the applicant (a copy of the
    # node: the schema class's nodes are shared by every instance, the online form's included)
    question = delivery["delivery"].clone()
    question.title = _("How does the applicant want to receive the result?")
    delivery["delivery"] = question
    schema.add(delivery)
    return schema


def _section(node, **changes):
    del node["csrf_token"]  # the form's own token is enough
    for name, value in changes.items():
        setattr(node, name, value)
    return node


def bound_kw(request, procedure, wards, postal_fee):
    """What the counter's schema is bound with (``schema.bind(**kw)``)."""
    return {"request": request, "wards": wards, "agencies": [], "online": False, "postal_fee": postal_fee,
            "organisations": schemas.accepts_organisations(procedure), "counter": True}


# -- the papers ---------------------------------------------------------------


def uploads(post, name):
    """The files chosen in the file box ``name`` of ``post`` (none chosen: [])."""
    return [upload for upload in post.getall(name) if getattr(upload, "filename", None)]


def read_papers(procedure, post):
    """The papers as the officer ticked and counted them, without reading
    any file. Returns (rows, errors): ``rows`` one dict a paper (index,
    paper, received, presented_only, originals, copies as typed, required,
    chosen: how many files were chosen), ``errors`` {index: [messages]}.

    A required paper must be received: a one-stop desk receives only a
    complete dossier, else it guides the applicant (Decree 61/2018/NĐ-CP,
    Art. 15(2)). A paper handed in has its numbers of originals and copies
    (Form 01), at least one of them; a file goes with a paper received."""
    rows, errors = [], {}
    for index, paper in enumerate(procedure.papers):
        received = post.get(f"received-{index}") == "1"
        row = {"index": index, "paper": paper.name, "received": received, "presented_only": paper.presented_only,
               "required": paper.required and not paper.case_group, "chosen": 0,
               "originals": post.get(f"originals-{index}", str(paper.originals or 0)),
               "copies": post.get(f"copies-{index}", str(paper.copies or 0))}
        problems = []
        if not paper.presented_only:
            row["chosen"] = len(uploads(post, f"paper-{index}"))
            originals = parse_int(str(row["originals"]).strip(), 0, MAX_COPIES)
            copies = parse_int(str(row["copies"]).strip(), 0, MAX_COPIES)
            if received and (originals is None or copies is None):
                problems.append(_("Write the numbers of originals and copies, from 0 to ${max}.",
                                  mapping={"max": MAX_COPIES}))
            elif received and originals == copies == 0:
                problems.append(_("A paper received has at least one original or one copy."))
            else:
                row.update(originals=originals, copies=copies)
            if row["chosen"] and not received:
                problems.append(_("A scan was chosen for a paper not ticked as received: tick it, or leave the "
                                  "file out."))
        if row["required"] and not received:
            problems.append(_("This paper is required: a dossier without it cannot be received. Tell the "
                              "applicant what is missing instead."))
        rows.append(row)
        if problems:
            errors[index] = problems
    return rows, errors


def received_record(rows, files):
    """``data["papers_received"]``: each paper with whether it was
    received, its numbers of originals and copies, and the names of its
    scanned files (``files``: {paper name: [file records]})."""
    return [{"paper": row["paper"], "received": row["received"], "presented_only": row["presented_only"],
             "originals": row["originals"] if row["received"] and not row["presented_only"] else 0,
             "copies": row["copies"] if row["received"] and not row["presented_only"] else 0,
             "files": [record["name"] for record in files.get(row["paper"], [])]} for row in rows]


def digitised(procedure, files):
    """Whether every required paper handed in has a scanned file (the
    dossier then counts as digitised, Decree 45/2020/NĐ-CP)."""
    return all(files.get(paper.name) for paper in flow.upload_slots(procedure).values()
               if paper.required and not paper.case_group)


def receive_files(store, folder, procedure, post, limits):
    """Stream the scans chosen for each paper into ``folder``. Returns
    (files {paper name: [records]}, errors {paper index: [messages]})."""
    files, errors, held = {}, {}, []
    for index, paper in flow.upload_slots(procedure).items():
        records, messages = store.receive_many(uploads(post, f"paper-{index}"), folder, limits,
                                               len(held), sum(record["size"] for record in held))
        if records:
            files[paper.name] = records
            held.extend(records)
        if messages:
            errors[index] = messages
    return files, errors


# -- the dossier ----------------------------------------------------------------


def answers(schema, appstruct, agency_code):
    """The form's valid sections as a dossier's ``data`` keeps them (the
    online flow's shapes: ``flow.stored_answers``), the delivery naming
    the receiving agency."""
    values = {}
    for section in schema.children:
        if section.name == "csrf_token":
            continue
        values[section.name] = flow.stored_answers(section, appstruct[section.name])
    values["applicant"] = schemas.applicant_record(values["applicant"])
    values["delivery"]["agency"] = agency_code
    values.setdefault("fields", {})
    return values


class FilesRefused(Exception):
    """Some scans could not be kept (``errors``: {paper index: [messages]})."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


#: a form's one-time key as ``entry_key`` makes it
ENTRY_KEY = re.compile(r"[0-9a-f]{32}")


def entry_key(sent=None):
    """The key a counter form was shown with (``sent``, when it is one),
    else a new one."""
    return sent if isinstance(sent, str) and ENTRY_KEY.fullmatch(sent) else uuid.uuid4().hex


def entered_with(dbsession, key):
    """The dossier an earlier sending of the form with ``key`` created, or None."""
    return dbsession.scalar(select(Dossier).where(Dossier.entry_key == key)) if key else None


def enter_dossier(request, procedure, agency, values, rows, specs, ward_name, *, store, limits, postal_fee,
                  entry_key=None):
    """Create the dossier the officer entered, with its scans, and receive
    it (``actions.receive``: the appointment, the legal deadline and the
    ledger line); its receipt (Form 01) is stored with it. Returns the
    dossier. Raises FilesRefused when a scan cannot be kept: nothing of it
    is kept then (the caller dooms the transaction).

    The scans wait under ``store.intake_dir`` and move into the dossier
    store after commit (the sweep finishes a move cut short)."""
    dbsession, actor = request.dbsession, Actor.of(request)
    reception = values.pop("reception")
    data = dict(values, field_specs=specs, ward_name=ward_name,
                procedure_revision=flow.published_revision(dbsession, procedure.code))
    try:  # the same form sent twice at once: the second waits, fails here and is tried again, finding the first
        dossier, secret = services.create_dossier(
            dbsession, procedure, agency.code, None, data, actor.calendar, reception["channel"],
            request.registry.settings["congdichvu.secret"], now=actor.now, entered_by=actor.user,
            columns={"entry_key": entry_key})
    except IntegrityError as clash:
        mark_error_retryable(clash)
        raise
    folder = store.intake_dir(dossier.id)
    files, errors = receive_files(store, folder, procedure, request.POST, limits)
    if errors:
        store.discard_folder(folder)
        raise FilesRefused(errors)
    moves = []
    for paper in flow.upload_slots(procedure).values():
        for record in files.get(paper.name, []):
            key = store.key_for(dossier.id, record["id"], record["type"])
            dossier.files.append(file_row("paper", paper.name, record, key, actor.now))
            moves.append((folder / record["id"], key))
    dossier.data = dict(data, dossier_count=int(reception["dossier_count"]),
                        papers=[{"paper": paper.name, "files": [r["name"] for r in files.get(paper.name, [])]}
                                for paper in flow.upload_slots(procedure).values()],
                        papers_received=received_record(rows, files))
    dossier.dossier_count = int(reception["dossier_count"])
    dossier.digitised = digitised(procedure, files)
    if dossier.result_channel == flow.POSTAL:
        dossier.postal_fee = postal_fee
    dbsession.flush()
    after_action(request, dossier, receive(dbsession, dossier, actor), secret=secret)  # Form 01, the applicant told
    transaction = request.tm.get()
    store.discard_on_abort(transaction, folder, [record["id"] for records in files.values() for record in records])
    store.move_after_commit(transaction, moves, cleanup=folder)
    return dossier
