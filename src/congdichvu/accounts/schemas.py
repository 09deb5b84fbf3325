"""Account forms."""
import colander
import deform

from ..forms import CSRFSchema
from ..i18n import _
from . import passwords


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
    current = colander.SchemaNode(
        colander.String(),
        title=_("Current password"),
        widget=deform.widget.PasswordWidget(attributes={"autocomplete": "current-password"}),
    )
    new = colander.SchemaNode(
        colander.String(),
        title=_("New password"),
        description=_("At least 8 characters."),
        validator=colander.Length(
            min=passwords.MIN_LENGTH,
            max=1024,
            min_err=_("The password must have at least ${min} characters."),
        ),
        widget=deform.widget.CheckedPasswordWidget(),
    )
