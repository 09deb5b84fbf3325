"""congdichvu-eservices sweep, as cron runs it on the temporary store."""
import os
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import transaction
from sqlalchemy import select

from congdichvu.accounts import services as accounts
from congdichvu.config import configure
from congdichvu.eservices.flow import now_utc
from congdichvu.eservices.models import Dossier, DossierDraft, DossierFile
from congdichvu.models import get_tm_session
from congdichvu.scripts import eservices as eservices_command
from tests.conftest import INI

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def environment(fresh_settings, monkeypatch):
    monkeypatch.setenv("CONGDICHVU_DATABASE_URL", fresh_settings["sqlalchemy.url"])
    monkeypatch.setenv("CONGDICHVU_DATA_DIR", fresh_settings["congdichvu.data_dir"])
    config = configure(fresh_settings)
    config.make_wsgi_app()
    yield config.registry
    config.registry["dbengine"].dispose()


def _run(registry, work):
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        return work(get_tm_session(registry["dbsession_factory"], manager))


def _file(folder, name=None, content=PDF, hours_ago=2):
    """A file in ``folder``, both last changed ``hours_ago``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or uuid.uuid4().hex)
    path.write_bytes(content)
    for touched in (path, folder):
        moment = time.time() - hours_ago * 3600
        os.utime(touched, (moment, moment))
    return path.name


def _draft(db, user, days_ago, **columns):
    at = now_utc() - timedelta(days=days_ago)
    columns.setdefault("token", uuid.uuid4().hex)
    draft = DossierDraft(user_id=user.id, procedure_code="1.001193", created_at=at, updated_at=at, **columns)
    db.add(draft)
    db.flush()
    return draft


def _papers(file_id):
    return {"Tờ khai": [{"id": file_id, "name": "to-khai.pdf", "type": ".pdf", "size": len(PDF), "sha256": "-"}]}


@pytest.fixture
def store(environment):
    """Drafts and folders of every kind the sweep meets; {kind: token or path}."""
    uploads = Path(environment.settings["congdichvu.data_dir"]) / "uploads"
    names = {}

    def build(db):
        user = accounts.create_user(db, "dan", "mật-khẩu-dài-lắm", "Người Dân", ["citizen"])
        for kind, days in (("abandoned", 91), ("recent", 10)):
            file_id = _file(uploads / (token := uuid.uuid4().hex))
            _draft(db, user, days, token=token, data={"applicant": {"full_name": "Người Dân"},
                                                       "papers": _papers(file_id)})
            names[kind] = token
        dossier = Dossier(code="H56.01.P05-261130-0001", procedure_code="1.001193", procedure_snapshot={},
                          agency_code="H56.01.P05", applicant_id=user.id, state=1, channel="online", data={},
                          submitted_at=now_utc() - timedelta(days=2))
        db.add(dossier)
        db.flush()
        # submitted: one paper recorded whose move after commit never happened, and a stray file
        submitted = _draft(db, user, 2, data={}, dossier_id=dossier.id, lookup_secret="ABCDEFGH")
        interrupted = _file(uploads / submitted.token)
        _file(uploads / submitted.token)
        dossier.files.append(DossierFile(kind="paper", paper="Tờ khai", filename="to-khai.pdf",
                                         content_type="application/pdf", size=len(PDF), sha256="-",
                                         storage_key=f"{dossier.id}/{interrupted}.pdf", uploaded_at=now_utc()))
        names.update(submitted=submitted.token, key=f"{dossier.id}/{interrupted}.pdf",
                     supplement=f"supplement-{dossier.id}")
        _file(uploads / names["supplement"])
        names["orphan"] = uuid.uuid4().hex  # e.g. a deleted draft's, whose removal failed
        _file(uploads / names["orphan"])
        names["busy"] = uuid.uuid4().hex  # a request may be writing into it right now
        _file(uploads / names["busy"], hours_ago=0)

    _run(environment, build)
    return names


def _drafts(registry):
    return _run(registry, lambda db: {d.token: (d.data, d.lookup_secret) for d in db.scalars(select(DossierDraft))})


def test_the_sweep_removes_abandoned_uploads_and_nothing_a_dossier_needs(environment, store, capsys):
    data_dir = Path(environment.settings["congdichvu.data_dir"])
    uploads = data_dir / "uploads"
    assert eservices_command.main(["sweep", INI]) == 0
    out = capsys.readouterr().out
    assert "Số bản nháp không được dùng trong 90 ngày đã bị xóa các tệp giấy tờ: 1." in out
    assert "Số thư mục tải lên không thuộc bản nháp nào đang mở đã được xóa: 3." in out
    assert f"Đã chuyển về đúng chỗ một tệp của hồ sơ còn nằm trong kho tạm: {store['key']}" in out
    assert sorted(p.name for p in uploads.iterdir()) == sorted([store["recent"], store["busy"]])
    assert (data_dir / "dossiers" / store["key"]).read_bytes() == PDF
    drafts = _drafts(environment)
    abandoned, _secret = drafts[store["abandoned"]]
    assert abandoned == {"applicant": {"full_name": "Người Dân"}, "papers_removed": True}  # the answers stay
    assert "papers" in drafts[store["recent"]][0]
    assert drafts[store["submitted"]][1] is None  # the secret no page took is not kept
    # again: nothing more to do
    assert eservices_command.main(["sweep", INI]) == 0
    assert ": 0." in capsys.readouterr().out.splitlines()[0]
    # a shorter limit reaches the recent draft too
    assert eservices_command.main(["sweep", INI, "--days", "5"]) == 0
    assert "trong 5 ngày đã bị xóa các tệp giấy tờ: 1." in capsys.readouterr().out
    assert not (uploads / store["recent"]).exists()


def test_the_sweep_leaves_a_draft_touched_meanwhile(environment, store):
    """The UPDATE repeats the age condition: a draft its owner saved after
    the sweep read the list keeps its papers."""
    from congdichvu.eservices import sweep
    from congdichvu.eservices.storage import FileStore

    data_dir = Path(environment.settings["congdichvu.data_dir"])
    real_select = sweep.select

    def touched_after_reading(*args):
        statement = real_select(*args)
        if args and args[0] is DossierDraft.id:  # the list of stale drafts: the owner saves right after
            def touch(db):
                draft = db.scalar(real_select(DossierDraft).where(DossierDraft.token == store["abandoned"]))
                draft.updated_at = now_utc()
            _run(environment, touch)
        return statement

    manager = transaction.TransactionManager(explicit=True)
    with manager:
        db = get_tm_session(environment["dbsession_factory"], manager)
        sweep.select = touched_after_reading
        try:
            swept = sweep.sweep(db, FileStore(data_dir), manager.get(), timedelta(days=90))
        finally:
            sweep.select = real_select
    assert swept.drafts == []
    assert (data_dir / "uploads" / store["abandoned"]).exists()
    assert "papers" in _drafts(environment)[store["abandoned"]][0]


def test_days_must_be_positive(environment, capsys):
    with pytest.raises(SystemExit):
        eservices_command.main(["sweep", INI, "--days", "0"])
