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


def test_production_refuses_to_start_without_the_payment_secret_and_never_mounts_the_sandbox(tmp_path, monkeypatch):
    import pytest
    from pyramid.paster import get_appsettings

    from congdichvu.config import configure
    from congdichvu.payments import sandbox_enabled
    from tests.conftest import ROOT

    monkeypatch.setenv("CONGDICHVU_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CONGDICHVU_DATABASE_URL", f"sqlite:///{tmp_path}/db.sqlite")
    monkeypatch.setenv("CONGDICHVU_SECRET", "a-long-random-secret")
    monkeypatch.setenv("CONGDICHVU_PUBLIC_URL", "https://dichvucong.example.gov.vn")
    monkeypatch.setenv("CONGDICHVU_VNPAY_TMN_CODE", "MERCHANT")
    monkeypatch.delenv("CONGDICHVU_VNPAY_HASH_SECRET", raising=False)
    settings = get_appsettings(str(ROOT / "production.ini"), name="main")
    assert not sandbox_enabled(settings)
    with pytest.raises(RuntimeError, match="CONGDICHVU_VNPAY_HASH_SECRET"):
        configure(settings)
    monkeypatch.setenv("CONGDICHVU_VNPAY_HASH_SECRET", "merchant-secret")
    app = configure(get_appsettings(str(ROOT / "production.ini"), name="main")).make_wsgi_app()
    routes = {route.name for route in app.routes_mapper.get_routes()}
    assert "vnpay_ipn" in routes and "vnpay_sandbox_pay" not in routes
    assert app.registry.settings["congdichvu.vnpay.hash_secret"] == "merchant-secret"
    app.registry["dbengine"].dispose()
