"""The steps of the online submission form, as colander schemas.

The applicant, delivery and declaration steps are fixed; the procedure's
own questions come from its ``SubmissionForm`` (data editors keep in the
CMS) and are turned into a schema when the step is shown.
"""
import re
from datetime import date

import colander
import deform

from ..accounts.schemas import email_format, phone_format
from ..forms import CSRFSchema, DayDate, DecimalNumber, date_widget
from ..i18n import _
from ..i18n.formatting import format_money, today_local
from ..inputs import ungrouped

#: the province codes that open a citizen identity card number (Circular
#: 07/2016/TT-BCA, where the birth was registered)
CCCD_PROVINCES = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036 037 "
    "038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 077 079 "
    "080 082 083 084 086 087 089 091 092 093 094 095 096".split()
)
#: the fourth digit gives sex and century of birth
CCCD_CENTURIES = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 1800, 9: 1800}


def cccd_problem(number, birth_date=None):
    """None when ``number`` can be a citizen identity card number (of
    someone born on ``birth_date``, when given), else what is wrong."""
    if not re.fullmatch(r"[0-9]{12}", number or ""):
        return _("A citizen identity card number has exactly 12 digits.")
    if number[:3] not in CCCD_PROVINCES:
        return _("The first three digits are not a province code; check the number on the card.")
    year = CCCD_CENTURIES[int(number[3])] + int(number[4:6])
    if birth_date is not None and birth_date.year != year:
        return _("This card number belongs to someone born in ${year}; check the number or the date of birth.",
                 mapping={"year": year})
    return None


def _birth_date(node, value):
    if value > today_local():
        raise colander.Invalid(node, _("The date of birth cannot be in the future."))
    if value < date(1900, 1, 1):
        raise colander.Invalid(node, _("Check the year of birth."))


def _cccd(node, value):
    problem = cccd_problem(value)
    if problem:
        raise colander.Invalid(node, problem)


@colander.deferred
def _ward_widget(node, kw):
    return deform.widget.SelectWidget(values=[("", _("— choose —"))] + list(kw["wards"]))


@colander.deferred
def _ward_validator(node, kw):
    return colander.OneOf([code for code, _name in kw["wards"]])


class ApplicantSchema(CSRFSchema):
    """Step 1, "Người nộp hồ sơ"."""

    full_name = colander.SchemaNode(colander.String(), title=_("Full name"), validator=colander.Length(min=2, max=255),
                                    widget=deform.widget.TextInputWidget(attributes={"autocomplete": "name"}))
    birth_date = colander.SchemaNode(DayDate(), title=_("Date of birth"), validator=_birth_date,
                                     description=_("Day/month/year, e.g. 15/08/1990."),
                                     widget=date_widget(autocomplete="bday"))
    id_number = colander.SchemaNode(
        colander.String(), title=_("Citizen identity card number (CCCD)"), validator=_cccd,
        preparer=ungrouped,
        description=_("12 digits, as printed on the card."),
        widget=deform.widget.TextInputWidget(attributes={"inputmode": "numeric", "autocomplete": "off"}))
    phone = colander.SchemaNode(
        colander.String(), title=_("Mobile phone"), preparer=ungrouped,
        validator=phone_format(),
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "tel", "inputmode": "tel"}))
    email = colander.SchemaNode(
        colander.String(), title=_("Email"), description=_("The receipt and news of the dossier are sent here."),
        validator=email_format(),
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "email", "type": "email"}))
    ward = colander.SchemaNode(colander.String(), title=_("Ward or commune where you live"),
                               widget=_ward_widget, validator=_ward_validator)
    address = colander.SchemaNode(
        colander.String(), title=_("House number, street, residential group"), validator=colander.Length(max=500),
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "street-address"}))

    def validator(self, node, value):
        # the card number encodes the year of birth: catch a mistyped digit
        problem = cccd_problem(value["id_number"], value["birth_date"])
        if problem:
            error = colander.Invalid(node)
            error.add(colander.Invalid(node["id_number"], problem), node.children.index(node["id_number"]))
            raise error


# -- the procedure's own questions ------------------------------------------

FIELD_KINDS = {
    "text": _("Short text"),
    "textarea": _("Long text"),
    "number": _("Number"),
    "date": _("Date"),
    "choice": _("Choice from a list"),
    "yesno": _("Yes or no"),
}


#: a question's name: the key of its answer in a draft and a dossier, and
#: the name of its field in the step form. Lowercase ASCII from a letter,
#: so never one of the names Deform and Pyramid post themselves, which
#: start with "_" (``_charset_``, ``__formid__``, ``__start__``).
QUESTION_NAME = re.compile(r"[a-z][a-z0-9_]{0,40}")
#: names the step form posts besides the questions: the CSRF token and the
#: buttons of the steps (submission_views.Flow.buttons, the review step)
RESERVED_NAMES = frozenset({"csrf_token", "next", "save", "back", "submit", "declaration"})
#: what a question is called when its own name cannot be used
FALLBACK_NAME = "cau_hoi"


def question_name_ok(name):
    """Whether ``name`` may name a question (QUESTION_NAME, not reserved)."""
    return isinstance(name, str) and QUESTION_NAME.fullmatch(name) is not None and name not in RESERVED_NAMES


def unique_name(base, taken):
    """A name that may name a question and is not in ``taken``, made from
    ``base`` (any text already folded to ASCII, e.g. a label): runs of
    other characters become "_", a base that does not start with a letter
    is put after FALLBACK_NAME, and a reserved or taken one gets ``_2``,
    ``_3`` … (the base is cut to leave room for the number)."""
    base = re.sub(r"[^a-z0-9]+", "_", base.lower()).strip("_")
    if not base[:1].isalpha():
        base = f"{FALLBACK_NAME}_{base}".rstrip("_")
    base = base[:36].rstrip("_")
    name, number = base, 2
    while not question_name_ok(name) or name in taken:
        name, number = f"{base}_{number}", number + 1
    return name


def usable_specs(specs):
    """The stored questions as the step form can ask them: each with a name
    that may name a question and is unique in the form. A name that cannot
    (older data, a tampered save: ``csrf_token``, a duplicate, ``_x``) is
    replaced by ``cau_hoi_<position>``, the same on every request, so a bad
    stored form never makes a procedure impossible to submit; a list of
    choices without choices asks for text. Returns new dicts."""
    specs = [dict(spec) for spec in specs or () if isinstance(spec, dict)]
    kept, keep = set(), []
    for spec in specs:
        fine = question_name_ok(spec.get("name")) and spec["name"] not in kept
        kept.update({spec["name"]} if fine else ())
        keep.append(fine)
    for position, (spec, fine) in enumerate(zip(specs, keep), start=1):
        if not fine:
            spec["name"] = unique_name(f"{FALLBACK_NAME}_{position}", kept)
            kept.add(spec["name"])
        if spec.get("kind") == "choice" and not [c for c in spec.get("choices") or () if c]:
            spec["kind"] = "text"
    return specs


def _field_node(spec):
    kind = spec.get("kind", "text")
    options = {"name": spec["name"], "title": spec.get("label") or spec["name"],
               "description": spec.get("help") or ""}
    if not spec.get("required"):
        options["missing"] = None
    if kind == "textarea":
        return colander.SchemaNode(colander.String(), validator=colander.Length(max=5000),
                                   widget=deform.widget.TextAreaWidget(rows=4), **options)
    if kind == "number":
        return colander.SchemaNode(DecimalNumber(), widget=deform.widget.TextInputWidget(
            attributes={"inputmode": "decimal"}), **options)
    if kind == "date":
        if not options["description"]:
            options["description"] = _("Day/month/year, e.g. 31/12/1990.")
        return colander.SchemaNode(DayDate(), widget=date_widget(), **options)
    if kind == "choice":
        choices = [c for c in spec.get("choices", []) if c]
        return colander.SchemaNode(colander.String(), validator=colander.OneOf(choices), widget=(
            deform.widget.SelectWidget(values=[("", _("— choose —"))] + [(c, c) for c in choices])), **options)
    if kind == "yesno":
        options.pop("missing", None)
        return colander.SchemaNode(colander.Boolean(), missing=False, widget=deform.widget.CheckboxWidget(),
                                   **options)
    return colander.SchemaNode(colander.String(), validator=colander.Length(max=500), **options)


def fields_schema(specs):
    """Step 2: a schema with one node per question the editors defined
    (``usable_specs``: whatever is stored, the form can be filled in)."""
    schema = CSRFSchema()
    for spec in usable_specs(specs):
        schema.add(_field_node(spec))
    return schema


# -- how the result is received ---------------------------------------------

DELIVERIES = {
    "counter": _("At the one-stop desk of the receiving agency"),
    "postal": _("By public postal service, to my address"),
    "online": _("Online, as an electronic result on this portal"),
}


@colander.deferred
def _delivery_widget(node, kw):
    choices = [(key, label) for key, label in DELIVERIES.items() if key != "online" or kw["online"]]
    return deform.widget.RadioChoiceWidget(values=choices)


@colander.deferred
def _delivery_validator(node, kw):
    return colander.OneOf([key for key in DELIVERIES if key != "online" or kw["online"]])


@colander.deferred
def _delivery_description(node, kw):
    return _("Postal service costs ${fee}, paid when the result is delivered.",
             mapping={"fee": format_money(kw["postal_fee"])})


@colander.deferred
def _agency_widget(node, kw):
    return deform.widget.SelectWidget(values=list(kw["agencies"]))


@colander.deferred
def _agency_validator(node, kw):
    return colander.OneOf([code for code, _name in kw["agencies"]])


class DeliverySchema(CSRFSchema):
    """Step 4, "Nhận kết quả"."""

    agency = colander.SchemaNode(colander.String(), title=_("Agency that receives the dossier"),
                                 widget=_agency_widget, validator=_agency_validator)
    delivery = colander.SchemaNode(colander.String(), title=_("How do you want to receive the result?"),
                                   description=_delivery_description, widget=_delivery_widget,
                                   validator=_delivery_validator)
    postal_address = colander.SchemaNode(
        colander.String(), title=_("Address for the postal service"), missing="",
        description=_("Needed only for delivery by post: house number, street, ward or commune, district."),
        validator=colander.Length(max=500), widget=deform.widget.TextAreaWidget(rows=2))

    def validator(self, node, value):
        if value["delivery"] == "postal" and len(value["postal_address"].strip()) < 10:
            error = colander.Invalid(node)
            error.add(colander.Invalid(node["postal_address"], _("Write the full address the result is posted to.")),
                      node.children.index(node["postal_address"]))
            raise error


def _must_be_ticked(node, value):
    if not value:
        raise colander.Invalid(node, _("Tick the box to declare that the information is true."))


class DeclarationSchema(CSRFSchema):
    """Step 5: the applicant's declaration."""

    declaration = colander.SchemaNode(
        colander.Boolean(), title=_("I declare that the information and papers in this dossier are true, and I "
                                    "take responsibility for them before the law."),
        validator=_must_be_ticked, widget=deform.widget.CheckboxWidget())
