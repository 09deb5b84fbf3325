"""The officer's desk with a year of dossiers: the time of each queue page
and of the search, on PostgreSQL.

    python benchmarks/desk.py [--dossiers 100000] [--runs 7] [--keep]

Creates its own database on the PostgreSQL server named by
CONGDICHVU_BENCH_POSTGRESQL_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres), migrates it, loads
the demo catalogue, and generates N dossiers submitted over the last year
across the 33 desks of the demo city (H56.01 and its wards and communes
H56.01.P01…P21, X01…X11; the city's desk gets a few per cent, as in Q1/2018:
3,636 against 151,325), with their events, the agencies they passed through
(DossierAgency), transfers to the city and back, pending sign-offs, and a
realistic mix of states (most of a year's dossiers are returned; the last
weeks' are new, received, in processing, waiting for papers or payment;
some are late). Rows are written with COPY.

Then, through the app (WebTest, in this process) signed in as an officer
of a ward, an officer of the city and a leader of the city, it times every
queue page and searches by name, code prefix, card number and phone:
the median and the slowest of ``--runs`` runs after one warm-up. Each SQL
statement of a page is explained (EXPLAIN ANALYZE): the table says when
one reads the whole dossier table (Seq Scan) and the database time of the
slowest statement. The database is dropped at the end unless ``--keep``.
"""
import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INI = str(ROOT / "development.ini")
sys.path.insert(0, str(ROOT / "benchmarks"))

from page_throughput import settings_for  # noqa: E402

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PASSWORD = "mat-khau-do-hieu-nang-ban-mot-cua"
CITY = "H56.01"
WARDS = [f"H56.01.P{n:02d}" for n in range(1, 22)] + [f"H56.01.X{n:02d}" for n in range(1, 12)]
WARD = "H56.01.P08"
#: share of the dossiers received by the city's own desk (Q1/2018: 3,636 of 154,961)
CITY_SHARE = 0.025
QUEUES = ("moi", "dang-xu-ly", "cho-bo-sung", "cho-thanh-toan", "sap-den-han", "qua-han", "cho-tra",
          "chuyen-den", "chuyen-di", "cho-ky", "tat-ca")

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
            "Ngô", "Dương", "Lý", "Đinh", "Lương", "Ma", "Hà"]
MIDDLES = ["Văn", "Thị", "Đức", "Minh", "Ngọc", "Thanh", "Hữu", "Quang", "Thu", "Hồng", "Xuân", "Kim", "Bảo", ""]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương", "Khánh",
         "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Ngân", "Phong", "Phương", "Quân", "Sơn", "Tâm", "Thảo",
         "Thắng", "Trang", "Tuấn", "Vân", "Việt", "Yến"]


def fresh_database(server_url):
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"congdichvu_bench_desk_{uuid.uuid4().hex[:8]}"
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


def prepare(settings):
    """Migrate, load the demo catalogue, make the three staff accounts."""
    import transaction
    from pyramid.scripting import prepare as prepare_env
    from sqlalchemy import select

    from congdichvu.accounts import services
    from congdichvu.catalog.models import Agency
    from congdichvu.config import configure
    from congdichvu.models import get_tm_session
    from congdichvu.scripts import db as db_script
    from congdichvu.scripts.catalog import load_demo

    db_script.upgrade(INI, settings)
    app = configure(settings).make_wsgi_app()
    env = prepare_env(registry=app.registry)
    try:
        with open(os.devnull, "w") as quiet:
            load_demo(env, out=quiet)
        with transaction.manager:
            db = get_tm_session(app.registry["dbsession_factory"], transaction.manager)
            agencies = {a.code: a for a in db.scalars(select(Agency))}
            procedures = _procedures(db)
            for username, roles, code in (("ward.officer", ["officer"], WARD), ("city.officer", ["officer"], CITY),
                                          ("city.leader", ["leader"], CITY)):
                services.create_user(db, username, PASSWORD, username, roles, email=f"{username}@example.invalid",
                                     agency=agencies[code])
    finally:
        env["closer"]()
    return app, procedures


def _procedures(db):
    """[(code, name, sector, level, working days)] of the demo catalogue."""
    from sqlalchemy import select

    from congdichvu.catalog.models import Procedure, Sector

    rows = db.execute(select(Procedure.code, Procedure.name, Sector.code, Procedure.level)
                      .join(Sector, Procedure.sector_id == Sector.id)).all()
    rng = random.Random(7)
    return [(code, name, sector, level, rng.choice((0, 1, 3, 5, 7, 10, 15))) for code, name, sector, level in rows]


def add_working_days(moment, days):
    """``moment`` + ``days`` working days (weekends skipped), at 17:00 local (10:00 UTC)."""
    day = moment.date()
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=timezone.utc)


def generate(count, procedures, now, seed=2018):
    """(dossiers, events, agencies) as lists of tuples for COPY."""
    from congdichvu.search.analysis import fold

    rng = random.Random(seed)
    commune = [p for p in procedures if p[3] == "commune"] or procedures
    district = [p for p in procedures if p[3] != "commune"] or procedures
    weights = [rng.uniform(0.5, 1.5) for _ in WARDS]
    total = sum(weights)
    desks = [(code, (1 - CITY_SHARE) * w / total) for code, w in zip(WARDS, weights)] + [(CITY, CITY_SHARE)]
    codes, shares = zip(*desks)
    daily = {}
    dossiers, events, passed = [], [], []
    event_id = 0
    folded_names = {}
    start = now - timedelta(days=365)
    for dossier_id in range(1, count + 1):
        agency = rng.choices(codes, shares)[0]
        procedure = rng.choice(district if agency == CITY else commune)
        code_p, name_p, sector, _level, days = procedure
        submitted = start + timedelta(seconds=rng.uniform(0, 365 * 86400))
        day = (submitted + timedelta(hours=7)).date()
        daily[(agency, day)] = daily.get((agency, day), 0) + 1
        code = f"{agency}-{day:%y%m%d}-{daily[(agency, day)]:04d}"
        channel = rng.choices(("online", "in_person", "postal"), (0.3, 0.65, 0.05))[0]
        due = add_working_days(submitted, days)
        age = (now - submitted).days
        handling = agency
        finished = returned = stopped = None
        roll = rng.random()
        if channel == "online" and age < 3 and roll < 0.5:
            state = 1
        elif roll < 0.01:
            state = 3
        elif roll < 0.02:
            state = 7
        elif roll < 0.025:
            state = 8
        elif due > now - timedelta(days=3) or roll < 0.03:  # recent, or stuck and late
            state = rng.choices((2, 4, 5, 6, 9), (0.1, 0.55, 0.12, 0.08, 0.15))[0]
        else:
            state = rng.choices((10, 9), (0.97, 0.03))[0]
        if state in (3, 7, 8, 9, 10):
            finished = min(now, due + timedelta(hours=rng.uniform(-72, 30)))
            finished = max(finished, submitted)
        if state == 10:
            returned = min(now, finished + timedelta(hours=rng.uniform(1, 48)))
        if state == 5:
            stopped = min(now, submitted + timedelta(days=1))
        surname, middle, given = rng.choice(SURNAMES), rng.choice(MIDDLES), rng.choice(GIVEN)
        name = " ".join(part for part in (surname, middle, given) if part)
        folded = folded_names.get(name)
        if folded is None:
            folded = folded_names[name] = " ".join(fold(name).split())
        organisation = rng.random() < 0.05
        tax_code = f"46{rng.randrange(10**8):08d}" if organisation else None
        phone = f"09{rng.randrange(10**8):08d}"
        id_number = f"019{rng.randrange(10**9):09d}"
        dossier_agencies = {agency}
        transfer_events = []
        if agency != CITY and rng.random() < 0.05 and state not in (1, 3, 7):
            dossier_agencies.add(CITY)
            transfer_events.append((submitted + timedelta(hours=4), agency, CITY))
            if state in (9, 10) or rng.random() < 0.3:  # came back to the ward
                transfer_events.append((submitted + timedelta(days=1), CITY, agency))
            else:
                handling = CITY
        received = submitted if state != 1 else None
        dossiers.append((dossier_id, code, code_p, json.dumps({"code": code_p, "name": name_p, "sector": sector}, ensure_ascii=False),
                         sector, agency, handling, state, channel, "{}", "organisation" if organisation else "person",
                         name, folded, None if organisation else id_number, tax_code, phone,
                         f"Tổ {rng.randint(1, 30)}, {agency}", submitted, received or submitted, due, due, stopped,
                         finished, returned, returned or finished or submitted))
        for code_a in dossier_agencies:
            passed.append((dossier_id, code_a))
        history = [(submitted, "submit", agency, None, None, 1)]
        if state != 1:
            history.append((submitted + timedelta(minutes=30), "receive", agency, None, 1, 2 if state != 3 else 3))
        if state in (4, 5, 6, 8, 9, 10):
            history.append((submitted + timedelta(hours=1), "hand_over", agency, None, 2, 4))
        for at, source, target in transfer_events:
            history.append((at, "transfer", source, target, 4, 4))
        if state in (2, 4, 6) and rng.random() < 0.02:
            history.append((submitted + timedelta(hours=6), "sign_off_requested", handling, None, state, state))
            if rng.random() < 0.4:
                history.append((submitted + timedelta(hours=8), "apology", handling, None, state, state))
        if state in (5, 6, 8, 9, 10):
            history.append((finished or stopped or submitted + timedelta(days=1), "step", handling, None, 4, state))
        for at, action, actor_agency, to_agency, from_state, to_state in history:
            event_id += 1
            events.append((event_id, dossier_id, at, "bench", action, actor_agency, to_agency, from_state, to_state))
    return dossiers, events, passed


DOSSIER_COLUMNS = ("id, code, procedure_code, procedure_snapshot, sector_code, agency_code, handling_agency_code, "
                   "state, channel, data, applicant_kind, applicant_name, applicant_name_folded, applicant_id_number, "
                   "applicant_tax_code, applicant_phone, applicant_address, submitted_at, received_at, "
                   "appointment_at, due_at, clock_stopped_at, finished_at, returned_at, updated_at")


def load(database_url, dossiers, events, passed):
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as connection:
        with connection.cursor() as cursor:
            for table, columns, rows in (
                ("dossier", DOSSIER_COLUMNS, dossiers),
                ("dossier_event", "id, dossier_id, at, actor, action, agency_code, to_agency_code, from_state, "
                 "to_state", events),
                ("dossier_agency", "dossier_id, agency_code", passed),
            ):
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            cursor.execute("SELECT setval('dossier_id_seq', (SELECT max(id) FROM dossier))")
            cursor.execute("SELECT setval('dossier_event_id_seq', (SELECT max(id) FROM dossier_event))")
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE dossier")
        connection.execute("VACUUM ANALYZE dossier_event")
        connection.execute("VACUUM ANALYZE dossier_agency")


def sign_in(app, username):
    import webtest

    client = webtest.TestApp(app, extra_environ={"HTTP_HOST": "example.com"})
    form = client.get("/dang-nhap").forms["deform"]
    form["login"], form["password"] = username, PASSWORD
    assert form.submit("submit").status_int == 302, username
    return client


class Statements:
    """The SQL statements the app sends while it is listening."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.found = []
        self.on = False
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany):
        if self.on and "FROM dossier" in statement:
            self.found.append((statement, parameters))


def explain(engine, statements):
    """(whether a statement reads the whole dossier table, the slowest statement's database time in ms)."""
    import psycopg

    seq, slowest = False, 0.0
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        with psycopg.ClientCursor(raw) as cursor:  # parameters inlined: EXPLAIN takes none of its own
            for statement, parameters in statements:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + statement, parameters)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                seq = seq or "Seq Scan on dossier " in plan
                for line in plan.splitlines():
                    if line.startswith("Execution Time:"):
                        slowest = max(slowest, float(line.split()[2]))
        raw.rollback()
    return seq, slowest


def time_pages(app, engine, runs, samples):
    listener = Statements(engine)
    users = (("ward officer", "ward.officer"), ("city officer", "city.officer"), ("city leader", "city.leader"))
    searches = [("search: full name", {"q": samples["name"]}), ("search: name, no accents", {"q": samples["folded"]}),
                ("search: common name", {"q": "nguyen van"}), ("search: code prefix", {"q": samples["prefix"]}),
                ("search: card number", {"q": samples["id_number"]}), ("search: phone +84", {"q": samples["phone"]})]
    rows = []
    for label, username in users:
        client = sign_in(app, username)
        pages = [(f"queue {key}", {"hang": key}) for key in QUEUES] + [
            (name, dict(params, hang="tat-ca")) for name, params in searches]
        if username != "city.leader":
            pages = [page for page in pages if page[0] != "queue cho-ky"]
        for name, params in pages:
            client.get("/mot-cua", params=params)  # warm-up
            times = []
            for _run in range(runs):
                began = time.perf_counter()
                response = client.get("/mot-cua", params=params)
                times.append((time.perf_counter() - began) * 1000)
            listener.found, listener.on = [], True
            client.get("/mot-cua", params=params)
            listener.on = False
            seq, db_ms = explain(engine, listener.found)
            if "html" not in response.content_type:
                raise SystemExit(f"{username} {params}: {response.status} {response.text[:500]}")
            words = response.html.select_one(".result-count").get_text(" ", strip=True).split()
            total = words[-1] if words[-1][:1].isdigit() else "0"
            rows.append((label, name, statistics.median(times), max(times), db_ms, "yes" if seq else "", total))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the database (its URL is printed)")
    parser.add_argument("--load-only", action="store_true", help="generate and keep the database, time nothing")
    args = parser.parse_args(argv)
    server = os.environ.get("CONGDICHVU_BENCH_POSTGRESQL_URL", DEFAULT_SERVER)
    name, database_url = fresh_database(server)
    print(f"database {name}")
    try:
        settings = settings_for(Path(tempfile.mkdtemp(prefix="congdichvu-bench-desk-")), database_url)
        settings["congdichvu.page_cache_listen"] = "false"
        settings["congdichvu.public_url"] = "http://example.com"  # WebTest says Host: example.com
        began = time.perf_counter()
        app, procedures = prepare(settings)
        print(f"migrated, catalogue and staff: {time.perf_counter() - began:.1f} s")
        now = datetime.now(timezone.utc)
        began = time.perf_counter()
        dossiers, events, passed = generate(args.dossiers, procedures, now)
        generated = time.perf_counter() - began
        load(database_url, dossiers, events, passed)
        print(f"{len(dossiers):,} dossiers, {len(events):,} events, {len(passed):,} agency rows: "
              f"generated in {generated:.1f} s, written in {time.perf_counter() - began - generated:.1f} s")
        if args.load_only:
            args.keep = True
            return
        ward_rows = [row for row in dossiers if row[5] == WARD and row[7] in (2, 4)]
        sample = ward_rows[len(ward_rows) // 2]
        samples = {"name": sample[11], "folded": sample[12], "prefix": sample[1][:-2].lower(),
                   "id_number": sample[13] or "019000000000", "phone": "+84 " + sample[15][1:4] + " " + sample[15][4:]}
        rows = time_pages(app, app.registry["dbengine"], args.runs, samples)
        print(f"\n{'visitor':<13} {'page':<27} {'median ms':>9} {'max ms':>8} {'SQL ms':>7} {'seq scan':>8} "
              f"{'dossiers':>9}")
        for visitor, page, median, worst, db_ms, seq, total in rows:
            print(f"{visitor:<13} {page:<27} {median:>9.1f} {worst:>8.1f} {db_ms:>7.1f} {seq:>8} {total:>9}")
        app.registry["dbengine"].dispose()
    finally:
        if args.keep:
            print(f"kept: {database_url}")
        else:
            drop_database(server, name)


if __name__ == "__main__":
    main()
