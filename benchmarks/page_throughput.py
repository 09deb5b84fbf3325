"""Procedure and browse pages against a bare Pyramid route, same server.

    python benchmarks/page_throughput.py [--procedures 2000] [--seconds 10] [--connections 8 16]

Generates a catalogue, migrates a fresh SQLite database (or the database in
CONGDICHVU_DATABASE_URL), times the import, serves the app with waitress in a
subprocess (production settings: no template reloading) with one extra bare
route, and loads each URL from another process with wrk (Debian package), or a
small threaded Python client when wrk is missing, at each number of
connections given. Prints requests/s, p95 latency and each page's ratio to
the bare route; "conditional" is a revalidation (If-None-Match with the
page's ETag, answered 304). Writes the figures as JSON to
benchmarks/results/.
"""
import argparse
import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INI = str(ROOT / "development.ini")
sys.path.insert(0, str(ROOT / "benchmarks"))


def settings_for(data_dir, database_url=None):
    from pyramid.paster import get_appsettings

    from congdichvu.settings import resolve

    settings = get_appsettings(INI, name="main")
    settings["congdichvu.data_dir"] = str(data_dir)
    settings["pyramid.reload_templates"] = "false"
    if database_url:
        settings["sqlalchemy.url"] = database_url
        # as in production.ini: PostgreSQL announces content changes
        settings["congdichvu.page_cache_listen"] = os.environ.get("CONGDICHVU_BENCH_LISTEN", "true")
    return resolve(settings, environ={})


def prepare_database(settings, count):
    import transaction

    from congdichvu.catalog import exchange
    from congdichvu.models import get_engine, get_session_factory, get_tm_session
    from congdichvu.scripts import db as db_script
    from generate_catalog import generate

    db_script.upgrade(INI, settings)
    document = generate(count)
    engine = get_engine(settings)
    factory = get_session_factory(engine)
    started = time.perf_counter()
    with transaction.manager:
        exchange.import_catalog(get_tm_session(factory, transaction.manager), document)
    elapsed = time.perf_counter() - started
    started = time.perf_counter()
    with transaction.manager:
        report = exchange.import_catalog(get_tm_session(factory, transaction.manager), document)
    again = time.perf_counter() - started
    engine.dispose()
    assert not report.changed
    return elapsed, again


def prepare_settings_and_import(catalog_path, database_url=None):
    """Settings of a fresh, migrated database holding ``catalog_path``."""
    import transaction

    from congdichvu.catalog import exchange
    from congdichvu.models import get_engine, get_session_factory, get_tm_session
    from congdichvu.scripts import db as db_script

    settings = settings_for(Path(tempfile.mkdtemp(prefix="congdichvu-bench-")), database_url)
    db_script.upgrade(INI, settings)
    engine = get_engine(settings)
    with transaction.manager:
        exchange.import_catalog(
            get_tm_session(get_session_factory(engine), transaction.manager), exchange.read_file(catalog_path)
        )
    engine.dispose()
    return settings


def serve(settings_json, port):
    """Run in the server subprocess: the portal plus a bare route."""
    from pyramid.response import Response
    from waitress import serve as waitress_serve

    from congdichvu.config import configure

    config = configure(json.loads(settings_json))
    config.add_route("bench_bare", "/_bench/bare")
    config.add_view(lambda request: Response("ok"), route_name="bench_bare", permission="public:view")
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth" under load is expected
    waitress_serve(config.make_wsgi_app(), host="127.0.0.1", port=port, threads=4, _quiet=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url, timeout=300):  # the server builds the search index first
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not answer at {url}")


def load_with_wrk(url, seconds, connections, headers):
    header_args = [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", *header_args,
         "-s", str(ROOT / "benchmarks" / "percentiles.lua"), url],
        capture_output=True, text=True, check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def load_with_python(url, seconds, connections, headers):
    latencies, errors, lock = [], [0], threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker():
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
                    response.read()
                with lock:
                    latencies.append(time.perf_counter() - started)
            except OSError:
                with lock:
                    errors[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()

    def percentile(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] * 1000 if latencies else 0

    return {"requests": len(latencies), "errors": errors[0], "rps": len(latencies) / seconds,
            "p50_ms": percentile(50), "p95_ms": percentile(95), "p99_ms": percentile(99)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procedures", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, nargs="+", default=[8, 16])
    parser.add_argument("--serve", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return serve(args.serve[0], int(args.serve[1]))

    data_dir = Path(tempfile.mkdtemp(prefix="congdichvu-bench-"))
    settings = settings_for(data_dir, os.environ.get("CONGDICHVU_DATABASE_URL"))
    import_seconds, reimport_seconds = prepare_database(settings, args.procedures)
    print(f"import of {args.procedures} procedures: {import_seconds:.2f} s "
          f"(re-import, nothing changed: {reimport_seconds:.2f} s)")

    port = free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve", json.dumps(settings), str(port)],
                              env=dict(os.environ, PYTHONUTF8="1"))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/_bench/bare")
        fresh = {"Cache-Control": "no-cache"}  # bypasses the page cache
        for _ in range(3):  # warm up (the cache stores a page on its second request)
            urllib.request.urlopen(base + "/thu-tuc/3.000001").read()
        with urllib.request.urlopen(base + "/thu-tuc/3.000001") as response:
            etag = response.headers["ETag"]
        targets = {
            "bare route": ("/_bench/bare", {}),
            "procedure page": ("/thu-tuc/3.000001", {}),
            "conditional (304)": ("/thu-tuc/3.000001", {"If-None-Match": etag}),
            "browse page": ("/thu-tuc?level=district&sort=name&page=3", {}),
            "procedure, no cache": ("/thu-tuc/3.000001", fresh),
            "browse, no cache": ("/thu-tuc?level=district&sort=name&page=3", fresh),
        }
        load = load_with_wrk if subprocess.run(["which", "wrk"], capture_output=True).returncode == 0 else load_with_python
        tool = "wrk" if load is load_with_wrk else "python client"
        results = {}
        for connections in args.connections:
            results[connections] = {}
            for name, (path, headers) in targets.items():
                for _ in range(3):
                    urllib.request.urlopen(base + path).read()
                results[connections][name] = load(base + path, args.seconds, connections, headers)
    finally:
        server.terminate()
        server.wait()

    for connections, rows in results.items():
        bare = rows["bare route"]["rps"]
        print(f"\nload: {tool}, {connections} connections, {args.seconds} s each, waitress 4 threads, "
              f"{os.cpu_count()} cores shared by server and client")
        print(f"{'target':<20} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7} {'vs bare':>8}")
        for name, figures in rows.items():
            figures["ratio_to_bare"] = figures["rps"] / bare if bare else 0
            print(f"{name:<20} {figures['rps']:>9.1f} {figures['p50_ms']:>8.2f} {figures['p95_ms']:>8.2f} "
                  f"{figures['errors']:>7} {figures['ratio_to_bare']:>7.0%}")
    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(exist_ok=True)
    record = {"procedures": args.procedures, "import_seconds": import_seconds,
              "reimport_seconds": reimport_seconds, "tool": tool,
              "results": {f"{connections} connections": rows for connections, rows in results.items()},
              "database": settings["sqlalchemy.url"].split(":", 1)[0]}
    (out_dir / "page_throughput.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
