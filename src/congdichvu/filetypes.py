"""What a file really is, read from its first bytes, never from its name.

Blank forms (catalogue) and the papers of a dossier (e-services) both ask
here; each keeps its own list of the types it accepts.

The files come from strangers, so reading one is bounded: a PDF, image or
Word/Excel 97 file is known from its first 8 bytes; a zip container
(Office Open XML, OpenDocument) is only opened when its end record
promises a small central directory, at most a few bytes of one entry are
ever inflated, and any way the container fails to read (corrupt,
encrypted, an unknown compression method, a zip64 archive, a zip bomb)
means "not a type we know", which every caller refuses.
"""
import struct
import zipfile
import zlib

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
HEAD_BYTES = 8
#: the whole content of an OpenDocument text's "mimetype" entry (ODF 1.2, part 3, 3.3)
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"

#: bounds of a container worth opening: a real form or scan holds tens to a
#: few hundred entries, while ZipFile holds every entry of the central
#: directory in memory (about ten times its size on disk) before we can look
MAX_ZIP_ENTRIES = 2000
MAX_CENTRAL_DIRECTORY_BYTES = 512 * 1024
#: methods whose reading ZipFile bounds by the bytes asked for (it inflates a
#: bzip2 or lzma chunk whole, and a few KB of bzip2 can make gigabytes)
READABLE_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
ENCRYPTED_FLAG = 0x1
#: whatever zipfile raises on a container it cannot read
UNREADABLE = (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, NotImplementedError, zlib.error,
              EOFError, OSError, ValueError, KeyError, struct.error)

#: the end of central directory record (APPNOTE.TXT 4.3.16), and where
#: ZipFile looks for it: the last 22 bytes, or after a comment of up to 64 KB
END_RECORD = struct.Struct("<4s4H2LH")
END_SIGNATURE = b"PK\x05\x06"
ZIP64_LOCATOR = struct.Struct("<4sLQL")
ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
MAX_COMMENT = 0xFFFF

#: extension -> content type, for every type this module recognises
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".jpg": "image/jpeg",
    ".png": "image/png",
}


def _end_record(handle):
    """The zip's end record (fields as END_RECORD unpacks them) found as
    ZipFile finds it, or None; None too when a zip64 locator precedes it
    (no form or paper needs zip64, and its record would override these
    bounds)."""
    size = handle.seek(0, 2)
    tail_size = min(size, END_RECORD.size + MAX_COMMENT + 1)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = len(tail) - END_RECORD.size
    if not (tail[at:at + 4] == END_SIGNATURE and tail.endswith(b"\x00\x00")):
        at = tail.rfind(END_SIGNATURE)
    if at < 0 or len(tail) - at < END_RECORD.size:
        return None
    locator_at = at - ZIP64_LOCATOR.size
    if locator_at >= 0 and tail[locator_at:locator_at + 4] == ZIP64_LOCATOR_SIGNATURE:
        return None
    if locator_at < 0 and size - tail_size + locator_at >= 0:
        handle.seek(size - tail_size + locator_at)
        if handle.read(4) == ZIP64_LOCATOR_SIGNATURE:
            return None
    return END_RECORD.unpack_from(tail, at)


def _small_container(handle):
    """Whether the zip in ``handle`` declares at most MAX_ZIP_ENTRIES
    entries in a central directory of at most MAX_CENTRAL_DIRECTORY_BYTES."""
    record = _end_record(handle)
    if record is None:
        return False
    _signature, _disk, _directory_disk, disk_entries, entries, directory_bytes, _offset, _comment = record
    return max(disk_entries, entries) <= MAX_ZIP_ENTRIES and directory_bytes <= MAX_CENTRAL_DIRECTORY_BYTES


def _entry_is(archive, entry, expected):
    """Whether ``entry`` holds exactly ``expected``, inflating at most one
    byte more than it (ZipFile then reads a few KB of the archive)."""
    if entry.compress_type not in READABLE_METHODS or entry.flag_bits & ENCRYPTED_FLAG:
        return False
    with archive.open(entry) as content:
        return content.read(len(expected) + 1) == expected


def _zip_kind(handle):
    if not _small_container(handle):
        return None
    try:
        with zipfile.ZipFile(handle) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                return None
            by_name = {entry.filename: entry for entry in entries}
            if "mimetype" in by_name and _entry_is(archive, by_name["mimetype"], ODT_MIMETYPE):
                return ".odt"
            if "[Content_Types].xml" in by_name:
                if any(name.startswith("word/") for name in by_name):
                    return ".docx"
                if any(name.startswith("xl/") for name in by_name):
                    return ".xlsx"
    except UNREADABLE:
        return None
    return None


def detect_type(path, name_hint=None):
    """The extension the content of ``path`` really has (".pdf", ".docx",
    ".jpg" …), or None for anything else, unreadable ones included.
    ``name_hint`` (the uploaded name) only decides between Word and Excel
    97, which share one container.

    Reads the first 8 bytes; for a zip, also its last 64 KB at most, its
    central directory (at most 512 KB) and a few KB of one entry, so time
    and memory do not follow what the archive claims to hold."""
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
        if head.startswith(b"PK\x03\x04"):
            return _zip_kind(handle)
    if head.startswith(b"%PDF-"):
        return ".pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if head == PNG_MAGIC:
        return ".png"
    if head == OLE2_MAGIC:
        hint = str(name_hint if name_hint is not None else path).lower()
        return ".xls" if hint.endswith(".xls") else ".doc"
    return None
