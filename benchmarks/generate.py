"""The synthetic dossier generator's speed on PostgreSQL: dossiers a second.

    python benchmarks/generate.py [--dossiers 20000] [--workers 1] [--batch 1000] [--no-files] [--keep]

Creates its own database on the PostgreSQL server named by
CONGDICHVU_BENCH_POSTGRESQL_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres), migrates it, loads
the demo catalogue and the demo staff (so ward dossiers may be transferred
to the city), then runs ``congdichvu-dossiers generate`` (in this process,
onestop.generate) for N dossiers over 2018 and prints the time, the
dossiers a second (overall and over the last batches, once the first
batch has warmed the caches), the statements a dossier took, the peak
memory (this process's, or the largest worker's) and the database's size.
To see that memory stays flat, compare the peak after 1/10 and after all of
a long run (printed both; with --workers the first is this process's). Writes the figures as JSON to benchmarks/results/generate.json.
The database is dropped at the end unless ``--keep``.

A pure-Python loop's time is printed first ("calibration"): it tells a
slow or busy machine apart from a slow generator.
"""
import argparse
import json
import os
import resource
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INI = str(ROOT / "development.ini")
sys.path.insert(0, str(ROOT / "benchmarks"))

from page_throughput import settings_for  # noqa: E402

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def fresh_database(server_url):
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"congdichvu_bench_generate_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0'))
    admin.dispose()
    return name, make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url, name):
    from sqlalchemy import create_engine, text

    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def calibration():
    """Seconds a plain loop of ten million additions takes here."""
    began, total = time.process_time(), 0
    for number in range(10_000_000):
        total += number
    return time.process_time() - began


def prepare(settings):
    """Migrate, load the demo catalogue and the demo staff; the app."""
    from io import StringIO

    from pyramid.scripting import prepare as prepare_env

    from congdichvu.config import configure
    from congdichvu.scripts import db as db_script
    from congdichvu.scripts.catalog import load_demo
    from congdichvu.scripts.user import demo

    db_script.upgrade(INI, settings)
    app = configure(settings).make_wsgi_app()
    env = prepare_env(registry=app.registry)
    try:
        load_demo(env, out=StringIO())
        demo(env, StringIO())
    finally:
        env["closer"]()
    return app


def database_size(url):
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        size = connection.execute(text("SELECT pg_size_pretty(pg_database_size(current_database()))")).scalar()
    engine.dispose()
    return size


def main(argv=None):
    from sqlalchemy import event

    from congdichvu.onestop import generate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--no-files", action="store_true", help="no file behind the results' rows")
    parser.add_argument("--keep", action="store_true", help="keep the database (its URL is printed)")
    args = parser.parse_args(argv)
    print(f"calibration: 10M additions in {calibration():.2f} s CPU (about 0.5 s on a 2020s laptop); "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    server = os.environ.get("CONGDICHVU_BENCH_POSTGRESQL_URL", DEFAULT_SERVER)
    name, database_url = fresh_database(server)
    print(f"database {name}")
    try:
        settings = settings_for(Path(tempfile.mkdtemp(prefix="congdichvu-bench-generate-")), database_url)
        app = prepare(settings)
        statements = [0]
        event.listen(app.registry["dbengine"], "before_cursor_execute", lambda *a: statements.__setitem__(
            0, statements[0] + 1))
        marks, peak_early = [], [None]

        def progress(tally):
            marks.append((tally.made, time.perf_counter()))
            if peak_early[0] is None and tally.made >= args.dossiers // 10:
                peak_early[0] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            print(f"  {tally.made:>9,} dossiers, {tally.rate:,.0f}/s", file=sys.stderr, flush=True)

        plan = generate.Plan(count=args.dossiers, first=date(2018, 1, 1), last=date(2018, 12, 31), seed=2018)
        tally = generate.generate(app.registry, plan, batch=args.batch, files=not args.no_files,
                                  workers=args.workers, progress=progress, now=datetime(2019, 1, 1, tzinfo=timezone.utc))
        (first, began), (last, ended) = marks[0], marks[-1]
        warm = (last - first) / (ended - began) if last > first else tally.rate
        figures = {
            "dossiers": tally.made, "workers": args.workers, "batch": args.batch, "files": not args.no_files,
            "seconds": round(tally.seconds, 1), "dossiers_per_second": round(tally.rate, 1),
            "dossiers_per_second_warm": round(warm, 1), "refused_steps": tally.refused,
            "statements_per_dossier": round(statements[0] / tally.made, 1) if args.workers == 1 else None,
            "peak_memory_mb": round(max(resource.getrusage(who).ru_maxrss  # a worker process's, with --workers
                                        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024),
            "peak_memory_mb_at_a_tenth": round((peak_early[0] or 0) / 1024),
            "database_size": database_size(database_url), "cpus": os.cpu_count(),
        }
        print(json.dumps(figures, indent=2))
        out = ROOT / "benchmarks" / "results"
        out.mkdir(parents=True, exist_ok=True)
        (out / "generate.json").write_text(json.dumps(figures, indent=2))
        app.registry["dbengine"].dispose()
    finally:
        if args.keep:
            print(f"kept: {database_url}")
        else:
            drop_database(server, name)


if __name__ == "__main__":
    main()
