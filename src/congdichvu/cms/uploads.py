"""Blank forms uploaded by editors: checked by content, size-limited, given
a safe name, stored where papers find them."""
import re
import shutil
import tempfile
from pathlib import Path

from sqlalchemy import select

from ..catalog import forms
from ..catalog.models import FormTemplate, Paper
from ..i18n import _
from ..paths import safe_join
from ..search.analysis import fold

CHUNK = 64 * 1024


def safe_name(filename):
    """"Tờ khai đăng ký (mẫu).DOCX" → "to-khai-dang-ky-mau.docx"."""
    stem, dot, extension = Path(filename or "").name.rpartition(".")
    if not dot:
        stem, extension = extension, ""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(stem)).strip("-")[:120] or "bieu-mau"
    return f"{slug}.{fold(extension)}" if extension else slug


def wanted_templates(dbsession):
    """Blank-form file names papers refer to, and which of them are stored.
    A name that is not a valid blank-form name (older data) is left out:
    nothing can ever be stored under it."""
    named = sorted({name for name in dbsession.scalars(select(Paper.template).where(Paper.template.is_not(None)))
                    if forms.valid_name(name)})
    stored = set(dbsession.scalars(select(FormTemplate.filename)))
    return [(name, name in stored) for name in named]


def store_upload(dbsession, settings, upload, target_name=None):
    """Check and store an uploaded file; (template, None) or (None, reason).

    The name is checked before anything touches the disk, the file is
    received in a temporary folder of its own (whose name, starting with a
    dot, no blank form can have) and that folder is always removed."""
    name = target_name or safe_name(upload.filename)
    problem = forms.name_problem(name)
    if problem is not None:
        return None, problem
    temporary = Path(tempfile.mkdtemp(prefix=".upload-", dir=forms.storage_dir(settings)))
    try:
        path = safe_join(temporary, name)
        size = 0
        with open(path, "wb") as out:
            while chunk := upload.file.read(CHUNK):
                size += len(chunk)
                if size > forms.MAX_FORM_BYTES:  # stop reading: never the whole of an oversized file
                    return None, _("The file is larger than 10 MB.")
                out.write(chunk)
        if size == 0:
            return None, _("The file is empty.")
        reason = forms.check(path)
        if reason is not None:
            return None, reason
        return forms.add_file(dbsession, settings, path), None
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
