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
from ..forms import CSRFSchema, DayDate, DecimalNumber, WholeCount, date_widget
from ..i18n import _
from ..i18n.formatting import format_money, format_number, today_local
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


#: the weights of a tax code's first nine digits; the tenth is 10 minus
#: their weighted sum modulo 11, and a remainder of 0 (a tenth digit of
#: "10") is never issued: the General Department of Taxation's rule as
#: python-stdnum's ``vn.mst`` applies it, checked against published codes
#: (0100109106, 0100100079, 0100233488, 0314409058)
TAX_CODE_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_TAX_CODE = re.compile(r"([0-9]{10})(?:-?([0-9]{3}))?")


def tax_code_digits(value):
    """``value`` (a tax code as typed) without the spaces and dots people
    group its digits with; a branch's dash is kept."""
    return re.sub(r"[\s.]", "", value) if isinstance(value, str) else value


def normalise_tax_code(value):
    """A tax code as the portal stores and searches it: ``0100109106``, or
    ``0100109106-001`` for a branch (typed with or without the dash, with
    spaces or dots); anything else is returned as typed (without spaces),
    for ``tax_code_problem`` to refuse."""
    text = tax_code_digits(value)
    match = _TAX_CODE.fullmatch(text or "") if isinstance(text, str) else None
    if match is None:
        return text
    return match.group(1) + (f"-{match.group(2)}" if match.group(2) else "")


def tax_code_check_digit(first_nine):
    """The tenth digit of a tax code whose first nine digits are
    ``first_nine`` (a string of 9 digits), or None when no code may start
    so (the weighted sum is a multiple of 11)."""
    remainder = sum(weight * int(digit) for weight, digit in zip(TAX_CODE_WEIGHTS, first_nine)) % 11
    return None if remainder == 0 else 10 - remainder


def tax_code_problem(value):
    """None when ``value`` can be a Vietnamese tax code (mã số thuế), else
    what is wrong, in words the person typing it understands.

    A tax code has 10 digits: a province code (2), a sequence number (7,
    never all zeros) and a check digit (``tax_code_check_digit``). A
    branch or dependent unit has 13: its parent's 10 and its own number
    from 001 to 999, written ``0100109106-001`` or ``0100109106001``
    (the structure of tax codes, Circular 105/2020/TT-BTC on tax registration)."""
    text = tax_code_digits(value) or ""
    if not re.fullmatch(r"[0-9-]*", text):
        return _("A tax code has only digits (and a dash before a branch's three digits).")
    match = _TAX_CODE.fullmatch(text)
    if match is None:
        return _("A tax code has 10 digits, or 13 for a branch (e.g. 0100109106 or 0100109106-001).")
    code, branch = match.groups()
    if code[2:9] == "0000000":
        return _("Digits 3 to 9 of a tax code are a sequence number and cannot all be 0; check the code.")
    if tax_code_check_digit(code[:9]) != int(code[9]):
        return _("This tax code is not right: its last digit does not match the others (check digit). "
                 "Check the code on the business registration certificate.")
    if branch == "000":
        return _("A branch's number, after the dash, goes from 001 to 999.")
    return None


def _tax_code(node, value):
    problem = tax_code_problem(value)
    if problem:
        raise colander.Invalid(node, problem)


#: words of a procedure's "đối tượng thực hiện" (folded) that say an
#: organisation may apply: Decree 61/2018/NĐ-CP speaks of "cá nhân, tổ chức"
ORGANISATION_WORDS = ("to chuc", "doanh nghiep", "ho kinh doanh", "hop tac xa")


def accepts_organisations(procedure):
    """Whether organisations may apply for ``procedure``: its "đối tượng
    thực hiện" (``Procedure.applicants``, or the ``applicants`` of a
    snapshot dict) names an organisation, a business, a household business
    or a cooperative, with or without diacritics, in any case. A text that
    uses "tổ chức" as a verb ("người tổ chức mai táng") is read as allowing
    organisations too: offering the choice costs a person nothing."""
    from ..search.analysis import fold  # the search's folding: "Tổ chức" and "to chuc" alike

    text = procedure.get("applicants") if isinstance(procedure, dict) else getattr(procedure, "applicants", None)
    folded = " ".join(fold(text or "").split())
    return any(word in folded for word in ORGANISATION_WORDS)


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


PERSON, ORGANISATION = "person", "organisation"  # as eservices.models.APPLICANT_KINDS
APPLICANT_KINDS = {PERSON: _("A person"), ORGANISATION: _("An organisation")}


class ApplicantSchema(CSRFSchema):
    """Step 1, "Người nộp hồ sơ": a person, or, where the procedure accepts
    organisations (bound with ``organisations=True``), an organisation
    with its tax code and its legal representative, whose name and card
    number are asked in the person's fields. Bound with ``counter=True``
    (an officer entering a dossier at the desk) the email is optional:
    many who come to the counter have none."""

    kind = colander.SchemaNode(
        colander.String(), title=_("Who is applying?"), missing=PERSON, default=PERSON,
        validator=colander.OneOf(list(APPLICANT_KINDS)),
        widget=deform.widget.RadioChoiceWidget(values=list(APPLICANT_KINDS.items())))
    organisation_name = colander.SchemaNode(
        colander.String(), title=_("Name of the organisation"), missing="", validator=colander.Length(max=255),
        description=_("Only for an organisation: its full name as registered."),
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "organization"}))
    tax_code = colander.SchemaNode(
        colander.String(), title=_("Tax code of the organisation"), missing="", preparer=normalise_tax_code,
        validator=_tax_code,
        description=_("Only for an organisation: 10 digits, or 13 for a branch (e.g. 0100109106-001)."),
        widget=deform.widget.TextInputWidget(attributes={"inputmode": "numeric", "autocomplete": "off"}))
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

    def after_bind(self, node, kw):
        if kw.get("organisations"):
            # the person's name and card are the representative's for an organisation
            node["full_name"].title = _("Full name (of the applicant, or of the organisation's legal representative)")
            node["id_number"].title = _("Citizen identity card number (CCCD) of that person")
            node["birth_date"].missing = None
            node["birth_date"].description = _("Day/month/year, e.g. 15/08/1990. Required for a person.")
        else:
            for name in ("kind", "organisation_name", "tax_code"):
                del node[name]
        if kw.get("counter"):
            node["email"].missing = ""
            node["email"].description = _("If the applicant has one: news of the dossier is sent there.")

    def validator(self, node, value):
        problems = []
        organisation = value.get("kind") == ORGANISATION
        if organisation:
            if len((value.get("organisation_name") or "").strip()) < 2:
                problems.append(("organisation_name", _("Write the organisation's name.")))
            if not value.get("tax_code"):
                problems.append(("tax_code", _("Write the organisation's tax code.")))
        elif value.get("birth_date") in (None, colander.null):
            problems.append(("birth_date", _("Write the date of birth.")))
        # the card number encodes the year of birth: catch a mistyped digit
        birth_date = value.get("birth_date") if value.get("birth_date") is not colander.null else None
        problem = cccd_problem(value["id_number"], birth_date)
        if problem:
            problems.append(("id_number", problem))
        if problems:
            error = colander.Invalid(node)
            for name, message in problems:
                error.add(colander.Invalid(node[name], message), node.children.index(node[name]))
            raise error


def applicant_record(answers):
    """The applicant's stored answers (one step, ``flow.stored_answers``)
    as a dossier keeps them: always with ``kind`` (old drafts and
    procedures without organisations: a person); for an organisation with
    ``representative`` (the person's name typed), for a person without an
    organisation's name or tax code typed before switching. Returns a new
    dict; ``services.set_applicant`` reads it."""
    record = dict(answers or {})
    record["kind"] = ORGANISATION if record.get("kind") == ORGANISATION else PERSON
    if record["kind"] == ORGANISATION:
        record["representative"] = record.get("full_name", "")
    else:
        record.update(organisation_name="", tax_code="", representative="")
    return record


def applicant_name(applicant):
    """Who applied, in one line: a person's full name, or an organisation's
    name (``applicant``: the stored answers, old ones included)."""
    applicant = applicant or {}
    if applicant.get("kind") == ORGANISATION and applicant.get("organisation_name"):
        return applicant["organisation_name"]
    return applicant.get("full_name", "")


class SubmitterSchema(colander.MappingSchema):
    """Người nộp thay: who hands the dossier in for the applicant (a child
    for a parent, an employee for a company), at the counter. Optional;
    once anything is written, the name is needed."""

    full_name = colander.SchemaNode(colander.String(), title=_("Full name of the person handing it in"),
                                    missing="", validator=colander.Length(max=255))
    id_number = colander.SchemaNode(colander.String(), title=_("Their citizen identity card number (CCCD)"),
                                    missing="", preparer=ungrouped, validator=_cccd,
                                    widget=deform.widget.TextInputWidget(attributes={"inputmode": "numeric"}))
    phone = colander.SchemaNode(colander.String(), title=_("Their mobile phone"), missing="", preparer=ungrouped,
                                validator=phone_format(),
                                widget=deform.widget.TextInputWidget(attributes={"inputmode": "tel"}))
    relationship = colander.SchemaNode(colander.String(), title=_("Relationship to the applicant"), missing="",
                                       description=_("E.g. son, daughter, employee authorised by the company."),
                                       validator=colander.Length(max=100))

    def validator(self, node, value):
        if any(value.get(name) for name in ("id_number", "phone", "relationship")) and \
                len(value["full_name"].strip()) < 2:
            error = colander.Invalid(node)
            error.add(colander.Invalid(node["full_name"], _("Write the name of the person handing the dossier in.")),
                      node.children.index(node["full_name"]))
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

#: what a number question may count for a fee charged per copy or per page
#: (a question spec's optional ``counts``; payments.fees.quote multiplies
#: the fee by the answer)
COUNTS = {
    "copy": _("Number of copies"),
    "page": _("Number of pages"),
}
#: the most copies or pages a counting question accepts: more than any real
#: request, and a bound on the amount a mistyped answer would ask for
MAX_COUNT = 1000


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


def _count(node, value):
    """A number of copies or pages, which a fee is multiplied by: said
    here rather than silently rounded or bounded in the amount asked."""
    if value != value.to_integral_value() or not 1 <= value <= MAX_COUNT:
        raise colander.Invalid(node, _("Write a whole number from 1 to ${max}.",
                                       mapping={"max": format_number(MAX_COUNT)}))


def _field_node(spec):
    kind = spec.get("kind", "text")
    options = {"name": spec["name"], "title": spec.get("label") or spec["name"],
               "description": spec.get("help") or ""}
    if not spec.get("required"):
        options["missing"] = None
    if kind == "textarea":
        return colander.SchemaNode(colander.String(), validator=colander.Length(max=5000),
                                   widget=deform.widget.TextAreaWidget(rows=4), **options)
    if kind == "number" and spec.get("counts") in COUNTS:
        return colander.SchemaNode(WholeCount(), validator=_count, widget=deform.widget.TextInputWidget(
            attributes={"inputmode": "numeric"}), **options)
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
    # level 4 (bound ``online``): the postage is one of the fees paid online
    # after submitting (payments.fees.quote adds it); otherwise the postal
    # worker collects it with the result
    if kw["online"]:
        return _("Postal service costs ${fee}, paid online with the fees after you submit the dossier.",
                 mapping={"fee": format_money(kw["postal_fee"])})
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
