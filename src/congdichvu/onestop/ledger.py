"""Form 06, the dossier ledger (Sổ theo dõi hồ sơ, Circular 01/2018/TT-VPCP,
Mẫu số 06): one line per dossier an agency's desk received, or that was
transferred through the agency, over a period.

``ledger_rows`` builds the lines (``documents.slips.LedgerRow``); the
documents subsystem writes them as XLSX or CSV (``writers``).
"""
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select

from ..documents import ledger as documents_ledger
from ..documents.slips import LedgerMeta, LedgerRow
from ..eservices.models import Dossier, DossierAgency, DossierEvent
from ..i18n.formatting import TIMEZONE
from .actions import EARLY, LATE, ON_TIME, step_status  # noqa: F401 (the marks, for callers)

#: the longest period of one ledger, in days (a year, leap day included)
MAX_DAYS = 366


def timeliness(finished_at, due_at):
    """EARLY ("Trước hạn"), ON_TIME ("Đúng hạn") or LATE ("Quá hạn") of a
    dossier finished at ``finished_at`` against its legal deadline
    ``due_at``, by the rule of every step (actions.step_status; an
    apology's new appointment does not change it: Circular 01/2018, art.
    11); "" while unfinished or without a deadline."""
    if finished_at is None or due_at is None:
        return ""
    return step_status(finished_at, due_at)


def period(date_from, date_to):
    """The instants [start, end) of the local days ``date_from`` to ``date_to``."""
    start = datetime.combine(date_from, time(0), tzinfo=TIMEZONE).astimezone(timezone.utc)
    end = datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=TIMEZONE).astimezone(timezone.utc)
    return start, end


def ledger_rows(dbsession, visible, agency_code, date_from, date_to, agency_names=None):
    """The lines of ``agency_code``'s ledger for the dossiers received from
    ``date_from`` to ``date_to`` (local dates, inclusive) that the agency
    received or that passed through it (DossierAgency), among those
    ``visible`` (a condition: resources.visible_to), by reception time.
    Two statements whatever the number of lines. ``agency_names`` maps
    codes to names for the handling agency."""
    agency_names = agency_names or {}
    start, end = period(date_from, date_to)
    passed = select(DossierAgency.dossier_id).where(DossierAgency.agency_code == agency_code)
    # a dossier is in the ledger once received: reception gives it its line (actions.receive)
    conditions = (visible, Dossier.id.in_(passed), Dossier.ledger_number.is_not(None),
                  Dossier.received_at >= start, Dossier.received_at < end)
    found = dbsession.execute(
        select(Dossier.id, Dossier.code, Dossier.procedure_code, Dossier.procedure_snapshot, Dossier.dossier_count,
               Dossier.applicant_name, Dossier.applicant_address, Dossier.applicant_phone,
               Dossier.handling_agency_code, Dossier.received_at, Dossier.appointment_at, Dossier.due_at,
               Dossier.finished_at, Dossier.returned_at)
        .where(*conditions).order_by(Dossier.received_at, Dossier.id)).all()
    transfers = {}
    for dossier_id, to_agency, at in dbsession.execute(
            select(DossierEvent.dossier_id, DossierEvent.to_agency_code, DossierEvent.at)
            .where(DossierEvent.action == "transfer", DossierEvent.agency_code == agency_code,
                   DossierEvent.dossier_id.in_(select(Dossier.id).where(*conditions)))
            .order_by(DossierEvent.id)):
        transfers[dossier_id] = (to_agency, at)  # the latest wins
    rows = []
    for row in found:
        handling = row.handling_agency_code
        sent_to, sent_at = transfers.get(row.id, (None, None))
        rows.append(LedgerRow(
            code=row.code, procedure=(row.procedure_snapshot or {}).get("name") or row.procedure_code,
            applicant=row.applicant_name or "", received_at=row.received_at, due_at=row.appointment_at,
            dossier_count=row.dossier_count or 1, address=row.applicant_address or "",
            phone=row.applicant_phone or "", handling_agency=agency_names.get(handling, handling),
            sent_at=sent_at, back_at=row.finished_at, returned_at=row.returned_at,
            outcome=timeliness(row.finished_at, row.due_at),
            note=agency_names.get(sent_to, sent_to) if sent_to else ""))
    return rows


def meta(agency, date_from, date_to, now):
    """The ledger's heading for ``agency`` (a catalogue Agency)."""
    parent = agency.parent.name if getattr(agency, "parent", None) is not None else ""
    return LedgerMeta(agency=agency.name, start=date_from, end=date_to, generated_at=now, parent_agency=parent)


def writers():
    """{format: writer(rows, meta, translate) → bytes}, the documents subsystem's."""
    return {"xlsx": documents_ledger.ledger_xlsx, "csv": documents_ledger.ledger_csv}


CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
