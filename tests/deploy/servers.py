"""Real processes for the deployment tests: app servers started as
production starts them (``pserve production.ini http_port=…``, settings
from the environment), nginx running the shipped deploy/nginx/congdichvu.conf
with its ports and paths substituted, and browsers (WebTest) that talk to
them over real sockets.
"""
import http.client
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import webtest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_INI = ROOT / "production.ini"
NGINX_CONF = ROOT / "deploy" / "nginx" / "congdichvu.conf"
BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def nginx_binary():
    """nginx's path (Debian puts it in /usr/sbin, not on every PATH), or None."""
    return shutil.which("nginx") or next((path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx")
                                          if os.access(path, os.X_OK)), None)


def wait_for(check, timeout, what, interval=0.05):
    """Call ``check()`` until it returns something true (returned) or
    ``timeout`` seconds have passed (AssertionError naming ``what``)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(interval)


def _tail(path, lines=40):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# -- the portal's commands and app servers ------------------------------------


def production_environ(database_url, data_dir, public_url):
    """The environment of every process: what /etc/congdichvu/env holds in production."""
    environ = dict(os.environ)
    environ.update({
        "CONGDICHVU_DATABASE_URL": database_url,
        "CONGDICHVU_SECRET": "a-long-random-secret-for-the-deployment-test",
        "CONGDICHVU_PUBLIC_URL": public_url,
        "CONGDICHVU_DATA_DIR": str(data_dir),
        "CONGDICHVU_VNPAY_TMN_CODE": "TESTMERCH",
        "CONGDICHVU_VNPAY_HASH_SECRET": "a-merchant-hash-secret",
        # production.ini keeps public pages 60 s; the tests watch the proxy revalidate them
        "CONGDICHVU_HTTP_MAX_AGE": "3",
        "PYTHONUTF8": "1",
        "PYTHONWARNINGS": "ignore:pkg_resources is deprecated:UserWarning",
    })
    return environ


def command(environ, *args, timeout=180):
    """Run a console command of the portal on production.ini; its output."""
    name, *rest = args
    done = subprocess.run([str(BIN / name), rest[0], str(PRODUCTION_INI), *rest[1:]], env=environ,
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    assert done.returncode == 0, f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


class AppServer:
    """``pserve production.ini http_host=… http_port=PORT proxy_address=…``,
    as congdichvu@PORT.service runs it."""

    def __init__(self, name, environ, log_dir):
        self.name, self.environ = name, environ
        self.port = free_port()
        self.log = Path(log_dir) / f"app-{name}.log"
        self.process = None

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def start(self):
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [str(BIN / "pserve"), str(PRODUCTION_INI), "http_host=127.0.0.1", f"http_port={self.port}",
                 "proxy_address=127.0.0.1"],
                env=self.environ, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
        return self

    def answers(self):
        if self.process.poll() is not None:
            raise AssertionError(f"app server {self.name} exited ({self.process.returncode}):\n{_tail(self.log)}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            connection.request("GET", "/static/css/site.css")
            status = connection.getresponse().status
            connection.close()
            return status == 200
        except OSError:
            return False

    def wait_ready(self, timeout=90):
        wait_for(self.answers, timeout, f"app server {self.name} on port {self.port} answering", interval=0.2)
        return self

    def kill(self):
        """SIGKILL: the process dies at once, mid-request, as a crash or an OOM kill does."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


# -- nginx running the shipped configuration ----------------------------------


def render(text, replacements):
    """``text`` with each (old, new, count) replaced, every one found exactly
    ``count`` times: the test runs the shipped file, and a change to a
    line it substitutes must fail here, not silently test something else."""
    for old, new, count in replacements:
        found = text.count(old)
        assert found == count, f"deploy/nginx/congdichvu.conf: expected {count} x {old!r}, found {found}"
        text = text.replace(old, new)
    return text


def self_signed_certificate(directory):
    """(certificate, key) for 127.0.0.1 and localhost, made by openssl."""
    certificate, key = Path(directory) / "cert.pem", Path(directory) / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(key), "-out", str(certificate), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True, timeout=60)
    return certificate, key


class Nginx:
    """nginx in the foreground, unprivileged where the test is, with every
    path (pid, logs, temporary files, cache) under ``directory``."""

    def __init__(self, directory, upstreams, certificate, key):
        self.directory = Path(directory)
        self.http_port, self.https_port = free_port(), free_port()
        self.upstreams, self.certificate, self.key = upstreams, certificate, key
        self.access_log = self.directory / "congdichvu.access.log"
        self.error_log = self.directory / "congdichvu.error.log"
        self.process = None

    @property
    def public_url(self):
        return f"https://127.0.0.1:{self.https_port}"

    def site(self):
        """deploy/nginx/congdichvu.conf for this machine."""
        first, second = self.upstreams
        host = "dichvucong.example.gov.vn"
        return render(NGINX_CONF.read_text(encoding="utf-8"), [
            ("proxy_cache_path /var/cache/nginx/congdichvu ", f"proxy_cache_path {self.directory / 'cache'} ", 1),
            ("server 127.0.0.1:6543 ", f"server {first} ", 1),
            ("server 127.0.0.1:6544 ", f"server {second} ", 1),
            ("listen 80;", f"listen 127.0.0.1:{self.http_port};", 1),
            ("listen [::]:80;", "", 1),
            ("listen 443 ssl http2;", f"listen 127.0.0.1:{self.https_port} ssl http2;", 1),
            ("listen [::]:443 ssl http2;", "", 1),
            (f"https://{host}$request_uri", f"{self.public_url}$request_uri", 1),
            (f"server_name {host};", "server_name 127.0.0.1;", 2),
            ("root /var/www/acme;", f"root {self.directory / 'acme'};", 1),
            ("/etc/ssl/congdichvu/fullchain.pem", str(self.certificate), 1),
            ("/etc/ssl/congdichvu/privkey.pem", str(self.key), 1),
            ("/var/log/nginx/congdichvu.access.log", str(self.access_log), 1),
            ("/var/log/nginx/congdichvu.error.log", str(self.error_log), 1),
            ("alias /srv/congdichvu/static/;", f"alias {ROOT / 'static'}/;", 1),
        ])

    def main_conf(self):
        """What Debian's /etc/nginx/nginx.conf gives the site: an http block
        with MIME types (here with every temporary path under the directory)."""
        temp = self.directory / "temp"
        mime = Path("/etc/nginx/mime.types")
        types = f"include {mime};" if mime.exists() else \
            "types { text/css css; application/javascript js; image/svg+xml svg; text/html html; }"
        # as root (CI), workers would run as nobody, who cannot enter pytest's private directories
        user = "user root root;\n" if os.geteuid() == 0 else ""
        return f"""{user}worker_processes 2;
events {{ worker_connections 512; }}
http {{
    {types}
    default_type application/octet-stream;
    sendfile on;
    access_log off;
    client_body_temp_path {temp}/client_body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {self.directory / 'congdichvu.conf'};
}}
"""

    def start(self):
        for sub in ("temp", "cache", "acme"):
            (self.directory / sub).mkdir(parents=True, exist_ok=True)
        (self.directory / "congdichvu.conf").write_text(self.site(), encoding="utf-8")
        (self.directory / "nginx.conf").write_text(self.main_conf(), encoding="utf-8")
        arguments = [nginx_binary(), "-p", str(self.directory), "-c", str(self.directory / "nginx.conf"),
                     "-e", str(self.directory / "error.log"),
                     "-g", f"daemon off; pid {self.directory / 'nginx.pid'};"]
        check = subprocess.run([*arguments, "-t"], capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, f"nginx -t refused the configuration:\n{check.stderr}"
        self.stderr = open(self.directory / "nginx.stderr", "wb")
        self.process = subprocess.Popen(arguments, stdout=self.stderr, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        wait_for(self._answers, 20, "nginx answering", interval=0.05)
        return self

    def _answers(self):
        if self.process.poll() is not None:
            raise AssertionError(f"nginx exited:\n{_tail(self.directory / 'nginx.stderr')}\n"
                                 f"{_tail(self.directory / 'error.log')}")
        try:
            with socket.create_connection(("127.0.0.1", self.https_port), timeout=1):
                return True
        except OSError:
            return False

    def log_lines(self):
        return self.access_log.read_text(errors="replace").splitlines() if self.access_log.exists() else []

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.process is not None:
            self.stderr.close()


#: one line of the access log (log_format congdichvu)
ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<uri>\S+) [^"]*" (?P<status>\d{3}) .* upstream=(?P<upstream>.*) '
                         r'ustatus=(?P<ustatus>.*) usent=(?P<usent>.*) cache=(?P<cache>\S*)$')


def upstream_attempts(line):
    """(method, uri, status, [(upstream address, bytes sent to it)]) of an
    access-log line; nginx separates the servers one request was passed to
    by commas (and by colons across upstream groups)."""
    match = ACCESS_LINE.search(line)
    if match is None:
        return None
    addresses = [part.strip() for part in re.split(r"[,:] (?=\S)", match["upstream"]) if part.strip() != "-"]
    sent = [part.strip() for part in re.split(r"[,:] ", match["usent"])]
    return match["method"], match["uri"], int(match["status"]), list(zip(addresses, sent))


# -- browsers over real sockets --------------------------------------------------


#: headers a forwarding client must not pass on (hop by hop)
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization"}


class Forwarder:
    """A WSGI application that sends every request to a real server over
    TCP (TLS to nginx, plain HTTP to an app server) and hands back its
    answer, so WebTest's forms, cookies and redirects work against real
    processes. ``target`` ("host:port") may be changed between requests; a
    POST carries the portal's Origin as a browser's does."""

    def __init__(self, target, tls_context=None, origin=None, timeout=60):
        self.target, self.tls_context, self.origin, self.timeout = target, tls_context, origin, timeout

    def _connection(self):
        host, port = self.target.rsplit(":", 1)
        if self.tls_context is not None:
            return http.client.HTTPSConnection(host, int(port), context=self.tls_context, timeout=self.timeout)
        return http.client.HTTPConnection(host, int(port), timeout=self.timeout)

    def __call__(self, environ, start_response):
        path = quote(environ.get("PATH_INFO", "").encode("latin-1"), safe="/:@!$&'()*+,;=-._~%")
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        headers = {key[5:].replace("_", "-").title(): value for key, value in environ.items()
                   if key.startswith("HTTP_") and key[5:].replace("_", "-").lower() not in HOP_BY_HOP}
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else None
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD") and self.origin and "Origin" not in headers:
            headers["Origin"] = self.origin
        connection = self._connection()
        try:
            connection.request(environ["REQUEST_METHOD"], path, body=body, headers=headers)
            answer = connection.getresponse()
            data = answer.read()
        finally:
            connection.close()
        start_response(f"{answer.status} {answer.reason or 'Status'}",
                       [(name, value) for name, value in answer.getheaders() if name.lower() not in HOP_BY_HOP])
        return [data]


def tls_context(certificate):
    context = ssl.create_default_context(cafile=str(certificate))
    return context


def browser(target, public_url, certificate=None):
    """A WebTest browser whose requests go to ``target`` ("host:port": nginx
    over TLS when ``certificate`` is given, else an app server directly),
    all of them addressed as the portal's public URL so that its Secure
    cookies are kept and sent (one cookie jar, whichever server answers)."""
    host = public_url.split("://", 1)[1]
    forwarder = Forwarder(target, tls_context(certificate) if certificate else None, origin=public_url)
    return webtest.TestApp(forwarder, extra_environ={"wsgi.url_scheme": "https", "HTTP_HOST": host}, lint=False)
