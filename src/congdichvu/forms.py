"""Deform plumbing shared by every form: the CSRF token, and forms that the
browser does not validate itself (its messages would be in English)."""
import colander
import deform
from pyramid.csrf import get_csrf_token


@colander.deferred
def _csrf_default(node, kw):
    return get_csrf_token(kw["request"])


class CSRFSchema(colander.MappingSchema):
    """Base of every form schema; Pyramid checks the token on every POST."""

    csrf_token = colander.SchemaNode(
        colander.String(), widget=deform.widget.HiddenWidget(), default=_csrf_default, title=""
    )


def make_form(schema, request, buttons, **kwargs):
    """A bound Deform form; ``novalidate`` keeps the browser's own
    (English) messages out, ours come from colander in Vietnamese. A schema
    the caller has already bound (with more than the request) is kept as is.

    No field is autofocused (Deform focuses the first one by default): that
    scrolls a phone down to a form lower on the page (a news article's
    comments) and drops screen-reader users past the heading and the text
    that explains the form."""
    bound = schema if schema.bindings is not None else schema.bind(request=request)
    form = deform.Form(bound, buttons=buttons, focus="off", **kwargs)
    form.widget.attributes = {"novalidate": "novalidate"}
    return form
