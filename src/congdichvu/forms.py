"""Deform plumbing shared by every form: the CSRF token, forms that the
browser does not validate itself (its messages would be in English), the
field types that read numbers and dates the Vietnamese way, forms that
come back filled with what was typed when a session expired, and forms
that act only on a POST carrying the whole form."""
import re

import colander
import deform
import peppercorn
from pyramid.csrf import get_csrf_token
from pyramid.httpexceptions import HTTPBadRequest

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


#: the field naming the form a POST was sent from: Deform's form template
#: writes it in every Deform form, the portal's hand-made forms carry it
#: too (``require_form``)
FORM_ID = "__formid__"


class FormIncomplete(HTTPBadRequest):
    """A POST that does not carry the form it was sent to: a body cut short,
    a script or a stray request with nothing but a valid token. Read as it
    is, what is missing would count as emptied (a list of questions missing
    from the POST is an empty list: saved, it deletes them all), so nothing
    is done. ``partial`` says whether part of the form came (it is shown
    again with a message, ``views.form_incomplete``) or none of it (400);
    ``keepable`` whether what came can fill the form again (only text boxes
    were missing, not the markers of its lists and groups: a form drawn
    before a field was added to it)."""

    def __init__(self, partial=False, keepable=False):
        super().__init__()
        self.partial, self.keepable = partial, keepable


def require_form(request, form_id):
    """For a view reading a hand-made form: raise FormIncomplete unless the
    POST says it comes from the form ``form_id`` (its hidden ``__formid__``),
    so a POST without the form's own fields is never read as "nothing typed"."""
    if request.POST.get(FORM_ID) != form_id:
        raise FormIncomplete()


def parse_controls(controls):
    """``peppercorn.parse(controls)`` for a view that reads a Deform form's
    structure itself: list and group markers that do not nest (an extra
    ``__end__``, ``__start__=x:unknown``, a body cut in the middle) are a
    form that did not arrive whole (FormIncomplete, 400), not a 500.
    Deform's own ``validate`` turns them into a ValidationFailure."""
    try:
        return peppercorn.parse(controls)
    except ValueError:
        raise FormIncomplete() from None


#: widgets whose control a browser always sends (a text box, even empty; a
#: list's or a group's markers, even with no item); the others are absent
#: when nothing is chosen (a checkbox left unticked, a radio choice not made)
_ALWAYS_SENT = (deform.widget.TextInputWidget, deform.widget.TextAreaWidget, deform.widget.HiddenWidget,
                deform.widget.PasswordWidget, deform.widget.CheckedPasswordWidget, deform.widget.SelectWidget,
                deform.widget.CheckboxChoiceWidget, deform.widget.MappingWidget, deform.widget.SequenceWidget)


def _always_sent(field):
    widget = field.widget
    if getattr(widget, "readonly", False) or not isinstance(widget, _ALWAYS_SENT):
        return False
    if isinstance(widget, deform.widget.SelectWidget) and not widget.multiple:
        return bool(widget.values)  # a list without options sends nothing
    return True


def _missing(field, pstruct, path=""):
    """The controls of ``field``'s children a browser always sends that
    ``pstruct`` (what peppercorn made of the POST, at ``field``) lacks, as
    dotted paths; the groups of fields in a list are looked into, whatever
    their number."""
    missing = []
    for child in field.children:
        name, value = f"{path}{child.name}", pstruct.get(child.name)
        if child.name not in pstruct:
            missing.extend([name] if _always_sent(child) else [])
        elif isinstance(child.widget, deform.widget.SequenceWidget):
            if not isinstance(value, list):
                missing.append(name)
            elif isinstance(child.children[0].widget, deform.widget.MappingWidget):
                for index, item in enumerate(value):
                    missing.extend(_group_missing(child.children[0], item, f"{name}.{index}"))
        elif isinstance(child.widget, deform.widget.MappingWidget):
            missing.extend(_group_missing(child, value, name))
    return missing


def _group_missing(field, value, name):
    return _missing(field, value, f"{name}.") if isinstance(value, dict) else [name]


def _one_value(name, field):
    """Whether the control at the dotted path ``name`` holds one value (a
    text box, a hidden field, a list to choose one from), not markers around
    others (a list, a group, tick boxes, a password typed twice)."""
    for part in name.split("."):
        field = field.children[0] if part.isdigit() else next(c for c in field.children if c.name == part)
    widget = field.widget
    if isinstance(widget, deform.widget.SelectWidget):
        return not widget.multiple
    return isinstance(widget, (deform.widget.TextInputWidget, deform.widget.HiddenWidget))


class PortalForm(deform.Form):
    """A Deform form that, when it was filled from kept input
    (``typed_input``), shows that input whatever the view passes to
    ``render`` (the layout says so above the page); and that validates
    only a POST carrying the whole form (else ``FormIncomplete``)."""

    restored = False

    def render(self, appstruct=colander.null, **kw):
        if self.restored:
            return self.serialize(**kw)
        return super().render(appstruct, **kw)

    def validate_pstruct(self, pstruct):
        """Deform's, after checking that ``pstruct`` is this form: its
        ``__formid__`` and every control a browser always sends (Deform's
        ``validate`` comes here too)."""
        self.check_whole(pstruct)
        return super().validate_pstruct(pstruct)

    def check_whole(self, pstruct):
        """Raise FormIncomplete unless ``pstruct`` carries this form."""
        if not isinstance(pstruct, dict):
            raise FormIncomplete()
        missing = _missing(self, pstruct)
        if FORM_ID in pstruct and pstruct[FORM_ID] == self.formid and not missing:
            return
        partial = pstruct.get(FORM_ID) == self.formid or any(
            child.name in pstruct for child in self.children if child.name != "csrf_token")
        raise FormIncomplete(partial=partial, keepable=partial and all(_one_value(name, self) for name in missing))


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


class WholeCount(DecimalNumber):
    """A count of things (copies, pages) written as a whole number; a word
    or a fraction is told so in those words, not a money example's."""

    message = _("Enter the number of copies or pages as digits, e.g. 3.")


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
