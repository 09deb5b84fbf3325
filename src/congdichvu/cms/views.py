"""Editors' pages: the procedure list, the edit form, history and diff,
workflow transitions, the completeness dashboard and the audit log."""
import deform
from pyramid.httpexceptions import HTTPBadRequest, HTTPForbidden, HTTPFound, HTTPNotFound
from pyramid.renderers import render_to_response
from pyramid.view import view_config
from sqlalchemy import select

from ..accounts import audit
from ..accounts.models import AuditEvent
from ..catalog import exchange
from ..catalog.models import Procedure
from ..forms import make_form, parse_controls, require_form
from ..i18n import _
from ..inputs import MAX_ID, parse_int
from ..security import Permissions
from . import completeness, workflow
from .models import WORKING, ProcedureRevision
from .schemas import (
    ProcedureSchema,
    describe_changes,
    drop_blank_items,
    field_failure,
    to_appstruct,
    to_document,
    with_blank_items,
)

STATE_LABELS = {
    "draft": _("Draft"),
    "pending": _("Awaiting review"),
    "published": _("Published"),
    "archived": _("Archived"),
    "historic": _("Earlier version"),
}


def _buttons():
    return (
        deform.Button("save", _("Save as draft")),
        deform.Button("submit_for_review", _("Save and send for review")),
    )


@view_config(route_name="cms_procedures", renderer="cms/procedures.jinja2", permission=Permissions.EDIT_CATALOG)
def procedures(request):
    db = request.dbsession
    published = {p.code: p for p in db.scalars(select(Procedure).order_by(Procedure.name_sort))}
    working = {}
    for revision in db.scalars(select(ProcedureRevision).where(ProcedureRevision.state.in_(WORKING))):
        working[revision.procedure_code] = revision
    new_codes = sorted(code for code in working if code not in published)
    return {"published": list(published.values()), "working": working, "new_codes": new_codes,
            "state_labels": STATE_LABELS}


def _render_edit(request, form, appstruct=None, failure=None, problems=(), heading=None, code=None, html=None,
                 existing=None):
    if html is None and failure is not None:
        html = failure.render()
    elif html is None:
        html = form.render(appstruct) if appstruct is not None else form.render()
    return {"form": html, "problems": problems, "heading": heading, "code": code, "existing": existing}


def _existing(request, code):
    """For the error of a new procedure given the code of an existing one:
    {"code", "name", "url" (where to edit it)}, or None when the code is new."""
    name = workflow.existing_name(request.dbsession, code)
    if name is None:
        return None
    editable = workflow.current_document(request.dbsession, code) is not None
    url = request.route_url("cms_procedure_edit" if editable else "cms_procedure_history", code=code)
    return {"code": code, "name": name, "url": url}


def _save(request, form, code=None):
    """Read the submitted form; save a revision; (revision, None) or (None, page values)."""
    pstruct = drop_blank_items(parse_controls(request.POST.items()))
    try:
        appstruct = form.validate_pstruct(pstruct)
    except deform.ValidationFailure as failure:
        # re-rendered as submitted (Deform keeps each item's field; blank
        # items come back once the errors are mended and it is saved)
        return None, {"failure": failure}
    document = to_document(appstruct)
    if code is not None and document["code"] != code:
        form["code"].error = None
        return None, {"appstruct": appstruct, "problems": [_("The code of an existing procedure cannot change.")]}
    if code is None:
        # a new procedure never takes over another's revisions (two editors
        # creating one code at once: the second insert fails on the unique
        # revision number, and the request, tried again, ends here)
        existing = _existing(request, document["code"])
        if existing is not None:
            message = _("This procedure code already exists: ${name}. Edit that procedure instead of making a new "
                        "one.", mapping={"name": existing["name"]})
            return None, {"html": field_failure(form, "code", message), "existing": existing}
    try:
        revision = workflow.save(request.dbsession, document, request.user, comment=appstruct["comment"])
    except exchange.CatalogInvalid as invalid:
        return None, {"appstruct": appstruct, "problems": [problem.message for problem in invalid.problems]}
    if "submit_for_review" in request.POST:
        workflow.submit(request.dbsession, revision, request.user)
    return revision, None


def _edit(request, code, document, heading):
    form = make_form(ProcedureSchema(), request, buttons=_buttons())
    if request.method == "POST":
        revision, failed = _save(request, form, code)
        if revision is not None:
            return HTTPFound(location=request.route_url("cms_procedure_history", code=revision.procedure_code,
                                                        _query={"saved": revision.number}))
        if "appstruct" in failed:
            with_blank_items(form, failed["appstruct"])
            return _render_edit(request, form, failed["appstruct"], problems=failed["problems"], heading=heading, code=code)
        return _render_edit(request, form, failure=failed.get("failure"), html=failed.get("html"), heading=heading,
                            code=code, existing=failed.get("existing"))
    appstruct = to_appstruct(document) if document else None
    with_blank_items(form, appstruct)
    return _render_edit(request, form, appstruct, heading=heading, code=code)


@view_config(route_name="cms_procedure_new", renderer="cms/edit.jinja2", permission=Permissions.EDIT_CATALOG)
def procedure_new(request):
    return _edit(request, None, None, _("New procedure"))


@view_config(route_name="cms_procedure_edit", renderer="cms/edit.jinja2", permission=Permissions.EDIT_CATALOG)
def procedure_edit(request):
    code = request.matchdict["code"]
    document = workflow.current_document(request.dbsession, code)
    if document is None:
        raise HTTPNotFound()
    return _edit(request, code, document, _("Edit: ${name}", mapping={"name": document["name"]}))


@view_config(route_name="cms_procedure_history", renderer="cms/history.jinja2", permission=Permissions.EDIT_CATALOG)
def procedure_history(request):
    return _history(request, request.matchdict["code"])


def _history(request, code, refused=None, unsaved_comment=None):
    """The history page's values; ``refused``: why a step was not taken
    (it came second, its comment is too long), said with the comment it
    carried, which was not saved."""
    revisions = workflow.revisions(request.dbsession, code)
    procedure = request.dbsession.scalar(select(Procedure).where(Procedure.code == code))
    if not revisions and procedure is None:
        raise HTTPNotFound()
    working = next((r for r in revisions if r.state in WORKING), None)
    return {
        "code": code,
        "procedure": procedure,
        "revisions": revisions,
        "newest": revisions[0].number if revisions else 0,
        "authors": audit.full_names(request.dbsession, {revision.author for revision in revisions}),
        "working": working,
        "state_labels": STATE_LABELS,
        "saved": request.params.get("saved") if request.method == "GET" else None,
        "may_publish": request.has_permission(Permissions.PUBLISH_CATALOG),
        "refused": refused,
        "unsaved_comment": unsaved_comment,
    }


@view_config(route_name="cms_procedure_diff", renderer="cms/diff.jinja2", permission=Permissions.EDIT_CATALOG)
def procedure_diff(request):
    code = request.matchdict["code"]
    by_number = {r.number: r for r in workflow.revisions(request.dbsession, code)}
    first = by_number.get(parse_int(request.params.get("a"), maximum=MAX_ID))
    second = by_number.get(parse_int(request.params.get("b"), maximum=MAX_ID))
    if first is None or second is None:
        raise HTTPNotFound()
    changes = describe_changes(workflow.diff(first.document, second.document), request.localizer.translate)
    return {"code": code, "first": first, "second": second, "changes": changes}


@view_config(route_name="cms_procedure_action", request_method="POST", permission=Permissions.EDIT_CATALOG)
def procedure_action(request):
    require_form(request, "procedure_action")
    code = request.matchdict["code"]
    action = request.POST.get("action")
    comment = workflow.note(request.POST.get("comment"))
    reviewer_only = {"publish", "send_back", "archive"}
    if action in reviewer_only and not request.has_permission(Permissions.PUBLISH_CATALOG):
        raise HTTPForbidden()
    if action == "send_back" and not comment:
        return HTTPFound(location=request.route_url("cms_procedure_history", code=code, _query={"error": "comment"}))
    if comment and len(comment) > workflow.MAX_NOTE:
        return _refused(request, code, workflow.NOTE_TOO_LONG, comment, 400)
    try:
        _take_step(request, code, action, comment)
    except workflow.WorkflowError:
        # came second: nothing of this request is kept (a publish may have
        # written to the catalogue before its step was refused), and the
        # page says so, with the comment typed for it
        return _refused(request, code, workflow.TAKEN, comment, 409)
    except exchange.CatalogInvalid:
        request.tm.doom()
        return HTTPFound(location=request.route_url("cms_procedure_history", code=code, _query={"error": "invalid"}))
    return HTTPFound(location=request.route_url("cms_procedure_history", code=code, _query={"done": action}))


def _refused(request, code, message, comment, status):
    """The history page as it now stands, saying why the step was not
    taken, with the comment it carried; nothing of the request is kept."""
    request.tm.doom()
    request.dbsession.expire_all()  # show the states as another request may have left them
    response = render_to_response("cms/history.jinja2", _history(request, code, message, comment), request=request)
    response.status = status
    return response


def _take_step(request, code, action, comment):
    """Apply the workflow step ``action`` to the revision the form names."""
    db, user = request.dbsession, request.user
    if action == "archive":
        workflow.archive(db, code, user, comment)
        return
    number = parse_int(request.POST.get("revision"), minimum=1, maximum=MAX_ID)
    revision = next((r for r in workflow.revisions(db, code) if r.number == number), None)
    if revision is None:
        raise HTTPBadRequest()
    if action == "submit":
        workflow.submit(db, revision, user)
    elif action == "publish":
        workflow.publish(db, revision, user)
    elif action == "send_back":
        workflow.send_back(db, revision, user, comment)
    elif action == "restore":
        newest = parse_int(request.POST.get("newest"), minimum=0, maximum=MAX_ID)
        if newest is None:
            raise HTTPBadRequest()
        note = request.localizer.translate(_("Restored from revision ${number}", mapping={"number": revision.number}))
        workflow.restore(db, revision, user, newest, comment=note)
    else:
        raise HTTPBadRequest()


def _who(actor, names, translate):
    if actor in names:
        return names[actor]
    return translate(_("Not signed in")) if actor == "anonymous" else actor


def _audit_row(event, names, translate):
    """One event as the log shows it: full names and actions in words."""
    return {"at": event.at, "who": _who(event.actor, names, translate),
            "username": event.actor if event.actor in names else "",  # what the "Who" filter takes
            "action": translate(audit.action_label(event.action)), "target": event.target or "",
            "address": event.address or "",
            "details": " ".join(filter(None, (event.note, audit.describe_details(event.details, translate))))}


@view_config(route_name="cms_audit", renderer="cms/audit.jinja2", permission=Permissions.VIEW_AUDIT)
def audit_log(request):
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(200)
    filters = {}
    for name, column in (("actor", AuditEvent.actor), ("action", AuditEvent.action), ("target", AuditEvent.target)):
        value = (request.params.get(name) or "").strip()[:100]
        if value:
            filters[name] = value
            query = query.where(column == value)
    events = list(request.dbsession.scalars(query))
    names = audit.full_names(request.dbsession, {event.actor for event in events})
    translate = request.localizer.translate
    return {"events": [_audit_row(event, names, translate) for event in events], "filters": filters,
            "actions": [(code, translate(label)) for code, label in audit.ACTION_LABELS.items()]}


@view_config(route_name="cms_dashboard", renderer="cms/dashboard.jinja2", permission=Permissions.EDIT_CATALOG)
def dashboard(request):
    return completeness.report(request.dbsession)


@view_config(route_name="cms_forms", renderer="cms/forms.jinja2", permission=Permissions.EDIT_CATALOG)
def blank_forms(request):
    from .uploads import store_upload, wanted_templates

    message, ok = None, False
    if request.method == "POST":
        require_form(request, "blank_form_upload")
        upload = request.POST.get("file")
        target = request.POST.get("target") or None
        wanted = {name for name, _stored in wanted_templates(request.dbsession)}
        if target is not None and target not in wanted:
            raise HTTPBadRequest()
        if getattr(upload, "file", None) is None:
            message = _("Choose a file to upload.")
        else:
            template, message = store_upload(request.dbsession, request.registry.settings, upload, target)
            if template is not None:
                from ..accounts.services import record

                record(request.dbsession, "form.uploaded", actor=request.user, target=template.filename,
                       details={"sha256": template.sha256, "size": template.size})
                message, ok = _("Stored: ${name}", mapping={"name": template.filename}), True
    return {"templates": wanted_templates(request.dbsession), "message": message, "ok": ok}
