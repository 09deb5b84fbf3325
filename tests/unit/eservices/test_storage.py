import io
from types import SimpleNamespace

import pytest
import transaction

from congdichvu.eservices.storage import FileStore, Limits, Refused, display_name

PDF = b"%PDF-1.7\n" + b"x" * 100
LIMITS = Limits(file_bytes=1000, dossier_bytes=1500, files=5)


def _upload(name, content):
    return SimpleNamespace(filename=name, file=io.BytesIO(content))


@pytest.mark.parametrize("name, expected", [
    ("Tờ khai.pdf", "Tờ khai.pdf"),
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\An\\scan.PDF", "scan.pdf"),
    ("giay\x00to\x07.pdf", "giayto.pdf"),
    ("To\u0300 khai.pdf", "Tò khai.pdf"),  # NFD in, NFC out
    ("anh.exe", "anh.pdf"),  # the extension is what the content is
    ("....pdf", "tệp.pdf"),
    ("\u202egpj.pdf", "gpj.pdf"),  # no right-to-left override tricks
])
def test_names_are_made_safe(name, expected):
    assert display_name(name, ".pdf") == expected


def test_a_good_file_is_streamed_hashed_and_typed(tmp_path):
    store = FileStore(tmp_path)
    record = store.receive(_upload("đơn.pdf", PDF), tmp_path / "d", LIMITS)
    assert record["type"] == ".pdf" and record["size"] == len(PDF) and record["name"] == "đơn.pdf"
    import hashlib

    assert record["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert (tmp_path / "d" / record["id"]).read_bytes() == PDF


@pytest.mark.parametrize("content, used, words", [
    (b"", 0, "is empty"),
    (PDF + b"x" * 1000, 0, "is larger than"),
    (PDF, 1450, "in all"),
    (b"MZ\x90\x00" + b"\x00" * 50, 0, "is not a PDF"),
    (b"<html><script>alert(1)</script>", 0, "is not a PDF"),
])
def test_bad_files_are_refused_and_leave_nothing(tmp_path, content, used, words):
    store = FileStore(tmp_path)
    with pytest.raises(Refused) as refused:
        store.receive(_upload("x.pdf", content), tmp_path / "d", LIMITS, used_bytes=used)
    assert words in refused.value.message.interpolate()
    assert list((tmp_path / "d").iterdir()) == []


def test_files_move_only_after_commit(tmp_path):
    store = FileStore(tmp_path)
    folder = tmp_path / "uploads" / "draft"
    record = store.receive(_upload("a.pdf", PDF), folder, LIMITS)
    manager = transaction.TransactionManager(explicit=True)
    manager.begin()
    store.move_after_commit(manager.get(), [(folder / record["id"], "7/a.pdf")], cleanup=folder)
    manager.abort()
    assert (folder / record["id"]).exists() and not store.path("7/a.pdf").exists()  # the draft keeps it
    manager.begin()
    store.move_after_commit(manager.get(), [(folder / record["id"], "7/a.pdf")], cleanup=folder)
    manager.commit()
    assert store.path("7/a.pdf").read_bytes() == PDF and not folder.exists()


def test_storage_keys_cannot_leave_the_store(tmp_path):
    with pytest.raises(ValueError):
        FileStore(tmp_path).path("../../etc/passwd")


def test_limits_come_from_settings():
    limits = Limits.from_settings({"congdichvu.upload_max_file_mb": "2", "congdichvu.upload_max_files": "3"})
    assert limits.file_bytes == 2 * 1024 * 1024 and limits.files == 3 and limits.dossier_bytes == 100 * 1024 * 1024


def test_several_files_count_against_the_dossier_limits(tmp_path):
    store = FileStore(tmp_path)
    uploads = [_upload(f"{n}.pdf", PDF) for n in range(4)] + [_upload("x.pdf", b"MZ")]
    records, messages = store.receive_many(uploads, tmp_path / "d", LIMITS, count=2)
    assert [r["name"] for r in records] == ["0.pdf", "1.pdf", "2.pdf"]  # 5 files at most, 2 already held
    assert len(messages) == 2 and "at most 5 files" in messages[0].interpolate()
    records, messages = store.receive_many([_upload("a.pdf", PDF)] * 1, tmp_path / "e", LIMITS, used_bytes=1450)
    assert records == [] and "in all" in messages[0].interpolate()


@pytest.mark.parametrize("key", ["../x.pdf", "1/../../x.pdf", "/etc/passwd", "1\\..\\..\\x.pdf", "1/x.pdf\x00"])
def test_a_storage_key_cannot_leave_the_dossier_store(tmp_path, key):
    with pytest.raises(ValueError):
        FileStore(tmp_path).path(key)
    assert FileStore(tmp_path).path("12/abc.pdf") == tmp_path.resolve() / "dossiers" / "12" / "abc.pdf"


@pytest.mark.parametrize("token", ["..", "../uploads", "a/b", ""])
def test_a_draft_folder_is_one_plain_name_under_uploads(tmp_path, token):
    with pytest.raises(ValueError):
        FileStore(tmp_path).draft_dir(token)
    store = FileStore(tmp_path)
    store.discard(tmp_path, "../../x")  # refused names are simply nothing to discard
    assert store.draft_dir("abc123").parent == store.uploads
