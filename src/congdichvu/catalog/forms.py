"""Blank form files (mẫu đơn, tờ khai): checked by content, stored under the
data directory, recorded in ``form_template``."""
import hashlib
import re
import shutil
import uuid
from datetime import datetime, timezone

from sqlalchemy import select

from .. import filetypes
from ..filetypes import detect_type
from ..i18n import _
from ..paths import UnsafePath, is_plain_name, safe_join
from .models import FormTemplate

MAX_FORM_BYTES = 10 * 1024 * 1024
#: what a blank form's file name may be; the exchange format's schema
#: (catalog.schema.json, papers' "template") carries the same pattern
FILE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$"
SAFE_NAME = re.compile(FILE_NAME_PATTERN)
#: extension -> content type, for the types a blank form may have
CONTENT_TYPES = {ext: filetypes.CONTENT_TYPES[ext] for ext in (".pdf", ".doc", ".docx", ".odt", ".xls", ".xlsx")}


def valid_name(name):
    """Whether ``name`` may name a blank form: FILE_NAME_PATTERN, matched
    to the very end (a trailing newline does not pass), and a plain name."""
    return isinstance(name, str) and SAFE_NAME.fullmatch(name) is not None and is_plain_name(name)


def name_problem(name):
    """None when ``name`` may name a blank form, else why not (one message
    for the CMS form, the exchange format's import and uploads)."""
    if valid_name(name):
        return None
    return _("The file name may only hold letters without accents, digits, dots, dashes and underscores, "
             "starting with a letter or a digit, with no folder (e.g. to-khai-dang-ky-khai-sinh.docx).")


def check(path):
    """None when ``path`` may be stored as a blank form, else the reason."""
    if not valid_name(path.name):
        return name_problem(path.name)
    if path.stat().st_size > MAX_FORM_BYTES:
        return _("The file is larger than 10 MB.")
    real = detect_type(path)
    if real not in CONTENT_TYPES:
        return _("The file is not a PDF, Word, Excel or OpenDocument file.")
    if real != path.suffix.lower():
        return _("The file's content (${real}) does not match its name.", mapping={"real": real})
    return None


def storage_dir(settings):
    directory = safe_join(settings["congdichvu.data_dir"], "forms")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def stored_path(settings, name):
    """Where the blank form ``name`` lives; raises UnsafePath (a
    ValueError) for a name that is not a valid blank-form name."""
    if not valid_name(name):
        raise UnsafePath(repr(name))
    return safe_join(storage_dir(settings), name)


def add_file(dbsession, settings, path):
    """Store one checked file, replacing an older one of the same name.

    The row is written in the session's transaction; the file goes into
    place only when that transaction commits (a copy waits beside it under
    a name no blank form can have, and is removed if it aborts). So a
    request that fails, or loses a race to another upload of the name and
    is tried again, never leaves a file that the stored row does not
    describe."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    target = stored_path(settings, path.name)
    waiting = target.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
    shutil.copyfile(path, waiting)
    _place_on_commit(dbsession, waiting, target)
    template = dbsession.scalar(select(FormTemplate).where(FormTemplate.filename == path.name))
    if template is None:
        template = FormTemplate(filename=path.name)
        dbsession.add(template)
    template.content_type = CONTENT_TYPES[path.suffix.lower()]
    template.size = path.stat().st_size
    template.sha256 = digest
    template.created_at = datetime.now(timezone.utc)
    return template


def _place_on_commit(dbsession, waiting, target):
    """Move ``waiting`` to ``target`` when the session's transaction
    commits, remove it when it does not; at once for a session that no
    transaction manager drives."""
    manager = dbsession.info.get("transaction_manager")
    if manager is None:
        waiting.replace(target)
        return

    def placed(committed):
        if committed:
            waiting.replace(target)
        else:
            waiting.unlink(missing_ok=True)

    current = manager.get()
    current.addAfterCommitHook(placed)
    current.addAfterAbortHook(placed, args=(False,))


def add_directory(dbsession, settings, directory):
    """Store every acceptable file of ``directory``; returns (added names,
    [(refused name, reason)])."""
    added, refused = [], []
    for path in sorted(p for p in directory.iterdir() if p.is_file()):
        reason = check(path)
        if reason is None:
            add_file(dbsession, settings, path)
            added.append(path.name)
        else:
            refused.append((path.name, reason))
    dbsession.flush()
    return added, refused
