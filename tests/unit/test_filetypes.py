import io
import time
import tracemalloc
import zipfile

import pytest

from congdichvu import filetypes
from congdichvu.filetypes import detect_type
from tests.factories import deflated_zeros, odt_bomb, odt_encrypted, odt_unknown_method, zip_bytes, zip_entry

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


@pytest.mark.parametrize("head, name, expected", [
    (b"%PDF-1.4", "a.docx", ".pdf"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a.pdf", ".jpg"),
    (b"\x89PNG\r\n\x1a\n\x00", "a.jpg", ".png"),
    (b"MZ\x90\x00", "a.pdf", None),
    (b"PK\x03\x04not really a zip", "a.docx", None),
    (b"", "a.pdf", None),
])
def test_the_content_decides(tmp_path, head, name, expected):
    path = tmp_path / "upload"
    path.write_bytes(head)
    assert detect_type(path, name) == expected


def _zip(entries):
    """A real archive as zipfile writes it: {name: (content, method)}."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, (content, method) in entries.items():
            archive.writestr(name, content, compress_type=method)
    return buffer.getvalue()


STORED, DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED


@pytest.mark.parametrize("entries, expected", [
    ({"mimetype": (ODT_MIMETYPE, STORED), "content.xml": (b"<x/>", DEFLATED)}, ".odt"),
    ({"mimetype": (ODT_MIMETYPE, DEFLATED), "content.xml": (b"<x/>", DEFLATED)}, ".odt"),
    ({"[Content_Types].xml": (b"<Types/>", DEFLATED), "word/document.xml": (b"<w/>", DEFLATED)}, ".docx"),
    ({"[Content_Types].xml": (b"<Types/>", DEFLATED), "xl/workbook.xml": (b"<x/>", DEFLATED)}, ".xlsx"),
    # the mimetype is compared whole: a longer one is another type
    ({"mimetype": (ODT_MIMETYPE + b"-template", STORED)}, None),
    ({"mimetype": (b"application/vnd.oasis.opendocument.spreadsheet", STORED)}, None),
    # bzip2 and lzma entries are never inflated (ZipFile inflates their first chunk whole)
    ({"mimetype": (ODT_MIMETYPE, zipfile.ZIP_BZIP2)}, None),
    ({"mimetype": (ODT_MIMETYPE, zipfile.ZIP_LZMA)}, None),
])
def test_office_containers_are_told_apart(tmp_path, entries, expected):
    path = tmp_path / "upload"
    path.write_bytes(_zip(entries))
    assert detect_type(path) == expected


class CountingFile(io.FileIO):
    """A file that counts the bytes read from it."""

    def __init__(self, path, mode="rb"):
        super().__init__(path, "r")
        self.bytes_read = 0

    def read(self, size=-1):
        data = super().read(size)
        self.bytes_read += len(data)
        return data


@pytest.fixture
def opened(monkeypatch):
    """The files detect_type opens, counting what it reads."""
    files = []

    def counting_open(path, mode="r"):
        assert mode == "rb"
        files.append(CountingFile(path))
        return files[-1]

    monkeypatch.setattr(filetypes, "open", counting_open, raising=False)
    return files


def _measured(path):
    """(detected type, seconds, peak bytes allocated) of detect_type(path)."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        kind = detect_type(path, "hostile.odt")
        return kind, time.perf_counter() - started, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _many_entries(count):
    return zip_bytes([zip_entry(f"{n}", b"") for n in range(count)])


def _zip64_locator():
    """A small zip with a zip64 end-of-directory locator before its end
    record (ZipFile would then take its sizes from the zip64 record)."""
    archive = zip_bytes([zip_entry("mimetype", ODT_MIMETYPE)])
    end = archive.rindex(b"PK\x05\x06")
    return archive[:end] + b"PK\x06\x07" + bytes(16) + archive[end:]


def _lying_directory_size():
    archive = bytearray(zip_bytes([zip_entry("mimetype", ODT_MIMETYPE)]))
    end = archive.rindex(b"PK\x05\x06")
    archive[end + 12:end + 16] = b"\xff\xff\xff\xff"  # central directory size
    return bytes(archive)


@pytest.mark.parametrize("build", [
    odt_bomb,  # 400 MB behind 415 KB: was read whole (the break-test's 168 → 986 MB RSS)
    odt_encrypted,  # was RuntimeError, a 500
    odt_unknown_method,  # compression method 97: was NotImplementedError, a 500
    lambda: _many_entries(60_000),  # ZipFile would hold 60,000 entries in memory
    _zip64_locator,
    _lying_directory_size,
    lambda: zip_bytes([zip_entry("mimetype", b"\x00garbage, not deflate", method=8, size=39)]),  # zlib.error
    lambda: zip_bytes([zip_entry("mimetype", ODT_MIMETYPE)])[:60],  # cut short: no central directory
], ids=["bomb", "encrypted", "method-97", "60000-entries", "zip64", "directory-size", "bad-deflate",
        "truncated"])
def test_a_hostile_container_is_no_known_type_and_costs_little(tmp_path, opened, build):
    path = tmp_path / "hostile.odt"
    path.write_bytes(build())
    kind, seconds, peak = _measured(path)
    assert kind is None
    assert seconds < 1.0
    assert peak < 1024 * 1024, f"{peak} bytes allocated"
    # the end record (at most 64 KB of tail), a small central directory and a few KB of one entry
    assert sum(f.bytes_read for f in opened) < 150 * 1024


def test_the_bomb_really_inflates_to_400_mb():
    """The test's bomb is what it claims (checked on a smaller one of the
    same make: the stream and the CRC are right)."""
    payload, crc, size = deflated_zeros(3)
    with zipfile.ZipFile(io.BytesIO(zip_bytes([zip_entry("mimetype", payload, method=8, crc=crc, size=size)]))) as z:
        assert len(z.read("mimetype")) == 3 << 20
    bomb = odt_bomb()
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert archive.getinfo("mimetype").file_size == 400 << 20
    assert len(bomb) < 450 * 1024


@pytest.mark.parametrize("head, expected", [
    (b"%PDF-1.7\n", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", ".png"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", ".jpg"),
    (filetypes.OLE2_MAGIC, ".doc"),
])
def test_other_types_are_known_from_their_first_eight_bytes(tmp_path, opened, head, expected):
    path = tmp_path / "upload"
    path.write_bytes(head + b"\x00" * (5 << 20))
    assert detect_type(path, "giay-to.doc") == expected
    assert [f.bytes_read for f in opened] == [8]
