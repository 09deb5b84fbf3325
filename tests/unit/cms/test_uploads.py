"""Blank-form uploads: a refused name or file leaves nothing on disk."""
import io
import os
from types import SimpleNamespace

import pytest

from congdichvu.catalog import forms
from congdichvu.cms.uploads import store_upload
from congdichvu.paths import UnsafePath

PDF = b"%PDF-1.7\n" + b"x" * 100


def _upload(name, content):
    return SimpleNamespace(filename=name, file=io.BytesIO(content))


def _everything(directory):
    return sorted(str(path.relative_to(directory)) for path in directory.rglob("*"))


@pytest.fixture
def settings(tmp_path):
    data_dir = tmp_path / "a" / "b" / "data"
    data_dir.mkdir(parents=True)
    return {"congdichvu.data_dir": str(data_dir)}


@pytest.mark.parametrize("target", ["../../../x.pdf", "..\\..\\x.pdf", "/tmp/x.pdf", "sub/x.pdf", "x.pdf\n", ".x.pdf"])
def test_a_target_name_with_folders_is_refused_before_anything_is_written(tmp_path, settings, target):
    template, reason = store_upload(None, settings, _upload("x.pdf", PDF), target)
    assert template is None and "with no folder" in reason
    assert _everything(tmp_path) == ["a", "a/b", "a/b/data"]  # not even the forms folder


def test_a_refused_file_leaves_no_temporary_folder(settings):
    template, reason = store_upload(None, settings, _upload("mau-don.pdf", b"MZ" + b"\x00" * 64))
    assert template is None and reason is not None
    assert _everything(forms.storage_dir(settings)) == []
    template, reason = store_upload(None, settings, _upload("mau-don.pdf", b""))
    assert template is None and _everything(forms.storage_dir(settings)) == []


def test_the_store_never_writes_through_a_link_leading_outside(tmp_path, settings):
    outside = tmp_path / "outside.pdf"
    os.symlink(outside, forms.storage_dir(settings) / "x.pdf")
    with pytest.raises(UnsafePath):
        forms.stored_path(settings, "x.pdf")
    assert not outside.exists()
