"""Form 06, "Sổ theo dõi hồ sơ" (Mẫu 06, Circular 01/2018/TT-VPCP): the
ledger of the dossiers an agency received over a date range, as an Excel
workbook (openpyxl) and as CSV.

The columns are the circular's; instants are written "31/03/2018 14:05" in
Asia/Ho_Chi_Minh. Like the slips, the ledger is in Vietnamese whatever the
page's language: the caller hands in a Vietnamese ``translate``.

A ledger holds what citizens typed (names, addresses), so no cell may be
read as a formula by a spreadsheet (CSV/formula injection, OWASP): in the
workbook every text cell is stored as text, with Excel's quote prefix so
that editing it keeps it text; in the CSV a text starting with = + - @ (or a
tab or carriage return) gets a leading apostrophe.
"""
import csv
import io
from datetime import timezone

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..i18n import _
from ..i18n.formatting import format_date, format_datetime
from .forms import outcome_word

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
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_formula_like(value):
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


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
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(_headings(translate))
    for number, row in enumerate(rows, 1):
        writer.writerow(f"'{cell}" if _is_formula_like(cell) else cell for cell in _row(number, row, translate))
    return buffer.getvalue().encode("utf-8-sig")


def _put(sheet, row, column, value):
    """Write ``value``; text is always stored as text, never a formula."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"  # openpyxl would store "=…" as a formula
        if _is_formula_like(value):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def _heading(sheet, meta, translate):
    last = get_column_letter(len(COLUMNS))
    if meta.parent_agency:
        _put(sheet, 1, 1, meta.parent_agency.upper())
    _put(sheet, 2, 1, meta.agency.upper()).font = Font(bold=True)
    for row, text, font in ((3, translate(_("DOSSIER LEDGER")), Font(bold=True, size=14)),
                            (4, _period(meta, translate), Font(italic=True))):
        sheet.merge_cells(f"A{row}:{last}{row}")
        cell = _put(sheet, row, 1, text)
        cell.font, cell.alignment = font, Alignment(horizontal="center")
    for column, (text, (_heading_id, width)) in enumerate(zip(_headings(translate), COLUMNS), 1):
        cell = _put(sheet, HEADING_ROW, column, text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(column)].width = width


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
            _put(sheet, HEADING_ROW + number, column, value).alignment = wrap
    sheet.freeze_panes = f"A{HEADING_ROW + 1}"
    sheet.print_title_rows = f"{HEADING_ROW}:{HEADING_ROW}"
    sheet.page_setup.orientation, sheet.page_setup.paperSize = "landscape", sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    book.properties.title = translate(_("DOSSIER LEDGER"))
    book.properties.created = meta.generated_at.astimezone(timezone.utc).replace(tzinfo=None)  # openpyxl: naive UTC
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
