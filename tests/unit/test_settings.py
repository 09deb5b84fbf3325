from congdichvu.settings import resolve


def test_environment_overrides_the_ini(tmp_path):
    settings = {"sqlalchemy.url": "sqlite:///{data_dir}/db.sqlite", "congdichvu.data_dir": str(tmp_path / "a")}
    resolved = resolve(settings, environ={"CONGDICHVU_DATA_DIR": str(tmp_path / "b"), "CONGDICHVU_SECRET": "s"})
    assert resolved["congdichvu.data_dir"] == str(tmp_path / "b")
    assert resolved["sqlalchemy.url"] == f"sqlite:///{tmp_path / 'b'}/db.sqlite"
    assert resolved["congdichvu.secret"] == "s"
    assert (tmp_path / "b").is_dir()


def test_database_url_from_the_environment_wins(tmp_path):
    settings = {"sqlalchemy.url": "sqlite:///{data_dir}/db.sqlite", "congdichvu.data_dir": str(tmp_path)}
    resolved = resolve(settings, environ={"CONGDICHVU_DATABASE_URL": "postgresql+psycopg://db/portal"})
    assert resolved["sqlalchemy.url"] == "postgresql+psycopg://db/portal"


def test_empty_variables_do_not_override(tmp_path):
    settings = {"sqlalchemy.url": "sqlite:///x", "congdichvu.data_dir": str(tmp_path)}
    assert resolve(settings, environ={"CONGDICHVU_DATABASE_URL": ""})["sqlalchemy.url"] == "sqlite:///x"


def test_production_refuses_to_start_without_secrets(tmp_path, monkeypatch):
    import pytest
    from pyramid.paster import get_appsettings

    from congdichvu.config import configure
    from tests.conftest import ROOT

    for name in ("CONGDICHVU_DATABASE_URL", "CONGDICHVU_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CONGDICHVU_DATA_DIR", str(tmp_path))
    settings = get_appsettings(str(ROOT / "production.ini"), name="main")
    with pytest.raises(RuntimeError, match="CONGDICHVU_DATABASE_URL"):
        configure(settings)
