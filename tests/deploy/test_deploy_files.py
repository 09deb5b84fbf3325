"""deploy/ agrees with production.ini and the portal: body limits, the
trusted proxy, the units' commands, secrets and writable paths."""
import configparser
import re
import shutil
import subprocess

import pytest
from paste.deploy.loadwsgi import SERVER, loadcontext
from pyramid.paster import get_appsettings

from congdichvu.ingress import request_limit
from congdichvu.settings import ENVIRONMENT_OVERRIDES
from tests.deploy.servers import NGINX_CONF, PRODUCTION_INI, ROOT

SYSTEMD = ROOT / "deploy" / "systemd"


def _server_settings(**variables):
    return loadcontext(SERVER, f"config:{PRODUCTION_INI}", global_conf=variables).local_conf


def test_the_proxy_accepts_what_the_app_servers_accept():
    nginx_limit = int(re.search(r"client_max_body_size (\d+);", NGINX_CONF.read_text()).group(1))
    waitress = _server_settings(http_host="127.0.0.1", http_port="6543", proxy_address="127.0.0.1")
    assert nginx_limit == int(waitress["max_request_body_size"])
    # the portal's own limit fits under both, so it answers (in Vietnamese) what lies between
    assert request_limit(get_appsettings(str(PRODUCTION_INI), name="main")) <= nginx_limit


def test_each_app_server_listens_where_it_is_told_and_trusts_only_the_proxy():
    waitress = _server_settings(http_host="10.0.0.21", http_port="6544", proxy_address="10.0.0.10")
    assert waitress["listen"] == "10.0.0.21:6544" and waitress["trusted_proxy"] == "10.0.0.10"
    assert set(waitress["trusted_proxy_headers"].split()) == {"x-forwarded-for", "x-forwarded-proto"}
    assert waitress["clear_untrusted_proxy_headers"] == "true"
    conf = NGINX_CONF.read_text()
    # nginx sets both headers, the address to the one it saw (never a visitor's list)
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    upstreams = re.findall(r"^\s*server (127\.0\.0\.1):(\d+) ", conf, re.MULTILINE)
    assert len(upstreams) >= 2 and all(host == "127.0.0.1" for host, _port in upstreams)
    unit = _unit("congdichvu@.service")
    assert "CONGDICHVU_PROXY_ADDRESS=127.0.0.1" in unit["Service"]["Environment"]


def test_nginx_passes_on_only_requests_that_never_reached_a_server():
    directives = re.findall(r"^\s*proxy_next_upstream (.*);", NGINX_CONF.read_text(), re.MULTILINE)
    assert directives == ["error timeout"]  # not non_idempotent: a POST once sent is never sent again


def _unit(name):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string(re.sub(r"\\\n\s*", " ", (SYSTEMD / name).read_text()))
    return parser


def _example_environment():
    """{variable: value} of the template of /etc/congdichvu/env, optional ones (#VARIABLE=…) included."""
    lines = (SYSTEMD / "congdichvu.env.example").read_text().splitlines()
    return dict(re.fullmatch(r"#?([A-Z_]+)=(.*)", line).groups() for line in lines if re.fullmatch(r"#?[A-Z_]+=.*", line))


def test_the_units_read_every_secret_from_the_environment_file_and_write_only_the_data_directory():
    environment = _example_environment()
    assert set(ENVIRONMENT_OVERRIDES) <= set(environment)
    services = sorted(path.name for path in SYSTEMD.glob("*.service"))
    assert services == ["congdichvu-notify.service", "congdichvu-payments.service", "congdichvu-search.service",
                        "congdichvu-sweep.service", "congdichvu@.service"]
    for name in services:
        service = _unit(name)["Service"]
        assert service["EnvironmentFile"] == "/etc/congdichvu/env", name
        assert service["ReadWritePaths"] == environment["CONGDICHVU_DATA_DIR"], name
        assert service["NoNewPrivileges"] == "yes" and service["ProtectSystem"] == "strict", name
        if service.get("Type") != "oneshot":
            assert service["Restart"] == "on-failure", name


def test_the_workers_run_the_portal_s_commands_in_a_loop():
    scripts = set(re.findall(r"^(congdichvu-[a-z]+) = ", (ROOT / "pyproject.toml").read_text(), re.MULTILINE))
    for name, action in (("congdichvu-search", "process"), ("congdichvu-notify", "process"),
                         ("congdichvu-payments", "reconcile")):
        command = _unit(f"{name}.service")["Service"]["ExecStart"].split()
        assert command[0] == f"/srv/congdichvu/.venv/bin/{name}" and name in scripts
        assert command[1:3] == [action, "/srv/congdichvu/production.ini"] and "--loop" in command
        assert 1 <= int(command[command.index("--interval") + 1]) <= 3600
    sweep = _unit("congdichvu-sweep.service")["Service"]["ExecStart"].split()
    assert sweep[1:3] == ["sweep", "/srv/congdichvu/production.ini"]
    assert _unit("congdichvu-sweep.timer")["Timer"]["OnCalendar"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_reads_the_units_without_a_complaint(tmp_path):
    """systemd-analyze verify, with the checkout standing in for /srv/congdichvu
    (so that the commands the units start exist) and the template as an instance."""
    for path in SYSTEMD.iterdir():
        name = path.name.replace("@.service", "@6543.service")
        (tmp_path / name).write_text(path.read_text().replace("/srv/congdichvu", str(ROOT)))
    units = sorted(str(path) for path in tmp_path.iterdir() if path.suffix in (".service", ".timer", ".target"))
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", *units], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    complaints = [line for line in (done.stdout + done.stderr).splitlines() if "congdichvu" in line]
    assert not complaints and done.returncode == 0, done.stdout + done.stderr
