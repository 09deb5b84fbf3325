"""The procedure form: every field of the exchange format.

Sequences (channels, fees, papers, legal bases, steps, keywords) always
offer one blank item at the end and drop blank items when read, so the form
works without JavaScript: fill the blank item and save to add one, clear an
item to remove it.
"""
import re

import colander
import deform
from sqlalchemy import select

from ..calendar.service import MAX_DURATION
from ..catalog import forms, labels
from ..catalog.models import (
    CHANNELS, DURATION_UNITS, FEE_KINDS, FEE_PER, LEVELS, ONLINE_MODES, PROCEDURE_CODE, Agency, Sector,
)
from ..forms import CSRFSchema, DayDate, DecimalNumber, LocalDateTime, WholeNumber, date_widget
from ..i18n import _

CODE_MAX = 40  # the column's length
#: bounds of what an editor can mean: fees in đồng, papers' copies (the
#: processing time's is the calendar's, which the exchange format shares)
MAX_FEE, MAX_COPIES = 10**12, 100
UNITS = {"working_day": _("working days"), "day": _("days"), "working_hour": _("working hours")}


def _choices(mapping, blank=True):
    values = [(key, label) for key, label in mapping.items()]
    return ([("", _("— choose —"))] if blank else []) + values


@colander.deferred
def _sector_widget(node, kw):
    sectors = kw["request"].dbsession.scalars(select(Sector).order_by(Sector.position))
    return deform.widget.SelectWidget(values=[("", _("— choose —"))] + [(s.code, s.name) for s in sectors])


@colander.deferred
def _sector_validator(node, kw):
    codes = set(kw["request"].dbsession.scalars(select(Sector.code)))
    return colander.OneOf(sorted(codes))


@colander.deferred
def _agencies_widget(node, kw):
    agencies = kw["request"].dbsession.scalars(select(Agency).order_by(Agency.position))
    return deform.widget.CheckboxChoiceWidget(values=[(a.code, a.name) for a in agencies], inline=False)


def _text(title, **kw):
    return colander.SchemaNode(colander.String(), title=title, **kw)


def _long_text(title, **kw):
    return colander.SchemaNode(colander.String(), title=title, widget=deform.widget.TextAreaWidget(rows=3), **kw)


def _stripped(value):
    """Spaces around a name are a slip: dropped (only spaces: no value)."""
    if isinstance(value, str):
        return value.strip() or colander.null
    return value


def _blank_form_name(node, value):
    """The name joins the blank forms' directory when a file is uploaded:
    a plain file name only (the exchange format's rule)."""
    problem = forms.name_problem(value)
    if problem is not None:
        raise colander.Invalid(node, problem)


class Fee(colander.MappingSchema):
    name = _text(_("Name of the fee"))
    kind = colander.SchemaNode(colander.String(), title=_("Kind"), missing=None,
                               widget=deform.widget.SelectWidget(values=_choices(labels.FEE_KINDS)),
                               validator=colander.OneOf(FEE_KINDS))
    amount = colander.SchemaNode(WholeNumber(maximum=MAX_FEE), title=_("Amount (đồng)"))
    per = colander.SchemaNode(colander.String(), title=_("Per"), missing=None,
                              widget=deform.widget.SelectWidget(values=_choices(labels.FEE_PER)),
                              validator=colander.OneOf(FEE_PER))
    text = _long_text(_("The disclosure's own words"), missing=None)


class Fees(colander.SequenceSchema):
    fee = Fee(title=_("Fee or charge"))


class Channel(colander.MappingSchema):
    channel = colander.SchemaNode(colander.String(), title=_("Channel"),
                                  widget=deform.widget.SelectWidget(values=_choices(labels.CHANNELS)),
                                  validator=colander.OneOf(CHANNELS))
    time_value = colander.SchemaNode(DecimalNumber(), title=_("Processing time"),
                                     validator=colander.Range(min=0, max=MAX_DURATION, min_err=_("Must be 0 or more."),
                                                              max_err=_("At most ${max}.")))
    time_unit = colander.SchemaNode(colander.String(), title=_("Unit"),
                                    widget=deform.widget.SelectWidget(values=_choices(UNITS, blank=False)),
                                    validator=colander.OneOf(DURATION_UNITS))
    time_text = _long_text(_("Processing time in the disclosure's words"), missing=None)
    description = _long_text(_("Details"), missing=None)
    fees = Fees(title=_("Fees and charges"), missing=[])


class Channels(colander.SequenceSchema):
    channel = Channel(title=_("Channel"))


class Paper(colander.MappingSchema):
    name = _text(_("Paper"))
    originals = colander.SchemaNode(WholeNumber(maximum=MAX_COPIES), title=_("Originals"), missing=1)
    copies = colander.SchemaNode(WholeNumber(maximum=MAX_COPIES), title=_("Copies"), missing=0)
    required = colander.SchemaNode(colander.Boolean(), title=_("Required"), missing=False,
                                   widget=deform.widget.CheckboxWidget())
    presented_only = colander.SchemaNode(
        colander.Boolean(), title=_("Only shown for comparison, not handed in"), missing=False,
        description=_("Applicants bring it to show to the officer; online it is not uploaded."),
        widget=deform.widget.CheckboxWidget())
    group = _text(_("In the case (leave empty if every applicant hands it in)"), missing=None)
    template = _text(_("Blank form file name"), missing=None, preparer=_stripped, validator=_blank_form_name,
                     description=_("A plain file name, e.g. to-khai-dang-ky-khai-sinh.docx."))
    note = _long_text(_("Note"), missing=None)


class Papers(colander.SequenceSchema):
    paper = Paper(title=_("Dossier paper"))


class LegalBasis(colander.MappingSchema):
    number = _text(_("Number"), validator=colander.Length(max=255, max_err=_("At most ${max} characters.")))
    title = _long_text(_("Title"))
    issued = colander.SchemaNode(DayDate(), title=_("Issued"), missing=None, widget=date_widget(),
                                 description=_("Day/month/year, e.g. 31/12/2018."))
    issuer = _text(_("Issued by"), missing=None)


class LegalBases(colander.SequenceSchema):
    basis = LegalBasis(title=_("Legal basis"))


class Steps(colander.SequenceSchema):
    step = _long_text(_("Step"))


class Keywords(colander.SequenceSchema):
    keyword = _text(_("Keyword"))


class ProcedureSchema(CSRFSchema):
    code = _text(_("Procedure code"), validator=colander.All(
        colander.Function(lambda code: PROCEDURE_CODE.fullmatch(code) is not None, msg=_("A code looks like 1.001193.")),
        colander.Length(max=CODE_MAX, max_err=_("At most ${max} characters."))))
    name = _long_text(_("Name"))
    sector = colander.SchemaNode(colander.String(), title=_("Sector"), widget=_sector_widget,
                                 validator=_sector_validator)
    level = colander.SchemaNode(colander.String(), title=_("Level"),
                                widget=deform.widget.SelectWidget(values=_choices(labels.LEVELS)),
                                validator=colander.OneOf(LEVELS))
    agencies = colander.SchemaNode(colander.Set(), title=_("Implementing agencies"), missing=set(),
                                   description=_("None ticked: every agency of the level."), widget=_agencies_widget)
    applicants = _long_text(_("Who may apply"), missing=None)
    steps = Steps(title=_("Steps"), missing=[])
    channels = Channels(title=_("How to submit, processing time and fees"),
                        validator=colander.Length(min=1, min_err=_("Give at least one channel.")))
    online_level = colander.SchemaNode(WholeNumber(minimum=1, maximum=4), title=_("Online service level"), missing=None,
                                       widget=deform.widget.SelectWidget(values=[("", _("— choose —"))] + [
                                           (str(level), labels.ONLINE_LEVELS[level]) for level in (1, 2, 3, 4)]))
    online_mode = colander.SchemaNode(colander.String(), title=_("Online mode"), missing=None,
                                      widget=deform.widget.SelectWidget(values=_choices(labels.ONLINE_MODES)),
                                      validator=colander.OneOf(ONLINE_MODES))
    papers = Papers(title=_("Papers to hand in"), missing=[])
    requirements = _long_text(_("Requirements and conditions"), missing=None)
    result = _long_text(_("Result"))
    legal_bases = LegalBases(title=_("Legal basis"), missing=[])
    keywords = Keywords(title=_("Keywords people search with"), missing=[])
    published_decision = _text(_("Published by decision"), missing=None)
    comment = _long_text(_("What changed (for the reviewer)"), missing=None)


# -- between the form and the exchange format ---------------------------------------


def _number(value):
    value = float(value)
    return int(value) if value.is_integer() else value


def to_document(appstruct):
    """The exchange-format procedure for validated form data."""
    document = {
        "code": appstruct["code"].strip(),
        "name": appstruct["name"].strip(),
        "sector": appstruct["sector"],
        "level": appstruct["level"],
        "agencies": sorted(appstruct["agencies"]),
        "applicants": appstruct["applicants"],
        "steps": [step.strip() for step in appstruct["steps"]],
        "channels": [
            {
                "channel": channel["channel"],
                "time": {"value": _number(channel["time_value"]), "unit": channel["time_unit"], "text": channel["time_text"]},
                "fees": [dict(fee) for fee in channel["fees"]],
                "description": channel["description"],
            }
            for channel in appstruct["channels"]
        ],
        "online_level": appstruct["online_level"],
        "online_mode": appstruct["online_mode"],
        "papers": [dict(paper) for paper in appstruct["papers"]],
        "requirements": appstruct["requirements"],
        "result": appstruct["result"].strip(),
        "legal_bases": [
            dict(basis, issued=basis["issued"].isoformat() if basis["issued"] else None)
            for basis in appstruct["legal_bases"]
        ],
        "keywords": [keyword.strip() for keyword in appstruct["keywords"]],
        "published_decision": appstruct["published_decision"],
    }
    return _without_none(document)


def _without_none(value):
    if isinstance(value, dict):
        return {key: _without_none(inner) for key, inner in value.items() if inner is not None}
    if isinstance(value, list):
        return [_without_none(inner) for inner in value]
    return value


def as_form_values(value):
    """None → colander.null, all the way down: Deform would show None as
    the text "None" (and save it back)."""
    if value is None:
        return colander.null
    if isinstance(value, dict):
        return {key: as_form_values(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [as_form_values(inner) for inner in value]
    return value


def to_appstruct(document):
    """Form data for an exchange-format procedure."""
    return as_form_values(_to_appstruct(document))


def _to_appstruct(document):
    from datetime import date
    from decimal import Decimal

    return {
        "code": document["code"],
        "name": document["name"],
        "sector": document["sector"],
        "level": document["level"],
        "agencies": set(document.get("agencies", [])),
        "applicants": document.get("applicants"),
        "steps": list(document.get("steps", [])),
        "channels": [
            {
                "channel": channel["channel"],
                "time_value": Decimal(str(channel["time"]["value"])),
                "time_unit": channel["time"]["unit"],
                "time_text": channel["time"].get("text"),
                "description": channel.get("description"),
                "fees": [
                    {"name": fee["name"], "kind": fee.get("kind"), "amount": fee["amount"], "per": fee.get("per"),
                     "text": fee.get("text")}
                    for fee in channel["fees"]
                ],
            }
            for channel in document["channels"]
        ],
        "online_level": document.get("online_level"),
        "online_mode": document.get("online_mode"),
        "papers": [
            {"name": p["name"], "originals": p["originals"], "copies": p["copies"], "required": p["required"],
             "presented_only": p.get("presented_only", False), "group": p.get("group"),
             "template": p.get("template"), "note": p.get("note")}
            for p in document["papers"]
        ],
        "requirements": document.get("requirements"),
        "result": document["result"],
        "legal_bases": [
            {"number": b["number"], "title": b["title"],
             "issued": date.fromisoformat(b["issued"]) if b.get("issued") else None, "issuer": b.get("issuer")}
            for b in document["legal_bases"]
        ],
        "keywords": list(document.get("keywords", [])),
        "published_decision": document.get("published_decision"),
        "comment": None,
    }


# -- the form's words for the exchange format's fields (revision diffs) -----------------

_SEGMENT = re.compile(r"([A-Za-z_]+)(?:\[(\d+)\])?")
_FORM = ProcedureSchema()


def _child(node, name):
    try:
        return node[name]
    except KeyError:
        return None


def _label_path(path):
    """([label or (item label, number)], schema node or None) for a path of
    ``workflow.flatten`` like "channels[0].fees[1].amount"."""
    # the exchange format nests a channel's time; the form flattens it (time_value)
    segments = _SEGMENT.findall(re.sub(r"\btime\.(value|unit|text)\b", r"time_\1", path))
    labels, node = [], _FORM
    for name, index in segments:
        child = _child(node, name) if node is not None else None
        if child is None:  # a field the form does not know: its own name
            labels.append(name + (f" {int(index) + 1}" if index else ""))
            node = None
            continue
        if index and isinstance(child, colander.SequenceSchema):
            child = child.children[0]  # an item: "Fee or charge 2"
        labels.append((child.title, int(index) + 1) if index else child.title)
        node = child
    return labels, node


def _show_value(node, value, translate):
    """A field's value in words: yes/no, the label of a chosen code."""
    if value is None or value == []:
        return None
    if isinstance(value, bool):
        return translate(_("Yes") if value else _("No"))
    values = getattr(getattr(node, "widget", None), "values", None)
    if isinstance(values, list | tuple):
        label = dict((str(key), text) for key, text in values).get(str(value))
        if label is not None:
            return translate(label)
    return value


def describe_changes(changes, translate):
    """[(field label, before, after)] for ``workflow.diff``'s (path, before,
    after): the field named as the procedure form names it ("Cách thức thực
    hiện 1 › Khoản phí, lệ phí 2 › Mức thu (đồng)"), values in words."""
    described = []
    for path, before, after in changes:
        labels, node = _label_path(path)
        words = [translate(label) if not isinstance(label, tuple) else f"{translate(label[0])} {label[1]}"
                 for label in labels]
        described.append((" › ".join(words), _show_value(node, before, translate), _show_value(node, after, translate)))
    return described


# -- blank items, for a form without JavaScript ----------------------------------------

SEQUENCES = {"steps": None, "channels": {"fees": None}, "papers": None, "legal_bases": None, "keywords": None}


def _blank(value):
    if isinstance(value, dict):
        return all(_blank(inner) for key, inner in value.items() if key not in ("time_unit",))
    if isinstance(value, list | tuple):
        return all(_blank(inner) for inner in value)
    return value in (None, "", colander.null) or (isinstance(value, str) and not value.strip())


def drop_blank_items(pstruct, sequences=SEQUENCES):
    """Remove blank items (what the form offered and nobody filled) from the
    submitted sequences, before validation."""
    for name, inner in sequences.items():
        items = pstruct.get(name)
        if not isinstance(items, list):
            continue
        if inner:
            for item in items:
                if isinstance(item, dict):
                    drop_blank_items(item, inner)
        pstruct[name] = [item for item in items if not _blank(item)]
    return pstruct


def with_blank_items(form, appstruct):
    """Size each sequence to its items plus one blank one (nested fees: to
    the longest list of fees plus one)."""
    for name, inner in SEQUENCES.items():
        items = list((appstruct or {}).get(name) or [])
        form[name].widget.min_len = len(items) + 1
        for inner_name in inner or ():
            longest = max((len(item.get(inner_name) or []) for item in items if isinstance(item, dict)), default=0)
            form[name].children[0][inner_name].widget.min_len = longest + 1
    return form


def field_failure(form, name, message):
    """``form`` (validated) rendered again as submitted, with ``message``
    under its field ``name``: for checks that need the database, made after
    the schema accepted the input (an address or a code already used)."""
    error = colander.Invalid(form.schema)
    error.add(colander.Invalid(form.schema[name], message), form.schema.children.index(form.schema[name]))
    form.widget.handle_error(form, error)
    return deform.ValidationFailure(form, form.cstruct, error).render()


SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
#: the years a publish time may fall in: what an editor can mean, and far
#: from the ends of the calendar (year 1 or 9999 in Thái Nguyên has no UTC
#: instant, or no local wall clock, that Python can hold)
PUBLISH_YEARS = (2000, 2100)


def _publish_year(node, value):
    first, last = PUBLISH_YEARS
    if not first <= value.year <= last:
        raise colander.Invalid(node, _("Choose a time between the years ${first} and ${last}.",
                                       mapping={"first": str(first), "last": str(last)}))


def _alt_required(form, value):
    if value.get("image") and not (value.get("image_alt") or "").strip():
        error = colander.Invalid(form, _("Describe the image for people who cannot see it."))
        error["image_alt"] = _("Describe the image for people who cannot see it.")
        raise error


class ArticleSchema(CSRFSchema):
    # not "Title": in Vietnamese a legal document's title is its "trích yếu", a page's is its "tiêu đề"
    title = _text(_("Page or news title"), validator=colander.Length(min=3, max=300))
    slug = _text(_("Address (letters without accents, digits and dashes)"), validator=colander.All(
        colander.Regex(SLUG, msg=_("Use lowercase letters without accents, digits and dashes.")),
        colander.Length(max=200, max_err=_("At most ${max} characters."))))
    lead = _long_text(_("Lead"), missing=None)
    body = colander.SchemaNode(colander.String(), title=_("Body"), description=_(
        "Simple HTML: paragraphs, headings, lists, links, tables, images. Scripts and styles are removed."),
        widget=deform.widget.TextAreaWidget(rows=12))
    image = _text(_("Image address"), missing=None)
    image_alt = _text(_("Image description (alt text)"), missing=None)
    category = _text(_("Category"), missing=None)
    # the year is checked as typed, before the time is moved to UTC
    # a text box, as dates are: a datetime-local field is a plain box on older phones, where
    # people type the time as they write it (LocalDateTime reads both that and ISO)
    publish_at = colander.SchemaNode(LocalDateTime(), title=_("Publish from"), missing=None,
                                     validator=_publish_year,
                                     description=_("Day/month/year hour:minute, e.g. 31/12/2026 08:00. Leave empty "
                                                   "to publish as soon as it is approved."),
                                     widget=deform.widget.TextInputWidget(attributes={"autocomplete": "off"}))
    comment = _long_text(_("What changed (for the reviewer)"), missing=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, validator=_alt_required, **kwargs)


class CommentSchema(CSRFSchema):
    name = _text(_("Your name"), validator=colander.Length(min=2, max=100))
    email = _text(_("Email (not shown)"), validator=colander.All(
        colander.Email(msg=_("This is not a valid email address.")),
        colander.Length(max=255, max_err=_("At most ${max} characters."))))
    text = _long_text(_("Your comment"), validator=colander.Length(min=5, max=4000))
    # a field people never see and robots fill in
    website = colander.SchemaNode(colander.String(), title=_("Leave this empty"), missing="",
                                  widget=deform.widget.TextInputWidget(
                                      attributes={"tabindex": "-1", "autocomplete": "off"},
                                      css_class="honeypot"))
