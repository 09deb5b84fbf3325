"""Blank form files (mẫu đơn, tờ khai): checked by content, stored under the
data directory, recorded in ``form_template``."""
import hashlib
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select

from .. import filetypes
from ..filetypes import detect_type
from ..i18n import _
from .models import FormTemplate

MAX_FORM_BYTES = 10 * 1024 * 1024
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")
#: extension -> content type, for the types a blank form may have
CONTENT_TYPES = {ext: filetypes.CONTENT_TYPES[ext] for ext in (".pdf", ".doc", ".docx", ".odt", ".xls", ".xlsx")}


def check(path):
    """None when ``path`` may be stored as a blank form, else the reason."""
    if not SAFE_NAME.match(path.name):
        return _("The file name may only hold letters, digits, dots, dashes and underscores.")
    if path.stat().st_size > MAX_FORM_BYTES:
        return _("The file is larger than 10 MB.")
    real = detect_type(path)
    if real not in CONTENT_TYPES:
        return _("The file is not a PDF, Word, Excel or OpenDocument file.")
    if real != path.suffix.lower():
        return _("The file's content (${real}) does not match its name.", mapping={"real": real})
    return None


def storage_dir(settings):
    directory = Path(settings["congdichvu.data_dir"]) / "forms"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def add_file(dbsession, settings, path):
    """Store one checked file, replacing an older one of the same name."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    target = storage_dir(settings) / path.name
    temporary = target.with_name(f".{path.name}.part")
    shutil.copyfile(path, temporary)
    temporary.replace(target)
    template = dbsession.scalar(select(FormTemplate).where(FormTemplate.filename == path.name))
    if template is None:
        template = FormTemplate(filename=path.name)
        dbsession.add(template)
    template.content_type = CONTENT_TYPES[path.suffix.lower()]
    template.size = path.stat().st_size
    template.sha256 = digest
    template.created_at = datetime.now(timezone.utc)
    return template


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
