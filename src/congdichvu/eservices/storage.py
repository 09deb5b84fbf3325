"""Where the papers of dossiers live on disk.

Uploads are streamed in chunks (never held whole in memory) into a
temporary store under ``{data_dir}/uploads/``, checked by content, hashed
with SHA-256 on the way. A draft's files stay there until the dossier is
submitted; the submitting transaction records them and registers a hook
that moves them to ``{data_dir}/dossiers/`` only once it has committed. A
transaction that fails moves nothing and leaves nothing behind in the
dossier store.
"""
import hashlib
import os
import re
import shutil
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

from .. import filetypes
from ..i18n import _
from ..i18n.formatting import format_filesize
from ..paths import UnsafePath, safe_join

CHUNK = 64 * 1024
#: the types a paper may have: scans and documents
ACCEPTED = (".pdf", ".jpg", ".png", ".doc", ".docx", ".odt")


@dataclass(frozen=True)
class Limits:
    file_bytes: int
    dossier_bytes: int
    files: int

    @classmethod
    def from_settings(cls, settings):
        mb = 1024 * 1024
        return cls(
            file_bytes=int(float(settings.get("congdichvu.upload_max_file_mb", 25)) * mb),
            dossier_bytes=int(float(settings.get("congdichvu.upload_max_dossier_mb", 100)) * mb),
            files=int(settings.get("congdichvu.upload_max_files", 30)),
        )


class Refused(Exception):
    """An upload that cannot be kept; ``message`` says why, in words a citizen understands."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def display_name(filename, real_extension):
    """A file name safe to store and show: no directories, no control or
    invisible characters, NFC, at most 120 characters, and the extension of
    what the file really is."""
    name = _clean(filename)
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = re.sub(r"\s+", " ", stem).strip(" .-") or "tệp"
    return f"{stem[:120]}{real_extension}"


class FileStore:
    """Every path it makes goes through ``paths.safe_join``: a name that
    would leave its directory raises UnsafePath (a ValueError) before
    anything is opened."""

    def __init__(self, data_dir):
        self.root = Path(data_dir)
        self.uploads = safe_join(self.root, "uploads")
        self.dossiers = safe_join(self.root, "dossiers")

    # -- the temporary store ---------------------------------------------

    def draft_dir(self, token):
        return safe_join(self.uploads, token)

    def supplement_dir(self, dossier_id):
        return safe_join(self.uploads, f"supplement-{int(dossier_id)}")

    def intake_dir(self, dossier_id):
        """Where the papers scanned at the counter for dossier ``dossier_id``
        wait for its commit (the sweep finishes their move, as a supplement's)."""
        return safe_join(self.uploads, f"intake-{int(dossier_id)}")

    def receive(self, upload, folder, limits, used_bytes=0):
        """Stream ``upload`` (a cgi field with ``.file`` and ``.filename``)
        into ``folder``; returns the file's record, or raises Refused. The
        partial file is removed on refusal."""
        file_id = uuid.uuid4().hex
        path = safe_join(folder, file_id)
        folder.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        try:
            with open(path, "wb") as out:
                while chunk := upload.file.read(CHUNK):
                    size += len(chunk)
                    if size > limits.file_bytes:
                        raise Refused(_("\u201c${name}\u201d is larger than ${limit}.",
                                        mapping={"name": _short(upload.filename),
                                                 "limit": format_filesize(limits.file_bytes)}))
                    if used_bytes + size > limits.dossier_bytes:
                        raise Refused(_("The papers of one dossier may not exceed ${limit} in all.",
                                        mapping={"limit": format_filesize(limits.dossier_bytes)}))
                    digest.update(chunk)
                    out.write(chunk)
            if size == 0:
                raise Refused(_("\u201c${name}\u201d is empty.", mapping={"name": _short(upload.filename)}))
            real = filetypes.detect_type(path, upload.filename)
            if real not in ACCEPTED:
                raise Refused(_("\u201c${name}\u201d is not a PDF, JPEG, PNG, Word or OpenDocument file "
                                "(its content was checked, not its name).",
                                mapping={"name": _short(upload.filename)}))
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return {"id": file_id, "name": display_name(upload.filename, real), "type": real,
                "size": size, "sha256": digest.hexdigest()}

    def receive_many(self, uploads, folder, limits, count=0, used_bytes=0):
        """Receive each of ``uploads`` in turn, counting them against the
        dossier's limits after the ``count`` files and ``used_bytes`` it
        already holds. Returns (records, messages): the files kept, and why
        the others were not."""
        records, messages = [], []
        for upload in uploads:
            if count + len(records) >= limits.files:
                messages.append(_("A dossier may hold at most ${limit} files; \u201c${name}\u201d was not added.",
                                  mapping={"limit": limits.files, "name": _short(upload.filename)}))
                continue
            try:
                records.append(self.receive(upload, folder, limits, used_bytes + sum(r["size"] for r in records)))
            except Refused as refused:
                messages.append(refused.message)
        return records, messages

    def discard(self, folder, file_id):
        try:
            path = safe_join(folder, file_id)
        except UnsafePath:
            return  # no file was ever received under such a name
        path.unlink(missing_ok=True)

    def discard_on_abort(self, transaction, folder, file_ids):
        """Files received by a request whose transaction fails are removed:
        the record that would have named them was not saved."""

        def hook(committed, file_ids=tuple(file_ids)):
            if not committed:
                for file_id in file_ids:
                    self.discard(folder, file_id)

        transaction.addAfterCommitHook(hook)

    def discard_after_commit(self, transaction, folder, file_id=None):
        """Remove a file (or the whole folder) once the change that let go of it is committed."""

        def hook(committed):
            if committed and file_id:
                self.discard(folder, file_id)
            elif committed:
                self.discard_folder(folder)

        transaction.addAfterCommitHook(hook)

    def discard_swept_after_commit(self, transaction, folder, file_ids, before):
        """Once ``transaction`` commits, remove from ``folder`` the files
        ``file_ids`` and any other file last changed before ``before`` (an
        aware datetime; strays of failed requests), then the folder if
        nothing is left: a file a request received since (not named, newer)
        stays, and so does its folder."""

        def hook(committed, file_ids=frozenset(file_ids)):
            if committed:
                self.discard_swept(folder, file_ids, before)

        transaction.addAfterCommitHook(hook)

    def discard_swept(self, folder, file_ids, before):
        try:
            paths = list(folder.iterdir())
        except OSError:  # gone already
            return
        for path in paths:
            try:
                if path.is_file() and not path.is_symlink() and (
                        path.name in file_ids or path.stat().st_mtime < before.timestamp()):
                    path.unlink()
            except OSError:  # removed meanwhile
                continue
        try:
            folder.rmdir()
        except OSError:  # a newer file is there: its request keeps the folder
            pass

    def discard_folder(self, folder):
        shutil.rmtree(folder, ignore_errors=True)

    # -- the dossier store -----------------------------------------------

    def key_for(self, dossier_id, file_id, extension):
        return f"{dossier_id}/{file_id}{extension}"

    def path(self, storage_key):
        """The file at ``storage_key`` ("{dossier id}/{file id}{extension}");
        UnsafePath for a key that would leave the dossier store."""
        return safe_join(self.dossiers, *storage_key.split("/"))

    def move_after_commit(self, transaction, moves, cleanup=None):
        """Move ``moves`` [(temporary path, storage key)] into the dossier
        store once ``transaction`` commits; on failure they stay where they
        are (a draft keeps its uploads) and ``cleanup`` folders are removed
        only after a commit."""

        def hook(committed, moves=tuple(moves)):
            if not committed:
                return
            for source, key in moves:
                target = self.path(key)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(source, target)
            if cleanup is not None:
                self.discard_folder(cleanup)

        transaction.addAfterCommitHook(hook)

    def write_after_commit(self, transaction, storage_key, data):
        """Write ``data`` (small, e.g. a receipt) at ``storage_key`` once committed."""

        def hook(committed):
            if committed:
                target = self.path(storage_key)
                target.parent.mkdir(parents=True, exist_ok=True)
                part = target.with_suffix(target.suffix + ".part")
                part.write_bytes(data)
                os.replace(part, target)

        transaction.addAfterCommitHook(hook)


def _clean(name):
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    return "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")


def _short(name):
    """The uploaded name, cleaned, for a message."""
    return _clean(name)[:80] or "tệp"


def file_store(request):
    return FileStore(request.registry.settings["congdichvu.data_dir"])
