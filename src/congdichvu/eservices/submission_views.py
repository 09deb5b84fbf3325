"""Nộp hồ sơ trực tuyến: starting a draft, its steps, and submitting it."""
import copy

import colander
import deform
from pyramid.httpexceptions import HTTPFound, HTTPNotFound
from pyramid.view import view_config
from sqlalchemy import select

from ..catalog.interfaces import ICatalogService
from ..forms import make_form, require_form
from ..i18n import _, official_translate
from ..i18n.formatting import vietnamese_sort_key
from ..inputs import parse_int
from .. import notify
from ..security import Permissions
from ..settings import place_name
from ..views import flash
from . import flow, schemas
from .models import Dossier, DossierDraft
from .storage import ACCEPTED, Limits, file_store


def postal_fee(settings):
    return int(settings.get("congdichvu.postal_return_fee", 25000))


def _catalog(request):
    return request.find_service(ICatalogService)


def bound_schemas(request, procedure, specs):
    catalog = _catalog(request)
    # a ward is named as a place ("Phường Gia Sàng"), not as its committee
    # ("UBND phường Gia Sàng"): the choice, the review and the dossier all
    # read it from these pairs
    wards = sorted(((a.code, a.display_name) for a in catalog.agencies() if a.level == "commune"),
                   key=lambda pair: vietnamese_sort_key(pair[1]))
    agencies = [(a.code, a.name) for a in catalog.handling_agencies(procedure)]
    kw = {"request": request, "wards": wards, "agencies": agencies, "online": procedure.online_level == 4,
          "postal_fee": postal_fee(request.registry.settings),
          "organisations": schemas.accepts_organisations(procedure)}
    return flow.Schemas(applicant=schemas.ApplicantSchema().bind(**kw),
                        fields=schemas.fields_schema(specs).bind(**kw),
                        delivery=schemas.DeliverySchema().bind(**kw))


# -- starting ---------------------------------------------------------------


@view_config(route_name="submit_online", renderer="eservices/start.jinja2", permission=Permissions.SUBMIT_DOSSIER)
def start(context, request):
    """The procedure's "Nộp hồ sơ trực tuyến": what to prepare, the drafts
    already begun, and a button that begins a new one. The context
    (resources.online_procedure_factory) holds a procedure open to drafts."""
    procedure = context.procedure
    if request.method == "POST":
        require_form(request, "start")
        try:
            draft = flow.new_draft(request.dbsession, request.user, procedure,
                                   flow.max_open_drafts(request.registry.settings))
        except flow.TooManyDrafts as too_many:
            flash(request, _("You already have ${limit} unfinished drafts, the most one person may keep. "
                             "Submit or delete some of them below, then start the new dossier.",
                             mapping={"limit": too_many.limit}))
            return HTTPFound(location=request.route_url("my_dossiers"))
        return HTTPFound(location=request.route_url("draft_step", token=draft.token, step=flow.STEPS[0].slug))
    drafts = request.dbsession.scalars(select(DossierDraft).where(
        DossierDraft.user_id == request.user.id, DossierDraft.procedure_code == procedure.code,
        DossierDraft.dossier_id.is_(None)).order_by(DossierDraft.updated_at.desc())).all()
    return {"procedure": procedure, "drafts": drafts, "to_upload": list(flow.upload_slots(procedure).values()),
            "to_show": flow.papers_to_show(procedure),
            "steps": flow.steps_for(flow.field_specs(request.dbsession, procedure.code))}


# -- the steps --------------------------------------------------------------


class Flow:
    """One request on one step of one draft."""

    def __init__(self, context, request):
        self.request, self.draft, self.procedure = request, context.draft, context.procedure
        self.specs = flow.field_specs(request.dbsession, self.procedure.code)
        self.steps = flow.steps_for(self.specs)
        self.step = next((s for s in self.steps if s.slug == request.matchdict["step"]), None)
        if self.step is None and not any(s.slug == request.matchdict["step"] for s in flow.STEPS):
            raise HTTPNotFound()
        # a step the procedure no longer has (its questions were removed) restarts at the first
        self.index = self.steps.index(self.step) if self.step is not None else 0
        self.schemas = bound_schemas(request, self.procedure, self.specs)

    def url(self, step):
        return self.request.route_url("draft_step", token=self.draft.token, step=step.slug)

    def go(self, offset):
        target = self.steps[self.index + offset]
        flow.update_draft(self.draft, "at", target.slug)  # where "continue" resumes
        return HTTPFound(location=self.url(target))

    def page(self, **values):
        values.update(procedure=self.procedure, draft=self.draft, steps=self.steps, step=self.step,
                      step_number=self.index + 1, flow=self)
        return values

    def ward_name(self, values):
        """The applicant's ward as a place name, or "" (the address's last part)."""
        return dict(self.schemas.applicant.bindings["wards"]).get(values.get("applicant", {}).get("ward"), "")

    def agency_name(self, values):
        """The full name of the agency chosen to receive the dossier."""
        return dict(self.schemas.delivery.bindings["agencies"]).get(values.get("delivery", {}).get("agency"), "")

    def buttons(self):
        buttons = [deform.Button("next", _("Continue")), deform.Button("save", _("Save draft"), css_class="secondary")]
        if self.index > 0:
            buttons.append(deform.Button("back", _("Back"), css_class="secondary"))
        return buttons

    def saved(self):
        flow.update_draft(self.draft, "at", self.step.slug)
        flash(self.request, _("Your draft is saved. Continue any time from \u201cMy dossiers\u201d."))
        return HTTPFound(location=self.url(self.step))


@view_config(route_name="draft_step", renderer="eservices/step.jinja2", permission=Permissions.SUBMIT_DOSSIER)
def draft_step(context, request):
    """One step of a draft, shown or sent. A POST finds the draft taken
    for it (resources.draft_factory), so what is checked below is what it
    changes: submitted from another tab meanwhile, it shows the dossier."""
    if context.draft.dossier_id is not None:  # already submitted (a double click's second POST): show what it became
        return _receipt_page(request, context.draft.dossier)
    if not flow.open_to_drafts(context.procedure):  # archived, or no longer submitted online
        flash(request, _("The procedure of this draft no longer accepts online submission, so the draft cannot "
                         "be continued. You can delete it below, or hand in the dossier at the office."))
        return HTTPFound(location=request.route_url("my_dossiers"))
    current = Flow(context, request)
    if current.step is None:
        return HTTPFound(location=current.url(current.steps[0]))
    handler = {"papers": _papers_step, "review": _review_step}.get(current.step.key, _form_step)
    return handler(current, request)


def _initial(current):
    user = current.request.user
    if current.step.key == "applicant":
        return {"full_name": user.full_name, "phone": user.contact_number or "", "email": user.email or ""}
    if current.step.key == "delivery":
        ward = (current.draft.data.get("applicant") or {}).get("ward")
        return {"agency": ward, "delivery": flow.COUNTER}
    return {}


def _plain(cstruct):
    """The answers as JSON can store them: colander's null becomes ""."""
    if isinstance(cstruct, dict):
        return {key: _plain(value) for key, value in cstruct.items()}
    if isinstance(cstruct, (list, tuple)):
        return [_plain(value) for value in cstruct]
    return "" if cstruct is colander.null else cstruct


def _form_step(current, request):
    key = current.step.key
    schema = getattr(current.schemas, key)
    form = make_form(schema, request, current.buttons(), formid="step")
    if request.method == "POST":
        failure = None
        try:
            form.validate(request.POST.items())
        except deform.ValidationFailure as error:
            failure = error
        answers = _plain({k: v for k, v in dict(form.cstruct or {}).items() if k != "csrf_token"})
        flow.update_draft(current.draft, key, answers)
        if "back" in request.POST:
            return current.go(-1)
        if "save" in request.POST:
            return current.saved()
        if failure is None:
            return current.go(+1)
        return current.page(form=failure.render())
    if form.restored:  # typed before a session expired: shown again, saved when sent
        return current.page(form=form.render())
    stored = current.draft.data.get(key)
    if stored is None:
        return current.page(form=form.render(_initial(current)))
    # the stored answers as typed (perhaps not valid yet), not re-serialised
    form.cstruct = dict(schema.serialize(colander.null), **stored)
    return current.page(form=form.serialize())


def _uploads(request, field):
    return [upload for upload in request.POST.getall(field) if getattr(upload, "filename", None)]


def _remove_file(request, slots, files, store, folder):
    """Drop the file the "Remove" button names ("<paper index>:<file id>")."""
    raw_index, _colon, file_id = request.POST.get("remove", "").partition(":")
    index = parse_int(raw_index)
    if index not in slots:
        return
    name = slots[index].name
    kept = [f for f in files.get(name, []) if f["id"] != file_id]
    if len(kept) != len(files.get(name, [])):
        files[name] = kept
        store.discard_after_commit(request.tm.get(), folder, file_id)


def _current_files(request, slots, draft, store, folder):
    """The draft's files of the papers ``slots`` still names. Files of a
    paper the procedure no longer asks to upload (removed, renamed, or now
    only shown) are let go: the applicant could neither see nor remove
    them, they would count against the limits, and no dossier takes them."""
    names = {paper.name for paper in slots.values()}
    files = {}
    for name, records in flow.paper_files(draft).items():
        if name in names:
            files[name] = copy.deepcopy(records)
            continue
        for record in records:
            store.discard_after_commit(request.tm.get(), folder, record["id"])
    return files


def _take_papers(request, procedure, draft, store, folder, limits):
    """Store the files posted for each paper in the draft; {paper index: messages} for those refused."""
    slots = flow.upload_slots(procedure)
    files = _current_files(request, slots, draft, store, folder)
    _remove_file(request, slots, files, store, folder)
    errors, received = {}, []
    for index, paper in slots.items():
        held = [f for kept in files.values() for f in kept]
        records, messages = store.receive_many(_uploads(request, f"paper-{index}"), folder, limits,
                                               len(held), sum(f["size"] for f in held))
        files.setdefault(paper.name, []).extend(records)
        received.extend(record["id"] for record in records)
        if messages:
            errors[index] = messages
    store.discard_on_abort(request.tm.get(), folder, received)
    flow.update_draft(draft, "papers", {name: kept for name, kept in files.items() if kept})
    return errors


def _papers_step(current, request):
    draft, procedure = current.draft, current.procedure
    store, limits = file_store(request), Limits.from_settings(request.registry.settings)
    errors = {}  # paper index -> messages
    if request.method == "POST":
        require_form(request, "papers")
        errors = _take_papers(request, procedure, draft, store, store.draft_dir(draft.token), limits)
        if not errors:
            if "back" in request.POST:
                return current.go(-1)
            if "save" in request.POST:
                return current.saved()
            if "next" not in request.POST:  # a file was added or removed: show the list again
                return HTTPFound(location=current.url(current.step))
            missing = flow.missing_papers(procedure, draft)
            if not missing:
                return current.go(+1)
            for paper in missing:
                errors[procedure.papers.index(paper)] = [_("This paper is required: add at least one file.")]
    # swept (eservices.sweep) after months untouched: say so until files are added again
    papers_removed = bool(draft.data.get("papers_removed")) and not flow.paper_files(draft)
    return current.page(slots=flow.upload_slots(procedure), to_show=flow.papers_to_show(procedure),
                        files=flow.paper_files(draft), errors=errors, limits=limits, papers_removed=papers_removed,
                        accept=",".join(ACCEPTED + ("image/jpeg", "image/png", "application/pdf")))


def _review_step(current, request):
    draft, procedure = current.draft, current.procedure
    form = make_form(schemas.DeclarationSchema(), request, formid="step", buttons=(
        deform.Button("submit", _("Submit the dossier")), deform.Button("back", _("Back"), css_class="secondary")))
    values, problems = flow.check_draft(draft, procedure, current.schemas, current.specs)
    rendered, refused = None, None
    if request.method == "POST":
        if "back" in request.POST:
            return current.go(-1)
        try:
            declared = form.validate(request.POST.items())
        except deform.ValidationFailure as failure:
            rendered = failure.render()
        else:
            if not problems:
                try:
                    return _submit(current, request, values)
                except flow.TooManyDossiers as too_many:  # the draft stays as it is, to submit another day
                    request.response.status = 429
                    rendered = form.render(declared)
                    refused = _("You have already submitted ${limit} dossiers today, the most one person may "
                                "submit online in a day. This dossier stays in your drafts, with everything you "
                                "entered: please submit it tomorrow.", mapping={"limit": too_many.limit})
    steps = {step.key: step for step in current.steps}
    sections = flow.summary(values, current.specs, current.ward_name(values), current.agency_name(values))
    due = flow.fees_due(procedure, values, current.specs, postal_fee(request.registry.settings))
    return current.page(form=rendered or form.render(), refused=refused,
                        sections=[(steps[key], rows) for key, rows in sections],
                        problems=[(steps[key], message) for key, message in problems],
                        files=flow.paper_files(draft), slots=flow.upload_slots(procedure),
                        to_show=flow.papers_to_show(procedure), postal_fee=postal_fee(request.registry.settings),
                        fees=due, fees_note=_fees_note(procedure, due, values))


def _fees_note(procedure, due, values):
    """When and how the fees of the review are paid: online after
    submitting at level 4 (the payment comes after the dossier exists);
    at level 3 when the result is received, at the office or from the
    postal worker who brings it."""
    if not due.total:
        return _("This procedure has no fee to pay.")
    if procedure.online_level == 4:
        return _("After you submit the dossier, you pay these fees online, on this portal.")
    if (values.get("delivery") or {}).get("delivery") == flow.POSTAL:
        return _("These fees are paid when the result is delivered to you by post.")
    return _("These fees are paid at the office when you receive the result.")


def _submit(current, request, values):
    agency = _catalog(request).agency(values["delivery"]["agency"])
    try:
        dossier, secret = flow.submit(
            request.dbsession, current.draft, current.procedure, request.user, values, current.specs,
            calendar=request.working_calendar, store=file_store(request), transaction=request.tm.get(),
            secret_key=request.registry.settings["congdichvu.secret"], agency_name=agency.name,
            ward_name=current.ward_name(values), translate=official_translate(request.registry),
            daily_limit=flow.max_dossiers_per_day(request.registry.settings),
            place=place_name(request.registry.settings),
            lookup_url=lambda code: request.route_url("dossier_lookup", _query={"ma": code}),
            postal_fee=postal_fee(request.registry.settings))
    except flow.AlreadySubmitted as done:  # flow.submit's own guard: draft_step looked first, under the lock
        if done.dossier_id is None:  # deleted from another tab meanwhile
            flash(request, _("The draft was deleted."))
            return HTTPFound(location=request.route_url("my_dossiers"))
        return _receipt_page(request, request.dbsession.get(Dossier, done.dossier_id))
    _confirm_by_mail(request, dossier, secret)
    if _ask_fees(request, dossier, current.procedure) is not None:  # level 4: on to paying, secret shown there
        return HTTPFound(location=request.route_url("dossier_pay", code=dossier.code, _query={"moi": "1"}))
    return _receipt_page(request, dossier)


def _ask_fees(request, dossier, procedure):
    """For a procedure paid online (level 4) whose fees due
    (``data["fees"]``, payments.fees.quote) are not zero: the payment
    order, and the dossier waits for it (state 6) before reception.
    Returns the order, or None when nothing is to be paid online."""
    from ..payments import services as payments

    fees = (dossier.data or {}).get("fees") or {}
    total = int(fees.get("total") or 0)
    if procedure.online_level != 4 or total <= 0:
        return None
    order, _event = payments.ask(
        request.dbsession, dossier, lines=fees.get("lines") or [], amount=total, purpose=None,
        agency_code=dossier.handling_agency_code, actor=request.user.username, event={"actor_id": request.user.id})
    return order


def _receipt_page(request, dossier):
    """The dossier's page as just submitted, which shows the lookup secret
    once (flow.take_secret). Every answer to a submit leads there: after a
    double click the browser follows the second answer, not the first."""
    return HTTPFound(location=request.route_url("dossier", code=dossier.code, _query={"moi": "1"}))


def _confirm_by_mail(request, dossier, secret):
    """Tell the applicant the dossier was submitted, through the outbox
    (sent after commit, retried while the mail server is down): it is not
    received until an officer receives it, so the mail gives the time of
    submission. It goes to the signed-in account's confirmed email alone,
    never to the email typed in the form (notify.messages.recipients): else
    the portal would carry mail, with the lookup secret, to any address a
    visitor types."""
    submitted = next((event for event in dossier.events if event.action == "submit"), None)
    notify.tell_applicant(request, dossier, submitted, secret=secret)
