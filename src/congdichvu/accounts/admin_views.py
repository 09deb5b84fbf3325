"""Administrators' pages of accounts (``/quan-tri/nguoi-dung``): the list,
a new staff account, an account's roles, agency and state, and a link to
set a new password. Every change is written to the audit log.

An administrator never types anyone's password: a new account, and one
whose password they reset, gets a one-time link to set it
(``tokens.reset_token``, the page ``/dat-lai-mat-khau/{token}``), mailed
to the account's email, or shown once to the administrator to hand over
when it has none."""
import colander
import deform
from pyramid.httpexceptions import HTTPFound, HTTPNotFound
from pyramid.renderers import render_to_response
from pyramid.view import view_config
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from ..catalog.models import Agency
from ..forms import make_form, require_form
from ..i18n import _
from ..inputs import id_or_404, normalise_text, parse_int
from ..mail import IMailer
from ..security import Permissions, client_address, mark_personal
from . import services, tokens
from .identity import name_key
from .models import ROLE_LABELS, ROLES, STAFF_ROLES, User, UserRole
from .schemas import staff_schema

PER_PAGE = 30
#: the list's role filter: one role, or every staff account
STAFF = "staff"
TAKEN = {
    "username": _("Another account already signs in with this username (in any case)."),
    "email": _("Another account already signs in with this email (in any case)."),
    "phone": _("Another account already signs in with this phone number."),
}


def _is_citizen(user):
    return "citizen" in user.roles


# -- the list ------------------------------------------------------------------


def _filters(request):
    """(query text, role or STAFF or "", agency or None) read from the address."""
    text = normalise_text(request.params.get("q") or "").strip()[:100]
    role = request.params.get("role") or ""
    role = role if role in ROLES or role == STAFF else ""
    code = (request.params.get("agency") or "")[:40]
    agency = request.dbsession.scalar(select(Agency).where(Agency.code == code)) if code else None
    return text, role, agency


def _where(text, role, agency):
    conditions = []
    if text:
        key = name_key(text)
        conditions.append(or_(User.full_name.contains(text, autoescape=True),
                              User.username_key.contains(key, autoescape=True),
                              User.email_key.contains(key, autoescape=True)))
    if role == STAFF:
        conditions.append(exists().where(UserRole.user_id == User.id, UserRole.role != "citizen"))
    elif role:
        conditions.append(exists().where(UserRole.user_id == User.id, UserRole.role == role))
    if agency is not None:
        conditions.append(User.agency_id == agency.id)
    return conditions


@view_config(route_name="users_admin", renderer="accounts/users.jinja2", permission=Permissions.MANAGE_USERS)
def users(request):
    """The accounts, by name, filtered by ``q`` (name, username or email,
    any case), ``role`` (a role, or ``staff``) and ``agency`` (a code);
    PER_PAGE a page (``page``, past the end: the last)."""
    mark_personal(request)
    db = request.dbsession
    text, role, agency = _filters(request)
    where = _where(text, role, agency)
    total = db.scalar(select(func.count(User.id)).where(*where))
    pages = max(1, -(-total // PER_PAGE))
    page = min(parse_int(request.params.get("page"), minimum=1, maximum=10**6) or 1, pages)
    found = db.scalars(select(User).where(*where).options(selectinload(User.agency))
                       .order_by(User.full_name, User.id).offset((page - 1) * PER_PAGE).limit(PER_PAGE)).all()
    query = {key: value for key, value in (("q", text), ("role", role), ("agency", agency.code if agency else ""))
             if value}
    return {"users": found, "total": total, "page": page, "pages": pages, "query": query, "text": text,
            "role": role, "agency": agency, "roles": ROLES, "role_labels": ROLE_LABELS,
            "agencies": db.scalars(select(Agency).order_by(Agency.position, Agency.name)).all()}


# -- one account ---------------------------------------------------------------


def _the_user(request):
    user = request.dbsession.get(User, id_or_404(request.matchdict["id"]))
    if user is None:
        raise HTTPNotFound()
    return user


def _form(request, new=False, citizen=False):
    label = _("Create the account") if new else _("Save")
    return make_form(staff_schema(new=new, citizen=citizen), request, buttons=(deform.Button("save", label),))


def _failure(form, problems):
    """``form`` (validated) drawn again as submitted, with each of
    ``problems`` ([(field, message)]) under its field."""
    error = colander.Invalid(form.schema)
    for name, message in problems:
        node = form.schema[name]
        error.add(colander.Invalid(node, message), form.schema.children.index(node))
    form.widget.handle_error(form, error)
    return deform.ValidationFailure(form, form.cstruct, error).render()


def _agency(request, code):
    return request.dbsession.scalar(select(Agency).where(Agency.code == code)) if code else None


def _names_problems(request, data, user=None):
    taken = services.names_taken(request.dbsession, data, user)
    return [(name, TAKEN[name]) for name, _value, _owner in taken]


def _issue_link(request, user):
    """Send ``user`` the link to set their password (``tokens.reset_token``,
    valid HANDOVER_MAX_AGE, dead once used): mailed when the account has
    an email, else returned to be shown once. Returns (how, link or None)."""
    secret = request.registry.settings["congdichvu.secret"]
    link = request.route_url("reset_password",
                             token=tokens.reset_token(secret, user, max_age=tokens.HANDOVER_MAX_AGE))
    if not user.email:
        return "shown", link
    translate = request.localizer.translate
    portal = request.registry.settings["congdichvu.portal_name"]
    request.find_service(IMailer).send(
        user.email,
        translate(_("Set your password for ${portal}", mapping={"portal": portal})),
        translate(_(
            "Hello ${name},\n\nAn administrator of ${portal} has given you an account (username: ${username}). "
            "To set its password, open this link within three days; it works once:\n${link}\n\n"
            "If you did not expect this, tell the administrator.",
            mapping={"name": user.full_name, "portal": portal, "username": user.username, "link": link},
        )),
    )
    return "mailed", None


def _link_page(request, user, how, link, heading):
    """The page after a link was issued: where it went, or the link itself
    (shown this once: the answer to a POST, never cached)."""
    mark_personal(request)
    return {"user": user, "how": how, "link": link, "heading": heading}


@view_config(route_name="user_admin_new", renderer="accounts/user_edit.jinja2", permission=Permissions.MANAGE_USERS)
def user_new(request):
    """A new staff account, with no password: its owner sets one through
    the link (``_issue_link``). A username, email or phone another account
    signs in with, in any case or way of writing, is refused."""
    form = _form(request, new=True)
    page = {"user": None, "heading": _("New staff account")}
    if request.method != "POST":
        return dict(page, form=form.render())
    try:
        data = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        return dict(page, form=failure.render())
    agency = _agency(request, data["agency"])
    problems = _names_problems(request, data) + services.staff_problems(data["roles"], agency)
    if problems:
        return dict(page, form=_failure(form, problems))
    db = request.dbsession
    user = services.create_user(db, data["username"], None, data["full_name"], data["roles"], email=data["email"],
                                phone=data["phone"], agency=agency)
    how, link = _issue_link(request, user)
    services.record(db, "user.created", actor=request.user, target=user.username, address=client_address(request),
                    details={"roles": user.roles, "agency": agency.code if agency else None, "link": how})
    return render_to_response("accounts/user_link.jinja2", _link_page(
        request, user, how, link, _("Account ${name} created", mapping={"name": user.username})), request=request)


def _appstruct(user):
    """The form's values of ``user`` (None as colander's null: drawn blank, not "None")."""
    values = {"full_name": user.full_name, "email": user.email, "phone": user.phone,
              "agency": user.agency.code if user.agency else None, "roles": set(user.roles) - {"citizen"},
              "active": user.active}
    return {name: colander.null if value is None else value for name, value in values.items()}


def _page(request, user, form_html, **more):
    mark_personal(request)
    return dict({"user": user, "form": form_html, "heading": user.full_name, "role_labels": ROLE_LABELS,
                 "is_self": request.user is not None and request.user.id == user.id,
                 "saved": request.method == "GET" and request.params.get("saved") in ("1", "reset")}, **more)


@view_config(route_name="user_admin", renderer="accounts/user_edit.jinja2", permission=Permissions.MANAGE_USERS)
def user_edit(request):
    """An account's name, email, phone, agency, roles and state (a
    citizen's: its state only). Two administrators at once: the last to
    save wins, and nobody gets an error for it."""
    user = _the_user(request)
    citizen = _is_citizen(user)
    form = _form(request, citizen=citizen)
    if request.method != "POST":
        return _page(request, user, form.render(_appstruct(user)))
    try:
        data = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        return _page(request, user, failure.render())
    wanted = dict({name: None if value is colander.null else value for name, value in _appstruct(user).items()},
                  **data)
    roles = set(user.roles) if citizen else set(wanted["roles"])
    agency = user.agency if citizen else _agency(request, wanted["agency"])
    problems = [] if citizen else _names_problems(request, wanted, user)
    problems += services.staff_problems(roles, agency, user, request.user, wanted["active"])
    if problems:
        return _page(request, user, _failure(form, [(n, m) for n, m in problems if n in form.schema]),
                     problems=[m for n, m in problems if n not in form.schema])
    _apply(request, user, wanted, roles, agency)
    try:
        request.dbsession.flush()
    except StaleDataError:  # removed (at the console) while this was saved
        request.tm.doom()
        raise HTTPNotFound() from None
    return HTTPFound(location=request.route_url("user_admin", id=user.id, _query={"saved": "1"}))


#: what an administrator may change of a staff account besides roles and agency
FIELDS = ("full_name", "email", "phone")


def _apply(request, user, wanted, roles, agency):
    """Write the changes to ``user`` and audit them: "user.updated" with the
    fields changed (roles and agency before and after), then
    "user.deactivated" or "user.reactivated" when the state changed."""
    db, actor, address = request.dbsession, request.user, client_address(request)
    old = {name: getattr(user, name) for name in FIELDS}
    for name in FIELDS:
        if name in wanted and wanted[name] != old[name]:
            setattr(user, name, wanted[name])  # (an email is kept in lower case, a phone in its one form)
    details = {"changed": [name for name in FIELDS if getattr(user, name) != old[name]]}
    if set(roles) != set(user.roles):
        details.update(roles_before=user.roles, roles=sorted(roles))
        details["changed"].append("roles")
        services.set_roles(user, roles)
    if agency != user.agency:
        details.update(agency_before=user.agency.code if user.agency else None, agency=agency.code if agency else None)
        details["changed"].append("agency")
        user.agency = agency
    if details["changed"]:
        services.record(db, "user.updated", actor=actor, target=user.username, address=address, details=details)
    if wanted["active"] != user.active:
        services.set_active(user, wanted["active"])
        action = "user.reactivated" if user.active else "user.deactivated"
        services.record(db, action, actor=actor, target=user.username, address=address)


@view_config(route_name="user_admin_reset", request_method="POST", renderer="accounts/user_link.jinja2",
             permission=Permissions.MANAGE_USERS)
def user_reset(request):
    """Reset an account's password: the old one stops working, every
    session ends, and its owner gets a link to set a new one (mailed, or
    shown here once). A deactivated account is reactivated first."""
    user = _the_user(request)
    require_form(request, "user_reset")
    if not user.active:
        return HTTPFound(location=request.route_url("user_admin", id=user.id, _query={"inactive": "1"}))
    services.reset_by_administrator(user)
    how, link = _issue_link(request, user)
    services.record(request.dbsession, "user.password_reset_link", actor=request.user, target=user.username,
                    address=client_address(request), details={"link": how})
    return _link_page(request, user, how, link, _("New password for ${name}", mapping={"name": user.username}))
