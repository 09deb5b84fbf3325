"""Small builders of catalogue documents and rows for tests."""
import copy
import json

from tests.conftest import DEMO_CATALOG


def demo_document():
    return json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))


def procedure_entry(code="1.999001", sector="HT", level="commune", **changes):
    """A minimal valid procedure of the exchange format."""
    entry = {
        "code": code,
        "name": "Thủ tục thử nghiệm",
        "sector": sector,
        "level": level,
        "channels": [
            {
                "channel": "in_person",
                "time": {"value": 5, "unit": "working_day"},
                "fees": [{"name": "Lệ phí", "kind": "fee", "amount": 1500000}],
            }
        ],
        "papers": [{"name": "Tờ khai", "originals": 1, "copies": 0, "required": True}],
        "result": "Giấy xác nhận",
        "legal_bases": [{"number": "01/2024/NĐ-CP", "title": "Nghị định thử nghiệm", "issued": "2024-01-02"}],
    }
    entry.update(changes)
    return entry


def document(procedures=(), agencies=(), sectors=()):
    return {
        "format": "congdichvu-catalog",
        "version": 1,
        "agencies": list(agencies),
        "sectors": list(sectors),
        "procedures": [copy.deepcopy(p) for p in procedures],
    }


ROLES = ("citizen", "officer", "editor", "reviewer", "admin")


def sign_in(testapp, role):
    """Sign ``testapp`` in as the ``people`` fixture's person of ``role``."""
    testapp.reset()
    form = testapp.get("/dang-nhap").forms["deform"]
    form["login"], form["password"] = f"{role}.test", f"{role}-mật-khẩu-dài"
    assert form.submit("submit").status_int == 302
