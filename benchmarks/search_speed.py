"""Search speed over a generated catalogue.

    python benchmarks/search_speed.py [--procedures 5000] [--queries 1000]

Generates N procedures (benchmarks/generate_catalog.py), imports them into a
fresh SQLite database, times a full index build, then runs a mixed set of
queries (the judged ones of tests/search/judgments*.json, cycled) in-process
through the search service, and the same through the HTTP API served by
waitress. Prints p50/p95/p99 latencies; writes benchmarks/results/search_speed.json.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from benchtools import judged_queries, percentile  # noqa: E402


def main(argv=None):
    import transaction
    from generate_catalog import generate
    from page_throughput import free_port, prepare_settings_and_import, wait_until_up

    from congdichvu.config import configure
    from congdichvu.models import get_tm_session
    from congdichvu.search.services import WhooshSearchService

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procedures", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args(argv)

    catalog = Path(tempfile.mkdtemp()) / "catalog.json"
    catalog.write_text(json.dumps(generate(args.procedures), ensure_ascii=False), encoding="utf-8")
    settings = prepare_settings_and_import(catalog)
    config = configure(settings)
    registry = config.registry
    config.make_wsgi_app()
    manager = registry["search_index"]
    started = time.perf_counter()
    from congdichvu.search.index import WRITER_PROCESSES

    count = manager.rebuild(processes=WRITER_PROCESSES)
    build_seconds = time.perf_counter() - started
    print(f"index build: {count} procedures in {build_seconds:.1f} s ({WRITER_PROCESSES} processes)")

    queries = judged_queries(args.queries)
    manager_tm = transaction.TransactionManager(explicit=True)
    timings = []
    with manager_tm:
        service = WhooshSearchService(manager, get_tm_session(registry["dbsession_factory"], manager_tm))
        service.search("khởi động", log=False)  # opens the searcher, builds the vocabulary
        for text in queries:
            begun = time.perf_counter()
            service.search(text, per_page=10, log=False)
            timings.append((time.perf_counter() - begun) * 1000)
    in_process = {"p50_ms": percentile(timings, 50), "p95_ms": percentile(timings, 95), "p99_ms": percentile(timings, 99)}
    print("in-process: p50 {p50_ms:.1f} ms, p95 {p95_ms:.1f} ms, p99 {p99_ms:.1f} ms".format(**in_process))

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "page_throughput.py"), "--serve", json.dumps(settings), str(port)],
        env=dict(os.environ, PYTHONUTF8="1"),
    )
    http_timings = []
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/_bench/bare", timeout=120)
        urllib.request.urlopen(base + "/api/v1/search?q=kh%E1%BB%9Fi").read()
        for text in queries:
            begun = time.perf_counter()
            urllib.request.urlopen(base + "/api/v1/search?" + urllib.parse.urlencode({"q": text})).read()
            http_timings.append((time.perf_counter() - begun) * 1000)
    finally:
        server.terminate()
        server.wait()
    over_http = {"p50_ms": percentile(http_timings, 50), "p95_ms": percentile(http_timings, 95),
                 "p99_ms": percentile(http_timings, 99)}
    print("HTTP API (one client, sequential): p50 {p50_ms:.1f} ms, p95 {p95_ms:.1f} ms, p99 {p99_ms:.1f} ms".format(**over_http))
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "search_speed.json").write_text(json.dumps({
        "procedures": count, "build_seconds": build_seconds, "queries": len(queries),
        "in_process": in_process, "http": over_http,
    }, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
