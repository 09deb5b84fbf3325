"""Deform plumbing shared by every form: the CSRF token, forms that the
browser does not validate itself (its messages would be in English), the
field types that read numbers and dates the Vietnamese way, and forms that
come back filled with what was typed when a session expired."""
import re

import colander
import deform
import peppercorn
from pyramid.csrf import get_csrf_token

from .i18n import _
from .i18n.formatting import format_number
from .inputs import MAX_INT64, NotOnCalendar, parse_decimal, parse_int, read_date, read_datetime


@colander.deferred
def _csrf_default(node, kw):
    return get_csrf_token(kw["request"])


class CSRFSchema(colander.MappingSchema):
    """Base of every form schema; Pyramid checks the token on every POST."""

    csrf_token = colander.SchemaNode(
        colander.String(), widget=deform.widget.HiddenWidget(), default=_csrf_default, title=""
    )


class PortalForm(deform.Form):
    """A Deform form that, when it was filled from kept input
    (``typed_input``), shows that input whatever the view passes to
    ``render`` (the layout says so above the page)."""

    restored = False

    def render(self, appstruct=colander.null, **kw):
        if self.restored:
            return self.serialize(**kw)
        return super().render(appstruct, **kw)


def make_form(schema, request, buttons, **kwargs):
    """A bound Deform form; ``novalidate`` keeps the browser's own
    (English) messages out, ours come from colander in Vietnamese. A schema
    the caller has already bound (with more than the request) is kept as is.
    On a GET, input kept from a form that could not be accepted (an expired
    session or token) fills the form again.

    No field is autofocused (Deform focuses the first one by default): that
    scrolls a phone down to a form lower on the page (a news article's
    comments) and drops screen-reader users past the heading and the text
    that explains the form."""
    bound = schema if schema.bindings is not None else schema.bind(request=request)
    form = PortalForm(bound, buttons=buttons, focus="off", **kwargs)
    form.widget.attributes = {"novalidate": "novalidate"}
    _single_lines(form)
    _restore(form, request)
    return form


def one_line(value):
    """A one-line answer with its line breaks and runs of spaces made single
    spaces: a name or an address typed in a text box never carries a line
    break into a mail, a PDF or a header."""
    return " ".join(value.split()) if isinstance(value, str) else value


def _single_lines(field):
    """Every text box of ``field`` (not text areas) reads its answer on one line."""
    for child in field.children:
        widget = child.widget
        # (text areas, passwords and rich text derive from TextInputWidget: the box itself must be one line)
        if isinstance(child.schema.typ, colander.String) and type(widget) is deform.widget.TextInputWidget:
            previous = child.schema.preparer
            previous = list(previous) if isinstance(previous, (list, tuple)) else [previous] if previous else []
            if one_line not in previous:
                child.schema.preparer = [one_line] + previous
        _single_lines(child)


def _restore(form, request):
    kept = getattr(request, "kept_input", None)  # None for a bare test request too
    if kept is None:
        return
    try:
        pstruct = peppercorn.parse(kept.fields)
    except ValueError:  # markers that do not nest (not typed by a person): nothing to restore
        return
    if not isinstance(pstruct, dict):
        return
    pstruct["csrf_token"] = get_csrf_token(request)
    try:
        form.cstruct = form.deserialize(pstruct)
    except colander.Invalid as invalid:  # a widget could not read part of it: keep the rest
        form.cstruct = invalid.value
    form.restored = True


# -- numbers and dates as Vietnamese write them --------------------------------


_WHOLE = re.compile(r"[0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+")  # 1500000 or 1.500.000


class WholeNumber(colander.Number):
    """A whole number written with ASCII digits, thousands grouped by dots
    or not (``1500000``, ``1.500.000``), from ``minimum`` up to ``maximum``
    (a 64-bit column by default). Shown grouped."""

    def __init__(self, minimum=0, maximum=MAX_INT64):
        super().__init__()
        self.minimum, self.maximum = minimum, maximum

    def num(self, value):  # colander.Number's hook: raise to refuse
        if isinstance(value, int) and not isinstance(value, bool):
            number = value if self.minimum <= value <= self.maximum else None
        elif isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
            number = parse_int(value.strip().replace(".", ""), self.minimum, self.maximum)
        else:
            number = None
        if number is None:
            raise ValueError(value)
        return number

    def deserialize(self, node, cstruct):
        if cstruct != colander.null and isinstance(cstruct, str) and not cstruct.strip():
            return colander.null
        try:
            return super().deserialize(node, cstruct)
        except colander.Invalid:
            if self.maximum == MAX_INT64:
                message = _("Enter a whole number, e.g. 1.500.000.")
            else:
                message = _("Enter a whole number from ${min} to ${max}.",
                            mapping={"min": format_number(self.minimum), "max": format_number(self.maximum)})
            raise colander.Invalid(node, message) from None

    def serialize(self, node, appstruct):
        if appstruct in (colander.null, None):
            return colander.null
        return format_number(int(appstruct))


class _WrittenValue(colander.SchemaType):
    """A value typed as text and read by one of ``inputs``' parsers: a blank
    answer is ``null`` (the node's ``missing`` then decides), anything the
    parser refuses is ``message``, and a date written right that is not on
    the calendar (the parser raises ``NotOnCalendar``) says so."""

    message = None

    def parse(self, text):  # pragma: no cover - each kind says how
        raise NotImplementedError

    def show(self, value):  # pragma: no cover - each kind says how
        raise NotImplementedError

    def deserialize(self, node, cstruct):
        if cstruct in (colander.null, None) or (isinstance(cstruct, str) and not cstruct.strip()):
            return colander.null
        try:
            value = self.parse(cstruct) if isinstance(cstruct, str) else None
        except NotOnCalendar as missing:
            raise colander.Invalid(node, not_on_calendar(missing)) from None
        if value is None:
            raise colander.Invalid(node, self.message)
        return value

    def serialize(self, node, appstruct):
        if appstruct in (colander.null, None):
            return colander.null
        return self.show(appstruct)


def not_on_calendar(missing):
    """What to tell someone who typed a date that does not exist (``missing``:
    ``inputs.NotOnCalendar``): not the format, which was right."""
    return _("${date} is not a day on the calendar.", mapping={"date": missing.written})


class DecimalNumber(_WrittenValue):
    """A number written the Vietnamese way (``1.500.000``, ``1,5``; see
    ``inputs.parse_decimal``), as a ``decimal.Decimal``; shown with a
    decimal comma."""

    message = _("Enter a number, e.g. 1.500.000 or 1,5.")

    def parse(self, text):
        return parse_decimal(text)

    def show(self, value):
        return format_number(value)


class DayDate(_WrittenValue):
    """A date typed day/month/year (``31/12/1990``, ``31-12-1990``,
    ``31.12.1990``) or ISO (``1990-12-31``); shown as ``31/12/1990``
    (Circular 01/2011/TT-BNV: day, month, year)."""

    message = _("Enter the date as day/month/year, e.g. 31/12/1990.")

    def parse(self, text):
        return read_date(text)

    def show(self, value):
        return value.strftime("%d/%m/%Y")


def read_day(text):
    """A date typed in a form that is not a Deform one: (date, None), or
    (None, what to tell the person), as a ``DayDate`` field would say it."""
    try:
        day = read_date(text)
    except NotOnCalendar as missing:
        return None, not_on_calendar(missing)
    return (day, None) if day is not None else (None, DayDate.message)


class LocalDateTime(_WrittenValue):
    """A time in the city (Asia/Ho_Chi_Minh) typed as day/month/year and
    hour:minute (``31/12/2026 08:00``, ``31/12/2026 8h``) or ISO
    (``2026-12-31T08:00``), as a naive datetime: the caller makes it an
    instant (``i18n.formatting.from_local``). Shown ``31/12/2026 08:00``."""

    message = _("Enter it as day/month/year hour:minute, e.g. 31/12/2026 08:00.")

    def parse(self, text):
        return read_datetime(text)

    def show(self, value):
        return value.strftime("%d/%m/%Y %H:%M")


def date_widget(**attributes):
    """A text box for a ``DayDate``: people type 31/12/1990 as they write it
    (a browser's date picker would send another format, and show a stored
    answer typed another way as blank)."""
    return deform.widget.TextInputWidget(attributes=dict({"inputmode": "numeric", "autocomplete": "off"},
                                                         **attributes))
