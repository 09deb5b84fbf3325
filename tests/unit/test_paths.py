"""safe_join: a name from outside stays a plain name inside its directory."""
import os

import pytest

from congdichvu.paths import UnsafePath, is_plain_name, safe_join


@pytest.mark.parametrize("name", [
    "to-khai.docx", "Tờ khai.pdf", "a..b", ".hidden", "x" * 255, "đ" * 127,
])
def test_plain_names_join(tmp_path, name):
    assert safe_join(tmp_path, name) == tmp_path.resolve() / name


@pytest.mark.parametrize("name", [
    "", ".", "..",
    "../x.pdf", "../../../x.pdf", "a/b", "/etc/passwd",  # separators and absolute parts
    "..\\..\\x.pdf", "C:\\Windows\\x.pdf", "C:x.pdf", "a\\b",  # Windows-style
    "x.pdf\x00.docx", "x\n.pdf", "x\r", "\x7f", "\u202egpj.pdf", "a\u200bb",  # NUL, control, invisible
    "x" * 256, "đ" * 128,  # longer than 255 bytes
    None, b"x.pdf", 5,
])
def test_anything_else_is_refused(tmp_path, name):
    assert not is_plain_name(name)
    with pytest.raises(UnsafePath):
        safe_join(tmp_path, name)
    assert list(tmp_path.iterdir()) == []  # nothing created


def test_several_names_each_checked(tmp_path):
    assert safe_join(tmp_path, "12", "abc.pdf") == tmp_path.resolve() / "12" / "abc.pdf"
    assert safe_join(tmp_path) == tmp_path.resolve()
    with pytest.raises(UnsafePath):
        safe_join(tmp_path, "12", "..", "..", "x")
    with pytest.raises(ValueError):  # UnsafePath is a ValueError, for callers that expect one
        safe_join(tmp_path, "ok", "../x")


def test_a_symlink_leading_outside_is_refused(tmp_path):
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir(), outside.mkdir()
    os.symlink(outside, root / "escape")
    os.symlink(outside / "secret.pdf", root / "file.pdf")
    with pytest.raises(UnsafePath):
        safe_join(root, "escape", "x.pdf")
    with pytest.raises(UnsafePath):
        safe_join(root, "file.pdf")  # dangling or not, it points outside
    os.symlink(root / "inside", root / "alias")
    assert safe_join(root, "alias", "x.pdf") == root.resolve() / "alias" / "x.pdf"  # stays inside: fine


def test_a_root_reached_through_a_symlink_still_works(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    os.symlink(real, tmp_path / "link")
    assert safe_join(tmp_path / "link", "x.pdf") == real.resolve() / "x.pdf"
