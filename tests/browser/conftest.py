"""A real browser: the app served by waitress on 127.0.0.1, driven by
Debian's headless Chromium through chromedriver, checked with axe-core."""
import os
import shutil
import socket
import threading
from pathlib import Path

import pytest
from pyramid.scripting import prepare

from congdichvu.config import configure
from congdichvu.scripts import db as db_script
from congdichvu.scripts.catalog import load_demo
from congdichvu.scripts.eservices import run_demo
from congdichvu.scripts.user import demo as demo_accounts
from tests.conftest import INI, make_settings

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = HERE / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def _missing():
    if not Path(CHROMIUM).exists() or not Path(CHROMEDRIVER).exists():
        return "Chromium or chromedriver is not installed (Debian packages chromium, chromium-driver; .ci/run installs them)"
    if not AXE.exists():
        return "axe-core is not installed (cd tests/browser && npm ci; .ci/run does it)"
    return None


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app the browser talks to, with the demo catalogue and accounts;
    tests also drive it with WebTest to prepare data through real flows."""
    if _missing():
        pytest.skip(_missing())
    data_dir = tmp_path_factory.mktemp("browser-data")
    settings = make_settings(f"sqlite:///{data_dir}/congdichvu.sqlite", data_dir)
    port = _free_port()
    settings["congdichvu.public_url"] = f"http://127.0.0.1:{port}"  # links point back at this server
    db_script.upgrade(INI, settings)
    app = configure(settings).make_wsgi_app()
    env = prepare(registry=app.registry)
    with open(os.devnull, "w") as quiet:
        load_demo(env, out=quiet)
        demo_accounts(env, out=quiet)
        run_demo(env, out=quiet)  # dossiers in every state, for the desk's pages
    env["closer"]()
    app.port = port  # the server below listens where public_url says
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    from waitress.server import create_server

    server = create_server(live_app, host="127.0.0.1", port=live_app.port, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


@pytest.fixture(scope="session")
def browser(live_server):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--lang=vi"):
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={HERE / '.profile'}")
    try:
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    except Exception as error:  # pragma: no cover - depends on the machine
        pytest.skip(f"Chromium could not start: {error}")
    driver.set_script_timeout(60)
    ARTIFACTS.mkdir(exist_ok=True)
    yield driver
    driver.quit()
    shutil.rmtree(HERE / ".profile", ignore_errors=True)


@pytest.fixture(scope="session")
def axe_source():
    return AXE.read_text(encoding="utf-8")
