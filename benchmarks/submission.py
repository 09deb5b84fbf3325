"""Submitting dossiers with large papers: time per submission and the peak
memory of the server process, for several file sizes side by side.

    python benchmarks/submission.py [--sizes 1 5 20] [--submissions 5]

For each size a fresh server (waitress in a subprocess, production
settings) is started on a fresh database (SQLite, or a new database on the
PostgreSQL server CONGDICHVU_DATABASE_URL names) with the demo catalogue and one citizen; a client in this process walks the
whole flow like a browser (sign in, start, applicant, papers, result, review,
submit) with three files of that size. The server's peak resident memory
(VmHWM) is read after a warm-up submission with small files and again at
the end: if uploads are streamed, the growth does not follow the file size.
Writes the figures as JSON to benchmarks/results/.
"""
import argparse
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INI = str(ROOT / "development.ini")
sys.path.insert(0, str(ROOT / "benchmarks"))

from page_throughput import free_port, settings_for, wait_until_up  # noqa: E402

PROCEDURE = "1.001193"
PAPERS = (0, 1, 5)  # the required papers of the demo procedure
PASSWORD = "mat-khau-do-hieu-nang"


def fresh_database(server_url):
    """A new, empty PostgreSQL database on the server of ``server_url``."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"congdichvu_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def prepare(database_url=None):
    import transaction
    from pyramid.scripting import prepare as prepare_env

    from congdichvu.accounts import services
    from congdichvu.config import configure
    from congdichvu.scripts import db as db_script
    from congdichvu.scripts.catalog import load_demo

    settings = settings_for(Path(tempfile.mkdtemp(prefix="congdichvu-bench-")), database_url)
    db_script.upgrade(INI, settings)
    app = configure(settings).make_wsgi_app()
    env = prepare_env(registry=app.registry)
    try:
        with open(os.devnull, "w") as quiet:
            load_demo(env, out=quiet)
        with transaction.manager:
            from congdichvu.models import get_tm_session

            db = get_tm_session(app.registry["dbsession_factory"], transaction.manager)
            services.create_user(db, "bench.citizen", PASSWORD, "Người Đo Hiệu Năng", ["citizen"],
                                 email="bench@example.invalid", verified=True)
    finally:
        env["closer"]()
        app.registry["dbengine"].dispose()
    return settings


class FormFields(HTMLParser):
    """The (name, value) pairs a browser would send for one form, in order."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.fields, self.select, self.textarea = form_id, False, [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "input" and attrs.get("name") and attrs.get("type") not in ("file", "submit"):
            if attrs.get("type") in ("radio", "checkbox") and "checked" not in attrs:
                return
            self.fields.append([attrs["name"], attrs.get("value", "")])
        elif tag == "select":
            self.select = [attrs.get("name"), None]
            self.fields.append(self.select)
        elif tag == "option" and self.select is not None:
            if self.select[1] is None or "selected" in attrs:
                self.select[1] = attrs.get("value", "")
        elif tag == "textarea":
            self.textarea = [attrs.get("name"), ""]
            self.fields.append(self.textarea)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def form_fields(html, form_id, **changes):
    parser = FormFields(form_id)
    parser.feed(html)
    fields = [(name, changes.pop(name, value)) for name, value in parser.fields]
    return fields + list(changes.items())


class Client:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path):
        with self.opener.open(self.base + path) as response:
            return response.geturl(), response.read().decode()

    def post(self, url, fields, files=()):
        if files:
            boundary = uuid.uuid4().hex
            parts = []
            for name, value in fields:
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
            for name, filename, content in files:
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                             "Content-Type: application/pdf\r\n\r\n".encode() + content + b"\r\n")
            parts.append(f"--{boundary}--\r\n".encode())
            body, kind = b"".join(parts), f"multipart/form-data; boundary={boundary}"
        else:
            body, kind = urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded"
        request = urllib.request.Request(url if url.startswith("http") else self.base + url, data=body,
                                         headers={"Content-Type": kind})
        with self.opener.open(request, timeout=300) as response:
            return response.geturl(), response.read().decode()

    def sign_in(self):
        url, html = self.get("/dang-nhap")
        self.post(url, form_fields(html, "deform", login="bench.citizen", password=PASSWORD, submit="submit"))

    def submit(self, files):
        """One dossier, start to finish; returns (its code, seconds of the upload, seconds in all)."""
        started = time.perf_counter()
        url, html = self.get(f"/thu-tuc/{PROCEDURE}/nop-truc-tuyen")
        url, html = self.post(url, form_fields(html, "start"))
        url, html = self.post(url, form_fields(html, "step", birth_date="1990-05-17", id_number="019090001234",
                                               phone="0912345678", ward="H56.01.P05", address="Số 1, tổ 1",
                                               next="next"))
        upload_started = time.perf_counter()
        url, html = self.post(url, form_fields(html, "papers", next="next"),
                              [(f"paper-{index}", f"giay-to-{index}.pdf", files[n]) for n, index in enumerate(PAPERS)])
        upload_seconds = time.perf_counter() - upload_started
        assert "/nhan-ket-qua" in url, "the papers were not accepted"
        url, html = self.post(url, form_fields(html, "step", next="next"))
        url, html = self.post(url, form_fields(html, "step", declaration="true", submit="submit"))
        code = re.search(r"H56\.01\.P05-\d{6}-\d{4}", url)
        assert code, f"not submitted: {url}"
        return code.group(0), upload_seconds, time.perf_counter() - started


def peak_rss_mb(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def measure(size_mb, submissions, database_url):
    if database_url and database_url.startswith("postgresql"):
        database_url = fresh_database(database_url)
    settings = prepare(database_url)
    port = free_port()
    server = subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "page_throughput.py"), "--serve",
                               json.dumps(settings), str(port)], env=dict(os.environ, PYTHONUTF8="1"))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/_bench/bare")
        client = Client(base)
        client.sign_in()
        client.submit([b"%PDF-1.4\n" + os.urandom(20_000) for _ in PAPERS])  # warm up
        baseline = peak_rss_mb(server.pid)
        files = [b"%PDF-1.4\n" + os.urandom(int(size_mb * 1024 * 1024)) for _ in PAPERS]
        uploads, totals = [], []
        for _ in range(submissions):
            _code, upload_seconds, total = client.submit(files)
            uploads.append(upload_seconds)
            totals.append(total)
        peak = peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait()
    return {"file_mb": size_mb, "files": len(PAPERS), "submissions": submissions,
            "upload_s_median": sorted(uploads)[len(uploads) // 2], "submission_s_median": sorted(totals)[len(totals) // 2],
            "server_peak_rss_mb_after_warmup": round(baseline, 1), "server_peak_rss_mb": round(peak, 1),
            "growth_mb": round(peak - baseline, 1)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 5, 20])
    parser.add_argument("--submissions", type=int, default=5)
    args = parser.parse_args(argv)
    # a PostgreSQL URL names the server: each size gets a fresh database there
    # (and the variable must not reach the app, which would use it instead)
    database_url = os.environ.pop("CONGDICHVU_DATABASE_URL", None)
    rows = [measure(size, args.submissions, database_url) for size in args.sizes]
    print(f"{'file':>8} {'upload (3 files)':>17} {'whole flow':>11} {'server peak RSS':>16} {'growth':>8}")
    for row in rows:
        print(f"{row['file_mb']:>6g} MB {row['upload_s_median']:>15.2f} s {row['submission_s_median']:>9.2f} s "
              f"{row['server_peak_rss_mb']:>13.1f} MB {row['growth_mb']:>6.1f} MB")
    results = ROOT / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    backend = "postgresql" if database_url and database_url.startswith("postgresql") else "sqlite"
    (results / f"submission-{backend}.json").write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
