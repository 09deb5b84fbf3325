"""The deployment of README's "Production": one fresh PostgreSQL database,
two app servers sharing one data directory, nginx in front of them."""
import os
import shutil
from types import SimpleNamespace

import pytest

from tests.conftest import POSTGRESQL_ENV, Databases
from tests.deploy.servers import AppServer, Nginx, browser, command, nginx_binary, production_environ, \
    self_signed_certificate


def _require_tools():
    if nginx_binary() is None:
        pytest.skip("nginx is not installed (Debian: apt-get install nginx; .ci/run installs it): "
                    "the multi-server deployment is not tested")
    if not os.environ.get(POSTGRESQL_ENV):
        pytest.skip(f"PostgreSQL not configured: set {POSTGRESQL_ENV} "
                    "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres); the multi-server deployment "
                    "runs on PostgreSQL only")
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: no certificate for nginx's TLS server")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two app servers (``a``, ``b``) on one migrated PostgreSQL database with
    the demo catalogue and demo accounts, one shared data directory, behind
    ``nginx``. ``browse()`` makes a browser through the proxy,
    ``browse(server)`` one talking to that app server directly."""
    _require_tools()
    databases = Databases("postgresql", tmp_path_factory)
    base = tmp_path_factory.mktemp("deploy")
    certificate, key = self_signed_certificate(base)
    servers = []
    proxy = None
    try:
        url = databases.new_url()
        # nginx's ports first: the portal's public URL names its TLS port
        placeholder = Nginx(base / "nginx", ("127.0.0.1:1", "127.0.0.1:2"), certificate, key)
        environ = production_environ(url, base / "data", placeholder.public_url)
        command(environ, "congdichvu-db", "upgrade")
        command(environ, "congdichvu-catalog", "load-demo")
        command(environ, "congdichvu-user", "demo")
        servers = [AppServer(name, environ, base).start() for name in ("a", "b")]
        for server in servers:
            server.wait_ready()
        placeholder.upstreams = tuple(server.address for server in servers)
        proxy = placeholder.start()
        a, b = servers

        def browse(server=None):
            if server is None:
                return browser(f"127.0.0.1:{proxy.https_port}", proxy.public_url, certificate)
            return browser(server.address, proxy.public_url)

        yield SimpleNamespace(a=a, b=b, nginx=proxy, database_url=url, environ=environ, data_dir=base / "data",
                              browse=browse, certificate=certificate)
    finally:
        if proxy is not None:
            proxy.stop()
        for server in servers:
            server.stop()
        databases.drop_all()
