"""Signing in and out, the account page, changing the password."""
import colander
import deform
from pyramid.csrf import check_csrf_token
from pyramid.httpexceptions import HTTPFound
from pyramid.security import forget, remember
from pyramid.view import view_config

from .. import sessions, typed_input
from ..forms import make_form
from ..mail import IMailer
from ..i18n import _
from ..security import Permissions, client_address
from ..inputs import safe_next
from . import browsers, passwords, services
from . import tokens
from .identity import name_key
from .models import User
from .schemas import ChangePasswordSchema, ForgotSchema, LoginSchema, RegisterSchema, ResetSchema


def _browser(request):
    """This browser's key for the sign-in limits (accounts.browsers)."""
    return browsers.browser_key(request, services.KNOWN_ADDRESS_PERIOD)


WRONG_OR_UNCONFIRMED = _("The username or the password is not right. If you have just registered, open the link "
                         "in the confirmation mail we sent you first, then sign in.")


@view_config(route_name="login", renderer="accounts/login.jinja2", permission=Permissions.SIGN_IN)
def login(request):
    form = make_form(LoginSchema(), request, buttons=(deform.Button("submit", _("Sign in")),))
    came_from = safe_next(request.params.get("came_from"))
    message = None
    if request.method == "POST":
        try:
            data = form.validate(request.POST.items())
        except deform.ValidationFailure as failure:
            return {"form": failure.render(), "message": None, "came_from": came_from}
        try:
            user = services.authenticate(request.dbsession, data["login"], data["password"], client_address(request),
                                         _browser(request))
        except services.NotVerified as unverified:
            # The right password of an account whose email is not confirmed
            # gets the answer a wrong one gets: otherwise anyone could learn
            # whether an email has an account by registering it with a
            # password of their own and signing in with it. The link goes
            # again to the address (within the mail limit).
            message = WRONG_OR_UNCONFIRMED
            # an account with no address (made by an administrator) has nowhere to send the link to
            if unverified.user.email and _may_mail(request, unverified.user):
                _send_verification(request, unverified.user, safe_next(data["came_from"]))
        except services.TooManyAttempts:
            request.response.status = 429
            message = _("Too many failed attempts. For your safety, signing in is paused for 15 minutes.")
        else:
            if user:
                kept = typed_input.waiting(request.session)
                sessions.start_afresh(request)  # a new session and CSRF token: no fixation
                typed_input.carry_over(kept, request, user)  # their own form to fill again after signing in
                headers = remember(request, user.id)
                return HTTPFound(location=safe_next(data["came_from"]), headers=headers)
            if user is None:
                message = WRONG_OR_UNCONFIRMED
        return {"form": form.render({"login": data["login"], "came_from": data["came_from"]}), "message": message,
                "came_from": safe_next(data["came_from"]), "kept": _kept(request)}
    return {"form": form.render({"came_from": came_from}), "message": message, "came_from": came_from,
            "kept": _kept(request)}


def _kept(request):
    """Whether a form's input waits for this visitor to sign in again."""
    return "congdichvu_session" in request.cookies and bool(typed_input.waiting(request.session))


@view_config(route_name="logout", renderer="accounts/logout.jinja2", permission=Permissions.SIGN_IN,
             require_csrf=False)
def logout(request):
    """Signing out. Someone already signed out (a session that expired, a
    second click) simply succeeds; a signed-in visitor's sign-out needs the
    page's token (else another site could sign people out), and without a
    valid one — or on a GET — is asked to confirm."""
    if request.user is not None and not (request.method == "POST" and check_csrf_token(request, raises=False)):
        return {}
    if request.user is not None:
        services.record(request.dbsession, "logout", actor=request.user, address=client_address(request))
        services.end_sessions(request.user)  # a copy of the cookie signs no one in any more
    headers = forget(request)
    sessions.start_afresh(request)
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
        try:
            matches = services.check_password(request.dbsession, user, data["current_password"],
                                              client_address(request), _browser(request))
        except services.TooManyAttempts:  # wrong guesses here pause the account as at sign-in
            request.response.status = 429
            return {"form": form.render(), "message": _(
                "Too many wrong passwords for this account. For your safety, changing the password is paused "
                "for 15 minutes.")}
        if not matches:
            form["current_password"].error = _invalid(form["current_password"], _("The current password is not right."))
            return {"form": form.render()}
        user.password_hash = passwords.hash_password(data["new_password"])
        services.record(request.dbsession, "password.changed", actor=user, target=user.username, address=client_address(request))
        services.end_sessions(user)  # other browsers are signed out; this one stays, in the new generation
        return HTTPFound(location=request.route_url("account", _query={"changed": "1"}), headers=remember(request, user.id))
    return {"form": form.render()}


def _invalid(field, message):
    return colander.Invalid(field.schema, message)


def _secret(request):
    return request.registry.settings["congdichvu.secret"]


def _page(heading, form=None, message=None, ok=False, intro=None, links=()):
    return {"heading": heading, "form": form, "message": message, "ok": ok, "intro": intro, "links": list(links)}


def _may_mail(request, user=None, typed=None):
    """Whether one more mail may go to ``user``'s account this hour
    (``services.ACCOUNT_MAIL``), counting it. With no user, the typed
    login is counted instead: the same work, so the time taken does not
    tell whether the account exists."""
    return services.ACCOUNT_MAIL.hit(request.dbsession, *services.who(user, typed))


def _send_verification(request, user, came_from="/"):
    # the link brings the person back to where they were going (e.g. a submission)
    query = {"came_from": came_from} if came_from != "/" else {}
    link = request.route_url("verify_email", token=tokens.verify_token(_secret(request), user), _query=query)
    translate = request.localizer.translate
    request.find_service(IMailer).send(
        user.email,  # the address this link confirms, the account's own
        translate(_("Confirm your email for ${portal}", mapping={"portal": request.registry.settings["congdichvu.portal_name"]})),
        translate(_(
            "Hello ${name},\n\nTo finish registering, open this link within three days:\n${link}\n\n"
            "If you did not register, ignore this message.",
            mapping={"name": user.full_name, "link": link},
        )),
    )


def _owner_address(owner, key):
    """Where to tell ``owner`` that someone registered with the email whose
    name_key is ``key``: the account's own email when it is that address
    (the typed mailbox is the owner's: it learns nothing about anyone
    else), else its confirmed email, else nowhere — never the typed address
    itself, which may be a stranger's who typed another account's name."""
    if owner.email and owner.email_key == key:
        return owner.email
    return services.confirmed_email(owner)


def _send_already_registered(request, owner, recipient):
    """Tell ``owner``, at ``recipient``, that someone tried to register with their email."""
    translate = request.localizer.translate
    portal = request.registry.settings["congdichvu.portal_name"]
    request.find_service(IMailer).send(
        recipient,
        translate(_("Someone tried to register with your email at ${portal}", mapping={"portal": portal})),
        translate(_(
            "Hello ${name},\n\nSomeone, perhaps you, tried to register at ${portal} with this email address. "
            "It already has an account, so no new account was made and nothing was changed.\n\n"
            "If it was you, sign in with your account:\n${sign_in}\n\n"
            "If you do not remember the password, set a new one here:\n${reset}\n\n"
            "If it was not you, ignore this message.",
            mapping={"name": owner.full_name, "portal": portal, "sign_in": request.route_url("login"),
                     "reset": request.route_url("forgot_password")},
        )),
    )


def _register_account(request, data, email):
    """Make the citizen's account (unconfirmed) and send the confirmation
    link. The mobile number is kept as the account's contact number (to
    fill in dossiers), never as a sign-in name: nobody has confirmed it.
    So whether another account has that number changes nothing — not the
    page, not the mail, not the account — and nobody learns it here."""
    user = services.create_user(
        request.dbsession, email, data["password"], data["full_name"].strip(), ["citizen"],
        email=email, contact_phone=data["phone"], verified=False,
    )
    services.record(request.dbsession, "user.registered", actor=user, target=user.username, address=client_address(request))
    if _may_mail(request, user):  # a new account's first mail: always, but counted like the others
        _send_verification(request, user, safe_next(data["came_from"]))


@view_config(route_name="register", renderer="accounts/form.jinja2", permission=Permissions.SIGN_IN)
def register(request):
    """Registering answers the same whether or not the email already has an
    account (no one learns who is registered here): the owner of an
    existing address gets a mail instead of a second account (within the
    account's mail limit, ``services.ACCOUNT_MAIL``). An address may register
    ``services.REGISTRATIONS`` accounts an hour; more get 429 and the form
    back as it was typed."""
    heading = _("Register as a citizen")
    form = make_form(RegisterSchema(), request, buttons=(deform.Button("submit", _("Register")),))
    if request.method != "POST":
        return _page(heading, form.render({"came_from": safe_next(request.params.get("came_from"))}),
                     intro=_("An account lets you submit dossiers online and follow them."))
    try:
        data = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        return _page(heading, failure.render())
    if not services.REGISTRATIONS.hit(request.dbsession, client_address(request)):
        request.response.status = 429
        return _page(heading, form.render(data), message=_(
            "Too many accounts have been registered from this network in the last hour. Please try again later."))
    email = data["email"].strip().lower()
    owner = services.account_named(request.dbsession, email)
    if owner is None:
        _register_account(request, data, email)
    else:
        passwords.hash_password(data["password"])  # the work a new account costs: the time tells nothing
        services.record(request.dbsession, "user.register_existing", target=owner.username, address=client_address(request))
        recipient = _owner_address(owner, name_key(email))
        if _may_mail(request, owner) and recipient:
            _send_already_registered(request, owner, recipient)
    return _page(heading, message=_("Almost done: we have sent a link to ${email}. Open it to confirm your email, then sign in.", mapping={"email": email}), ok=True)


@view_config(route_name="verify_email", renderer="accounts/form.jinja2", permission=Permissions.SIGN_IN)
def verify_email(request):
    heading = _("Confirm your email")
    came_from = safe_next(request.params.get("came_from"))
    sign_in = request.route_path("login", _query={"came_from": came_from} if came_from != "/" else {})
    try:
        payload = tokens.read(_secret(request), "verify", request.matchdict["token"], tokens.VERIFY_MAX_AGE)
    except tokens.InvalidToken as error:
        message = _("This link has expired. Sign in to receive a new one.") if error.expired else _("This link is not valid.")
        return _page(heading, message=message, links=[(sign_in, _("Sign in"))])
    user = request.dbsession.get(User, payload["user"])
    if user is None or user.email != payload["email"]:
        return _page(heading, message=_("This link is not valid."), links=[(sign_in, _("Sign in"))])
    if not user.email_verified:
        user.email_verified = True
        services.record(request.dbsession, "user.verified", actor=user, target=user.username, address=client_address(request))
    return _page(heading, message=_("Your email is confirmed. You can sign in now."), ok=True,
                 links=[(sign_in, _("Sign in"))])


@view_config(route_name="forgot_password", renderer="accounts/form.jinja2", permission=Permissions.SIGN_IN)
def forgot_password(request):
    """A link to set a new password, mailed to the account the login names.

    The page answers the same whether or not an account matches and
    whether or not a mail went out, and does the same work either way: an
    account gets at most ``services.ACCOUNT_MAIL`` mails an hour, the
    request is logged once per account (or typed login) and address an
    hour (``services.RESET_NOTED``), and an address may ask
    ``services.RESET_REQUESTS`` times an hour (then 429, for any login)."""
    heading = _("Forgot your password?")
    form = make_form(ForgotSchema(), request, buttons=(deform.Button("submit", _("Send me a link")),))
    if request.method != "POST":
        return _page(heading, form.render(), intro=_("Type your username, email or phone; we send a link to set a new password to the account's email."))
    try:
        data = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        return _page(heading, failure.render())
    db, address = request.dbsession, client_address(request)
    if not services.RESET_REQUESTS.hit(db, address):
        request.response.status = 429
        return _page(heading, form.render(data), message=_(
            "Too many requests for a new password have come from this network in the last hour. Please try "
            "again later."))
    user = services.find_user(db, data["login"])
    typed = services.normalised_login(data["login"])
    services.record_once(db, services.RESET_NOTED, (*services.who(user, typed), address), "password.reset_requested",
                         target=typed, address=address)
    # to the account's own email, confirmed or being confirmed by this very link (reset_password)
    if _may_mail(request, user, typed) and user is not None and user.email:
        _send_reset_link(request, user)
    # the same answer whether or not the account exists: nothing to learn here
    return _page(heading, message=_("If an account matches, a link to set a new password is on its way to its email."), ok=True)


def _send_reset_link(request, user):
    link = request.route_url("reset_password", token=tokens.reset_token(_secret(request), user))
    translate = request.localizer.translate
    request.find_service(IMailer).send(
        user.email,
        translate(_("Set a new password")),
        translate(_(
            "Hello ${name},\n\nTo set a new password, open this link within one hour:\n${link}\n\n"
            "If you did not ask for it, ignore this message: your password stays as it is.",
            mapping={"name": user.full_name, "link": link},
        )),
    )


@view_config(route_name="reset_password", renderer="accounts/form.jinja2", permission=Permissions.SIGN_IN)
def reset_password(request):
    heading = _("Set a new password")
    again = [(request.route_path("forgot_password"), _("Ask for a new link"))]
    try:
        payload = tokens.read_reset(_secret(request), request.matchdict["token"])
    except tokens.InvalidToken as error:
        return _page(heading, message=_("This link has expired.") if error.expired else _("This link is not valid."), links=again)
    user = request.dbsession.get(User, payload["user"])
    if user is None or not user.active or user.password_hash[-12:] != payload["seal"]:
        return _page(heading, message=_("This link has already been used or is not valid."), links=again)
    form = make_form(ResetSchema(), request, buttons=(deform.Button("submit", _("Save the new password")),))
    if request.method != "POST":
        return _page(heading, form.render())
    try:
        data = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        return _page(heading, failure.render())
    user.password_hash = passwords.hash_password(data["password"])
    services.record(request.dbsession, "password.reset", actor=user, target=user.username, address=client_address(request))
    services.end_sessions(user)
    if payload.get("email") == user.email:  # the link reached the account's mailbox: that confirms it
        user.email_verified = True
    return _page(heading, message=_("Your new password is saved. You can sign in now."), ok=True,
                 links=[(request.route_path("login"), _("Sign in"))])
