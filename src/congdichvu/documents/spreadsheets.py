"""Tables as files people open in a spreadsheet: CSV that Excel reads as
UTF-8, and .xlsx workbooks (openpyxl). The one home of what every such
file needs: Form 06, the dossier ledger (``ledger``), and the desk's
payment reconciliation are written with it.

What staff download holds what citizens typed (names, addresses) or what a
gateway sent, so no cell may be read as a formula by a spreadsheet
(CSV/formula injection, OWASP): in a workbook every text cell is stored
as text, with Excel's quote prefix so that editing it keeps it text; in a
CSV a text starting with = + - @ (or a tab or carriage return) gets a
leading apostrophe. Numbers (counts, amounts in đồng) stay numbers.
"""
import csv
import io
from datetime import timezone

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def is_formula_like(value):
    """Whether a spreadsheet would read the text ``value`` as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_bytes(headings, rows):
    """``headings`` then ``rows`` (iterables of cells: text, int or None)
    as CSV bytes: UTF-8 with a byte-order mark (so Excel reads
    Vietnamese), comma-separated, quoted where needed, CRLF line ends; a
    formula-like text gets a leading apostrophe, None is an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(headings)
    for row in rows:
        writer.writerow(f"'{cell}" if is_formula_like(cell) else ("" if cell is None else cell) for cell in row)
    return buffer.getvalue().encode("utf-8-sig")


def put(sheet, row, column, value):
    """Write ``value`` in the cell at ``row``, ``column`` (from 1) and
    return the cell; text is always stored as text, never a formula, and
    without the control characters a workbook cannot hold."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"  # openpyxl would store "=…" as a formula
        if is_formula_like(value):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def put_headings(sheet, row, columns):
    """The bold, wrapped column headings ``columns`` ((text, width in
    characters), …) on ``row``, each column set to its width."""
    for column, (text, width) in enumerate(columns, 1):
        cell = put(sheet, row, column, text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(column)].width = width


def lay_out(sheet, heading_row):
    """Freeze ``sheet`` under the headings on ``heading_row`` and print it
    landscape on A4, one page wide, the headings on every page."""
    sheet.freeze_panes = f"A{heading_row + 1}"
    sheet.print_title_rows = f"{heading_row}:{heading_row}"
    sheet.page_setup.orientation, sheet.page_setup.paperSize = "landscape", sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def workbook_bytes(book, title, generated_at):
    """The bytes of ``book``, titled ``title``, created at the aware ``generated_at``."""
    book.properties.title = title
    book.properties.created = generated_at.astimezone(timezone.utc).replace(tzinfo=None)  # openpyxl: naive UTC
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def table_xlsx(title, lines, columns, rows, generated_at):
    """A workbook of one sheet: ``title`` in bold on row 1, the text
    ``lines`` under it (a period, an agency …), a blank row, the headings
    of ``columns`` ((text, width), …) on row ``len(lines) + 3``, then
    ``rows`` (``lay_out``). Returns the bytes."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    put(sheet, 1, 1, title).font = Font(bold=True, size=14)
    for number, line in enumerate(lines, 2):
        put(sheet, number, 1, line).font = Font(italic=True)
    heading_row = len(lines) + 3
    put_headings(sheet, heading_row, columns)
    for number, row in enumerate(rows, heading_row + 1):
        for column, value in enumerate(row, 1):
            if value is not None:
                put(sheet, number, column, value)
    lay_out(sheet, heading_row)
    return workbook_bytes(book, title, generated_at)
