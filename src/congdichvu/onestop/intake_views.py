"""Tiếp nhận hồ sơ tại quầy, qua bưu chính: an officer enters a dossier the
applicant brought or posted (onestop.intake)."""
import deform
from pyramid.httpexceptions import HTTPFound
from pyramid.view import view_config
from webob.multidict import MultiDict

from ..catalog.interfaces import ICatalogService
from ..eservices import flow
from ..eservices.storage import ACCEPTED, Limits, file_store
from ..eservices.submission_views import postal_fee
from ..forms import make_form
from ..i18n import _
from ..i18n.formatting import vietnamese_sort_key
from ..security import Permissions
from ..views import flash
from . import intake

FORM_ID = "intake"


@view_config(route_name="desk_intake", renderer="onestop/intake_start.jinja2", permission=Permissions.DESK)
def desk_intake(request):
    """Choose the procedure (one the officer's agency handles) and how the
    dossier came; the choice (a GET: nothing changes) leads to its form."""
    agency = intake.intake_agency(request)
    procedures = intake.procedures_for(request, agency) if agency is not None else []
    chosen, channel = request.GET.get("thu_tuc"), request.GET.get("kenh", intake.IN_PERSON)
    error = None
    if chosen is not None:
        if chosen in dict(procedures) and channel in intake.INTAKE_CHANNELS:
            return HTTPFound(location=request.route_url("desk_intake_form", code=chosen, _query={"kenh": channel}))
        request.response.status = 400
        error = _("Choose one of the procedures your agency receives.")
    return {"agency": agency, "procedures": procedures, "channels": intake.INTAKE_CHANNELS,
            "chosen": chosen if chosen in dict(procedures) else None,
            "channel": channel if channel in intake.INTAKE_CHANNELS else intake.IN_PERSON, "error": error}


class Intake:
    """One request on the counter's form of one procedure."""

    def __init__(self, context, request):
        self.request, self.procedure, self.agency = request, context.procedure, context.agency
        self.specs = flow.field_specs(request.dbsession, self.procedure.code)
        self.channels = intake.intake_channels(self.procedure)
        catalog = request.find_service(ICatalogService)
        self.wards = sorted(((a.code, a.display_name) for a in catalog.agencies() if a.level == "commune"),
                            key=lambda pair: vietnamese_sort_key(pair[1]))
        self.postal_fee = postal_fee(request.registry.settings)
        self.schema = intake.intake_schema(self.specs, self.channels).bind(
            **intake.bound_kw(request, self.procedure, self.wards, self.postal_fee))
        self.form = make_form(self.schema, request, buttons=(), formid=FORM_ID)
        self.store, self.limits = file_store(request), Limits.from_settings(request.registry.settings)
        # the form's one-time key: made when it is shown, sent back with it (intake.entered_with)
        self.entry_key = intake.entry_key(request.POST.get("entry_key") if request.method == "POST" else None)

    def initial(self):
        channel = self.request.GET.get("kenh")
        return {"reception": {"channel": channel if channel in self.channels else self.channels[0],
                              "dossier_count": 1},
                "delivery": {"delivery": flow.COUNTER}}

    def page(self, rows=None, paper_errors=None, files_again=False, file_errors=None):
        if rows is None:
            rows, _errors = intake.read_papers(self.procedure, MultiDict())
            for row in rows:
                row["received"] = False
        return {"procedure": self.procedure, "agency": self.agency, "form": self.form,
                "sections": [child for child in self.form.children if child.name != "csrf_token"],
                "field_errors": field_errors(self.form), "rows": rows, "paper_errors": paper_errors or {},
                "file_errors": file_errors or {}, "files_again": files_again, "limits": self.limits,
                "accept": ",".join(ACCEPTED + ("image/jpeg", "image/png", "application/pdf")),
                "slots": flow.upload_slots(self.procedure), "entry_key": self.entry_key}

    def refused(self, **values):
        self.request.response.status = 400
        return self.page(**values)


def field_errors(form):
    """[(oid, title, messages)] of the fields of ``form`` that are wrong,
    in the order shown, for the summary above the form."""
    found = []

    def walk(field):
        for child in field.children:
            if child.children and not isinstance(child.widget, deform.widget.RadioChoiceWidget):
                walk(child)
            elif child.error is not None and not child.widget.hidden:
                found.append((child.oid, child.title, child.error.messages()))

    walk(form)
    return found


@view_config(route_name="desk_intake_form", renderer="onestop/intake_form.jinja2", permission=Permissions.DESK)
def desk_intake_form(context, request):
    """The form of a dossier entered at the counter or from the post. One
    POST creates and receives it; bad input shows the form again (400) with
    everything typed, and asks for the chosen scans again (a browser cannot
    be given files back, and none is kept from a POST that failed)."""
    current = Intake(context, request)
    if request.method != "POST":
        current.form.cstruct = current.schema.serialize(current.initial())
        return current.page()
    entered = intake.entered_with(request.dbsession, current.entry_key)
    if entered is not None:  # the same form sent again (a double click, a replayed POST)
        flash(request, _("This form was already sent: dossier ${code} was entered then.",
                         mapping={"code": entered.code}))
        return HTTPFound(location=request.route_url("desk_dossier", code=entered.code))
    failure = None
    try:
        appstruct = current.form.validate(request.POST.items())
    except deform.ValidationFailure as error:
        failure = error
    rows, paper_errors = intake.read_papers(current.procedure, request.POST)
    chosen = any(row["chosen"] for row in rows)
    if failure is not None or paper_errors:
        return current.refused(rows=rows, paper_errors=paper_errors, files_again=chosen)
    values = intake.answers(current.schema, appstruct, current.agency.code)
    ward_name = dict(current.wards).get(values["applicant"].get("ward"), "")
    try:
        dossier = intake.enter_dossier(request, current.procedure, current.agency, values, rows, current.specs,
                                       ward_name, store=current.store, limits=current.limits,
                                       postal_fee=current.postal_fee, entry_key=current.entry_key)
    except intake.FilesRefused as refused:
        request.tm.doom()  # no dossier without the scans the officer chose
        return current.refused(rows=rows, file_errors=refused.errors, files_again=True)
    flash(request, _("Dossier ${code} was entered and received. Print the receipt (Form 01) for the applicant "
                     "to sign.", mapping={"code": dossier.code}))
    return HTTPFound(location=request.route_url("desk_dossier", code=dossier.code))
