"""Import, index and search at catalogue scale: 2,000, 8,000 and 16,000 procedures.

    python benchmarks/catalog_scale.py [--sizes 2000 8000 16000] [--queries 1000] [--profile]

For each size, on a fresh migrated SQLite database (and, when
CONGDICHVU_DATABASE_URL or ``--postgresql`` names a server, on a new
PostgreSQL database there too), each step in a fresh process:

1. the import of the generated catalogue through ``congdichvu-catalog
   import``'s path, and again with nothing changed (import_speed.py's
   child: the database part and the index build the outbox starts after
   the commit, timed apart);
2. a full index build (``IndexManager.rebuild`` on every core, as
   ``ensure`` does at startup), its CPU time over all processes, its peak
   memory and the index's size on disk;
3. search latency in-process through the real search service
   (``WhooshSearchService``): the first search (opening the index and
   reading what it knows), then ``--queries`` searches cycling the judged
   queries of tests/search/judgments*.json: p50/p95/p99 and the slowest
   queries;
4. (SQLite only: the index is the same) the memory of a web process
   holding the index: the app served by waitress in a subprocess
   (page_throughput.py), its RSS, and PSS/USS from /proc/PID/smaps_rollup,
   once it answers, after every judged query once through the search page
   and the API, and after 300 procedure pages (each twice, so the page
   cache keeps them).

Prints two tables and the 8,000 → 16,000 growth of each cost; writes
benchmarks/results/catalog_scale.json. ``--profile`` then builds the index
again on one process and runs the searches again, both under cProfile, and
writes the summaries to benchmarks/results/ (the timed runs are not profiled).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INI = str(ROOT / "development.ini")
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT / "benchmarks"))

from benchtools import (  # noqa: E402
    DEFAULT_POSTGRESQL, Database, cpu_seconds, judged_queries, latencies, memory_mb, peak_mb,
)

#: procedure pages a web process is warmed with, the same at every size
PAGES = 300


def directory_mb(path):
    return sum(entry.stat().st_size for entry in Path(path).rglob("*") if entry.is_file()) / 2**20


def profiled(run, name):
    """``run()`` under cProfile; the summary (the 30 costliest functions by
    own time and by cumulative time) goes to results/catalog_scale-NAME.txt."""
    import cProfile
    import io
    import pstats

    profile = cProfile.Profile()
    result = profile.runcall(run)
    text = io.StringIO()
    stats = pstats.Stats(profile, stream=text)
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(30)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"catalog_scale-{name}.txt").write_text(text.getvalue(), encoding="utf-8")
    return result


# -- in the child processes -------------------------------------------------------


def child_build(profile):
    """A full index build of the instance in the environment; its figures."""
    from whoosh import index as whoosh_index

    from congdichvu.scripts import console_env
    from congdichvu.search.index import WRITER_PROCESSES

    env = console_env(INI)
    try:
        manager = env["registry"]["search_index"]
        started, cpu = time.perf_counter(), cpu_seconds()
        count = manager.rebuild(processes=WRITER_PROCESSES)
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
        with whoosh_index.open_dir(str(manager.directory / "live")).reader() as reader:
            segments = len(reader.leaf_readers())
        figures = {"documents": count, "seconds": seconds, "cpu_s": cpu, "peak_mb": peak_mb(),
                   "processes": WRITER_PROCESSES, "segments": segments,
                   "index_mb": directory_mb(manager.directory / "live")}
        if profile:  # apart from the timed build; on one process, so that the profile sees Whoosh's work
            profiled(lambda: manager.rebuild(processes=1), profile)
    finally:
        env["closer"]()
    return figures


def child_search(count, profile):
    """``count`` searches through the search service; their latencies."""
    import transaction

    from congdichvu.models import get_tm_session
    from congdichvu.scripts import script_env
    from congdichvu.search.services import WhooshSearchService

    env = script_env(INI)
    registry = env["registry"]
    queries = judged_queries(count)
    before = memory_mb()
    manager_tm = transaction.TransactionManager(explicit=True)
    timings, cpu_timings, by_query = [], [], {}
    try:
        with manager_tm:
            service = WhooshSearchService(registry["search_index"], get_tm_session(registry["dbsession_factory"], manager_tm))
            begun = time.perf_counter()
            service.search(queries[0], per_page=10, log=False)  # opens the index, reads what it knows
            first_ms = (time.perf_counter() - begun) * 1000
            held = memory_mb()

            def run():
                for text in queries:
                    begun, cpu = time.perf_counter(), time.thread_time()
                    found = service.search(text, per_page=10, log=False)
                    elapsed = (time.perf_counter() - begun) * 1000
                    timings.append(elapsed)
                    cpu_timings.append((time.thread_time() - cpu) * 1000)  # what the load does not change
                    best = by_query.get(text, (elapsed, 0))[0]
                    by_query[text] = (min(best, elapsed), found.total)

            run()
            if profile:  # apart from the timed searches, which cProfile would slow down
                profiled(lambda: [service.search(text, per_page=10, log=False) for text in queries], profile)
    finally:
        env["closer"]()
    slowest = sorted(by_query.items(), key=lambda item: -item[1][0])[:5]
    return {"searches": len(timings), "first_ms": first_ms, **latencies(timings),
            "cpu": latencies(cpu_timings),
            "slowest": [{"query": text, "best_ms": ms, "total": total} for text, (ms, total) in slowest],
            "rss_before_mb": before["rss"], "rss_holding_mb": held["rss"], "rss_after_mb": memory_mb()["rss"]}


def child(args):
    step, profile = args.child, (f"{args.child}-{args.size}" if args.profile else None)
    result = child_build(profile) if step == "build" else child_search(args.queries, profile)
    print(json.dumps(result))
    return 0


# -- in the parent ----------------------------------------------------------------


def run_child(step, environ, args, size):
    from import_speed import child_environment

    command = [sys.executable, __file__, "--child", step, "--size", str(size), "--queries", str(args.queries)]
    if args.profile:
        command.append("--profile")
    output = subprocess.run(command, env=child_environment(environ), stdout=subprocess.PIPE, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def get(url):
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read()


def web_memory(data_dir, environ, size):
    """The memory of a waitress process serving the instance in ``data_dir``
    (SQLite), once up, after searching, after procedure pages: {stage: memory_mb}."""
    from import_speed import child_environment
    from page_throughput import free_port, settings_for, wait_until_up

    settings = settings_for(data_dir)
    port = free_port()
    # the app reads the environment over its settings: only this instance's in it
    server = subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "page_throughput.py"), "--serve",
                               json.dumps(settings), str(port)], env=child_environment(environ))
    base = f"http://127.0.0.1:{port}"
    stages = {}
    try:
        wait_until_up(base + "/_bench/bare", timeout=300)
        stages["started"] = memory_mb(server.pid)
        begun, found = time.perf_counter(), 0
        for text in judged_queries():
            query = urllib.parse.urlencode({"q": text})
            get(f"{base}/tim-kiem?{query}")
            found += json.loads(get(f"{base}/api/v1/search?{query}"))["total"] > 0
        stages["searched"] = memory_mb(server.pid)
        # that the server searched its index: most judged queries find something
        stages["searched"].update(seconds=time.perf_counter() - begun, queries_found=found)
        step = max(1, size // PAGES)
        for number in range(1, size + 1, step)[:PAGES]:
            for _ in range(2):  # the page cache keeps a page from its second request
                get(f"{base}/thu-tuc/3.{number:06d}")
        stages["pages"] = memory_mb(server.pid)
    finally:
        server.terminate()
        server.wait()
    return stages


def measure(size, database, args, serve):
    from import_speed import prepare, run_imports

    data_dir = None
    row = {"procedures": size, "backend": database.backend}
    try:
        data_dir, catalog, environ = prepare(size, database)
        row["import"] = run_imports(catalog, environ)
        row["build"] = run_child("build", environ, args, size)
        row["search"] = run_child("search", environ, args, size)
        if serve:
            row["web"] = web_memory(data_dir, environ, size)
    finally:
        database.drop()
        if data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)
    return row


def print_tables(rows, load):
    print(f"\n{os.cpu_count()} cores, {load}; CPU s counts every process of the step")
    print(f"{'backend':<10} {'procedures':>10} {'import s':>9} {'db s':>7} {'index s':>8} {'ms/proc':>8} "
          f"{'again s':>8} {'build s':>8} {'build CPU':>9} {'peak MB':>8} {'index MB':>9}")
    for row in rows:
        first, build = row["import"]["first"], row["build"]
        print(f"{row['backend']:<10} {row['procedures']:>10,} {first['total_s']:>9.2f} {first['database_s']:>7.2f} "
              f"{first['index_s']:>8.2f} {first['total_s'] * 1000 / row['procedures']:>8.2f} "
              f"{row['import']['again']['total_s']:>8.2f} {build['seconds']:>8.2f} {build['cpu_s']:>9.2f} "
              f"{build['peak_mb']:>8.0f} {build['index_mb']:>9.1f}")
    print(f"\n{'backend':<10} {'procedures':>10} {'first ms':>9} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'CPU p95':>7} "
          f"{'web RSS MB: up':>15} {'searched':>9} {'+pages':>7} {'USS':>6} {'PSS':>6}")
    for row in rows:
        search, web = row["search"], row.get("web")
        memory = (f"{web['started']['rss']:>15.0f} {web['searched']['rss']:>9.0f} {web['pages']['rss']:>7.0f} "
                  f"{web['pages'].get('uss', 0):>6.0f} {web['pages'].get('pss', 0):>6.0f}") if web else ""
        print(f"{row['backend']:<10} {row['procedures']:>10,} {search['first_ms']:>9.0f} {search['p50_ms']:>7.1f} "
              f"{search['p95_ms']:>7.1f} {search['p99_ms']:>7.1f} {search['cpu']['p95_ms']:>7.1f} {memory}")


def growth(rows):
    """Per backend, each cost at the largest size over the one before
    (2.0 is linear for twice the procedures)."""
    ratios = {}
    for backend in {row["backend"] for row in rows}:
        mine = sorted((row for row in rows if row["backend"] == backend), key=lambda row: row["procedures"])
        if len(mine) < 2:
            continue
        small, large = mine[-2], mine[-1]
        costs = {
            "import": lambda row: row["import"]["first"]["total_s"],
            "import CPU": lambda row: row["import"]["first"]["cpu_s"],
            "import database part": lambda row: row["import"]["first"]["database_s"],
            "import index part": lambda row: row["import"]["first"]["index_s"],
            "re-import": lambda row: row["import"]["again"]["total_s"],
            "index build": lambda row: row["build"]["seconds"],
            "index build CPU": lambda row: row["build"]["cpu_s"],
            "search p95": lambda row: row["search"]["p95_ms"],
            "search p95 CPU": lambda row: row["search"]["cpu"]["p95_ms"],
        }
        ratios[backend] = {
            "from": small["procedures"], "to": large["procedures"],
            "sizes": large["procedures"] / small["procedures"],
            **{name: cost(large) / cost(small) for name, cost in costs.items() if cost(small)},
        }
    return ratios


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 8000, 16000])
    parser.add_argument("--queries", type=int, default=1000, help="searches per size (the judged queries, cycled)")
    parser.add_argument("--postgresql", nargs="?", const=DEFAULT_POSTGRESQL,
                        help=f"also on PostgreSQL on this server (default {DEFAULT_POSTGRESQL})")
    parser.add_argument("--profile", action="store_true", help="write cProfile summaries to benchmarks/results/")
    parser.add_argument("--child", choices=("build", "search"), help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)

    server = args.postgresql or os.environ.get("CONGDICHVU_DATABASE_URL")
    databases = [Database()] + ([Database(server)] if server else [])
    load_before = os.getloadavg()
    started = time.perf_counter()
    rows = []
    for size in args.sizes:
        for database in databases:
            row = measure(size, database, args, serve=database.backend == "SQLite")
            row["load_average"] = os.getloadavg()
            rows.append(row)
            save(rows, args, load=None)  # so far, in case a larger size does not finish
            first, build, search = row["import"]["first"], row["build"], row["search"]
            print(f"{database.backend} {size:>6}: import {first['total_s']:.1f} s (again {row['import']['again']['total_s']:.1f} s), "
                  f"build {build['seconds']:.1f} s, search p95 {search['p95_ms']:.1f} ms"
                  + (f", web RSS {row['web']['pages']['rss']:.0f} MB" if "web" in row else "")
                  + f" [load {os.getloadavg()[0]:.1f}]", flush=True)

    load = (f"load average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after, "
            f"{os.getloadavg()[2]:.1f} over the last 15 min; {time.perf_counter() - started:.0f} s in all")
    print_tables(rows, load)
    ratios = growth(rows)
    for backend, figures in ratios.items():
        print(f"\n{backend}, {figures['from']:,} → {figures['to']:,} procedures (×{figures['sizes']:.1f}):")
        for name, ratio in figures.items():
            if name not in ("from", "to", "sizes"):
                print(f"  {name:<22} ×{ratio:.2f}")
    save(rows, args, load)
    return 0


def save(rows, args, load):
    RESULTS.mkdir(exist_ok=True)
    record = {"cores": os.cpu_count(), "load": load, "queries": args.queries, "pages": PAGES,
              "rows": rows, "growth": growth(rows)}
    (RESULTS / "catalog_scale.json").write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
