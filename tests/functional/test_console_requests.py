"""Console commands build links as the web does: their request's URLs
begin with ``congdichvu.public_url`` (scripts.script_env), so the demo's
receipts carry the portal's real address in their QR code, not
``http://localhost`` (a blank request's)."""
from io import BytesIO, StringIO

import transaction
from pypdf import PdfReader
from sqlalchemy import select

from congdichvu import scripts
from congdichvu.eservices.models import DossierFile
from congdichvu.eservices.storage import FileStore
from congdichvu.models import get_tm_session
from congdichvu.scripts import catalog as catalog_command
from congdichvu.scripts import eservices as eservices_command
from congdichvu.scripts import user as user_command
from tests.conftest import INI

PUBLIC = "https://dichvucong.thainguyen.gov.vn:8443"


def test_a_console_command_s_links_begin_with_the_public_url(command_registry, monkeypatch):
    monkeypatch.setenv("CONGDICHVU_PUBLIC_URL", PUBLIC)
    for make in (scripts.script_env, scripts.console_env):
        env = make(INI)
        try:
            url = env["request"].route_url("dossier_lookup", _query={"ma": "H56.01.P08-261130-0001"})
        finally:
            env["closer"]()
        assert url == f"{PUBLIC}/tra-cuu-ho-so?ma=H56.01.P08-261130-0001"


def test_the_demo_s_receipts_link_to_the_public_url(command_registry, monkeypatch, capsys):
    monkeypatch.setenv("CONGDICHVU_PUBLIC_URL", PUBLIC)
    assert catalog_command.main(["load-demo", INI]) == 0
    assert user_command.main(["demo", INI]) == 0
    assert eservices_command.main(["demo", INI], out=StringIO()) == 0
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        db = get_tm_session(command_registry["dbsession_factory"], manager)
        keys = db.scalars(select(DossierFile.storage_key).where(DossierFile.slip == "01")).all()
    assert keys
    store = FileStore(command_registry.settings["congdichvu.data_dir"])
    for key in keys:
        pdf = PdfReader(BytesIO(store.path(key).read_bytes()))
        text = "".join("".join(page.extract_text() for page in pdf.pages).split())
        assert f"{PUBLIC}/tra-cuu-ho-so?ma=" in text and "localhost" not in text
