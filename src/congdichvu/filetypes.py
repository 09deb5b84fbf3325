"""What a file really is, read from its first bytes, never from its name.

Blank forms (catalogue) and the papers of a dossier (e-services) both ask
here; each keeps its own list of the types it accepts.
"""
import zipfile

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

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


def _zip_kind(path):
    if not zipfile.is_zipfile(path):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype") == b"application/vnd.oasis.opendocument.text":
                return ".odt"
            if "[Content_Types].xml" in names:
                if any(name.startswith("word/") for name in names):
                    return ".docx"
                if any(name.startswith("xl/") for name in names):
                    return ".xlsx"
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    return None


def detect_type(path, name_hint=None):
    """The extension the content of ``path`` really has (".pdf", ".docx",
    ".jpg" …), or None. ``name_hint`` (the uploaded name) only decides
    between Word and Excel 97, which share one container."""
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"%PDF-"):
        return ".pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if head == PNG_MAGIC:
        return ".png"
    if head == OLE2_MAGIC:
        hint = str(name_hint if name_hint is not None else path).lower()
        return ".xls" if hint.endswith(".xls") else ".doc"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    return None
