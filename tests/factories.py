"""Small builders of catalogue documents and rows for tests."""
import copy
import json
import struct
import zlib

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


ROLES = ("citizen", "officer", "leader", "editor", "reviewer", "admin")
#: the agency of the officer and the leader of ``people`` (a ward of the demo catalogue)
STAFF_AGENCY = "H56.01.P05"


def sign_in(testapp, role):
    """Sign ``testapp`` in as the ``people`` fixture's person of ``role``."""
    testapp.reset()
    form = testapp.get("/dang-nhap").forms["deform"]
    form["login"], form["password"] = f"{role}.test", f"{role}-mật-khẩu-dài"
    assert form.submit("submit").status_int == 302


# -- zip containers, hostile ones included -----------------------------------

_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_CENTRAL_HEADER = struct.Struct("<4s6H3L5H2L")
_END_RECORD = struct.Struct("<4s4H2LH")


def zip_entry(name, payload, method=0, flags=0, crc=None, size=None):
    """One entry of ``zip_bytes``: ``payload`` as stored in the archive
    (already compressed for a method other than 0), with the CRC and
    uncompressed size the headers declare (those of ``payload`` by default)."""
    return {"name": name.encode(), "payload": payload, "method": method, "flags": flags,
            "crc": zlib.crc32(payload) if crc is None else crc, "size": len(payload) if size is None else size}


def zip_bytes(entries):
    """A zip archive written field by field, so tests can build what
    ``zipfile`` refuses to write (encrypted flags, unknown methods, lying
    sizes). ``entries`` come from ``zip_entry``."""
    body, directory = bytearray(), bytearray()
    for entry in entries:
        fields = (20, entry["flags"], entry["method"], 0, 0x21, entry["crc"], len(entry["payload"]), entry["size"],
                  len(entry["name"]))
        directory += _CENTRAL_HEADER.pack(b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0, len(body)) + entry["name"]
        body += _LOCAL_HEADER.pack(b"PK\x03\x04", *fields, 0) + entry["name"] + entry["payload"]
    end = _END_RECORD.pack(b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory), len(body), 0)
    return bytes(body + directory + end)


def deflated_zeros(megabytes):
    """(raw deflate stream, CRC-32, size) of ``megabytes`` MB of zero bytes,
    about 1 KB per MB. Made from one fully flushed megabyte repeated: each
    such segment decodes on its own, so the whole takes milliseconds to
    build instead of deflating hundreds of MB."""
    megabyte = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = compressor.compress(megabyte) + compressor.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # an empty last block
    crc = 0
    for _n in range(megabytes):
        crc = zlib.crc32(megabyte, crc)
    return segment * megabytes + final, crc, megabytes << 20


def odt_bomb(megabytes=400):
    """An .odt whose deflated "mimetype" entry inflates to ``megabytes`` MB
    (the break-test's: 407 KB on disk for 400 MB)."""
    payload, crc, size = deflated_zeros(megabytes)
    return zip_bytes([zip_entry("mimetype", payload, method=8, crc=crc, size=size),
                      zip_entry("content.xml", b"<office:document-content/>")])


def odt_encrypted():
    """An .odt whose "mimetype" entry says it is encrypted (ZipFile: RuntimeError)."""
    return zip_bytes([zip_entry("mimetype", b"application/vnd.oasis.opendocument.text", flags=0x1),
                      zip_entry("content.xml", b"<office:document-content/>")])


def odt_unknown_method():
    """An .odt whose "mimetype" entry uses compression method 97 (ZipFile: NotImplementedError)."""
    return zip_bytes([zip_entry("mimetype", b"application/vnd.oasis.opendocument.text", method=97),
                      zip_entry("content.xml", b"<office:document-content/>")])


HOSTILE_ZIPS = {"bomb.odt": odt_bomb, "enc.odt": odt_encrypted, "method.odt": odt_unknown_method}


# -- dossiers at the desk ------------------------------------------------------

def make_dossier(dbsession, agency_code, number, *, handling=None, state=4, passed=(), procedure_code="1.001193",
                 procedure_name="Đăng ký khai sinh", sector_code="HT", channel="online", submitted_at=None,
                 due_at=None, events=(), **columns):
    """A dossier received by ``agency_code`` (its code ``{agency}-261130-{number:04d}``), handled by
    ``handling`` (the same by default), readable by every agency in ``passed`` besides both (DossierAgency
    rows), in ``state``; ``events`` are (action, agency, to_agency) of DossierEvents after its submission.
    Other columns as keywords (applicant_name, applicant_phone …). Flushed."""
    from datetime import datetime, timedelta, timezone

    from congdichvu.eservices.models import Dossier, DossierAgency, DossierEvent

    submitted_at = submitted_at or datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)
    handling = handling or agency_code
    values = {"applicant_name": "Lê Thị Hoa", "received_at": submitted_at,
              "appointment_at": due_at or submitted_at + timedelta(days=5),
              "due_at": due_at or submitted_at + timedelta(days=5), "updated_at": submitted_at,
              # received dossiers have their ledger line (actions.receive); new and refused ones none
              "ledger_number": None if state in (1, 3) else number}
    values.update(columns)
    dossier = Dossier(code=f"{agency_code}-261130-{number:04d}", procedure_code=procedure_code,
                      procedure_snapshot={"code": procedure_code, "name": procedure_name}, sector_code=sector_code,
                      agency_code=agency_code, handling_agency_code=handling, state=state, channel=channel, data={},
                      submitted_at=submitted_at, **values)
    for code in sorted({agency_code, handling, *passed}):
        dossier.agencies.append(DossierAgency(agency_code=code))
    dossier.events.append(DossierEvent(at=submitted_at, actor="test", action="submit", agency_code=agency_code,
                                       to_state=1))
    for offset, (action, agency, to_agency) in enumerate(events, start=1):
        dossier.events.append(DossierEvent(at=submitted_at + timedelta(minutes=offset), actor="test", action=action,
                                           agency_code=agency, to_agency_code=to_agency, from_state=state,
                                           to_state=state))
    dbsession.add(dossier)
    dbsession.flush()
    return dossier
