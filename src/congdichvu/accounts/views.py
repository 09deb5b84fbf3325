"""Signing in and out, the account page, changing the password."""
import colander
import deform
from pyramid.httpexceptions import HTTPFound
from pyramid.security import forget, remember
from pyramid.view import view_config

from ..forms import make_form
from ..i18n import _
from ..security import Permissions
from ..views import safe_next
from . import passwords, services
from .schemas import ChangePasswordSchema, LoginSchema


def _address(request):
    return (request.client_addr or "unknown")[:64]


@view_config(route_name="login", renderer="accounts/login.jinja2", permission=Permissions.SIGN_IN)
def login(request):
    form = make_form(LoginSchema(), request, buttons=(deform.Button("submit", _("Sign in")),))
    came_from = safe_next(request.params.get("came_from"))
    message = None
    if request.method == "POST":
        try:
            data = form.validate(request.POST.items())
        except deform.ValidationFailure as failure:
            return {"form": failure.render(), "message": None}
        try:
            user = services.authenticate(request.dbsession, data["login"], data["password"], _address(request))
        except services.TooManyAttempts:
            request.response.status = 429
            message = _("Too many failed attempts. For your safety, signing in is paused for 15 minutes.")
        else:
            if user is not None:
                request.session.invalidate()  # a new session: no fixation
                headers = remember(request, user.id)
                return HTTPFound(location=safe_next(data["came_from"]), headers=headers)
            message = _("The username or the password is not right.")
        return {"form": form.render({"login": data["login"], "came_from": data["came_from"]}), "message": message}
    return {"form": form.render({"came_from": came_from}), "message": message}


@view_config(route_name="logout", request_method="POST", permission=Permissions.SIGN_IN)
def logout(request):
    if request.user is not None:
        services.record(request.dbsession, "logout", actor=request.user, address=_address(request))
    headers = forget(request)
    request.session.invalidate()
    return HTTPFound(location=request.route_url("home"), headers=headers)


@view_config(route_name="account", renderer="accounts/account.jinja2", permission=Permissions.ACCOUNT)
def account(request):
    return {"user": request.user, "changed": request.params.get("changed") == "1"}


@view_config(route_name="change_password", renderer="accounts/change_password.jinja2", permission=Permissions.ACCOUNT)
def change_password(request):
    form = make_form(ChangePasswordSchema(), request, buttons=(deform.Button("submit", _("Change password")),))
    if request.method == "POST":
        try:
            data = form.validate(request.POST.items())
        except deform.ValidationFailure as failure:
            return {"form": failure.render()}
        user = request.user
        matches, _rehash = passwords.verify(user.password_hash, data["current"])
        if not matches:
            form["current"].error = _invalid(form["current"], _("The current password is not right."))
            return {"form": form.render()}
        user.password_hash = passwords.hash_password(data["new"])
        services.record(request.dbsession, "password.changed", actor=user, target=user.username, address=_address(request))
        return HTTPFound(location=request.route_url("account", _query={"changed": "1"}))
    return {"form": form.render()}


def _invalid(field, message):
    return colander.Invalid(field.schema, message)
