"""A dossier's page for staff (``/mot-cua/ho-so/{code}``): who applied,
what they answered, their files (shown inline when a browser can), the
procedure as it was, the history, the deadline, the steps of Form 05, and
one form for each action the visitor may take now (onestop.actions).

The route asks only READ_DOSSIER (onestop.resources): each action's own
permission (HANDLE_DOSSIER or SIGN_OFF) is checked here, before anything
is read from the form. Bad input shows the page again (400) with the
messages beside the fields and what was typed; an action the dossier no
longer allows (another officer was first) is refused with a notice.
"""
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from urllib.parse import quote

from pyramid.i18n import TranslationString
from pyramid.httpexceptions import HTTPForbidden, HTTPFound, HTTPNotFound
from pyramid.response import FileResponse
from pyramid.view import view_config
from sqlalchemy import select

from ..accounts.models import User
from ..catalog.interfaces import ICatalogService
from ..catalog.labels import CHANNELS as CHANNEL_LABELS
from ..eservices import flow, ratings
from ..eservices.storage import Limits, file_store
from ..eservices.views import STATE_LABELS
from ..forms import read_day, require_form
from ..i18n import _
from ..payments import reconciliation as payment_labels, services as payments
from ..i18n.formatting import format_date, format_datetime, format_money, from_local, to_local
from ..inputs import NotOnCalendar, id_or_404, parse_decimal, read_datetime
from ..paths import UnsafePath
from ..security import NO_STORE, Permissions
from ..views import flash
from . import actions
from .actions import ACTIONS, Actor, Refused

#: the longest text a form's box takes (reasons, notes)
TEXT_MAX = 2000
#: the longest name (a department, a person, a paper)
NAME_MAX = 255
#: shown inline: a browser displays these itself; anything else is downloaded
INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
#: what a result document may be (checked from its content)
RESULT_TYPES = (".pdf", ".jpg", ".png")
#: rows of the supplement request's list of papers (no JavaScript: a fixed number)
SUPPLEMENT_ROWS = 5
TRACKING = re.compile(r"[A-Za-z0-9-]{4,40}")
ID_NUMBER = re.compile(r"[0-9]{9,12}")
#: a step's own time: at most a working year
MAX_BUDGET = {"working_day": Decimal(250), "working_hour": Decimal(2000)}
BUDGET_UNITS = {"working_day": _("working days"), "working_hour": _("working hours")}
RETURN_WAYS = {"counter": _("at the desk"), "postal": _("by post (public postal service)"),
               "online": _("online: the applicant downloads it")}

#: what each event means, for staff
EVENT_WORDS = {
    "submit": _("Submitted"),
    "receive": _("Received"),
    "start": _("Processing started"),
    "request_supplement": _("Papers asked for (Form 02)"),
    "supplement": _("Papers added by the applicant"),
    "refuse": _("Refused (Form 03)"),
    "hand_over": _("Handed over"),
    "transfer": _("Transferred to another agency"),
    "transfer_back": _("Sent back to the agency that sent it"),
    "sign_off_requested": _("Sign-off asked of a leader"),
    "sign_off_declined": _("Sign-off declined"),
    "apology": _("Apology and new date (Form 04)"),
    "request_payment": _("Fees asked for"),
    "await_payment": _("Fees due online before reception"),
    "paid": _("Fees paid"),
    "refund_due": _("Payment received when nothing was due: to refund"),
    "refunded": _("Payment refunded"),
    "stop": _("Processing stopped"),
    "processed": _("Result ready"),
    "return_result": _("Result returned"),
    "withdraw": _("Withdrawn by the applicant"),
    "rate": _("Service rated by the applicant"),
}
STATUS_WORDS = {actions.EARLY: _("early"), actions.ON_TIME: _("on time"), actions.LATE: _("late")}
FILE_KINDS = {"paper": _("Paper"), "supplement": _("Added later"), "receipt": _("Receipt"), "slip": _("Slip"),
              "result": _("Result"), "e_receipt": _("E-receipt for fees and charges")}
SIGN_OFF_WHATS = {"transfer": _("a transfer"), "apology": _("an apology and a new date")}


class Invalid(Exception):
    """The form's answers are wrong: ``errors`` {field: message}."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


def _now():
    return datetime.now(timezone.utc)


# -- reading the forms -------------------------------------------------------------


def _text(request, name, maximum=TEXT_MAX):
    """A text field as typed, spaces at the ends removed ("" for a file or nothing)."""
    value = request.POST.get(name)
    return value.strip()[:maximum + 1] if isinstance(value, str) else ""


def _line(request, name, maximum=NAME_MAX):
    return " ".join(_text(request, name, maximum).split())


class Reader:
    """Collects one form's values and its errors."""

    def __init__(self, request):
        self.request, self.errors = request, {}

    def text(self, name, required=True, maximum=TEXT_MAX, minimum=3, one_line=False):
        value = _line(self.request, name, maximum) if one_line else _text(self.request, name, maximum)
        if not value and required:
            self.errors[name] = _("Required.")
        elif value and not minimum <= len(value) <= maximum:
            self.errors[name] = _("Write ${min} to ${max} characters.", mapping={"min": minimum, "max": maximum})
        return value or None

    def confirmed(self, name="confirm"):
        if self.request.POST.get(name) != "yes":
            self.errors[name] = _("Tick the box to confirm.")

    def when(self, name, required=True):
        raw = _text(self.request, name, 40)
        if not raw:
            if required:
                self.errors[name] = _("Required.")
            return None
        try:
            value = read_datetime(raw)
        except NotOnCalendar as missing:
            self.errors[name] = _("${date} is not a day on the calendar.", mapping={"date": missing.written})
            return None
        if value is None:
            self.errors[name] = _("Enter it as day/month/year hour:minute, e.g. 31/12/2026 08:00.")
            return None
        return from_local(value)

    def day(self, name):
        value, message = read_day(_text(self.request, name, 40))
        if message is not None:
            self.errors[name] = message if _text(self.request, name, 40) else _("Required.")
        return value

    def budget(self):
        """(value, unit) of a step's own time, or (None, None) for the rest of the dossier's."""
        raw, unit = _text(self.request, "budget", 20), self.request.POST.get("unit")
        if not raw:
            return None, None
        if unit not in MAX_BUDGET:
            self.errors["unit"] = _("Choose working days or working hours.")
            return None, None
        value = parse_decimal(raw)
        if value is None or not 0 < value <= MAX_BUDGET[unit]:
            self.errors["budget"] = _("Enter a number above 0 and at most ${max}, e.g. 2 or 1,5.",
                                      mapping={"max": int(MAX_BUDGET[unit])})
            return None, None
        return value, unit

    def agency(self, request, dossier, name="to_agency"):
        code = self.request.POST.get(name)
        if code not in {agency.code for agency in _other_agencies(request, dossier)}:
            self.errors[name] = _("Choose an agency from the list.")
            return None
        return code

    def done(self):
        if self.errors:
            raise Invalid(self.errors)


def _read_receive(request, dossier, form):
    return {}


def _read_request_supplement(request, dossier, form):
    papers, reasons = request.POST.getall("paper"), request.POST.getall("paper_reason")
    missing = []
    for index in range(SUPPLEMENT_ROWS):
        paper = " ".join(papers[index].split()) if index < len(papers) and isinstance(papers[index], str) else ""
        reason = " ".join(reasons[index].split()) if index < len(reasons) and isinstance(reasons[index], str) else ""
        if len(paper) > NAME_MAX or len(reason) > NAME_MAX:
            form.errors[f"paper-{index}"] = _("Write at most ${max} characters.", mapping={"max": NAME_MAX})
        elif reason and not paper:
            form.errors[f"paper-{index}"] = _("Name the paper this reason is about.")
        elif paper:
            missing.append({"paper": paper, "reason": reason})
    if not missing and not form.errors:
        form.errors["paper-0"] = _("Name at least one paper to add.")
    return {"missing": missing, "note": form.text("note", required=False)}


def _read_refuse(request, dossier, form):
    reason = form.text("reason")
    form.confirmed()
    return {"reason": reason}


def _read_hand_over(request, dossier, form):
    department = form.text("department", maximum=NAME_MAX, minimum=2, one_line=True)
    value, unit = form.budget()
    return {"department": department, "value": value, "unit": unit, "note": form.text("note", required=False)}


def _read_request_transfer(request, dossier, form):
    return {"what": "transfer", "to_agency": form.agency(request, dossier), "reason": form.text("reason")}


def _read_transfer(request, dossier, form):
    value, unit = form.budget()
    return {"to_agency": form.agency(request, dossier), "reason": form.text("reason", required=False),
            "value": value, "unit": unit}


def _read_transfer_back(request, dossier, form):
    return {"note": form.text("note")}


def _new_appointment(dossier, form):
    when = form.when("new_appointment")
    if when is not None and dossier.appointment_at is not None and when <= dossier.appointment_at:
        form.errors["new_appointment"] = _("The new date must be later than the present appointment (${when}).",
                                           mapping={"when": format_datetime(dossier.appointment_at)})
    return when


def _read_request_apology(request, dossier, form):
    return {"what": "apology", "new_appointment": _new_appointment(dossier, form), "reason": form.text("reason")}


def _read_apology(request, dossier, form):
    return {"new_appointment": _new_appointment(dossier, form), "reason": form.text("reason")}


def _read_sign_off_declined(request, dossier, form):
    what = request.POST.get("what")
    if what not in actions.SIGN_OFF_WHATS:
        form.errors["what"] = _("Choose the request to decline.")
    return {"what": what, "reason": form.text("reason")}


def _read_request_payment(request, dossier, form):
    raw = _text(request, "amount", 30)
    amount = parse_decimal(raw) if raw else None
    if not raw:
        form.errors["amount"] = _("Required.")
    elif "," in raw:  # "2,000" is 2 đồng to the decimal comma, but 2.000 to who typed it: ask, do not guess
        form.errors["amount"] = _("Write the amount in whole đồng with dots between thousands, e.g. 2.000 "
                                  "(đồng have no decimals, so no comma).")
    elif amount is None or amount != amount.to_integral_value() or not 0 < amount <= actions.MAX_AMOUNT:
        form.errors["amount"] = _("Enter a whole number of đồng from 1 to 1.000.000.000.000, e.g. 1.500.000.")
    return {"amount": int(amount) if "amount" not in form.errors else None,
            "purpose": form.text("purpose", maximum=NAME_MAX, one_line=True)}


def _read_paid(request, dossier, form):
    return {"note": form.text("note", required=False)}


def _read_stop(request, dossier, form):
    reason = form.text("reason")
    form.confirmed()
    return {"reason": reason}


def _read_processed(request, dossier, form):
    uploads = [u for u in request.POST.getall("files") if getattr(u, "filename", None)]
    if not uploads:
        form.errors["files"] = _("Choose the result document (PDF, JPEG or PNG).")
    return {"uploads": uploads, "note": form.text("note", required=False)}


def _read_supplement_at_desk(request, dossier, form):
    uploads = [u for u in request.POST.getall("files") if getattr(u, "filename", None)]
    return {"uploads": uploads, "papers": form.text("papers")}


def _read_return_result(request, dossier, form):
    way = request.POST.get("way")
    if way not in RETURN_WAYS:
        form.errors["way"] = _("Choose how the result was returned.")
        return {"way": None}
    if way == "counter":
        receiver = form.text("receiver", maximum=NAME_MAX, minimum=2, one_line=True)
        id_number = "".join(_text(request, "receiver_id_number", 30).split()) or None
        if id_number and not ID_NUMBER.fullmatch(id_number):
            form.errors["receiver_id_number"] = _("Enter 9 to 12 digits, or leave it empty.")
        at = form.when("received_at", required=False) or _now()
        if at > _now():
            form.errors["received_at"] = _("This time is still to come.")
        return {"way": way, "receiver": receiver, "receiver_id_number": id_number, "at": at}
    if way == "postal":
        tracking = "".join(_text(request, "tracking", 60).split())
        if not TRACKING.fullmatch(tracking):
            form.errors["tracking"] = _("Enter the postal tracking number (4 to 40 letters and digits).")
        posted_on = form.day("posted_on")
        if posted_on is not None and posted_on > to_local(_now()).date():
            form.errors["posted_on"] = _("This day is still to come.")
        return {"way": way, "tracking": tracking, "posted_on": posted_on}
    return {"way": way}


READERS = {name: globals()[f"_read_{name}"] for name in ACTIONS}


# -- carrying them out ---------------------------------------------------------------


def _perform(request, dossier, actor, name, values):
    """Carry out action ``name`` with the form's ``values``; returns the event."""
    db = request.dbsession
    if name in ("request_transfer", "request_apology"):
        what = values.pop("what")
        reason = values.pop("reason")
        return actions.request_sign_off(db, dossier, actor, what, reason, **values)
    if name == "sign_off_declined":
        return actions.decline_sign_off(db, dossier, actor, values["what"], values["reason"])
    if name == "processed":
        return _processed(request, dossier, actor, values)
    if name == "paid":  # the e-receipt is drawn with the request's services
        return actions.paid(db, dossier, actor, request=request, **values)
    if name == "supplement_at_desk":
        return _with_files(request, dossier, actor, values, "supplement", lambda rows: actions.supplement_at_desk(
            request.dbsession, dossier, actor, values["papers"], rows))
    function = getattr(actions, name)
    return function(db, dossier, actor, **values)


def _processed(request, dossier, actor, values):
    """The result documents, recorded with the change (``_with_files``)."""
    return _with_files(request, dossier, actor, values, "result", lambda rows: actions.processed(
        request.dbsession, dossier, actor, rows, values["note"]), types=RESULT_TYPES)


def _with_files(request, dossier, actor, values, kind, act, types=None):
    """``act(rows)`` with the files of ``values["uploads"]`` received into
    the temporary store as DossierFile rows of ``kind`` (only ``types``
    when given), moved into the dossier store after commit; nothing is
    kept when a file is refused (Invalid) or the action is (Refused)."""
    store, limits = file_store(request), Limits.from_settings(request.registry.settings)
    folder = store.supplement_dir(dossier.id)
    held = [f for f in dossier.files if f.kind in ("paper", "supplement", "result")]
    records, messages = store.receive_many(values["uploads"], folder, limits, len(held), sum(f.size for f in held))
    if types is not None and any(r["type"] not in types for r in records):
        messages.append(_("A result document must be a PDF, JPEG or PNG file."))
    store.discard_on_abort(request.tm.get(), folder, [r["id"] for r in records])
    if messages:
        for record in records:
            store.discard(folder, record["id"])
        raise Invalid({"files": messages[0]})
    rows = [flow.file_row(kind, None, r, store.key_for(dossier.id, r["id"], r["type"]), actor.now) for r in records]
    try:
        event = act(rows)
    except Refused:
        for record in records:
            store.discard(folder, record["id"])
        raise
    store.move_after_commit(request.tm.get(), [(folder / r["id"], row.storage_key) for r, row in zip(records, rows)])
    return event


@view_config(route_name="desk_action", request_method="POST", renderer="onestop/dossier.jinja2",
             permission=Permissions.READ_DOSSIER)
def desk_action(context, request):
    """Take the action named in the path, when the visitor holds its
    permission (else 403, nothing changed); 404 for no such action."""
    name = request.matchdict["action"]
    spec = ACTIONS.get(name)
    if spec is None:
        raise HTTPNotFound()
    if not request.has_permission(spec.permission, context):
        raise HTTPForbidden()
    require_form(request, spec.form)
    dossier = context.dossier
    form = Reader(request)
    try:
        values = READERS[name](request, dossier, form)
        form.done()
        event = _perform(request, dossier, Actor.of(request), name, values)
    except Invalid as invalid:
        request.response.status = 400
        return dossier_page(context, request, failed=name, errors=invalid.errors)
    except Refused as refused:
        request.tm.doom()  # whatever was written on the way (a ledger number) is not kept
        flash(request, _words(request, refused.message))
        return HTTPFound(location=request.route_url("desk_dossier", code=dossier.code))
    actions.after_action(request, dossier, event)
    flash(request, _words(request, _("Done: ${action}.", mapping={"action": spec.label})))
    return HTTPFound(location=request.route_url("desk_dossier", code=dossier.code))


def _words(request, message):
    """``message`` with the messages in its mapping (a state's name, an
    action's label) translated too, for a flash notice."""
    mapping = {name: request.localizer.translate(value) if isinstance(value, TranslationString) else value
               for name, value in (getattr(message, "mapping", None) or {}).items()}
    return _(message, mapping=mapping) if mapping else message


# -- the page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """Where a dossier stands against its legal deadline, as the desk's
    list reads it too (queues.deadline_status): ``status`` and its words
    (``text``), ``late`` when past it; the dates; ``stopped_at`` while the
    clock is stopped."""

    due_at: datetime | None
    appointment_at: datetime | None
    status: tuple | None
    text: object
    late: bool
    stopped_at: datetime | None


def deadline(dossier, calendar, now):
    """The Deadline of ``dossier`` at ``now`` (aware)."""
    from .desk_views import deadline_text
    from .queues import deadline_status

    status = deadline_status(calendar, dossier.due_at, now, dossier.state, dossier.finished_at)
    late = bool(status) and (status[0] == "late" or status == ("done", "late"))
    return Deadline(dossier.due_at, dossier.appointment_at, status, deadline_text(status), late,
                    dossier.clock_stopped_at)


def event_facts(event, agency_name):
    """What the staff history adds under an event, from its details: what
    a sign-off request proposes, how a result was returned and to whom."""
    details = event.details or {}
    facts = []
    if event.action == "sign_off_requested":
        if details.get("what") == "transfer":
            facts.append(_("Proposed: transfer to ${agency}", mapping={"agency": agency_name(details.get("to_agency"))}))
        elif details.get("new_appointment"):
            facts.append(_("Proposed: apology and new date ${when}", mapping={
                "when": format_datetime(datetime.fromisoformat(details["new_appointment"]))}))
    elif event.action == "return_result":
        facts.append(_("Returned ${way}", mapping={"way": RETURN_WAYS.get(details.get("way"), details.get("way", ""))}))
        if details.get("receiver"):
            facts.append(_("Received by: ${name}", mapping={"name": " ".join(
                str(part) for part in (details["receiver"], details.get("receiver_id_number") or "") if part)}))
        if details.get("tracking"):
            facts.append(_("Postal tracking number: ${number}", mapping={"number": details["tracking"]}))
        if details.get("posted_on"):
            facts.append(_("Handed to the post on: ${day}", mapping={"day": format_date(
                date.fromisoformat(str(details["posted_on"])[:10]))}))
    elif event.action == "request_payment" and details.get("amount") is not None:
        facts.append(_("Amount: ${amount}", mapping={"amount": format_money(details["amount"])}))
    elif event.action == ratings.ACTION and details.get("level"):  # the comment is the event's note
        facts.append(_("Satisfaction: ${level}", mapping={"level": ratings.LEVELS.get(details["level"],
                                                                                        details["level"])}))
    return facts


def actor_name(event, dossier, actors):
    """Who did ``event``, by name: the staff member or account that
    recorded it, else — a submission, supplement or withdrawal with no
    account — the applicant."""
    if event.actor_id in actors:
        return actors[event.actor_id]
    if event.from_state is None or event.action in ("submit", "supplement", "withdraw"):
        return dossier.applicant_name or event.actor
    return event.actor


def _other_agencies(request, dossier):
    """The agencies the dossier may be sent to: another desk at work (actions.desks)."""
    working = actions.desks(request.dbsession)
    return [agency for agency in request.find_service(ICatalogService).agencies()
            if agency.code != dossier.handling_agency_code and agency.code in working]


def _agency_namer(request):
    names = {agency.code: agency.name for agency in request.find_service(ICatalogService).agencies()}
    return lambda code: names.get(code, code or "")


def _actor_names(request, dossier):
    ids = {event.actor_id for event in dossier.events if event.actor_id}
    if not ids:
        return {}
    return dict(request.dbsession.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


def _processing_time(dossier):
    channels = (dossier.procedure_snapshot or {}).get("channels") or []
    return next((c for c in channels if c.get("channel") == dossier.channel), channels[0] if channels else None)


def _typed(request, failed):
    """``value(form, name, default)`` for the templates: what was typed in
    the form that failed (or kept when a session expired), else the default."""
    kept = request.kept_input
    posted = request.POST if failed else None

    def value(form, name, default=""):
        if failed == form and posted is not None:
            got = posted.get(name)
            return got if isinstance(got, str) else default
        if kept is not None and kept.get("__formid__") == form:
            return kept.get(name, default)
        return default

    def values(form, name):
        if failed == form and posted is not None:
            return [v if isinstance(v, str) else "" for v in posted.getall(name)]
        if kept is not None and kept.get("__formid__") == form:
            return [v for n, v in kept.fields if n == name]
        return []

    return value, values


@view_config(route_name="desk_dossier", renderer="onestop/dossier.jinja2", permission=Permissions.READ_DOSSIER)
def dossier_page(context, request, failed=None, errors=None):
    dossier = context.dossier
    now = _now()
    agency_name = _agency_namer(request)
    # the applicant has a section of its own above: the step's answers get a heading of their own
    titles = dict({step.key: step.title for step in flow.STEPS}, applicant=_("The applicant's details as submitted"))
    data = dossier.data or {}
    sections = flow.summary(data, data.get("field_specs", []), data.get("ward_name"), agency_name(dossier.agency_code))
    names = available = actions.available(dossier, request)
    pending = {what: actions.pending_sign_off(dossier, what) for what in actions.SIGN_OFF_WHATS}
    value, values = _typed(request, failed)
    return {
        "dossier": dossier, "states": STATE_LABELS, "agency_name": agency_name,
        "sections": [(titles[key], rows) for key, rows in sections],
        "files": list(dossier.files), "file_kinds": FILE_KINDS, "inline_types": INLINE_TYPES,
        "snapshot": dossier.procedure_snapshot or {}, "processing_time": _processing_time(dossier),
        "events": dossier.events, "event_words": EVENT_WORDS, "actors": _actor_names(request, dossier),
        "event_facts": event_facts, "actor_name": actor_name, "channel_labels": CHANNEL_LABELS,
        "deadline": deadline(dossier, request.working_calendar, now),
        "lines": actions.process_lines(dossier, now=now), "status_words": STATUS_WORDS,
        "actions": [(name, ACTIONS[name]) for name in names], "available": available,
        "pending": [(what, event, _when((event.details or {}).get("new_appointment")))
                    for what, event in pending.items() if event is not None],
        "sign_off_whats": SIGN_OFF_WHATS, "other_agencies": _other_agencies(request, dossier) if (
            "transfer" in names or "request_transfer" in names) else [],
        "transferred_from": actions.transferred_from(dossier),
        "budget_units": BUDGET_UNITS, "return_ways": RETURN_WAYS, "supplement_rows": SUPPLEMENT_ROWS,
        "limits": Limits.from_settings(request.registry.settings),
        "failed": failed, "errors": errors or {}, "value": value, "values": values,
        "desk_url": _desk_url(request),
        "orders": payments.orders_of(request.dbsession, dossier.id), "payment_states": payment_labels.STATE_LABELS,
        "open_payments": payments.open_attempts(request.dbsession, dossier),
        "rating": ratings.rating_event(dossier), "rating_levels": ratings.LEVELS,
    }


def _when(text):
    try:
        return datetime.fromisoformat(text) if text else None
    except (TypeError, ValueError):
        return None


def _desk_url(request):
    try:
        return request.route_path("desk")
    except KeyError:
        return None


@view_config(route_name="desk_file", permission=Permissions.READ_DOSSIER)
def desk_file(context, request):
    """A file of the dossier: PDF and images shown in the browser, others
    downloaded; never sniffed into another type."""
    file_id = id_or_404(request.matchdict["id"])
    record = next((f for f in context.dossier.files if f.id == file_id), None)
    if record is None:
        raise HTTPNotFound()
    try:
        path = file_store(request).path(record.storage_key)
    except UnsafePath:
        raise HTTPNotFound() from None
    if not path.is_file():
        raise HTTPNotFound()
    response = FileResponse(str(path), request=request, content_type=record.content_type)
    disposition = "inline" if record.content_type in INLINE_TYPES else "attachment"
    response.content_disposition = f"{disposition}; filename*=UTF-8''{quote(record.filename)}"
    response.headers["Cache-Control"] = NO_STORE
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@view_config(route_name="desk_control_sheet", permission=Permissions.READ_DOSSIER)
def desk_control_sheet(context, request):
    """Form 05 of the dossier as it stands now, drawn on demand (the one
    kept with the dossier is drawn when it is processed)."""
    from pyramid.response import Response

    from . import slips

    dossier = context.dossier
    pdf = slips.process_control(slips.Context(request), dossier, datetime.now(timezone.utc))
    response = Response(body=pdf, content_type="application/pdf")
    response.content_disposition = f"inline; filename*=UTF-8''{quote(slips.FILENAMES['05'].format(code=dossier.code))}"
    response.headers["Cache-Control"] = NO_STORE
    return response
