"""Form 06, the dossier ledger (Sổ theo dõi hồ sơ, Circular 01/2018/TT-VPCP,
Mẫu số 06): one line per dossier an agency's desk received, or that was
transferred through the agency, over a period.

``ledger_rows`` builds the lines (plain dicts, the keys of ``COLUMNS``);
``ledger_csv`` writes them. The XLSX and CSV writers of
``congdichvu.documents`` (``ledger_xlsx(rows, meta, translate)``,
``ledger_csv(...)``) take the same rows; ``render`` uses them when they
are there and this module's CSV otherwise.
"""
import csv
import io
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select

from ..eservices.models import Dossier, DossierAgency, DossierEvent
from ..i18n import _
from ..i18n.formatting import TIMEZONE, format_datetime, to_local

#: the longest period of one ledger, in days (a year, leap day included)
MAX_DAYS = 366
#: states of dossiers that were never received: not in the ledger
NOT_RECEIVED = (1, 3)
#: (key, column heading) in Form 06's order
COLUMNS = (
    ("number", _("No.")),
    ("code", _("Dossier code")),
    ("procedure", _("Procedure")),
    ("dossier_count", _("Number of dossiers")),
    ("applicant", _("Applicant")),
    ("address", _("Address")),
    ("phone", _("Phone")),
    ("handling_agency", _("Handling agency")),
    ("received_at", _("Received at")),
    ("appointment_at", _("Appointment for the result")),
    ("transferred_to", _("Transferred to")),
    ("result_at", _("Result received from the handling agency")),
    ("returned_at", _("Result returned")),
    ("note", _("Note")),
)
EARLY, ON_TIME, LATE = _("Early"), _("On time"), _("Late")


def timeliness(finished_at, due_at):
    """"Trước hạn" when the dossier was finished on a day before the one
    it was due, "Đúng hạn" on that day by the deadline, "Quá hạn" after the
    deadline (an apology's new appointment does not change it: Circular
    01/2018, art. 11); None while unfinished or without a deadline."""
    if finished_at is None or due_at is None:
        return None
    if finished_at > due_at:
        return LATE
    return EARLY if to_local(finished_at).date() < to_local(due_at).date() else ON_TIME


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
    conditions = (visible, Dossier.id.in_(passed), Dossier.state.not_in(NOT_RECEIVED),
                  Dossier.received_at >= start, Dossier.received_at < end)
    found = dbsession.execute(
        select(Dossier.id, Dossier.code, Dossier.procedure_code, Dossier.procedure_snapshot, Dossier.dossier_count,
               Dossier.applicant_name, Dossier.applicant_address, Dossier.applicant_phone,
               Dossier.handling_agency_code, Dossier.received_at, Dossier.appointment_at, Dossier.due_at,
               Dossier.finished_at, Dossier.returned_at)
        .where(*conditions).order_by(Dossier.received_at, Dossier.id)).all()
    transfers = {}
    for dossier_id, to_agency in dbsession.execute(
            select(DossierEvent.dossier_id, DossierEvent.to_agency_code)
            .where(DossierEvent.action == "transfer", DossierEvent.agency_code == agency_code,
                   DossierEvent.dossier_id.in_(select(Dossier.id).where(*conditions)))
            .order_by(DossierEvent.id)):
        transfers[dossier_id] = to_agency  # the latest wins
    rows = []
    for number, row in enumerate(found, start=1):
        handling = row.handling_agency_code
        rows.append({
            "number": number,
            "code": row.code,
            "procedure": (row.procedure_snapshot or {}).get("name") or row.procedure_code,
            "dossier_count": row.dossier_count,
            "applicant": row.applicant_name,
            "address": row.applicant_address or "",
            "phone": row.applicant_phone or "",
            "handling_agency": agency_names.get(handling, handling),
            "received_at": row.received_at,
            "appointment_at": row.appointment_at,
            "transferred_to": agency_names.get(transfers.get(row.id), transfers.get(row.id)) or "",
            "result_at": row.finished_at,
            "returned_at": row.returned_at,
            "note": timeliness(row.finished_at, row.due_at),
        })
    return rows


#: what a spreadsheet takes for the start of a formula
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` as a spreadsheet cell's text: a formula start (= + - @,
    tab, carriage return) prefixed with an apostrophe, so that a name or
    address typed by anyone is never run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _cell(value, translate):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, str) and hasattr(value, "domain"):  # a TranslationString
        return translate(value)
    return value


def ledger_csv(rows, meta, translate):
    """The ledger as CSV bytes: UTF-8 with a byte-order mark (so that
    spreadsheets open Vietnamese right), a title line naming the agency and
    the period (``meta``: agency_name, date_from, date_to as text), the
    headings, one line per row; every cell made safe (``safe_cell``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(translate(_("Dossier ledger (Form 06): ${agency}, ${start} – ${end}", mapping={
        "agency": meta["agency_name"], "start": meta["date_from"], "end": meta["date_to"]})))])
    writer.writerow([safe_cell(translate(heading)) for _key, heading in COLUMNS])
    for row in rows:
        writer.writerow([safe_cell(_cell(row[key], translate)) for key, _heading in COLUMNS])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def writers():
    """{format: writer(rows, meta, translate) → bytes}: the documents
    subsystem's when it is installed, else this module's CSV alone."""
    try:
        from ..documents import ledger_csv as documents_csv, ledger_xlsx
    except ImportError:
        return {"csv": ledger_csv}
    return {"xlsx": ledger_xlsx, "csv": documents_csv}


CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
