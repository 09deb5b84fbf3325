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
from congdichvu.eservices.flow import now_utc
from congdichvu.eservices.models import Dossier, DossierDraft, DossierFile
from congdichvu.models import get_tm_session
from congdichvu.scripts import eservices as eservices_command
from tests.conftest import INI

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def environment(command_registry):
    return command_registry


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
                          agency_code="H56.01.P05", handling_agency_code="H56.01.P05",
                          applicant_id=user.id, state=1, channel="online", data={},
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


def _everything(registry):
    """What the sweep could change: the files of the temporary store and the drafts."""
    uploads = Path(registry.settings["congdichvu.data_dir"]) / "uploads"
    return sorted(str(p.relative_to(uploads)) for p in uploads.rglob("*")), _drafts(registry)


@pytest.mark.parametrize("days", ["0", "-1", "-90", "abc", "1.5", "1e3", "", "\u0663", "3651",
                                  "99999999999", "99999999999999999999999"])
def test_days_that_are_not_a_number_of_days_remove_nothing(environment, store, capsys, days):
    before = _everything(environment)
    assert eservices_command.main(["sweep", INI, f"--days={days}"]) == 2
    captured = capsys.readouterr()
    assert "--days phải là một số nguyên chỉ số ngày, từ 1 đến 3650" in captured.err
    assert "không có gì bị xóa" in captured.err and captured.out == ""
    assert _everything(environment) == before


@pytest.mark.parametrize("setting", ["-3", "ninety", "100000000"])
def test_a_setting_that_is_not_a_number_of_days_removes_nothing(environment, store, setting):
    from io import StringIO

    from pyramid.paster import bootstrap

    before = _everything(environment)
    env = bootstrap(INI)
    try:
        env["registry"].settings["congdichvu.abandoned_draft_days"] = setting
        out, err = StringIO(), StringIO()
        assert eservices_command.run_sweep(env, None, out, err) == 2
    finally:
        env["closer"]()
    assert "congdichvu.abandoned_draft_days phải là một số nguyên" in err.getvalue()
    assert _everything(environment) == before


def test_a_file_received_after_the_sweep_took_a_draft_stays(environment, store):
    """An abandoned draft's owner may take it again right after the sweep
    commits and upload into its folder while the sweep removes the old
    files: only files older than the grace go."""
    from congdichvu.eservices import sweep
    from congdichvu.eservices.storage import FileStore

    data_dir = Path(environment.settings["congdichvu.data_dir"])
    folder = data_dir / "uploads" / store["abandoned"]
    old = sorted(p.name for p in folder.iterdir())
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        db = get_tm_session(environment["dbsession_factory"], manager)
        swept = sweep.sweep(db, FileStore(data_dir), manager.get(), timedelta(days=90))
        fresh = _file(folder, hours_ago=0)  # received by the owner's request, just taken
    assert swept.drafts == [store["abandoned"]]
    assert sorted(p.name for p in folder.iterdir()) == [fresh] and old != [fresh]


def test_the_sweep_never_removes_what_a_dossier_records_nor_follows_links(environment, store, tmp_path):
    """A submitted draft's folder holding a paper its dossier records under
    a key that cannot be placed stays; a symbolic link in the store (never
    made by the portal) is neither followed nor removed."""
    data_dir = Path(environment.settings["congdichvu.data_dir"])
    uploads = data_dir / "uploads"
    outside = tmp_path / "elsewhere"
    kept = _file(outside)
    (uploads / "lien-ket").symlink_to(outside, target_is_directory=True)

    def unplaceable(db):
        record = db.scalar(select(DossierFile).where(DossierFile.storage_key == store["key"]))
        record.storage_key = f"{record.dossier_id}/../../{record.storage_key.split('/')[1]}"

    _run(environment, unplaceable)
    assert eservices_command.main(["sweep", INI]) == 0
    assert (uploads / store["submitted"]).is_dir()
    assert (outside / kept).read_bytes() == PDF and (uploads / "lien-ket").is_symlink()
    assert not list((data_dir / "dossiers").rglob("*.pdf"))
