import zipfile

from congdichvu.catalog.forms import check, detect_type


def _docx(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return path


def test_types_are_detected_from_content(tmp_path):
    assert detect_type(_docx(tmp_path / "a.docx")) == ".docx"
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    assert detect_type(pdf) == ".pdf"
    odt = tmp_path / "a.odt"
    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    assert detect_type(odt) == ".odt"
    doc = tmp_path / "a.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32)
    assert detect_type(doc) == ".doc"


def test_a_docx_renamed_to_pdf_is_refused(tmp_path):
    disguised = _docx(tmp_path / "x.docx").rename(tmp_path / "x.pdf")
    assert check(disguised).mapping["real"] == ".docx"


def test_an_executable_named_pdf_is_refused(tmp_path):
    exe = tmp_path / "x.pdf"
    exe.write_bytes(b"MZ" + b"\x00" * 64)
    assert check(exe) is not None
    assert detect_type(exe) is None


def test_a_plain_zip_named_docx_is_refused(tmp_path):
    path = tmp_path / "x.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("payload.exe", "MZ")
    assert check(path) is not None
