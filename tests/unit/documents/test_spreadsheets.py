"""Tables as CSV and XLSX files (documents.spreadsheets), read back as a
spreadsheet would read them."""
import csv
import io
from datetime import datetime, timezone

import openpyxl

from congdichvu.documents.spreadsheets import csv_bytes, is_formula_like, table_xlsx

COLUMNS = [("STT", 5), ("Mã", 12), ("Số tiền (đồng)", 14)]
ROWS = [[1, "=HYPERLINK(\"http://evil\")", 1_500_000], [2, "Ngân hàng\x07 NCB", None]]


def test_formula_like_texts():
    assert all(is_formula_like(text) for text in ("=1", "+84", "-2", "@SUM(A1)", "\tx", "\rx"))
    assert not any(is_formula_like(value) for value in ("Hà Nội", "", 5, None))


def test_a_csv_is_excel_s_utf_8_with_formulas_neutralised():
    data = csv_bytes([heading for heading, _width in COLUMNS], ROWS)
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert lines == [["STT", "Mã", "Số tiền (đồng)"], ["1", "'=HYPERLINK(\"http://evil\")", "1500000"],
                     ["2", "Ngân hàng\x07 NCB", ""]]


def test_a_workbook_keeps_numbers_as_numbers_and_texts_as_texts():
    data = table_xlsx("ĐỐI SOÁT", ["Ngày 15/11/2026", "UBND phường Gia Sàng"], COLUMNS, ROWS,
                      datetime(2026, 11, 15, 2, 0, tzinfo=timezone.utc))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.title == "ĐỐI SOÁT" and sheet["A1"].value == "ĐỐI SOÁT" and sheet["A3"].value == "UBND phường Gia Sàng"
    assert [cell.value for cell in sheet[5]] == ["STT", "Mã", "Số tiền (đồng)"] and sheet.freeze_panes == "A6"
    first, second = ([cell for cell in row] for row in sheet.iter_rows(min_row=6))
    assert first[0].value == 1 and first[2].value == 1_500_000 and isinstance(first[2].value, int)
    assert first[1].value == "=HYPERLINK(\"http://evil\")" and first[1].data_type == "s" and first[1].quotePrefix
    assert second[1].value == "Ngân hàng NCB" and second[2].value is None  # no control character, None left empty
