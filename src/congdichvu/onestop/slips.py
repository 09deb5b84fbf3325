"""Slips (phiếu) issued with a dossier's actions, stored with the dossier.

Each is a PDF of a standard form of Circular 01/2018/TT-VPCP, drawn by
``congdichvu.documents`` in Vietnamese whatever the page's language, kept
as a DossierFile (kind "slip", ``slip`` = the form's number) written to
the dossier store after commit, and linked from the event it goes with.
"""
import hashlib
import uuid
from datetime import datetime

from ..catalog.interfaces import ICatalogService
from ..documents import forms
from ..documents.slips import (
    Applicant, ApologySlip, Correction, HandOver, Issuer, Paper, ProcessControlSlip, ReceiptSlip, RefusalSlip,
    Signer, SupplementSlip,
)
from ..eservices.flow import file_row
from ..eservices.storage import file_store
from ..i18n import _, official_translate
from ..settings import place_name


#: how the leader signs Form 04 when nothing else is said: the title the
#: circular's form prints above the signature (Mẫu 04, Circular 01/2018/TT-VPCP)
_LEADER_TITLE = _("HEAD OF THE AGENCY OR UNIT")

#: slips the applicant may download from "Hồ sơ của tôi" (Form 05 is the
#: office's own control sheet)
FOR_APPLICANT = frozenset({"01", "02", "03", "04"})
#: what each slip is called on pages
SLIP_TITLES = {
    "01": _("Receipt of the dossier and appointment for the result (Form 01)"),
    "02": _("Request to add or correct papers (Form 02)"),
    "03": _("Refusal to accept the dossier (Form 03)"),
    "04": _("Apology and new date for the result (Form 04)"),
    "05": _("Control sheet of the processing (Form 05)"),
}
FILENAMES = {
    "01": "giay-tiep-nhan-{code}.pdf",
    "02": "phieu-yeu-cau-bo-sung-{code}.pdf",
    "03": "phieu-tu-choi-{code}.pdf",
    "04": "phieu-xin-loi-hen-lai-{code}.pdf",
    "05": "phieu-kiem-soat-{code}.pdf",
}


def store(request, dossier, event, form, pdf, now):
    """Keep ``pdf`` (bytes) as form ``form`` ("01"…"05") of ``dossier``,
    issued with ``event`` (which then names it). Returns the DossierFile."""
    record = {"id": uuid.uuid4().hex, "name": FILENAMES[form].format(code=dossier.code), "type": ".pdf",
              "size": len(pdf), "sha256": hashlib.sha256(pdf).hexdigest()}
    files = file_store(request)
    key = files.key_for(dossier.id, record["id"], ".pdf")
    row = file_row("slip", None, record, key, now)
    row.slip = form
    dossier.files.append(row)
    request.dbsession.flush()
    if event is not None:
        event.slip_file_id = row.id
    files.write_after_commit(request.tm.get(), key, pdf)
    return row


class Context:
    """What every slip of one request needs: the catalogue's agency names,
    the place of the date line, Vietnamese words, links from the settings."""

    def __init__(self, request):
        self.request = request
        self.catalog = request.find_service(ICatalogService)
        self.place = place_name(request.registry.settings)
        self.translate = official_translate(request.registry)

    def agency(self, code):
        agency = self.catalog.agency(code) if code else None
        return agency

    def phone(self, code):
        """The agency's phone number as the catalogue gives it ("" for none)."""
        agency = self.agency(code)
        return (getattr(agency, "phone", None) or "") if agency is not None else ""

    def agency_name(self, code):
        agency = self.agency(code)
        return agency.name if agency is not None else (code or "")

    def issuer(self, code):
        agency = self.agency(code)
        parent = agency.parent.name if agency is not None and getattr(agency, "parent", None) else ""
        return Issuer(agency=self.agency_name(code), parent_agency=parent, place=self.place)

    def desk(self, code):
        return forms.desk_name(self.agency_name(code), self.translate)

    def lookup_url(self, dossier):
        # the public lookup with the code filled in; the request's URLs come from congdichvu.public_url
        return self.request.route_url("dossier_lookup", _query={"ma": dossier.code})


def applicant(dossier):
    """The dossier's applicant as the forms print it."""
    return Applicant(
        name=dossier.applicant_name or "", kind=dossier.applicant_kind or "person",
        tax_code=dossier.applicant_tax_code or "", representative=dossier.applicant_representative or "",
        submitter=dossier.submitter_name or "", address=dossier.applicant_address or "",
        phone=dossier.applicant_phone or "", email=dossier.applicant_email or "")


def papers(dossier):
    """The papers handed in, with their counts: as the officer ticked them
    at the counter (``data["papers_received"]``; a paper only shown for
    comparison, ``presented_only``, without counts), else those uploaded
    online (counts as the procedure asks for them); () when none."""
    data = dossier.data or {}
    asked = {paper.get("name"): paper for paper in (dossier.procedure_snapshot or {}).get("papers", [])}
    if data.get("papers_received"):
        return tuple(Paper(item.get("paper", ""), None, None, presented_only=True) if item.get("presented_only")
                     else Paper(item.get("paper", ""), item.get("originals"), item.get("copies"))
                     for item in data["papers_received"] if item.get("received", True))
    found = []
    for item in data.get("papers", []):
        if item.get("files"):
            spec = asked.get(item.get("paper"), {})
            found.append(Paper(item.get("paper", ""), spec.get("originals"), spec.get("copies")))
    return tuple(found)


def processing_days(dossier):
    from .actions import processing_time

    value, unit = processing_time(dossier)
    return value if unit == "working_day" else None


def receipt(context, dossier, officer="", secret=""):
    """Form 01 of ``dossier``: received (with the ledger line) or, before
    an officer received it, the acknowledgement of its submission."""
    from ..i18n.formatting import to_local

    received = dossier.received_at if dossier.received else None
    slip = ReceiptSlip(
        issuer=context.issuer(dossier.agency_code), issued_at=received or dossier.submitted_at,
        code=dossier.code, desk=context.desk(dossier.agency_code), applicant=applicant(dossier),
        procedure=(dossier.procedure_snapshot or {}).get("name", ""), papers=papers(dossier),
        dossier_count=dossier.dossier_count or 1, processing_days=processing_days(dossier),
        received_at=received, submitted_at=dossier.submitted_at, appointment_at=dossier.appointment_at,
        result_channel=dossier.result_channel or "counter", postal_fee=dossier.postal_fee,
        ledger_book=str(to_local(received).year) if received and dossier.ledger_number else None,
        ledger_number=dossier.ledger_number if received else None,
        lookup_url=context.lookup_url(dossier), secret=secret, officer=officer)
    return forms.receipt_pdf(slip, context.translate)


def supplement_request(context, dossier, event, officer_phone=None):
    """Form 02 for the supplement asked in ``event``: the papers
    (``details["missing"]``) in the table, the other guidance
    (``details["note"]``; event.note repeats the items for the applicant's
    page) in a paragraph of its own; whom to call: the officer, at
    ``officer_phone`` (by default the handling agency's phone in the
    catalogue). Papers may be asked for before the dossier is received:
    the slip then says it was submitted, not received."""
    details = event.details or {}
    corrections = tuple(Correction(item.get("paper", ""), item.get("reason", ""))
                        for item in details.get("missing", []))
    code = dossier.handling_agency_code
    received = dossier.received and dossier.received_at is not None
    slip = SupplementSlip(
        issuer=context.issuer(code), issued_at=event.at, code=dossier.code,
        desk=context.desk(code), applicant=applicant(dossier),
        procedure=(dossier.procedure_snapshot or {}).get("name", ""),
        received_at=dossier.received_at if received else dossier.submitted_at, received=received,
        corrections=corrections, guidance=(details.get("note") or "").strip(),
        officer=_name(context, event), officer_phone=context.phone(code) if officer_phone is None else officer_phone)
    return forms.supplement_request_pdf(slip, context.translate)


def refusal(context, dossier, event):
    """Form 03 for the refusal in ``event``."""
    slip = RefusalSlip(
        issuer=context.issuer(dossier.handling_agency_code), issued_at=event.at, code=dossier.code,
        desk=context.desk(dossier.handling_agency_code), applicant=applicant(dossier),
        procedure=(dossier.procedure_snapshot or {}).get("name", ""), reason=event.note or "",
        received_at=dossier.received_at if dossier.received else None, officer=_name(context, event))
    return forms.refusal_pdf(slip, context.translate)


def apology(context, dossier, event):
    """Form 04 for the apology in ``event`` (signed by its actor, a leader)."""
    details = event.details or {}
    new = datetime.fromisoformat(details["new_appointment"]) if details.get("new_appointment") \
        else dossier.appointment_at
    old_appointment = datetime.fromisoformat(details["previous_appointment"]) \
        if details.get("previous_appointment") else None
    slip = ApologySlip(
        issuer=context.issuer(dossier.handling_agency_code), issued_at=event.at, code=dossier.code,
        applicant=applicant(dossier), procedure=(dossier.procedure_snapshot or {}).get("name", ""),
        received_at=dossier.received_at or dossier.submitted_at, due_at=old_appointment or dossier.due_at,
        new_due_at=new, reason=event.note or details.get("reason", ""),
        signer=Signer(name=_name(context, event), title=details.get("signer_title") or
                      context.translate(_LEADER_TITLE)))
    return forms.apology_pdf(slip, context.translate)


def _name(context, event):
    """The full name of the staff member who recorded ``event``."""
    from ..accounts.models import User

    user = context.request.dbsession.get(User, event.actor_id) if event.actor_id else None
    return user.full_name if user is not None else event.actor


def _unit(context, code, department):
    """"Agency, department" as Form 05 names who holds the dossier."""
    return ", ".join(part for part in (context.agency_name(code) if code else "", department or "") if part)


def hand_overs(context, dossier, now):
    """The rows of Form 05 (a tuple of ``HandOver``), from
    actions.process_lines: at reception the applicant (or who handed it in
    for them, người nộp thay) gives the dossier to the agency's one-stop
    desk and the officer who received it; after that each row goes from
    the unit holding it (agency and department) to the next, given by the
    staff member who recorded the step; the last row, once the result was
    returned, from the desk to the applicant (or whoever took it for them)."""
    from .actions import process_lines, step_status

    citizen = dossier.submitter_name or dossier.applicant_name or ""
    rows, previous = [], None
    for line in process_lines(dossier, now):
        if line.action == "receive":
            giver, giver_person = "", citizen
            taker, taker_person = context.desk(line.to_agency), _name(context, line.event)
        else:
            at_desk = previous is not None and previous.action == "receive" and not line.from_department
            giver = context.desk(line.from_agency) if at_desk else _unit(context, line.from_agency,
                                                                          line.from_department)
            giver_person = _name(context, line.event)
            taker, taker_person = _unit(context, line.to_agency, line.to_department), ""
        rows.append(HandOver(from_unit=giver, from_person=giver_person, to_unit=taker, to_person=taker_person,
                             at=line.handed_at, outcome=line.status or "", note=line.event.note or ""))
        previous = line
    returned = next((event for event in reversed(dossier.events) if event.action == "return_result"), None)
    if returned is not None:
        details = returned.details or {}
        at = _instant(details.get("at")) or returned.at
        rows.append(HandOver(
            from_unit=context.desk(returned.agency_code or dossier.handling_agency_code),
            from_person=_name(context, returned), to_unit="", to_person=details.get("receiver") or citizen, at=at,
            outcome=step_status(at, dossier.due_at) or "", note=_return_note(context, returned)))
    return tuple(rows)


def _instant(text):
    """An aware instant written by actions.return_result, else None."""
    try:
        value = datetime.fromisoformat(text) if text else None
    except (TypeError, ValueError):
        return None
    return value if value is not None and value.tzinfo is not None else None


def _return_note(context, returned):
    tracking = (returned.details or {}).get("tracking")
    if tracking:
        return context.translate(_("Postal tracking number")) + f": {tracking}"
    return returned.note or ""


def process_control(context, dossier, now):
    """Form 05 of ``dossier`` as it stands at ``now``: a row per hand-over
    (``hand_overs``), each marked early, on time or late."""
    cooperating = tuple(context.agency_name(row.agency_code) for row in dossier.agencies
                        if row.agency_code != dossier.handling_agency_code)
    slip = ProcessControlSlip(
        issuer=context.issuer(dossier.agency_code), issued_at=now, code=dossier.code, applicant=applicant(dossier),
        procedure=(dossier.procedure_snapshot or {}).get("name", ""),
        received_at=dossier.received_at or dossier.submitted_at,
        appointment_at=dossier.appointment_at or dossier.submitted_at, hand_overs=hand_overs(context, dossier, now),
        handling_agency=context.agency_name(dossier.handling_agency_code), cooperating_agencies=cooperating)
    return forms.process_control_pdf(slip, context.translate)


def issue_for(request, dossier, event, secret=""):
    """The slip that goes with ``event``, drawn and stored (None when its
    action has none): Form 01 at reception, 02 for a supplement request,
    03 for a refusal, 04 for an apology, 05 (the whole control sheet) when
    the office is done with it: the result returned, or processing stopped
    (staff print the sheet as it stands at any time before)."""
    context = Context(request)
    action = event.action
    if action == "receive":
        form, pdf = "01", receipt(context, dossier, officer=_name(context, event), secret=secret)
    elif action == "request_supplement":
        form, pdf = "02", supplement_request(context, dossier, event)
    elif action == "refuse":
        form, pdf = "03", refusal(context, dossier, event)
    elif action == "apology":
        form, pdf = "04", apology(context, dossier, event)
    elif action in ("return_result", "stop"):
        form, pdf = "05", process_control(context, dossier, event.at)
    else:
        return None
    return store(request, dossier, event, form, pdf, event.at)
