"""The questions a procedure asks when submitted online, kept by editors.

They are data (``SubmissionForm.fields``), not code: the submission flow
turns them into a form step. Each question keeps a stable ``name`` once
created, so renaming its label never orphans the answers of open drafts.
"""
from datetime import datetime, timezone

import colander
import deform
from pyramid.httpexceptions import HTTPFound, HTTPNotFound
from pyramid.view import view_config

from ..accounts.services import record
from ..catalog.interfaces import ICatalogService
from ..eservices.models import SubmissionForm
from ..eservices.schemas import COUNTS, FIELD_KINDS, MAX_COUNT, question_name_ok, unique_name
from ..forms import CSRFSchema, make_form, parse_controls
from ..i18n import _
from ..i18n.formatting import format_number
from ..search.analysis import fold
from ..security import Permissions, client_address
from ..views import flash
from .schemas import drop_blank_items

MAX_QUESTIONS = 30


class Question(colander.MappingSchema):
    # kept across saves so open drafts keep their answers; checked (to_fields), never trusted
    name = colander.SchemaNode(colander.String(), widget=deform.widget.HiddenWidget(), missing="", title="")
    label = colander.SchemaNode(colander.String(), title=_("Question"), validator=colander.Length(min=2, max=255))
    kind = colander.SchemaNode(
        colander.String(), title=_("Kind of answer"), validator=colander.OneOf(list(FIELD_KINDS)),
        widget=deform.widget.SelectWidget(values=[("", _("— choose —"))] + list(FIELD_KINDS.items())))
    required = colander.SchemaNode(colander.Boolean(), title=_("The applicant must answer"), missing=False,
                                   widget=deform.widget.CheckboxWidget())
    help = colander.SchemaNode(colander.String(), title=_("Help text"), missing="",
                               validator=colander.Length(max=500))
    choices = colander.SchemaNode(
        colander.String(), title=_("Choices, one per line (for a choice from a list)"), missing="",
        validator=colander.Length(max=5000), widget=deform.widget.TextAreaWidget(rows=3))
    # a fee per copy or per page (payments.fees) is multiplied by this answer
    counts = colander.SchemaNode(
        colander.String(), title=_("Used for fees"), missing="", validator=colander.OneOf([""] + list(COUNTS)),
        description=_("For a number question only: the fee charged per copy or per page is multiplied by the "
                      "answer, a whole number from 1 to ${max}.", mapping={"max": format_number(MAX_COUNT)}),
        widget=deform.widget.SelectWidget(values=[("", _("— none —"))] + list(COUNTS.items())))

    def validator(self, node, value):
        problems = []
        if value["kind"] == "choice" and len(_lines(value["choices"])) < 2:
            problems.append(("choices", _("Give at least two choices, one per line.")))
        if value["counts"] and value["kind"] != "number":
            problems.append(("counts", _("Only a question whose answer is a number can count copies or pages.")))
        if problems:
            raise _invalid(node, problems)


def _invalid(node, problems):
    """colander.Invalid of ``node`` with each (child name, message) of ``problems`` under that child."""
    error = colander.Invalid(node)
    for name, message in problems:
        error.add(colander.Invalid(node[name], message), node.children.index(node[name]))
    return error


def _one_count_each(node, questions):
    """At most one question counts copies, and one pages: the fee would
    not know which answer to multiply by."""
    error, seen = colander.Invalid(node), set()
    for position, question in enumerate(questions):
        counts = question.get("counts")
        if counts and counts in seen:
            error.add(_invalid(node.children[0], [("counts", _(
                "Another question already counts this; only one question may."))]), position)
        seen.add(counts)
    if error.children:
        raise error


def _questions(node, questions):
    colander.Length(max=MAX_QUESTIONS, max_err=_("At most ${max} questions."))(node, questions)
    _one_count_each(node, questions)


class Questions(colander.SequenceSchema):
    question = Question(title=_("Question"))


class SubmissionFormSchema(CSRFSchema):
    questions = Questions(title=_("Questions"), validator=_questions)


def _lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def to_fields(questions):
    """The stored form of the edited questions, each with a stable name.

    A question keeps the name the form posted back (hidden) when that name
    may name a question (``schemas.question_name_ok``: never one the step
    form uses itself, such as ``csrf_token``) and no question before it has
    it; otherwise (a new question, a tampered or duplicated name) it gets
    one made from its label."""
    names, taken = [], set()
    for question in questions:
        name = question["name"] if question_name_ok(question["name"]) and question["name"] not in taken else None
        taken.update({name} if name else ())
        names.append(name)
    fields = []
    for question, name in zip(questions, names):
        if name is None:
            name = unique_name(fold(question["label"]), taken)
            taken.add(name)
        field = {"name": name, "label": question["label"].strip(), "kind": question["kind"],
                 "required": bool(question["required"]), "help": question["help"].strip(),
                 "choices": _lines(question["choices"]) if question["kind"] == "choice" else []}
        if question.get("counts") and question["kind"] == "number":  # only then: older specs stay as they were
            field["counts"] = question["counts"]
        fields.append(field)
    return fields


def to_questions(fields):
    return [dict(field, choices="\n".join(field.get("choices") or []), counts=field.get("counts") or "")
            for field in fields]


@view_config(route_name="cms_submission_form", renderer="cms/submission_form.jinja2",
             permission=Permissions.EDIT_CATALOG)
def submission_form(request):
    procedure = request.find_service(ICatalogService).procedure(request.matchdict["code"])
    if procedure is None:
        raise HTTPNotFound()
    stored = request.dbsession.get(SubmissionForm, procedure.code)
    form = make_form(SubmissionFormSchema(), request, buttons=(deform.Button("save", _("Save the questions")),))
    values = {"procedure": procedure}
    if request.method == "POST":
        pstruct = drop_blank_items(parse_controls(request.POST.items()), {"questions": None})
        try:
            appstruct = form.validate_pstruct(pstruct)
        except deform.ValidationFailure as failure:
            return dict(values, form=failure.render())
        if stored is None:
            stored = SubmissionForm(procedure_code=procedure.code)
            request.dbsession.add(stored)
        stored.fields = to_fields(appstruct["questions"])
        stored.updated_at, stored.updated_by = datetime.now(timezone.utc), request.user.username
        # now, in the view: two editors creating the form at once, the second
        # fails here on the key and, tried again, finds the form and updates it
        request.dbsession.flush()
        record(request.dbsession, "submission_form.saved", actor=request.user, target=procedure.code,
               address=client_address(request))
        flash(request, _("The questions were saved. New and open drafts ask them from now on."))
        return HTTPFound(location=request.route_url("cms_submission_form", code=procedure.code))
    questions = to_questions(stored.fields) if stored is not None else []
    form["questions"].widget.min_len = len(questions) + 1
    return dict(values, form=form.render({"questions": questions}))
