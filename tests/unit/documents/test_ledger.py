"""Form 06, the dossier ledger, read back as a spreadsheet would read it."""
import csv
import io
import zipfile

import openpyxl

from congdichvu.documents.ledger import HEADING_ROW, ledger_csv, ledger_xlsx
from tests.unit.documents.samples import CODE, PROCEDURE, TRANSLATE, ledger_meta, ledger_rows

HEADINGS = ["STT", "Mã hồ sơ", "Tên TTHC", "Số lượng hồ sơ (bộ)", "Tên cá nhân/tổ chức", "Địa chỉ, số điện thoại",
            "Cơ quan chủ trì giải quyết", "Nhận hồ sơ (ngày giờ)", "Hẹn trả kết quả",
            "Chuyển hồ sơ đến cơ quan giải quyết", "Nhận kết quả từ cơ quan giải quyết",
            "Trả kết quả cho cá nhân/tổ chức (ngày giờ)", "Ghi chú"]
FIRST = ["1", CODE, PROCEDURE, "1", "Nguyễn Thị Hằng", "Tổ 5, phường Gia Sàng; 0912 345 678", "UBND phường Gia Sàng",
         "31/03/2018 14:05", "06/04/2018 16:00", "31/03/2018 15:00", "05/04/2018 09:00", "05/04/2018 15:45",
         "Đúng hạn"]


def _workbook():
    data = ledger_xlsx(ledger_rows(), ledger_meta(), TRANSLATE)
    return data, openpyxl.load_workbook(io.BytesIO(data)).active


def test_the_workbook_has_the_circular_s_heading_and_columns():
    _data, sheet = _workbook()
    assert sheet["A1"].value == "UBND THÀNH PHỐ THÁI NGUYÊN" and sheet["A2"].value == "UBND PHƯỜNG GIA SÀNG"
    assert sheet["A3"].value == "SỔ THEO DÕI HỒ SƠ"
    assert sheet["A4"].value == "Từ ngày 01/03/2018 đến ngày 31/03/2018"
    assert [cell.value for cell in sheet[HEADING_ROW]] == HEADINGS
    first = [cell.value for cell in sheet[HEADING_ROW + 1]]
    assert first[0] == 1 and first[3] == 1  # numbers stay numbers
    assert [str(value) for value in first] == FIRST
    assert sheet.freeze_panes == f"A{HEADING_ROW + 1}"


def test_no_workbook_cell_is_a_formula():
    data, sheet = _workbook()
    second = [cell for cell in sheet[HEADING_ROW + 2]]
    assert second[4].value == '=HYPERLINK("http://evil","x")'  # kept as typed, as text
    assert second[5].value == "+84 Tổ 1; -1"
    assert second[12].value == "Quá hạn. @SUM(A1:A2)"
    assert all(cell.data_type == "s" for cell in second if isinstance(cell.value, str))
    assert second[4].quotePrefix  # Excel keeps it text when the cell is edited
    third = [cell.value for cell in sheet[HEADING_ROW + 3]]
    assert third[4] == "@Lê Văn Tâm" and third[5] == "-2+3" and third[12] == "-"  # no control character either
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()


def test_the_csv_reads_back_in_excel_s_encoding_with_formulas_neutralised():
    data = ledger_csv(ledger_rows(), ledger_meta(), TRANSLATE)
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel then reads UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == HEADINGS and rows[1] == FIRST
    assert rows[2][4] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert rows[2][5] == "'+84 Tổ 1; -1" and rows[2][12] == "Quá hạn. @SUM(A1:A2)"
    assert rows[2][7] == "31/03/2018 16:00" and rows[2][8] == ""
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert rows[3][4] == "'@Lê Văn\x07 Tâm" and rows[3][5] == "'-2+3" and rows[3][12] == "'-"
    assert b"\r\n" in data and len(rows) == 4


def test_an_empty_ledger_is_its_headings():
    rows = list(csv.reader(io.StringIO(ledger_csv([], ledger_meta(), TRANSLATE).decode("utf-8-sig"))))
    assert rows == [HEADINGS]
    sheet = openpyxl.load_workbook(io.BytesIO(ledger_xlsx([], ledger_meta(), TRANSLATE))).active
    assert sheet.max_row == HEADING_ROW
