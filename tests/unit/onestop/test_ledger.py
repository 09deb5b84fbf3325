"""Form 06's cells: timeliness and spreadsheet-safe text."""
from datetime import datetime, timezone

import pytest

from congdichvu.onestop import ledger

UTC = timezone.utc
DUE = datetime(2026, 11, 30, 10, tzinfo=UTC)  # 17:00 in the city


@pytest.mark.parametrize("finished, expected", [
    (datetime(2026, 11, 27, 9, tzinfo=UTC), ledger.EARLY),
    (datetime(2026, 11, 30, 2, tzinfo=UTC), ledger.ON_TIME),
    (DUE, ledger.ON_TIME),
    (datetime(2026, 11, 30, 10, 1, tzinfo=UTC), ledger.LATE),
    (None, None),
])
def test_timeliness(finished, expected):
    assert ledger.timeliness(finished, DUE) == expected


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+84912", "'+84912"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("Nguyễn Văn An", "Nguyễn Văn An"), (None, ""), (3, "3"),
])
def test_safe_cell(value, expected):
    assert ledger.safe_cell(value) == expected


def test_csv_has_a_byte_order_mark_and_headings():
    rows = [{key: None for key, _heading in ledger.COLUMNS} | {"number": 1, "code": "X-261130-0001",
                                                                "applicant": "=cmd", "note": ledger.LATE}]
    body = ledger.ledger_csv(rows, {"agency_name": "UBND", "date_from": "01/11/2026", "date_to": "30/11/2026"},
                             lambda message: message.interpolate() if hasattr(message, "interpolate") else message)
    assert body.startswith(b"\xef\xbb\xbf")
    text = body[3:].decode()
    assert "'=cmd" in text and "Late" in text and text.splitlines()[1].startswith("No.,")
