"""Shared fixtures: every database test runs on SQLite and, when
CONGDICHVU_TEST_POSTGRESQL_URL names a server, on PostgreSQL too.

Each backend gets one database per session, created by the real Alembic
migrations and loaded with the demo catalogue; each test then runs inside a
transaction that is rolled back, so tests never see each other's writes.
"""
import os
import uuid
from pathlib import Path

import pytest
import transaction
import webtest
from pyramid.paster import get_appsettings
from pyramid.scripting import prepare
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from congdichvu.config import configure
from congdichvu.models import get_tm_session
from congdichvu.scripts import db as db_script
from congdichvu.settings import resolve

ROOT = Path(__file__).resolve().parents[1]
INI = str(ROOT / "development.ini")
DEMO_CATALOG = ROOT / "src" / "congdichvu" / "data" / "demo-catalog.json"
POSTGRESQL_ENV = "CONGDICHVU_TEST_POSTGRESQL_URL"
BACKENDS = ["sqlite", "postgresql"]


def pytest_report_header(config):
    if os.environ.get(POSTGRESQL_ENV):
        return f"database backends: SQLite and PostgreSQL ({POSTGRESQL_ENV} is set)"
    return f"database backends: SQLite only; PostgreSQL tests are skipped ({POSTGRESQL_ENV} is not set)"


class Databases:
    """Creates empty databases on one backend and drops them afterwards."""

    def __init__(self, backend, tmp_path_factory):
        self.backend = backend
        self.tmp_path_factory = tmp_path_factory
        self.created = []
        if backend == "postgresql":
            server = os.environ.get(POSTGRESQL_ENV)
            if not server:
                pytest.skip(f"PostgreSQL not configured: set {POSTGRESQL_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres)")
            self.server = make_url(server)

    def new_url(self):
        if self.backend == "sqlite":
            return f"sqlite:///{self.tmp_path_factory.mktemp('db')}/congdichvu.sqlite"
        name = f"congdichvu_test_{uuid.uuid4().hex[:12]}"
        admin = create_engine(self.server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0'))
        admin.dispose()
        self.created.append(name)
        return self.server.set(database=name).render_as_string(hide_password=False)

    def drop_all(self):
        if not self.created:
            return
        admin = create_engine(self.server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for name in self.created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def databases(request, tmp_path_factory):
    databases = Databases(request.param, tmp_path_factory)
    yield databases
    databases.drop_all()


def make_settings(database_url, data_dir):
    settings = get_appsettings(INI, name="main")
    settings["sqlalchemy.url"] = database_url
    settings["congdichvu.data_dir"] = str(data_dir)
    settings["pyramid.reload_templates"] = "false"
    # WebTest's requests say Host: example.com; absolute links come from this setting
    settings["congdichvu.public_url"] = "http://example.com"
    # no reconciling thread per test app: tests ask the gateway themselves
    settings["congdichvu.payments.reconcile_interval"] = "0"
    # tests change content inside their own transaction, which no other
    # connection sees: the page cache reads the content version every time
    settings["congdichvu.page_cache_recheck"] = "0"
    return resolve(settings, environ={})


def migrated_settings(databases, tmp_path_factory):
    settings = make_settings(databases.new_url(), tmp_path_factory.mktemp("data"))
    db_script.upgrade(INI, settings)
    return settings


@pytest.fixture(scope="session")
def app_settings(databases, tmp_path_factory):
    """Settings of the session's database: migrated, demo catalogue loaded."""
    settings = migrated_settings(databases, tmp_path_factory)
    load_demo_catalogue(configure(settings).make_wsgi_app()).registry["dbengine"].dispose()
    return settings


def load_demo_catalogue(app):
    """Load the demo catalogue through ``app`` (committed); returns the app."""
    from congdichvu.scripts.catalog import load_demo

    env = prepare(registry=app.registry)
    try:
        with open(os.devnull, "w") as quiet:
            assert load_demo(env, out=quiet) == 0
    finally:
        env["closer"]()
    return app


#: upload limits small enough for a test to reach them
SMALL_UPLOADS = {"congdichvu.upload_max_file_mb": "0.05", "congdichvu.upload_max_dossier_mb": "0.12",
                 "congdichvu.upload_max_files": "6"}


def committing_portal(databases, tmp_path_factory, **settings):
    """An app that really commits, on its own migrated database with the
    demo catalogue (``settings`` added to its own); ``app.retried`` lists
    the paths of the requests pyramid_retry tried again."""
    from pyramid_retry import IBeforeRetry

    merged = migrated_settings(databases, tmp_path_factory)
    merged.update(settings)
    config = configure(merged)
    retried = []
    config.add_subscriber(lambda event: retried.append(event.request.path), IBeforeRetry)
    app = load_demo_catalogue(config.make_wsgi_app())
    app.retried = retried
    return app


@pytest.fixture(scope="session")
def app(app_settings):
    app = configure(app_settings).make_wsgi_app()
    yield app
    app.registry["dbengine"].dispose()


@pytest.fixture
def fresh_settings(databases, tmp_path_factory):
    """Settings of a new, empty, migrated database (for commands that commit)."""
    return migrated_settings(databases, tmp_path_factory)


@pytest.fixture
def tm():
    manager = transaction.TransactionManager(explicit=True)
    manager.begin()
    manager.doom()  # nothing a test does is ever committed
    yield manager
    manager.abort()


@pytest.fixture
def dbsession(app, tm):
    return get_tm_session(app.registry["dbsession_factory"], tm)


@pytest.fixture
def testapp(app, tm, dbsession):
    return webtest.TestApp(
        app,
        extra_environ={
            "HTTP_HOST": "example.com",
            "tm.active": True,
            "tm.manager": tm,
            "app.dbsession": dbsession,
        },
    )


@pytest.fixture
def dummy_request(app, tm, dbsession):
    env = prepare(registry=app.registry)
    request = env["request"]
    request.host = "example.com"
    request.dbsession = dbsession
    request.tm = tm
    yield request
    env["closer"]()


@pytest.fixture
def query_counter(app):
    """Counts SQL statements sent through the app's engine."""
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = app.registry["dbengine"]
    event.listen(engine, "before_cursor_execute", count)
    yield statements
    event.remove(engine, "before_cursor_execute", count)


def _reason(report):
    """A skipped test's reason, without pytest's "Skipped: " prefix."""
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    return reason.removeprefix("Skipped: ")


def pytest_terminal_summary(terminalreporter):
    """One line per group of tests skipped for want of something, with how to
    get it: the default run must say what it did not check."""
    skipped = terminalreporter.stats.get("skipped", [])
    postgresql = [report for report in skipped if POSTGRESQL_ENV in str(report.longrepr)]
    if postgresql:
        terminalreporter.write_line(
            f"PostgreSQL: {len(postgresql)} tests skipped because {POSTGRESQL_ENV} is not set "
            "(make test and .ci/run set it when PostgreSQL answers on 127.0.0.1:5432 as user postgres)",
            yellow=True,
        )
    browser = [report for report in skipped if report.nodeid.startswith("tests/browser/")]
    if browser:
        reasons = "; ".join(sorted({_reason(report) for report in browser}))
        terminalreporter.write_line(
            f"Browser suite: {len(browser)} tests skipped ({reasons}). To run it: install the Debian packages "
            "chromium and chromium-driver (apt-get install chromium chromium-driver), then cd tests/browser && npm ci",
            yellow=True,
        )
