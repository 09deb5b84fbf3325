"""Hồ sơ của tôi: a citizen's drafts and dossiers, the receipt, files,
withdrawing a dossier, adding the papers an officer asked for and rating
the service once the result is returned."""
from urllib.parse import quote

from pyramid.httpexceptions import HTTPFound, HTTPNotFound
from pyramid.response import FileResponse
from pyramid.view import view_config
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..catalog.interfaces import ICatalogService
from ..catalog.models import Procedure
from ..forms import require_form
from ..i18n import _
from ..inputs import id_or_404
from ..security import NO_STORE, Permissions
from ..views import flash
from ..payments import services as payments
from . import flow, ratings, services, timeline
from .flow import file_row, now_utc
from .models import Dossier, DossierDraft
from .storage import Limits, file_store
from ..onestop.slips import FOR_APPLICANT, SLIP_TITLES
from .views import STATE_LABELS, agency_namer

REASON_MAX = 500


@view_config(route_name="my_dossiers", renderer="eservices/mine.jinja2", permission=Permissions.SUBMIT_DOSSIER)
def my_dossiers(request):
    user = request.user
    drafts = request.dbsession.scalars(select(DossierDraft).where(
        DossierDraft.user_id == user.id, DossierDraft.dossier_id.is_(None)).order_by(DossierDraft.updated_at.desc())).all()
    dossiers = request.dbsession.scalars(
        select(Dossier).where(Dossier.applicant_id == user.id).options(selectinload(Dossier.files))  # receipts
        .order_by(Dossier.submitted_at.desc(), Dossier.id.desc())).all()
    procedures = {procedure.code: procedure for procedure in request.dbsession.scalars(select(Procedure).where(
        Procedure.code.in_({draft.procedure_code for draft in drafts})))} if drafts else {}
    rated = ratings.rated_dossiers(request.dbsession, user.id) \
        if any(dossier.state == ratings.RETURNED for dossier in dossiers) else set()
    return {"drafts": [(draft, procedures.get(draft.procedure_code), flow.open_to_drafts(
        procedures.get(draft.procedure_code))) for draft in drafts], "dossiers": dossiers, "states": STATE_LABELS,
        "receipt_file": receipt_file, "to_rate": {dossier.id for dossier in dossiers
                                                  if dossier.state == ratings.RETURNED and dossier.id not in rated}}


@view_config(route_name="draft_delete", request_method="POST", permission=Permissions.SUBMIT_DOSSIER)
def draft_delete(context, request):
    """Delete an open draft and, after commit, its papers. The draft is
    taken first (resources.draft_factory): one submitted meanwhile from
    another tab is a dossier now and stays."""
    require_form(request, "draft_delete")
    draft = context.draft
    if draft.dossier_id is not None:
        flash(request, _("This draft was submitted meanwhile; its dossier is listed below."))
        return HTTPFound(location=request.route_url("my_dossiers"))
    store = file_store(request)
    folder = store.draft_dir(draft.token)
    request.dbsession.delete(draft)
    store.discard_after_commit(request.tm.get(), folder)
    flash(request, _("The draft was deleted."))
    return HTTPFound(location=request.route_url("my_dossiers"))


def _agency_name(request, code):
    agency = request.find_service(ICatalogService).agency(code)
    return agency.name if agency is not None else code


@view_config(route_name="dossier", renderer="eservices/dossier.jinja2", permission=Permissions.OWN_DOSSIER)
def dossier_page(context, request, **extra):
    dossier = context.dossier
    secret = flow.take_secret(request.dbsession, dossier.id) if request.params.get("moi") else None
    agency_name = _agency_name(request, dossier.agency_code)
    titles = {step.key: step.title for step in flow.STEPS}
    sections = flow.summary(dossier.data, dossier.data.get("field_specs", []), dossier.data.get("ward_name"),
                            agency_name)
    values = {
        "sections": [(titles[key], rows) for key, rows in sections],
        "dossier": dossier, "states": STATE_LABELS, "secret": secret,
        "timeline": timeline.lines(dossier, agency_namer(request)), "just_submitted": bool(request.params.get("moi")),
        "agency_name": agency_name,
        "receipt": receipt_file(dossier),
        "slips": [f for f in applicant_slips(dossier) if f.slip != "01"], "slip_titles": SLIP_TITLES,
        "papers": [f for f in dossier.files if f.kind == "paper"],
        "supplements": [f for f in dossier.files if f.kind == "supplement"],
        "results": [f for f in dossier.files if f.kind == "result"],
        "e_receipts": [f for f in dossier.files if f.kind == "e_receipt"],
        "payment_due": payments.due_order(request.dbsession, dossier),
        "payments_made": payments.paid_attempts(request.dbsession, dossier.id),
        "supplement_request": services.supplement_request(dossier) if dossier.state == 5 else None,
        "limits": Limits.from_settings(request.registry.settings),
        "reason": "", "errors": [],
        "rating": ratings.rating_event(dossier), "rating_levels": ratings.LEVELS,
        "may_rate": ratings.may_rate(dossier, request.user),
    }
    values.update(extra)
    return values


def applicant_slips(dossier):
    """The slips issued to the applicant (Forms 01–04), oldest first."""
    return [f for f in dossier.files if f.kind == "slip" and f.slip in FOR_APPLICANT]


def receipt_file(dossier):
    """The receipt to offer: Form 01 once an officer received the dossier,
    else the acknowledgement of its online submission."""
    issued = [f for f in applicant_slips(dossier) if f.slip == "01"]
    return issued[-1] if issued else next((f for f in dossier.files if f.kind == "receipt"), None)


def _render_dossier(context, request, status=400, **extra):
    request.response.status = status
    return dossier_page(context, request, **extra)


@view_config(route_name="dossier_file", permission=Permissions.OWN_DOSSIER)
def dossier_file(context, request):
    file_id = id_or_404(request.matchdict["id"])
    record = next((f for f in context.dossier.files if f.id == file_id), None)
    if record is None or (record.kind == "slip" and record.slip not in FOR_APPLICANT):
        raise HTTPNotFound()  # the office's own control sheet (Form 05) is not the applicant's
    path = file_store(request).path(record.storage_key)
    if not path.is_file():
        raise HTTPNotFound()
    response = FileResponse(str(path), request=request, content_type=record.content_type)
    response.content_disposition = f"attachment; filename*=UTF-8''{quote(record.filename)}"
    response.headers["Cache-Control"] = NO_STORE
    return response


@view_config(route_name="dossier_withdraw", request_method="POST", renderer="eservices/dossier.jinja2",
             permission=Permissions.OWN_DOSSIER)
def dossier_withdraw(context, request):
    require_form(request, "withdraw")
    reason = " ".join((request.POST.get("reason") or "").split())
    if not 5 <= len(reason) <= REASON_MAX:
        return _render_dossier(context, request, reason=reason[:REASON_MAX], errors=[
            _("Write why you withdraw the dossier (5 to 500 characters).")])
    try:
        services.withdraw(request.dbsession, context.dossier, request.user, reason)
    except services.NotAllowed:
        flash(request, _("This dossier can no longer be withdrawn: the office has already received it."))
    else:
        flash(request, _("The dossier was withdrawn."))
    return HTTPFound(location=request.route_url("dossier", code=context.dossier.code))


@view_config(route_name="dossier_supplement", request_method="POST", renderer="eservices/dossier.jinja2",
             permission=Permissions.OWN_DOSSIER)
def dossier_supplement(context, request):
    require_form(request, "supplement")
    dossier = context.dossier
    if dossier.state != services.AWAITING_SUPPLEMENT:
        flash(request, _("This dossier is not waiting for papers."))
        return HTTPFound(location=request.route_url("dossier", code=dossier.code))
    store, limits = file_store(request), Limits.from_settings(request.registry.settings)
    folder = store.supplement_dir(dossier.id)
    uploads = [u for u in request.POST.getall("files") if getattr(u, "filename", None)]
    held = [f for f in dossier.files if f.kind in ("paper", "supplement")]  # what the applicant handed in
    records, errors = store.receive_many(uploads, folder, limits, len(held), sum(f.size for f in held))
    if not uploads:
        errors.append(_("Choose at least one file to add."))
    store.discard_on_abort(request.tm.get(), folder, [r["id"] for r in records])
    if errors:  # nothing is added unless every file is right: the officer gets one complete supplement
        for record in records:
            store.discard(folder, record["id"])
        return _render_dossier(context, request, errors=errors)
    try:  # first the state, conditionally: of concurrent supplements one goes through, with its files
        services.supplement(request.dbsession, dossier, request.user, [r["name"] for r in records],
                            request.working_calendar)
    except services.NotAllowed:
        for record in records:
            store.discard(folder, record["id"])
        flash(request, _("This dossier is not waiting for papers."))
        return HTTPFound(location=request.route_url("dossier", code=dossier.code))
    now, moves = now_utc(), []
    for record in records:
        key = store.key_for(dossier.id, record["id"], record["type"])
        dossier.files.append(file_row("supplement", None, record, key, now))
        moves.append((folder / record["id"], key))
    store.move_after_commit(request.tm.get(), moves)
    flash(request, _("The papers were added. The office has been told."))
    return HTTPFound(location=request.route_url("dossier", code=dossier.code))


@view_config(route_name="dossier_rate", renderer="eservices/rate.jinja2", permission=Permissions.OWN_DOSSIER)
def dossier_rate(context, request):
    """Đánh giá mức độ hài lòng (eservices.ratings). GET: the form — or,
    when the dossier cannot be rated (not returned yet, rated already),
    why, and the rating made. POST: the rating is recorded and the
    dossier's page thanks the applicant; wrong answers show the form again
    (400) with what was typed; a dossier that cannot be rated any more (a
    second tab was first) says so (409) and shows the comment that was not
    sent. Reached signed out (the link in the mail of the result's return),
    it goes through signing in (resources.dossier_factory)."""
    dossier = context.dossier
    values = {"dossier": dossier, "rating_levels": ratings.LEVELS, "comment_max": ratings.COMMENT_MAX, "errors": {},
              "refusal": None, "level": "", "comment": "", "unsent": None}
    if request.method == "POST":
        require_form(request, "rate")
        level, comment = request.POST.get("level"), ratings.clean_comment(request.POST.get("comment"))
        level = level if isinstance(level, str) else None
        try:
            ratings.rate(request.dbsession, dossier, request.user, level, comment)
        except ratings.NotYours:
            raise HTTPNotFound() from None
        except ratings.Refused as refused:
            if refused.field is None:
                request.response.status = 409
                values.update(refusal=refused.message, unsent=comment)
            else:
                request.response.status = 400
                values.update(errors={refused.field: refused.message}, comment=comment or "",
                              level=level if level in ratings.LEVELS else "")
        else:
            flash(request, _("Thank you for rating the service. Your rating helps the office serve people better."))
            return HTTPFound(location=request.route_url("dossier", code=dossier.code, _anchor="rating"))
    else:
        kept = request.kept_input  # a form sent after the session had ended, brought back
        if kept is not None:
            values.update(level=kept.get("level", ""), comment=kept.get("comment", ""))
        if not ratings.may_rate(dossier, request.user):
            values["refusal"] = ratings.ALREADY_RATED if ratings.rating_of(dossier) is not None \
                else ratings.NOT_RETURNED
    values["rating"] = ratings.rating_event(dossier)
    return values
