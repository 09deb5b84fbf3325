"""deploy/nginx/congdichvu.conf against the HTTP caching contract of the
portal, with two stand-in app servers that answer as the contract says
(public pages: ``Cache-Control: public, max-age``, a strong ETag,
``Vary: Cookie``, 304 to If-None-Match; personal ones ``private,
no-store``) and record what reaches them. Needs nginx only."""
import http.client
import shutil
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.deploy.servers import ROOT, Nginx, nginx_binary, self_signed_certificate, tls_context, \
    upstream_attempts, wait_for

pytestmark = pytest.mark.skipif(nginx_binary() is None or shutil.which("openssl") is None,
                                reason="nginx or openssl is not installed (Debian: apt-get install nginx; "
                                       ".ci/run installs it): the proxy's configuration is not tested")


class StandIn(ThreadingHTTPServer):
    """An app server answering by path; ``seen`` lists (method, path, headers)."""

    daemon_threads = True

    def __init__(self, name):
        super().__init__(("127.0.0.1", 0), Handler)
        self.name, self.seen, self.version = name, [], "v1"

    @property
    def address(self):
        return f"127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self):
        server, path = self.server, self.path.split("?")[0]
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        server.seen.append((self.command, self.path, dict(self.headers)))
        if path == "/crash" and server.name == "a":
            # killed mid-request: the connection drops without an answer
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        etag = f'"{server.version}"'
        if path == "/public":
            headers = [("Cache-Control", "public, max-age=1"), ("ETag", etag), ("Vary", "Cookie"),
                       ("Last-Modified", "Mon, 30 Nov 2026 08:00:00 GMT"), ("Content-Type", "text/html")]
            if self.headers.get("If-None-Match") == etag:
                return self._answer(304, headers=headers)
            cookie = self.headers.get("Cookie", "")
            return self._answer(200, f"{server.version} {cookie} from {server.name}".encode(), headers)
        if path == "/private":
            return self._answer(200, f"private from {server.name}".encode(),
                                [("Cache-Control", "private, no-store"), ("Content-Type", "text/html")])
        if path == "/headers":
            forwarded = f"{self.headers.get('X-Forwarded-For')} {self.headers.get('X-Forwarded-Proto')}"
            return self._answer(200, forwarded.encode(), [("Cache-Control", "no-store")])
        return self._answer(200, f"{self.command} {self.path} from {server.name}".encode(),
                            [("Cache-Control", "no-store")])

    do_GET = do_POST = do_HEAD = _handle


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    base = tmp_path_factory.mktemp("nginx-config")
    certificate, key = self_signed_certificate(base)
    stand_ins = [StandIn(name) for name in ("a", "b")]
    threads = [threading.Thread(target=server.serve_forever, daemon=True) for server in stand_ins]
    [thread.start() for thread in threads]
    nginx = Nginx(base / "nginx", tuple(server.address for server in stand_ins), certificate, key).start()
    try:
        yield nginx, stand_ins, tls_context(certificate)
    finally:
        nginx.stop()
        for server in stand_ins:
            server.shutdown()
            server.server_close()


def request(proxy, method, path, headers=None, body=None):
    nginx, _stand_ins, context = proxy
    connection = http.client.HTTPSConnection("127.0.0.1", nginx.https_port, context=context, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        connection.close()


def seen(stand_ins, path):
    return [(server.name, method) for server in stand_ins for method, seen_path, _h in server.seen if seen_path == path]


def test_public_pages_are_kept_for_their_max_age_then_revalidated(proxy):
    _nginx, stand_ins, _context = proxy
    first = request(proxy, "GET", "/public")
    second = request(proxy, "GET", "/public")
    assert first[1]["X-Cache-Status"] == "MISS" and second[1]["X-Cache-Status"] == "HIT"
    assert second[2] == first[2] and len(seen(stand_ins, "/public")) == 1
    # keyed on the language cookie
    english = request(proxy, "GET", "/public", {"Cookie": "_LOCALE_=en"})
    assert english[1]["X-Cache-Status"] == "MISS" and b"_LOCALE_=en" in english[2]
    # after max-age: asked again with If-None-Match, answered 304, kept again
    revalidated = wait_for(lambda: (lambda answer: answer if answer[1]["X-Cache-Status"] != "HIT" else None)(
        request(proxy, "GET", "/public")), 5, "the kept page expiring", interval=0.1)
    assert revalidated[1]["X-Cache-Status"] == "REVALIDATED" and revalidated[2] == first[2]
    asked = [headers.get("If-None-Match") for server in stand_ins for _method, path, headers in server.seen
             if path == "/public"]
    # Vietnamese, English (either server), then the Vietnamese page revalidated
    assert sorted(map(str, asked)) == ['"v1"', "None", "None"]


def test_a_visitor_holding_a_session_never_gets_or_fills_the_cache(proxy):
    _nginx, stand_ins, _context = proxy
    path = f"/public?{uuid.uuid4().hex}"
    anonymous = request(proxy, "GET", path)
    assert request(proxy, "GET", path)[1]["X-Cache-Status"] == "HIT"
    for number in range(3):
        status, headers, body = request(proxy, "GET", path, {"Cookie": f"congdichvu_session=person-{number}"})
        assert headers["X-Cache-Status"] == "BYPASS" and f"person-{number}".encode() in body
    assert request(proxy, "GET", path)[2] == anonymous[2]  # what they were answered was not kept for others
    for _ in range(2):  # personal answers are never kept, with or without a session
        assert request(proxy, "GET", "/private")[1]["X-Cache-Status"] == "MISS"
    # addresses that are never public skip the cache (and its lock) altogether
    for path in ("/dang-nhap?next=/ho-so-cua-toi", "/ho-so-cua-toi/nhap/abc/nguoi-nop", "/thu-tuc/1.001193/nop-truc-tuyen",
                 "/quan-tri", "/mot-cua/ho-so/X", "/payments/vnpay/return?x=1", "/ngon-ngu/en?next=/"):
        assert request(proxy, "GET", path)[1]["X-Cache-Status"] == "BYPASS", path
    for path in ("/thu-tuc/1.001193", "/tim-kiem?q=dang-nhap", "/dang-nhapx"):
        assert request(proxy, "GET", path)[1]["X-Cache-Status"] == "MISS", path


def test_a_get_is_passed_on_when_a_server_fails_but_a_post_it_received_is_not(proxy):
    """Server a drops every /crash request it reads, as a server killed
    mid-request does. A GET it dropped is answered by b; a POST it
    dropped is answered 502 and never sent to b."""
    nginx, stand_ins, _context = proxy

    def get_passed_on():
        path = f"/crash?get={uuid.uuid4().hex}"
        status, _headers, body = request(proxy, "GET", path)
        assert status == 200 and body.endswith(b"from b")
        return [name for name, _method in seen(stand_ins, path)] == ["a", "b"]

    def post_refused():
        path = f"/crash?post={uuid.uuid4().hex}"
        status, _headers, _body = request(proxy, "POST", path, {"Content-Type": "application/x-www-form-urlencoded"},
                                          b"dossier=1")
        receivers = [name for name, _method in seen(stand_ins, path)]
        assert len(receivers) == 1, receivers  # never sent to a second server
        assert status == (502 if receivers == ["a"] else 200)
        return receivers == ["a"]

    wait_for(get_passed_on, 15, "a GET dropped by a, answered by b", interval=0.2)
    # a is out of the rotation for fail_timeout (10 s) once it failed: the POSTs go to b until then
    wait_for(post_refused, 15, "a POST dropped by a, answered 502", interval=0.2)
    retried = [upstream_attempts(line) for line in nginx.log_lines() if '"GET /crash' in line]
    assert any(len(entry[3]) == 2 and entry[3][0][1] != "0" for entry in retried)  # a had received it


def test_the_client_address_comes_from_nginx_and_static_files_from_the_checkout(proxy):
    nginx, stand_ins, _context = proxy
    status, headers, body = request(proxy, "GET", "/headers", {"X-Forwarded-For": "203.0.113.9"})
    assert body == b"127.0.0.1 https"  # what a visitor writes is replaced
    assert headers["Server"] == "nginx"  # no version
    status, headers, body = request(proxy, "GET", "/static/css/site.css")
    assert status == 200 and body == (ROOT / "static" / "css" / "site.css").read_bytes()
    assert "max-age=3600" in headers["Cache-Control"] and headers["X-Content-Type-Options"] == "nosniff"
    assert not seen(stand_ins, "/static/css/site.css")
    connection = http.client.HTTPConnection("127.0.0.1", nginx.http_port, timeout=10)
    connection.request("GET", "/thu-tuc?page=2")
    answer = connection.getresponse()
    assert answer.status == 301 and answer.getheader("Location") == f"{nginx.public_url}/thu-tuc?page=2"
    connection.close()
