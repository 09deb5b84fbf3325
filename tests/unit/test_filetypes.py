import pytest

from congdichvu.filetypes import detect_type


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
