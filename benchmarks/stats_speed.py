"""Statistics at scale: the API and pages over 100,000 and 1,000,000 dossiers.

    python benchmarks/stats_speed.py [--counts 100000,1000000] [--year 2025] [--runs 7]

For each count, a PostgreSQL database ``congdichvu_stats_<count>`` on the
server CONGDICHVU_DATABASE_URL names (by default the local one) is made
once — migrated, the demo catalogue, the demo accounts, and ``count``
synthetic dossiers submitted over ``--year`` (``congdichvu-dossiers
generate`` with ``--workers`` processes: the domain code real dossiers go
through, so the summary rows and daily counts come from the flush hook,
not from a bulk load) — and kept for the next run
(``--fresh`` makes it again). Then each request is timed in process
(WebTest, no network): the median and the slowest of ``--runs`` after one
warm-up. Writes benchmarks/results/stats_speed.json.

Requests: the API for the city (with those under it) for a quarter and for
the year, for a ward for the quarter, the ranking of every ward for the
year (stats.figures.figures_by_agency), and the public page /thong-ke and
the leaders' dashboard when they exist.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INI = str(ROOT / "development.ini")
sys.path.insert(0, str(ROOT / "benchmarks"))

from page_throughput import settings_for  # noqa: E402

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
CITY = "H56.01"


def database(server, count, fresh):
    """The URL of the database for ``count`` dossiers, and whether it must be filled."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"congdichvu_stats_{count}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
        if exists and fresh:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            exists = False
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0'))
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False), not exists


def app_for(url, data_dir):
    from congdichvu.config import configure

    settings = settings_for(data_dir, url)
    settings["congdichvu.payments.reconcile_interval"] = "0"
    settings["congdichvu.page_cache_listen"] = "false"
    return settings, configure(settings).make_wsgi_app()


def fill(url, count, year, data_dir, workers):
    """Migrate ``url``, load the catalogue and accounts, and generate ``count``
    dossiers over ``year`` with ``congdichvu-dossiers generate`` (``workers``
    processes). Returns the seconds the generation took."""
    import subprocess

    from pyramid.scripting import prepare

    from congdichvu.scripts import db as db_script
    from congdichvu.scripts.catalog import load_demo
    from congdichvu.scripts.user import demo as user_demo

    settings = settings_for(data_dir, url)
    db_script.upgrade(INI, settings)
    _settings, app = app_for(url, data_dir)
    env = prepare(registry=app.registry)
    try:
        with open(os.devnull, "w") as quiet:
            load_demo(env, out=quiet)
            user_demo(env, out=quiet)
    finally:
        env["closer"]()
    app.registry["dbengine"].dispose()
    command = [str(Path(sys.executable).parent / "congdichvu-dossiers"), "generate", INI, "--count", str(count),
               "--from", f"{year}-01-01", "--to", f"{year}-12-31", "--seed", str(year), "--batch", "2000",
               "--workers", str(workers), "--no-files"]
    environ = dict(os.environ, CONGDICHVU_DATABASE_URL=url, CONGDICHVU_DATA_DIR=str(data_dir))
    began = time.perf_counter()
    subprocess.run(command, env=environ, check=True)
    return time.perf_counter() - began


def replicate(base_url, count, target, server):
    """A database of ``target`` dossiers made from the ``count`` generated
    ones of ``base_url``: copied in SQL until there are enough (new ids
    and codes; the same days, agencies, procedures and summary rows), then
    every daily count computed again from the summary rows
    (stats.daily.contributions), for sizes the generator would take hours
    to reach on this machine. The copies have no events (nothing timed
    here reads them). Returns (URL, seconds)."""
    from collections import Counter

    from sqlalchemy import create_engine, insert, select, text
    from sqlalchemy.engine import make_url

    from congdichvu.eservices.models import Dossier
    from congdichvu.stats.daily import contributions
    from congdichvu.stats.models import DAY_COUNTS, DossierStat, StatDay

    name = f"congdichvu_stats_copy_{target}"
    began = time.perf_counter()
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    source = make_url(base_url).database
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
    admin.dispose()
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)

    def copy(table, changed, key):
        names = [column.name for column in table.columns]
        chosen = ", ".join(changed.get(column, f'"{column}"') for column in names)
        quoted = ", ".join(f'"{column}"' for column in names)
        return text(f"INSERT INTO {table.name} ({quoted}) SELECT {chosen} FROM {table.name} "
                    f"WHERE {key} <= :last ORDER BY {key} LIMIT :wanted")

    with engine.begin() as connection:
        last = connection.scalar(text("SELECT max(id) FROM dossier"))
        remaining, round_number = target - count, 1
        while remaining > 0:
            shift, wanted = round_number * last, min(count, remaining)
            connection.execute(copy(Dossier.__table__, {"id": f"id + {shift}", "entry_key": "NULL",
                                                        "code": f"code || '-' || (id + {shift})"}, "id"),
                               {"last": last, "wanted": wanted})
            connection.execute(copy(DossierStat.__table__, {"dossier_id": f"dossier_id + {shift}"}, "dossier_id"),
                               {"last": last, "wanted": wanted})
            remaining, round_number = remaining - wanted, round_number + 1
        connection.execute(text("SELECT setval(pg_get_serial_sequence('dossier', 'id'), (SELECT max(id) FROM dossier))"))
        counts = Counter()
        for row in connection.execute(select(DossierStat).execution_options(yield_per=20000)).mappings():
            counts.update(contributions(dict(row)))
        rows = {}
        for (agency, day, column), value in counts.items():
            rows.setdefault((agency, day), dict.fromkeys(DAY_COUNTS, 0))[column] = value
        connection.execute(text("DELETE FROM stat_day"))
        connection.execute(insert(StatDay), [dict(values, agency_code=agency, day=day)
                                             for (agency, day), values in rows.items()])
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return url, time.perf_counter() - began


def timed(testapp, path, params, runs, headers=None):
    testapp.get(path, params, headers=headers)
    found = []
    for _ in range(runs):
        began = time.perf_counter()
        testapp.get(path, params, headers=headers)
        found.append((time.perf_counter() - began) * 1000)
    return {"median_ms": round(statistics.median(found), 1), "max_ms": round(max(found), 1)}


def measure(url, year, runs, data_dir):
    import webtest
    from sqlalchemy import func, select

    from congdichvu.catalog.models import Agency
    from congdichvu.eservices.models import Dossier
    from congdichvu.stats.figures import figures_by_agency

    _settings, app = app_for(url, data_dir)
    testapp = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
    db = app.registry["dbsession_factory"]()  # a plain session: reads only
    wards = tuple(db.scalars(select(Agency.code).where(Agency.level == "commune")))
    dossiers = db.scalar(select(func.count()).select_from(Dossier))
    quarter = {"from": f"{year}-10-01", "to": f"{year}-12-31"}
    whole = {"from": f"{year}-01-01", "to": f"{year}-12-31"}
    api = "/api/v1/statistics"
    found = {
        "dossiers": dossiers,
        "api_city_quarter": timed(testapp, api, dict(quarter, agency=CITY, include_children="true"), runs),
        "api_city_year": timed(testapp, api, dict(whole, agency=CITY, include_children="true"), runs),
        "api_ward_quarter": timed(testapp, api, dict(quarter, agency=wards[0]), runs),
        "api_city_sector_year": timed(testapp, api, dict(whole, agency=CITY, include_children="true",
                                                             sector="HT"), runs),
    }
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        figures_by_agency(db, wards, date(year, 1, 1), date(year, 12, 31))
        times.append((time.perf_counter() - began) * 1000)
    found["ranking_all_wards_year"] = {"median_ms": round(statistics.median(times), 1),
                                       "max_ms": round(max(times), 1)}
    fresh = {"Cache-Control": "no-cache"}  # computed anew each time, past the page cache
    for name, path, params in (("page_city_quarter", "/thong-ke", quarter), ("page_city_year", "/thong-ke", whole)):
        if testapp.get(path, params, expect_errors=True).status_int == 200:
            found[name + "_computed"] = timed(testapp, path, params, runs, headers=fresh)
            found[name + "_cached"] = timed(testapp, path, params, runs)
    db.close()
    app.registry["dbengine"].dispose()
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="100000,1000000")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--workers", type=int, default=2, help="processes generating the dossiers")
    parser.add_argument("--replicate", type=int, default=0,
                        help="also measure a database of this many times the last count, copied in SQL")
    args = parser.parse_args()
    server = os.environ.get("CONGDICHVU_DATABASE_URL", DEFAULT_SERVER)
    results = {}
    for count in (int(part) for part in args.counts.split(",")):
        data_dir = Path(tempfile.mkdtemp(prefix="congdichvu-stats-"))
        url, empty = database(server, count, args.fresh)
        entry = {}
        if empty:
            print(f"generating {count:,} dossiers…", file=sys.stderr)
            entry["generate_seconds"] = round(fill(url, count, args.year, data_dir, args.workers), 1)
        entry.update(measure(url, args.year, args.runs, data_dir))
        results[str(count)] = entry
        print(json.dumps({count: entry}, indent=2))
    if args.replicate > 1:
        copied, seconds = replicate(url, count, count * args.replicate, server)
        entry = {"copied_from": count, "copy_seconds": round(seconds, 1)}
        entry.update(measure(copied, args.year, args.runs, data_dir))
        results[f"{count * args.replicate} (copied)"] = entry
        print(json.dumps({count * args.replicate: entry}, indent=2))
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "stats_speed.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
