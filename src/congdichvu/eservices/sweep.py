"""Sweeping the temporary store: uploads no dossier will ever use.

A draft keeps its papers under ``{data_dir}/uploads/{token}/`` until it is
submitted (the files move to the dossier store after commit) or deleted
(the folder goes after commit). Left behind are drafts nobody has touched
for months, whose papers would fill the disk without bound, and folders no
open draft names: a deleted draft's whose removal failed, a supplement's,
or files whose move after a commit was interrupted.

``congdichvu-eservices sweep`` (scripts/eservices.py) runs ``sweep``.
"""
import os
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import PurePosixPath

from sqlalchemy import select, update

from ..inputs import parse_int
from ..paths import UnsafePath, safe_join
from .flow import now_utc
from .models import DossierDraft, DossierFile

#: ``congdichvu.abandoned_draft_days``: a draft untouched this long loses its uploaded papers
ABANDONED_DRAFT_DAYS = 90
#: the days ``--days`` and the setting may say: a day at least (a draft
#: being filled in today is never swept), ten years at most (more is a
#: slip, and far beyond it the date arithmetic itself fails)
MIN_DAYS, MAX_DAYS = 1, 3650
#: a folder no open draft names is left alone this long after its last
#: change, so a request still receiving files into it (a supplement) is not
#: robbed; an upload lasts seconds
ORPHAN_GRACE = timedelta(hours=1)
#: a lookup secret no receipt page took within a day is not kept in clear any longer
SECRET_KEPT = timedelta(days=1)
FILE_ID = re.compile(r"[0-9a-f]{32}")
#: folders of papers added to a dossier (a supplement, papers scanned at the counter), named by its id
SUPPLEMENT = re.compile(r"(?:supplement|intake)-([0-9]+)")


class BadDays(ValueError):
    """A number of days that is not a whole number from MIN_DAYS to MAX_DAYS."""


def days(raw):
    """``raw`` (text, as typed or written in the ini file) as a timedelta of
    whole days from MIN_DAYS to MAX_DAYS; BadDays otherwise (a sign, a
    fraction, other than ASCII digits, out of range)."""
    value = parse_int(str(raw).strip(), minimum=MIN_DAYS, maximum=MAX_DAYS)
    if value is None:
        raise BadDays(raw)
    return timedelta(days=value)


def abandoned_after(settings):
    """``congdichvu.abandoned_draft_days`` as a timedelta; BadDays when it is not a number of days."""
    return days(settings.get("congdichvu.abandoned_draft_days", ABANDONED_DRAFT_DAYS))


@dataclass
class Swept:
    """What one sweep did: draft tokens emptied, folders removed, and files
    moved into the dossier store that an interrupted move had left behind."""

    drafts: list = field(default_factory=list)
    folders: list = field(default_factory=list)
    recovered: list = field(default_factory=list)
    secrets: int = 0


def sweep(dbsession, store, transaction, abandoned_after, now=None):
    """Sweep the temporary store of ``store`` (a FileStore), in the caller's
    transaction: files go only once it commits. Returns a Swept."""
    now = now or now_utc()
    swept = Swept()
    swept.drafts = _empty_abandoned_drafts(dbsession, store, transaction, now - abandoned_after, now)
    owners = _folder_owners(dbsession)
    for folder in _folders(store):
        if owners.get(folder.name) == "open" or not _quiet_since(folder, now - ORPHAN_GRACE):
            continue
        recovered, complete = _finish_moves(dbsession, store, folder, owners.get(folder.name))
        swept.recovered += recovered
        if complete:  # else a file a dossier records could not be put in place: the folder stays
            store.discard_after_commit(transaction, folder)
            swept.folders.append(folder.name)
    swept.secrets = dbsession.execute(
        update(DossierDraft).where(DossierDraft.lookup_secret.is_not(None), DossierDraft.updated_at < now - SECRET_KEPT)
        .values(lookup_secret=None).execution_options(synchronize_session=False)).rowcount
    return swept


def _empty_abandoned_drafts(dbsession, store, transaction, before, now):
    """Drop the papers of open drafts untouched since ``before``: their
    answers stay (they are small), the draft notes that its papers were
    removed, and its files go after commit. Submitted drafts are never
    touched (their papers are the dossier's).

    The UPDATE repeats the condition and, like flow.lock_draft, waits for
    a request holding the draft: one its owner changes meanwhile is left
    alone. A request that takes the draft right after this commit may be
    receiving new files into the folder while the old ones are removed, so
    the folder is not removed whole: the files the draft recorded go, and
    other files older than ORPHAN_GRACE (strays of failed requests)."""
    emptied = []
    stale = dbsession.execute(select(DossierDraft.id, DossierDraft.token, DossierDraft.data).where(
        DossierDraft.dossier_id.is_(None), DossierDraft.updated_at < before)).all()
    for draft_id, token, data in stale:
        try:
            folder = store.draft_dir(token)
        except UnsafePath:  # not a token flow.new_draft makes: no folder of its own to touch
            folder = None
        if not (data or {}).get("papers") and (folder is None or not folder.exists()):
            continue
        kept = {key: value for key, value in (data or {}).items() if key != "papers"}
        changed = dbsession.execute(
            update(DossierDraft).where(DossierDraft.id == draft_id, DossierDraft.dossier_id.is_(None),
                                       DossierDraft.updated_at < before)
            .values(data=dict(kept, papers_removed=True)).execution_options(synchronize_session=False))
        if changed.rowcount == 1:
            if folder is not None:
                recorded = [record.get("id") for records in ((data or {}).get("papers") or {}).values()
                            for record in records if isinstance(record, dict)]
                store.discard_swept_after_commit(transaction, folder, recorded, now - ORPHAN_GRACE)
            emptied.append(token)
    return emptied


def _folder_owners(dbsession):
    """{folder name: "open" | dossier id} for the folders drafts and
    supplements may have: an open draft's is its own; a submitted draft's
    and a supplement's belong to their dossier."""
    owners = {}
    for token, dossier_id in dbsession.execute(select(DossierDraft.token, DossierDraft.dossier_id)):
        owners[token] = "open" if dossier_id is None else dossier_id
    return owners


def _folders(store):
    """The folders of the temporary store, each through safe_join: a name
    that is not plain, or a symbolic link (never made by the portal), is
    not followed anywhere."""
    if not store.uploads.is_dir():
        return []
    folders = []
    for entry in sorted(store.uploads.iterdir()):
        try:
            folder = safe_join(store.uploads, entry.name)
        except UnsafePath:
            continue
        if folder.is_dir() and not folder.is_symlink():
            folders.append(folder)
    return folders


def _quiet_since(folder, moment):
    """Whether nothing in ``folder`` changed after ``moment`` (an aware
    datetime). A file that disappears while looking (a request moving or
    removing it) means it is not quiet."""
    try:
        newest = max([folder.stat().st_mtime] + [p.lstat().st_mtime for p in folder.iterdir()])
    except OSError:
        return False
    return newest < moment.timestamp()


def _finish_moves(dbsession, store, folder, owner):
    """Move into the dossier store the files of ``folder`` that a dossier
    records but whose move after commit never happened; the others are
    left for the folder's removal. Returns (the storage keys moved, whether
    the folder may go): a recorded file that could not be put in place
    keeps the folder, so a dossier's paper is never removed."""
    match = SUPPLEMENT.fullmatch(folder.name)
    dossier_id = int(match.group(1)) if match else owner
    if not isinstance(dossier_id, int):
        return [], True
    keys = {PurePosixPath(key).stem: key for key in dbsession.scalars(
        select(DossierFile.storage_key).where(DossierFile.dossier_id == dossier_id))}
    moved, complete = [], True
    for path in folder.iterdir():
        key = keys.get(path.name) if FILE_ID.fullmatch(path.name) else None
        if key is None or path.is_symlink() or not path.is_file():
            continue
        try:
            target = store.path(key)
        except UnsafePath:
            complete = False
            continue
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            moved.append(key)
    return moved, complete
