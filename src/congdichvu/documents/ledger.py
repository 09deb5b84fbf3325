"""Form 06, "Sổ theo dõi hồ sơ" (Mẫu 06, Circular 01/2018/TT-VPCP): the
ledger of the dossiers an agency received over a date range, as an Excel
workbook (openpyxl) and as CSV.

The columns are the circular's; instants are written "31/03/2018 14:05" in
Asia/Ho_Chi_Minh. Like the slips, the ledger is in Vietnamese whatever the
page's language: the caller hands in a Vietnamese ``translate``.

A ledger holds what citizens typed (names, addresses), so no cell may be
read as a formula by a spreadsheet: ``spreadsheets`` writes both files.
"""
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..i18n import _
from ..i18n.formatting import format_date, format_datetime
from .forms import outcome_word
from .spreadsheets import csv_bytes, lay_out, put, put_headings, workbook_bytes

#: (heading, column width in characters), in the circular's order
COLUMNS = (
    (_("No."), 5),
    (_("Dossier code"), 22),
    (_("Administrative procedure"), 40),
    (_("Number of dossiers (sets)"), 10),
    (_("Individual / organisation"), 24),
    (_("Address, phone number"), 30),
    (_("Lead agency handling the dossier"), 24),
    (_("Dossier received (date and time)"), 17),
    (_("Appointment for the result"), 17),
    (_("Dossier sent to the handling agency"), 17),
    (_("Result received from the handling agency"), 17),
    (_("Result returned to the individual / organisation (date and time)"), 20),
    (_("Notes"), 20),
)
#: the workbook's row of column headings (the heading of the ledger above it)
HEADING_ROW = 6


def _row(number, row, translate):
    """The cells of one ``slips.LedgerRow``: STT and the count as numbers,
    the rest as text."""
    contact = "; ".join(part for part in (row.address, row.phone) if part)
    note = ". ".join(part for part in (outcome_word(row.outcome, translate), row.note) if part)
    return [number, row.code, row.procedure, row.dossier_count, row.applicant, contact, row.handling_agency,
            format_datetime(row.received_at), format_datetime(row.due_at), format_datetime(row.sent_at),
            format_datetime(row.back_at), format_datetime(row.returned_at), note]


def _headings(translate):
    return [translate(heading) for heading, _width in COLUMNS]


def _period(meta, translate):
    return translate(_("From ${start} to ${end}", mapping={"start": format_date(meta.start),
                                                           "end": format_date(meta.end)}))


def ledger_csv(rows, meta, translate):
    """The ledger as CSV bytes: UTF-8 with a byte-order mark (so Excel reads
    Vietnamese), comma-separated, quoted where needed, CRLF line ends; one
    heading row then a row per ``slips.LedgerRow`` of ``rows``. ``meta``
    (``slips.LedgerMeta``) is not written: the file holds the table alone,
    so that any tool reads it; its name should carry the agency and dates."""
    del meta  # taken for symmetry with ledger_xlsx
    return csv_bytes(_headings(translate), (_row(number, row, translate) for number, row in enumerate(rows, 1)))


def _heading(sheet, meta, translate):
    last = get_column_letter(len(COLUMNS))
    if meta.parent_agency:
        put(sheet, 1, 1, meta.parent_agency.upper())
    put(sheet, 2, 1, meta.agency.upper()).font = Font(bold=True)
    for row, text, font in ((3, translate(_("DOSSIER LEDGER")), Font(bold=True, size=14)),
                            (4, _period(meta, translate), Font(italic=True))):
        sheet.merge_cells(f"A{row}:{last}{row}")
        cell = put(sheet, row, 1, text)
        cell.font, cell.alignment = font, Alignment(horizontal="center")
    put_headings(sheet, HEADING_ROW, [(translate(heading), width) for heading, width in COLUMNS])


def ledger_xlsx(rows, meta, translate):
    """The ledger as the bytes of an .xlsx workbook: the agency and the
    title "SỔ THEO DÕI HỒ SƠ" with the period of ``meta``
    (``slips.LedgerMeta``), the column headings on row ``HEADING_ROW``, then
    a row per ``slips.LedgerRow`` of ``rows``; frozen under the headings,
    printed landscape on A4, one page wide, headings on every page."""
    book = Workbook()
    sheet = book.active
    sheet.title = translate(_("Dossier ledger"))[:31]
    _heading(sheet, meta, translate)
    wrap = Alignment(vertical="top", wrap_text=True)
    for number, row in enumerate(rows, 1):
        for column, value in enumerate(_row(number, row, translate), 1):
            put(sheet, HEADING_ROW + number, column, value).alignment = wrap
    lay_out(sheet, HEADING_ROW)
    return workbook_bytes(book, translate(_("DOSSIER LEDGER")), meta.generated_at)
