"""Import speed: 500, 2,000 and 8,000 procedures into an empty database.

    python benchmarks/import_speed.py [--sizes 500 2000 8000] [--postgresql]

For each size: generates a catalogue (benchmarks/generate_catalog.py) as a
file, migrates a fresh database (SQLite in a new data directory; with
``--postgresql`` or when CONGDICHVU_DATABASE_URL is set, a new database on
that PostgreSQL server, dropped afterwards), then imports the file in a
fresh process through the command's own path (``console_env`` of
development.ini, ``congdichvu.scripts.catalog.import_file``), so the search
index is built by the outbox hook after commit exactly as in
``congdichvu-catalog import``. Times the database part (validation, the
writes, the commit) and the index build (from the commit to the command's
return) separately, then imports the unchanged file again. Prints a table
with the cost per procedure, so linear growth shows as a flat column;
writes benchmarks/results/import_speed.json.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INI = str(ROOT / "development.ini")
sys.path.insert(0, str(ROOT / "benchmarks"))

from benchtools import DEFAULT_POSTGRESQL, Database, cpu_seconds, peak_mb  # noqa: E402


def import_once(catalog):
    """In the child process: one import through the command's path.
    Returns {database_s, index_s, total_s, cpu_s, peak_mb} for it."""
    import io

    from sqlalchemy import event

    from congdichvu.scripts import console_env
    from congdichvu.scripts.catalog import import_file

    marks = {}

    def committed(session):  # runs before the indexing hook: the database part ends here
        marks.setdefault("committed", time.perf_counter())

    env = console_env(INI)
    try:
        event.listen(env["registry"]["dbsession_factory"], "after_commit", committed, insert=True)
        out, err = io.StringIO(), io.StringIO()
        started, cpu = time.perf_counter(), cpu_seconds()
        status = import_file(env, catalog, out, err)
        finished, cpu = time.perf_counter(), cpu_seconds() - cpu
        if status != 0:
            raise SystemExit(err.getvalue())
    finally:
        env["closer"]()
    committed_at = marks.get("committed", finished)
    return {"database_s": committed_at - started, "index_s": finished - committed_at, "total_s": finished - started,
            "cpu_s": cpu, "peak_mb": peak_mb(), "report": out.getvalue().strip()}


def child(catalog):
    """Both imports of one size, in this (fresh) process; JSON on stdout."""
    first = import_once(catalog)
    again = import_once(catalog)
    print(json.dumps({"first": first, "again": again}))
    return 0


def prepare(size, database):
    """A new data directory holding the generated catalogue of ``size``
    procedures (catalog.json) and a fresh, migrated database (SQLite in it,
    or a new one from ``database``). Returns (data directory, catalogue
    path, the environment naming them: CONGDICHVU_DATA_DIR and, for
    PostgreSQL, CONGDICHVU_DATABASE_URL)."""
    from generate_catalog import generate

    from congdichvu.scripts import db as db_script
    from congdichvu.settings import resolve
    from pyramid.paster import get_appsettings

    data_dir = Path(tempfile.mkdtemp(prefix="congdichvu-import-"))
    catalog = data_dir / "catalog.json"
    catalog.write_text(json.dumps(generate(size), ensure_ascii=False, indent=1), encoding="utf-8")
    environ = {"CONGDICHVU_DATA_DIR": str(data_dir)}
    url = database.url()
    if url:
        environ["CONGDICHVU_DATABASE_URL"] = url
    db_script.upgrade(INI, resolve(get_appsettings(INI, name="main"), environ=environ))
    return data_dir, catalog, environ


def child_environment(environ):
    """This process's environment for a child working on ``environ``'s instance."""
    child_env = {key: value for key, value in os.environ.items() if key != "CONGDICHVU_DATABASE_URL"}
    child_env.update(environ, PYTHONUTF8="1")
    return child_env


def run_imports(catalog, environ):
    """Both imports of ``catalog`` in a fresh process: {first, again}, each
    as ``import_once`` returns it."""
    output = subprocess.run([sys.executable, __file__, "--child", str(catalog)], env=child_environment(environ),
                            capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure(size, database):
    """Generate, migrate, import in a child process; the child's figures."""
    data_dir = None
    try:
        data_dir, catalog, environ = prepare(size, database)
        return run_imports(catalog, environ)
    finally:
        database.drop()
        if data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 8000])
    parser.add_argument("--postgresql", nargs="?", const=DEFAULT_POSTGRESQL,
                        help=f"import into PostgreSQL on this server (default {DEFAULT_POSTGRESQL})")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child)

    database = Database(args.postgresql or os.environ.get("CONGDICHVU_DATABASE_URL"))
    backend = database.backend
    load_before = os.getloadavg()[0]
    rows = []
    for size in args.sizes:
        figures = measure(size, database)
        rows.append({"procedures": size, **figures})
        first = figures["first"]
        print(f"{size:>6} procedures: database {first['database_s']:.2f} s + index {first['index_s']:.2f} s "
              f"= {first['total_s']:.2f} s", flush=True)

    load = f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    print(f"\nimport into an empty {backend} database through congdichvu-catalog's path "
          f"({os.cpu_count()} cores, {load}; CPU s counts every process, so it does not depend on the load)")
    print(f"{'procedures':>10} {'database s':>11} {'index s':>8} {'total s':>8} {'ms/procedure':>13} "
          f"{'CPU s':>7} {'peak MB':>8} {'again s':>8}")
    for row in rows:
        first, again = row["first"], row["again"]
        print(f"{row['procedures']:>10,} {first['database_s']:>11.2f} {first['index_s']:>8.2f} "
              f"{first['total_s']:>8.2f} {first['total_s'] * 1000 / row['procedures']:>13.2f} "
              f"{first['cpu_s']:>7.2f} {first['peak_mb']:>8.0f} {again['total_s']:>8.2f}")
    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(exist_ok=True)
    record = {"backend": backend, "cores": os.cpu_count(), "load": load, "rows": rows}
    (out_dir / "import_speed.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
