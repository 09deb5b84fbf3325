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

from ..paths import UnsafePath
from .flow import now_utc
from .models import DossierDraft, DossierFile

#: ``congdichvu.abandoned_draft_days``: a draft untouched this long loses its uploaded papers
ABANDONED_DRAFT_DAYS = 90
#: a folder no open draft names is left alone this long after its last
#: change, so a request still receiving files into it (a supplement) is not
#: robbed; an upload lasts seconds
ORPHAN_GRACE = timedelta(hours=1)
#: a lookup secret no receipt page took within a day is not kept in clear any longer
SECRET_KEPT = timedelta(days=1)
FILE_ID = re.compile(r"[0-9a-f]{32}")
SUPPLEMENT = re.compile(r"supplement-([0-9]+)")


def abandoned_after(settings):
    return timedelta(days=int(settings.get("congdichvu.abandoned_draft_days", ABANDONED_DRAFT_DAYS)))


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
    swept.drafts = _empty_abandoned_drafts(dbsession, store, transaction, now - abandoned_after)
    owners = _folder_owners(dbsession)
    for folder in sorted(p for p in store.uploads.iterdir() if p.is_dir()) if store.uploads.is_dir() else ():
        if owners.get(folder.name) == "open" or not _quiet_since(folder, now - ORPHAN_GRACE):
            continue
        swept.recovered += _finish_moves(dbsession, store, folder, owners.get(folder.name))
        store.discard_after_commit(transaction, folder)
        swept.folders.append(folder.name)
    swept.secrets = dbsession.execute(
        update(DossierDraft).where(DossierDraft.lookup_secret.is_not(None), DossierDraft.updated_at < now - SECRET_KEPT)
        .values(lookup_secret=None).execution_options(synchronize_session=False)).rowcount
    return swept


def _empty_abandoned_drafts(dbsession, store, transaction, before):
    """Drop the papers of open drafts untouched since ``before``: their
    answers stay (they are small), the draft notes that its papers were
    removed, and the folder goes after commit. The UPDATE repeats the
    condition, so a draft its owner touches meanwhile is left alone."""
    emptied = []
    stale = dbsession.execute(select(DossierDraft.id, DossierDraft.token, DossierDraft.data).where(
        DossierDraft.dossier_id.is_(None), DossierDraft.updated_at < before)).all()
    for draft_id, token, data in stale:
        folder = store.draft_dir(token)
        if not (data or {}).get("papers") and not folder.exists():
            continue
        kept = {key: value for key, value in (data or {}).items() if key != "papers"}
        changed = dbsession.execute(
            update(DossierDraft).where(DossierDraft.id == draft_id, DossierDraft.dossier_id.is_(None),
                                       DossierDraft.updated_at < before)
            .values(data=dict(kept, papers_removed=True)).execution_options(synchronize_session=False))
        if changed.rowcount == 1:
            store.discard_after_commit(transaction, folder)
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


def _quiet_since(folder, moment):
    """Whether nothing in ``folder`` changed after ``moment`` (an aware datetime)."""
    newest = max([folder.stat().st_mtime] + [p.stat().st_mtime for p in folder.iterdir()])
    return newest < moment.timestamp()


def _finish_moves(dbsession, store, folder, owner):
    """Move into the dossier store the files of ``folder`` that a dossier
    records but whose move after commit never happened; the others are
    left for the folder's removal. Returns the storage keys moved."""
    match = SUPPLEMENT.fullmatch(folder.name)
    dossier_id = int(match.group(1)) if match else owner
    if not isinstance(dossier_id, int):
        return []
    keys = {PurePosixPath(key).stem: key for key in dbsession.scalars(
        select(DossierFile.storage_key).where(DossierFile.dossier_id == dossier_id))}
    moved = []
    for path in folder.iterdir():
        key = keys.get(path.name) if FILE_ID.fullmatch(path.name) else None
        try:
            target = store.path(key) if key else None
        except UnsafePath:
            target = None
        if target is not None and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            moved.append(key)
    return moved
