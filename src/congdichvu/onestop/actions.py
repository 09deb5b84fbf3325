"""What officers and leaders do to a dossier, as rules: each action says
from which states it may be taken and by whom, changes the dossier once
(eservices.services.transition: a conditional UPDATE on state and version,
so two officers acting at the same moment cannot both apply), and records
an event (actor, agency, time, note, from/to state, details, slip).

Sources: Decree 61/2018/NĐ-CP on the one-stop mechanism (Articles 15–20:
receiving, transferring, processing and returning dossiers, apologising
for lateness) and Circular 01/2018/TT-VPCP (Forms 01–06).

The deadline: at reception the legal deadline ``due_at`` and the
appointment ``appointment_at`` are fixed from the working calendar
(``WorkingCalendar.appointment``) and the procedure's processing time for
the dossier's channel. While the applicant is asked for papers (state 5)
the clock stops (``clock_stopped_at``); when they are added it restarts
and both dates move on by the working time that passed (Decree 61/2018,
Art. 16(2): the time to supplement is not counted).
"""
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from ..eservices import services
from ..eservices.codes import next_number
from ..eservices.models import DossierAgency
from ..i18n import _
from ..i18n.formatting import format_datetime, to_local
from ..security import Permissions
from ..stats import ontime

NEW, RECEIVED, NOT_RECEIVED, PROCESSING, AWAITING_SUPPLEMENT, AWAITING_PAYMENT = 1, 2, 3, 4, 5, 6
WITHDRAWN, STOPPED, PROCESSED, RETURNED = 7, 8, 9, 10
#: states in which the office is working on the dossier
OPEN_STATES = frozenset({RECEIVED, PROCESSING, AWAITING_SUPPLEMENT, AWAITING_PAYMENT})
#: states after which nothing more happens
FINAL_STATES = frozenset({NOT_RECEIVED, WITHDRAWN, STOPPED, RETURNED})


class Refused(Exception):
    """The action cannot be taken: ``message`` says why, for the officer."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Actor:
    """Who acts, and with what: the signed-in ``user`` (a User), the agency
    they act for (``agency_code``), the working ``calendar`` and the moment
    (``now``, aware UTC)."""

    user: object
    agency_code: str
    calendar: object
    now: datetime

    @classmethod
    def of(cls, request, now=None):
        user = request.user
        agency = user.agency.code if user is not None and user.agency is not None else None
        return cls(user=user, agency_code=agency, calendar=request.working_calendar,
                   now=now or datetime.now(timezone.utc))


NOT_NOW = _("This cannot be done now: the dossier is ${state}. The page shows what it is now.")


def _event(actor, action, **extra):
    """The event columns every action records."""
    return dict(action=action, actor_id=actor.user.id, agency_code=actor.agency_code, at=actor.now, **extra)


def _apply(dbsession, dossier, actor, to_state, action, note=None, *, from_state=None, changes=None, **extra):
    """``services.transition`` for an action; a dossier changed meanwhile
    (another officer was first) is refused with the reason."""
    try:
        return services.transition(dbsession, dossier, to_state, actor.user.username, note, from_state=from_state,
                                   changes=changes, **_event(actor, action, **extra))
    except services.NotAllowed:
        raise Refused(_("Someone else changed this dossier a moment ago; nothing was done. "
                        "Check what it is now and try again.")) from None


def _require(dossier, states):
    """Refuse unless ``dossier`` is in one of ``states``, saying which state it is in."""
    if dossier.state not in states:
        from ..eservices.views import STATE_LABELS  # the states' words live with the citizen's pages

        raise Refused(_(NOT_NOW, mapping={"state": STATE_LABELS.get(dossier.state, str(dossier.state))}))


def processing_time(dossier):
    """(value, unit) of the dossier's processing time: its procedure's (as
    snapshotted at submission) for the dossier's channel, else the first."""
    channels = (dossier.procedure_snapshot or {}).get("channels") or []
    chosen = next((c for c in channels if c.get("channel") == dossier.channel), channels[0] if channels else None)
    if chosen is None:
        return 0, "working_day"
    return chosen["time"]["value"], chosen["time"]["unit"]


def ledger_number(dbsession, agency_code, day):
    """The next line of ``agency_code``'s ledger (Form 06, "Sổ theo dõi
    hồ sơ") for the year of ``day``: one book a year, numbered from 1."""
    return next_number(dbsession, f"so:{agency_code}"[:40], date(day.year, 1, 1))


def receive(dbsession, dossier, actor):
    """Receive a dossier (1 → 2 → 4): the reception time, the appointment
    and legal deadline from the calendar and the processing time, the
    ledger line. Returns the "receive" event (Form 01 goes with it)."""
    _require(dossier, {NEW})
    received = actor.calendar.reception(actor.now)
    value, unit = processing_time(dossier)
    due = ontime.deadline(actor.calendar, actor.now, value, unit)
    line = ledger_number(dbsession, dossier.handling_agency_code, to_local(received).date())
    event = _apply(dbsession, dossier, actor, RECEIVED, "receive", from_state=NEW, changes={
        "received_at": received, "appointment_at": due, "due_at": due, "ledger_number": line})
    _apply(dbsession, dossier, actor, PROCESSING, "start", from_state=RECEIVED)
    return event


def resume_after_supplement(dossier, calendar, now):
    """(state, changes) of a dossier whose papers were added at ``now``:
    back to processing (4) with its clock restarted, or — asked before
    reception — back to be received (1), no deadline running yet."""
    if dossier.received:
        return PROCESSING, restart_clock(dossier, calendar, now)
    return NEW, {"clock_stopped_at": None}


def supplement_at_desk(dbsession, dossier, actor, papers, files=()):
    """The applicant brought the papers asked for to the desk (or sent them
    by post): the officer records them (``papers``, text: what was handed
    in; ``files``, their scans as DossierFile rows) and the dossier resumes
    as after an online supplement (``resume_after_supplement``)."""
    _require(dossier, {AWAITING_SUPPLEMENT})
    state, changes = resume_after_supplement(dossier, actor.calendar, actor.now)
    event = _apply(dbsession, dossier, actor, state, "supplement", papers, from_state=AWAITING_SUPPLEMENT,
                   changes=changes, details={"at_desk": True, "files": [row.filename for row in files]})
    dossier.files.extend(files)
    return event


def restart_clock(dossier, calendar, now):
    """The columns that restart a stopped clock at ``now``: ``due_at`` and
    ``appointment_at`` moved on by the working time spent stopped."""
    if dossier.clock_stopped_at is None:
        return {}
    changes = {"clock_stopped_at": None}
    for name in ("due_at", "appointment_at"):
        value = getattr(dossier, name)
        if value is not None:
            changes[name] = ontime.moved(calendar, value, dossier.clock_stopped_at, now)
    return changes


# -- the actions after reception ---------------------------------------------
# Each takes the session, the dossier, the Actor and what the form said
# (already read and checked by the view: onestop.dossier_views), refuses
# with Refused when the dossier's state or history does not allow it, and
# returns the event it recorded. ``details`` hold what the slips (Forms
# 02–05) and the messages to the applicant need.

#: the most an amount asked for may be, in đồng (a sanity bound, not a rule)
MAX_AMOUNT = 10**12
#: how a result leaves the office (return_result)
RETURN_WAYS = ("counter", "postal", "online")
#: what a leader signs off (sign_off_requested's details["what"])
SIGN_OFF_WHATS = ("transfer", "apology")


def _happened(dossier, action):
    return any(event.action == action for event in dossier.events)


def _iso(moment):
    return moment.isoformat() if moment is not None else None


def request_supplement(dbsession, dossier, actor, missing, note=None):
    """Ask the applicant for papers (1, 2 or 4 → 5; Form 02, "Phiếu yêu
    cầu bổ sung, hoàn thiện hồ sơ"): ``missing`` is a non-empty list of
    {"paper", "reason"}; ``note`` any other guidance. Allowed once per
    dossier (Decree 61/2018, Art. 15(2)(b): the applicant is told once,
    completely). The clock stops now (``clock_stopped_at``) until the
    applicant adds them (eservices.services.supplement restarts it).

    The event's note is the request as the applicant reads it on their
    page; ``details["missing"]`` keeps the items for the slip."""
    _require(dossier, {NEW, RECEIVED, PROCESSING})
    if _happened(dossier, "request_supplement"):
        raise Refused(_("Papers were already asked for once; a dossier may be sent back for papers only once."))
    missing = [{"paper": item["paper"], "reason": item.get("reason") or ""} for item in missing]
    if not missing:
        raise Refused(_("Name at least one paper to add."))
    listed = "\n".join(f"- {item['paper']}" + (f": {item['reason']}" if item["reason"] else "") for item in missing)
    text = listed + (f"\n{note}" if note else "")
    return _apply(dbsession, dossier, actor, AWAITING_SUPPLEMENT, "request_supplement", text,
                  changes={"clock_stopped_at": actor.now}, details={"missing": missing, "note": note or None})


def refuse(dbsession, dossier, actor, reason):
    """Refuse to take the dossier on (1, 2 or 4 → 3; Form 03, "Phiếu từ
    chối tiếp nhận giải quyết hồ sơ") with ``reason``. Only the agency
    that received it refuses it: one it was transferred to sends it back
    (``transfer_back``) with its reasons instead."""
    _require(dossier, {NEW, RECEIVED, PROCESSING})
    if dossier.handling_agency_code != dossier.agency_code:
        raise Refused(_("Only the agency that received the dossier can refuse it; send it back to that agency "
                        "with your reasons instead."))
    return _apply(dbsession, dossier, actor, NOT_RECEIVED, "refuse", reason, changes={"finished_at": actor.now},
                  details={"reason": reason})


def step_due(dossier, actor, value=None, unit=None):
    """When a step given now must end: after ``value`` ``unit``
    ("working_day" or "working_hour") on the working calendar, or, with no
    value, at the dossier's legal deadline (the rest of its time)."""
    if value is None:
        return dossier.due_at
    return actor.calendar.appointment(actor.now, value, unit)


def hand_over(dbsession, dossier, actor, department, value=None, unit=None, note=None):
    """Hand the dossier to ``department`` (a department or person, as
    text) for the next step (4 → 4), with its own time (``value`` working
    days or hours) or the rest of the dossier's: a line of Form 05 ("Phiếu
    kiểm soát quá trình giải quyết hồ sơ"); the previous step ends now."""
    _require(dossier, {PROCESSING})
    due = step_due(dossier, actor, value, unit)
    return _apply(dbsession, dossier, actor, PROCESSING, "hand_over", note, department=department,
                  to_agency_code=dossier.handling_agency_code, step_due_at=due,
                  details={"department": department, "budget": _budget(value, unit), "step_due": _iso(due)})


def _budget(value, unit):
    return None if value is None else {"value": str(value), "unit": unit}


def pending_sign_off(dossier, what):
    """The officer's open request (a ``sign_off_requested`` event) for a
    leader to sign off ``what`` ("transfer" or "apology"), or None: one
    not yet followed by that action or by ``sign_off_declined``."""
    pending = None
    for event in dossier.events:
        details = event.details or {}
        if event.action == "sign_off_requested" and details.get("what") == what:
            pending = event
        elif pending is not None and (event.action == what or (
                event.action == "sign_off_declined" and details.get("what") == what)):
            pending = None
    return pending


def request_sign_off(dbsession, dossier, actor, what, reason, **proposal):
    """An officer asks a leader to sign off ``what``: a transfer (the
    dossier's state allows it: 4; ``proposal``: to_agency) or an apology
    (2, 4, 5, 6; ``proposal``: new_appointment, an aware datetime). The
    state does not change; the leader then performs it or declines."""
    if what not in SIGN_OFF_WHATS:
        raise ValueError(what)
    _require(dossier, {PROCESSING} if what == "transfer" else APOLOGY_STATES)
    if pending_sign_off(dossier, what) is not None:
        raise Refused(_("This is already waiting for a leader's sign-off."))
    if what == "transfer":
        _check_transfer(dbsession, dossier, proposal["to_agency"])
    else:
        _check_new_appointment(dossier, proposal["new_appointment"], actor.now)
    details = {"what": what, "reason": reason}
    details.update({name: _iso(value) if isinstance(value, datetime) else value for name, value in proposal.items()})
    return _apply(dbsession, dossier, actor, dossier.state, "sign_off_requested", reason,
                  to_agency_code=proposal.get("to_agency"), details=details)


def decline_sign_off(dbsession, dossier, actor, what, reason):
    """A leader declines the officer's request to sign off ``what``."""
    request = pending_sign_off(dossier, what)
    if request is None:
        raise Refused(_("Nothing is waiting for a leader's sign-off."))
    return _apply(dbsession, dossier, actor, dossier.state, "sign_off_declined", reason,
                  details={"what": what, "reason": reason, "request": request.id})


def desks(dbsession):
    """The codes of the agencies with a one-stop desk at work: those where
    an active officer works. A dossier is only ever sent where someone can
    act on it."""
    from ..accounts.models import User, UserRole
    from ..catalog.models import Agency

    return set(dbsession.scalars(
        select(Agency.code).join(User, User.agency_id == Agency.id).join(UserRole, UserRole.user_id == User.id)
        .where(User.active.is_(True), UserRole.role == "officer").distinct()))


def _check_transfer(dbsession, dossier, to_agency):
    if to_agency == dossier.handling_agency_code:
        raise Refused(_("The dossier is already with that agency; choose another one."))
    if to_agency not in desks(dbsession):
        raise Refused(_("No one-stop officer works at that agency, so nobody could act on the dossier there; "
                        "choose another agency."))


def transfer(dbsession, dossier, actor, to_agency, reason=None, value=None, unit=None):
    """Send the dossier to another agency (liên thông; 4 → 4), signed off
    by a leader: ``handling_agency_code`` becomes ``to_agency`` (a code of
    the catalogue's agencies), which from now on acts on it; the agency
    that sent it keeps reading it (a DossierAgency row); the clock goes
    on; a line of Form 05, with its own time or the rest of the dossier's
    (Decree 61/2018, Art. 17: processing across agencies)."""
    _require(dossier, {PROCESSING})
    _check_transfer(dbsession, dossier, to_agency)
    sender = dossier.handling_agency_code
    due = step_due(dossier, actor, value, unit)
    request = pending_sign_off(dossier, "transfer")
    event = _apply(dbsession, dossier, actor, PROCESSING, "transfer", reason, to_agency_code=to_agency,
                   step_due_at=due, changes={"handling_agency_code": to_agency},
                   details={"from_agency": sender, "to_agency": to_agency, "reason": reason,
                            "budget": _budget(value, unit), "step_due": _iso(due),
                            "request": request.id if request is not None else None})
    _may_read(dossier, to_agency)
    return event


def _may_read(dossier, agency_code):
    if all(row.agency_code != agency_code for row in dossier.agencies):
        dossier.agencies.append(DossierAgency(agency_code=agency_code))


def transferred_from(dossier):
    """The agency that sent the dossier to the one handling it now (the
    one ``transfer_back`` returns it to), or None when it was not
    transferred there: transfers stack, each ``transfer_back`` undoes the
    latest one still open."""
    senders = []
    for event in dossier.events:
        if event.action == "transfer":
            senders.append((event.details or {}).get("from_agency") or event.agency_code)
        elif event.action == "transfer_back" and senders:
            senders.pop()
    return senders[-1] if senders else None


def transfer_back(dbsession, dossier, actor, note):
    """The agency a dossier was transferred to returns it (4 → 4) to the
    one that sent it, with its result or a note; the clock goes on to the
    dossier's deadline; a line of Form 05."""
    _require(dossier, {PROCESSING})
    sender = transferred_from(dossier)
    if sender is None:
        raise Refused(_("This dossier was not sent here by another agency; there is nobody to send it back to."))
    return _apply(dbsession, dossier, actor, PROCESSING, "transfer_back", note, to_agency_code=sender,
                  step_due_at=dossier.due_at, changes={"handling_agency_code": sender},
                  details={"from_agency": dossier.handling_agency_code, "to_agency": sender, "note": note})


#: when an apology may be made: the office still holds the dossier
APOLOGY_STATES = frozenset({RECEIVED, PROCESSING, AWAITING_SUPPLEMENT, AWAITING_PAYMENT})


#: how far an apology may move the appointment, at most (a year)
MAX_POSTPONEMENT = timedelta(days=366)


def _check_new_appointment(dossier, new_appointment, now=None):
    """A new appointment is later than the present one and than ``now``
    (a promise already broken when made is none), within a year, on a
    working day's office hours is the officer's care (not checked)."""
    current = dossier.appointment_at
    if current is not None and new_appointment <= current:
        raise Refused(_("The new date must be later than the present appointment (${when}).",
                        mapping={"when": format_datetime(current)}))
    if now is not None and new_appointment <= now:
        raise Refused(_("The new date must be in the future."))
    if now is not None and new_appointment > now + MAX_POSTPONEMENT:
        raise Refused(_("The new date must be within a year from today."))


def apology(dbsession, dossier, actor, new_appointment, reason):
    """Apologise for a dossier that will be late and set a new date
    (Form 04, "Phiếu xin lỗi và hẹn lại ngày trả kết quả"; Decree 61/2018,
    Art. 20(3)), signed off by a leader: ``new_appointment`` (aware) later
    than the present appointment. Only ``appointment_at`` moves: the legal
    deadline ``due_at`` stays, so the dossier still counts as late."""
    _require(dossier, APOLOGY_STATES)
    _check_new_appointment(dossier, new_appointment, actor.now)
    request = pending_sign_off(dossier, "apology")
    return _apply(dbsession, dossier, actor, dossier.state, "apology", reason,
                  changes={"appointment_at": new_appointment},
                  details={"new_appointment": _iso(new_appointment), "previous_appointment": _iso(
                      dossier.appointment_at), "reason": reason,
                           "request": request.id if request is not None else None})


def request_payment(dbsession, dossier, actor, amount, purpose):
    """Ask for fees computed while processing (4 → 6): ``amount`` whole
    đồng, 1 to MAX_AMOUNT; ``purpose`` what it pays for. Sets ``fee_due``
    and opens the payment order the applicant pays online (payments), or
    at the desk (``paid``); once paid the dossier is processed again."""
    from ..payments import services as payments

    _require(dossier, {PROCESSING})
    if not (isinstance(amount, int) and 0 < amount <= MAX_AMOUNT):
        raise Refused(_("The amount must be a whole number of đồng above 0."))
    line = {"name": purpose, "kind": "fee", "per": "dossier", "count": 1, "unit_amount": amount, "amount": amount}
    try:
        _order, event = payments.ask(
            dbsession, dossier, lines=[line], amount=amount, purpose=purpose,
            agency_code=dossier.handling_agency_code, actor=actor.user.username, now=actor.now,
            action="request_payment", note=purpose, event={
                "actor_id": actor.user.id, "agency_code": actor.agency_code,
                "details": {"amount": amount, "purpose": purpose}})
    except services.NotAllowed:
        raise Refused(_("Someone else changed this dossier a moment ago; nothing was done. "
                        "Check what it is now and try again.")) from None
    return event


def paid(dbsession, dossier, actor, note=None, *, request=None):
    """The fees were paid at the desk (6 → the state before the request):
    the order due is settled as paid "at the counter", with its e-receipt
    (payments.confirm.paid_at_counter). Online payments need no officer."""
    from ..payments import confirm, services as payments

    _require(dossier, {AWAITING_PAYMENT})
    try:
        event = confirm.paid_at_counter(request, dossier, actor.now)
    except payments.AlreadyPaid:
        raise Refused(_("These fees are already paid.")) from None
    if event is None:
        raise Refused(_("Someone else changed this dossier a moment ago; nothing was done. "
                        "Check what it is now and try again."))
    event.note = note
    return event


def stop(dbsession, dossier, actor, reason):
    """Stop processing (2, 4, 5, 6 → 8) for ``reason``. Stopped while
    waiting for papers, the wait ends now and the deadline moves on by it
    (as when papers come: stats.ontime counts it so), so a dossier whose
    applicant never brought them is not counted late for the office."""
    from ..payments import services as payments

    _require(dossier, OPEN_STATES)
    changes = {"finished_at": actor.now}
    if dossier.state == AWAITING_SUPPLEMENT:  # the wait for papers ends here: not counted against the office
        changes.update(restart_clock(dossier, actor.calendar, actor.now))
    event = _apply(dbsession, dossier, actor, STOPPED, "stop", reason, changes=changes,
                   details={"reason": reason})
    payments.cancel_open(dbsession, dossier.id, actor.now)
    return event


def processed(dbsession, dossier, actor, results, note=None):
    """The result is ready (4 → 9): ``results`` are the result documents'
    DossierFile rows (kind "result"), added with the change."""
    _require(dossier, {PROCESSING})
    if not results:
        raise Refused(_("Attach the result document."))
    event = _apply(dbsession, dossier, actor, PROCESSED, "processed", note, changes={"finished_at": actor.now},
                   to_agency_code=dossier.handling_agency_code,
                   details={"files": [row.filename for row in results]})
    dossier.files.extend(results)
    return event


def return_result(dbsession, dossier, actor, way, **how):
    """The result leaves the office (9 → 10), ``way``:

    - "counter": handed over at the desk; ``how``: receiver (name),
      receiver_id_number (optional), at (aware, when);
    - "postal": through the public postal service (bưu chính công ích);
      ``how``: tracking (the number), posted_on (a date);
    - "online": the applicant downloads it from "Hồ sơ của tôi".
    """
    _require(dossier, {PROCESSED})
    if way not in RETURN_WAYS:
        raise ValueError(way)
    if way == "online" and dossier.applicant_id is None:
        raise Refused(_("The applicant has no account on the portal to download the result from: "
                        "return it at the desk or by post."))
    for name in ("at", "posted_on"):
        when = how.get(name)
        if when is None:
            continue
        if isinstance(when, datetime):  # a time: from the result's readiness to now
            early = dossier.finished_at is not None and when < dossier.finished_at
            late = when > actor.now + timedelta(minutes=5)
        else:  # a day: from the day it was ready to today
            early = dossier.finished_at is not None and when < to_local(dossier.finished_at).date()
            late = when > to_local(actor.now).date()
        if early or late:
            raise Refused(_("The time of return must be between when the result was ready (${ready}) and now.",
                            mapping={"ready": format_datetime(dossier.finished_at)}))
    details = {"way": way}
    details.update({name: value.isoformat() if isinstance(value, (date, datetime)) else value
                    for name, value in how.items()})
    returned = how.get("at") if isinstance(how.get("at"), datetime) else actor.now
    return _apply(dbsession, dossier, actor, RETURNED, "return_result", None, changes={"returned_at": returned},
                  details=details)


# -- Form 05: the steps of processing -------------------------------------------

#: the events that put the dossier in new hands: each begins a line of Form 05
STEP_ACTIONS = ("receive", "hand_over", "transfer", "transfer_back", "processed")
#: the events after which nobody holds it any more: they end the last line
END_ACTIONS = ("return_result", "stop", "refuse")
EARLY, ON_TIME, LATE = ontime.EARLY, ontime.ON_TIME, ontime.LATE


@dataclass(frozen=True)
class ProcessLine:
    """One line of Form 05: who handed the dossier (``from_agency``,
    ``from_department``) to whom (``to_agency``, ``to_department``), when
    (``handed_at``), by when that step was due (``due_at``), when the next
    hand-over ended it (``finished_at``, None while open) and how that
    compares (``status``: EARLY, ON_TIME, LATE, or None while open and not
    yet late). ``event`` is the hand-over's event (actor, note)."""

    number: int
    action: str
    from_agency: str | None
    from_department: str | None
    to_agency: str | None
    to_department: str | None
    handed_at: datetime
    due_at: datetime | None
    finished_at: datetime | None
    status: str | None
    event: object


def step_status(finished, due, now=None):
    """EARLY when a step ended on a day before the day it was due, ON_TIME
    when by its due time, LATE after; for an open step (``finished`` None)
    LATE once ``now`` is past due, else None."""
    if due is None:  # the last step, holding the result: measured by the dossier's own deadline
        return None
    if finished is None:
        return LATE if now is not None and now > due else None
    return ontime.classify(finished, due)


def process_lines(dossier, now=None):
    """[ProcessLine] of ``dossier`` (Form 05, Circular 01/2018/TT-VPCP),
    from its events: a line from each receive, hand_over, transfer,
    transfer_back and processed to the next of these (or to the result's
    return, a stop, a refusal). ``now`` (aware) marks an open step LATE
    once past due."""
    lines, holder = [], (None, None)
    for event in dossier.events:
        if event.action in STEP_ACTIONS or event.action in END_ACTIONS:
            if lines and lines[-1].finished_at is None:
                last = lines[-1]
                lines[-1] = replace(last, finished_at=event.at, status=step_status(event.at, last.due_at))
        if event.action not in STEP_ACTIONS:
            continue
        to_agency = event.to_agency_code or dossier.handling_agency_code if event.action != "receive" \
            else event.agency_code or dossier.agency_code
        due = event.step_due_at or (dossier.due_at if event.action != "processed" else None)
        line = ProcessLine(number=len(lines) + 1, action=event.action, from_agency=holder[0],
                           from_department=holder[1], to_agency=to_agency, to_department=event.department,
                           handed_at=event.at, due_at=due, finished_at=None, status=None, event=event)
        lines.append(line)
        holder = (to_agency, event.department)
    if lines and lines[-1].finished_at is None and now is not None:
        lines[-1] = replace(lines[-1], status=step_status(None, lines[-1].due_at, now))
    return lines


# -- what the page offers ----------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """An action as the staff page offers it: its button's ``label``, the
    ``states`` it may be taken in, the ``permission`` it needs on the
    dossier, and ``form``, the name of its form (the id of the hand-made
    form and of its partial, templates/onestop/actions/{form}.jinja2)."""

    label: object
    states: frozenset
    permission: str
    form: str


_HANDLE, _SIGN = Permissions.HANDLE_DOSSIER, Permissions.SIGN_OFF
ACTIONS = {
    "receive": Spec(_("Receive the dossier"), frozenset({NEW}), _HANDLE, "receive"),
    "request_supplement": Spec(_("Ask for papers (Form 02)"), frozenset({NEW, RECEIVED, PROCESSING}), _HANDLE,
                               "request_supplement"),
    "refuse": Spec(_("Refuse the dossier (Form 03)"), frozenset({NEW, RECEIVED, PROCESSING}), _HANDLE, "refuse"),
    "hand_over": Spec(_("Hand over to a department or person"), frozenset({PROCESSING}), _HANDLE, "hand_over"),
    "request_transfer": Spec(_("Propose a transfer to another agency"), frozenset({PROCESSING}), _HANDLE,
                             "request_transfer"),
    "transfer": Spec(_("Transfer to another agency"), frozenset({PROCESSING}), _SIGN, "transfer"),
    "transfer_back": Spec(_("Send back to the agency that sent it"), frozenset({PROCESSING}), _HANDLE,
                          "transfer_back"),
    "request_apology": Spec(_("Propose an apology and a new date"), APOLOGY_STATES, _HANDLE, "request_apology"),
    "apology": Spec(_("Apologise and set a new date (Form 04)"), APOLOGY_STATES, _SIGN, "apology"),
    "sign_off_declined": Spec(_("Decline the request"), OPEN_STATES, _SIGN, "sign_off_declined"),
    "request_payment": Spec(_("Ask for fees to be paid"), frozenset({PROCESSING}), _HANDLE, "request_payment"),
    "paid": Spec(_("Confirm the fees were paid"), frozenset({AWAITING_PAYMENT}), _HANDLE, "paid"),
    "supplement_at_desk": Spec(_("Record the papers the applicant brought"), frozenset({AWAITING_SUPPLEMENT}),
                               _HANDLE, "supplement_at_desk"),
    "stop": Spec(_("Stop processing"), OPEN_STATES, _HANDLE, "stop"),
    "processed": Spec(_("Record the result"), frozenset({PROCESSING}), _HANDLE, "processed"),
    "return_result": Spec(_("Return the result"), frozenset({PROCESSED}), _HANDLE, "return_result"),
}


def _fits(name, dossier, may):
    """Whether action ``name``'s other conditions hold (beyond its states
    and permission), given ``may(permission)``."""
    if name == "request_supplement":
        return not _happened(dossier, "request_supplement")
    if name == "refuse":
        return dossier.handling_agency_code == dossier.agency_code
    if name == "transfer_back":
        return transferred_from(dossier) is not None
    if name in ("request_transfer", "request_apology"):  # a leader signs it off at once instead
        return not may(_SIGN) and pending_sign_off(dossier, name.removeprefix("request_")) is None
    if name == "sign_off_declined":
        return any(pending_sign_off(dossier, what) is not None for what in SIGN_OFF_WHATS)
    return True


def available(dossier, request):
    """The names of the actions (keys of ACTIONS, in its order) the
    visitor may take on ``dossier`` now: its state allows them, they hold
    the permission on the page's context (``request.context``), and the
    dossier's history allows them (papers asked for once, a transfer to
    send back, a request waiting for sign-off)."""
    context = request.context

    def may(permission):
        return bool(request.has_permission(permission, context))

    return [name for name, spec in ACTIONS.items()
            if dossier.state in spec.states and may(spec.permission) and _fits(name, dossier, may)]


def after_action(request, dossier, event, secret=""):
    """What follows an action that succeeded, in its transaction: the slip
    that goes with it is drawn and kept (slips.issue_for: Forms 01–05) and
    the applicant is told (notify.tell_applicant: an outbox row, sent after
    commit). ``secret`` (the lookup secret, known only when the dossier was
    just made at the counter) is printed on Form 01. Returns ``event``."""
    from ..notify import tell_applicant
    from . import slips

    slips.issue_for(request, dossier, event, secret=secret)
    tell_applicant(request, dossier, event)
    return event
