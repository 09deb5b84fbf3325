"""Account forms."""
import re

import colander
import deform
from sqlalchemy import select

from ..forms import CSRFSchema
from ..inputs import ungrouped
from ..i18n import _
from . import passwords
from .models import ROLE_LABELS, STAFF_ROLES, User

#: a citizen's email is also their username (``user_account.username``),
#: so it may be no longer than that column
REGISTER_EMAIL_MAX = User.__table__.c.username.type.length


def password_twice(title):
    """A password typed twice, long enough."""
    return colander.SchemaNode(
        colander.String(),
        title=title,
        description=_("At least 8 characters."),
        validator=colander.Length(
            min=passwords.MIN_LENGTH, max=1024, min_err=_("The password must have at least ${min} characters.")
        ),
        widget=deform.widget.CheckedPasswordWidget(),
    )


class LoginSchema(CSRFSchema):
    login = colander.SchemaNode(
        colander.String(),
        title=_("Username, email or phone"),
        validator=colander.Length(max=255),
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "username"}),
    )
    password = colander.SchemaNode(
        colander.String(),
        title=_("Password"),
        validator=colander.Length(max=1024),
        widget=deform.widget.PasswordWidget(attributes={"autocomplete": "current-password"}),
    )
    came_from = colander.SchemaNode(colander.String(), widget=deform.widget.HiddenWidget(), missing="/", title="")


class ChangePasswordSchema(CSRFSchema):
    # names say "password": what a form that could not be sent keeps never includes them (typed_input)
    current_password = colander.SchemaNode(
        colander.String(),
        title=_("Current password"),
        widget=deform.widget.PasswordWidget(attributes={"autocomplete": "current-password"}),
    )
    new_password = password_twice(_("New password"))


PHONE = r"^(0|\+84)(3|5|7|8|9)[0-9]{8}$"


def phone_format():
    """A Vietnamese mobile number (account forms and dossiers alike)."""
    return colander.Regex(PHONE, msg=_("Enter a Vietnamese mobile number, e.g. 0912345678."))


#: what colander.Email lets through but no mail can reach: "x@y", a domain without a dot
_DOMAIN = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)*\.[^@\s.\d]{2,}")


def email_format(max_length=255):
    """A valid email address of at most ``max_length`` characters."""
    message = _("This is not a valid email address.")
    return colander.All(
        colander.Email(msg=message), colander.Regex(_DOMAIN, msg=message),
        colander.Length(max=max_length, max_err=_("An email address here may have at most ${max} characters.")),
    )


class RegisterSchema(CSRFSchema):
    full_name = colander.SchemaNode(
        colander.String(),
        title=_("Full name"),
        validator=colander.Length(min=2, max=255),
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "name"}),
    )
    email = colander.SchemaNode(
        colander.String(),
        title=_("Email"),
        description=_("We send a link to confirm it before you can sign in."),
        # one already registered is not said here: its owner gets a mail
        validator=email_format(REGISTER_EMAIL_MAX),
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "email", "type": "email"}),
    )
    phone = colander.SchemaNode(
        colander.String(),
        title=_("Mobile phone (optional)"),
        missing=None,
        preparer=ungrouped,
        validator=phone_format(),
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "tel", "inputmode": "tel"}),
    )
    password = password_twice(_("Password"))
    came_from = colander.SchemaNode(colander.String(), widget=deform.widget.HiddenWidget(), missing="/", title="")


class ForgotSchema(CSRFSchema):
    login = colander.SchemaNode(
        colander.String(), title=_("Username, email or phone"), validator=colander.Length(max=255)
    )


class ResetSchema(CSRFSchema):
    password = password_twice(_("New password"))


# -- administrators' pages: staff accounts -------------------------------------

#: a staff username: letters without accents, digits, ".", "-", "_" (typed
#: on any keyboard, never mistaken for an email or a phone)
USERNAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$"


@colander.deferred
def _agency_widget(node, kw):
    from ..catalog.models import Agency

    agencies = kw["request"].dbsession.scalars(select(Agency).order_by(Agency.position, Agency.name))
    return deform.widget.SelectWidget(values=[("", _("— none —"))] + [(a.code, a.name) for a in agencies])


@colander.deferred
def _agency_validator(node, kw):
    from ..catalog.models import Agency

    return colander.OneOf(sorted(kw["request"].dbsession.scalars(select(Agency.code))))


def _roles_widget():
    return deform.widget.CheckboxChoiceWidget(values=[(role, ROLE_LABELS[role]) for role in STAFF_ROLES],
                                              inline=False)


class StaffSchema(CSRFSchema):
    """An account as an administrator sets it (``staff_schema`` picks the fields)."""

    username = colander.SchemaNode(
        colander.String(),
        title=_("Username"),
        description=_("Letters without accents, digits, dots, hyphens; it cannot be changed later."),
        validator=colander.Regex(USERNAME, msg=_("Use 2 to 100 letters without accents, digits, dots, hyphens or "
                                                 "underscores, starting with a letter or digit.")),
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "off"}),
    )
    full_name = colander.SchemaNode(colander.String(), title=_("Full name"), validator=colander.Length(min=2, max=255))
    email = colander.SchemaNode(
        colander.String(),
        title=_("Email (optional)"),
        description=_("The link to set the password is mailed here; without an email you are shown the link to "
                      "hand over."),
        missing=None,
        validator=email_format(),
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "off", "type": "email"}),
    )
    phone = colander.SchemaNode(
        colander.String(),
        title=_("Mobile phone (optional)"),
        description=_("The person can also sign in with it."),
        missing=None,
        preparer=ungrouped,
        validator=phone_format(),
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "off", "inputmode": "tel"}),
    )
    agency = colander.SchemaNode(
        colander.String(),
        title=_("Agency"),
        description=_("Required for one-stop officers and leaders."),
        missing=None,
        validator=_agency_validator,
        widget=_agency_widget,
    )
    roles = colander.SchemaNode(colander.Set(), title=_("Roles"), missing=(), widget=_roles_widget(),
                                validator=colander.ContainsOnly(STAFF_ROLES))
    active = colander.SchemaNode(
        colander.Boolean(),
        title=_("Active"),
        description=_("A deactivated account cannot sign in; its sessions end at once."),
        missing=False,
        widget=deform.widget.CheckboxWidget(),
    )


def staff_schema(new=False, citizen=False):
    """The form of a new staff account (no "active": it starts active), of
    an existing staff account (no username: it stays), or of a citizen's
    account (only "active": what is theirs stays theirs)."""
    schema = StaffSchema()
    if new:
        del schema["active"]
    else:
        del schema["username"]
    if citizen:
        for name in ("full_name", "email", "phone", "agency", "roles"):
            del schema[name]
    return schema
