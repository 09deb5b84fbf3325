"""Many IPNs at once: every order paid exactly once, with one receipt.

    python benchmarks/payments_ipn.py [--orders 100] [--copies 2] [--clients 32]

A fresh PostgreSQL database (on the server CONGDICHVU_DATABASE_URL names,
by default postgresql+psycopg://postgres@127.0.0.1:5432/postgres) gets the
demo catalogue and ``--orders`` dossiers waiting for payment, each with an
attempt. A waitress server (a subprocess, 8 threads) then receives every
order's signed IPN ``--copies`` times, all shuffled and sent by
``--clients`` concurrent clients — the gateway retrying, two app servers
answering. Counted afterwards in the database: orders paid, receipts,
"paid" events, and the answers (00 once per order, 02 for the copies, no
99 and no HTTP error). Writes the figures as JSON to benchmarks/results/.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INI = str(ROOT / "development.ini")
sys.path.insert(0, str(ROOT / "benchmarks"))

from page_throughput import free_port, settings_for, wait_until_up  # noqa: E402
from submission import fresh_database  # noqa: E402

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def prepare(database_url, orders):
    """The database with ``orders`` dossiers awaiting payment; returns
    (settings, [signed IPN query strings])."""
    import transaction
    from pyramid.scripting import prepare as prepare_env

    from congdichvu.accounts import services as accounts
    from congdichvu.config import configure
    from congdichvu.eservices.models import Dossier, DossierAgency, DossierEvent
    from congdichvu.models import get_tm_session
    from congdichvu.payments import services, vnpay
    from congdichvu.scripts import db as db_script
    from congdichvu.scripts.catalog import load_demo

    settings = settings_for(Path(tempfile.mkdtemp(prefix="congdichvu-ipn-")), database_url)
    settings["congdichvu.payments.reconcile_interval"] = "0"
    db_script.upgrade(INI, settings)
    app = configure(settings).make_wsgi_app()
    secret, tmn = settings["congdichvu.vnpay.hash_secret"], settings["congdichvu.vnpay.tmn_code"]
    env = prepare_env(registry=app.registry)
    queries = []
    try:
        with open(os.devnull, "w") as quiet:
            load_demo(env, out=quiet)
        now = datetime.now(timezone.utc)
        with transaction.manager:
            db = get_tm_session(app.registry["dbsession_factory"], transaction.manager)
            citizen = accounts.create_user(db, "ipn.bench", "mat-khau-do-hieu-nang", "Người Đo", ["citizen"])
            for number in range(1, orders + 1):
                dossier = Dossier(code=f"H56.01-261130-{number:04d}", procedure_code="1.004873",
                                  procedure_snapshot={"code": "1.004873", "name": "Cấp Giấy xác nhận"},
                                  sector_code="HT", agency_code="H56.01", handling_agency_code="H56.01", state=4,
                                  channel="online", data={}, submitted_at=now, received_at=now, updated_at=now,
                                  applicant_id=citizen.id, applicant_name="Người Đo")
                dossier.agencies.append(DossierAgency(agency_code="H56.01"))
                dossier.events.append(DossierEvent(at=now, actor="bench", action="submit", to_state=1))
                db.add(dossier)
                db.flush()
                amount = 1500 * number
                order, _event = services.ask(db, dossier, lines=[{"name": "Lệ phí", "count": 1, "unit_amount": amount,
                                                                  "amount": amount}],
                                             amount=amount, purpose=None, agency_code="H56.01", actor="bench")
                attempt = services.start_attempt(db, order, "vnpay")
                params = {"vnp_Amount": str(amount * 100), "vnp_BankCode": "NCB", "vnp_OrderInfo": "Thanh toan",
                          "vnp_PayDate": vnpay.stamp(now), "vnp_ResponseCode": "00", "vnp_TmnCode": tmn,
                          "vnp_TransactionNo": str(14000000 + number), "vnp_TransactionStatus": "00",
                          "vnp_TxnRef": attempt.txn_ref}
                params["vnp_SecureHash"] = vnpay.sign(params, secret)
                queries.append(urllib.parse.urlencode(params))
    finally:
        env["closer"]()
        app.registry["dbengine"].dispose()
    return settings, queries


def count(settings):
    from sqlalchemy import create_engine, text

    engine = create_engine(settings["sqlalchemy.url"])
    with engine.connect() as connection:
        figures = {
            "orders_paid": connection.execute(text("SELECT count(*) FROM payment_order WHERE state = 'paid'")).scalar(),
            "receipts": connection.execute(text("SELECT count(*) FROM dossier_file WHERE kind = 'e_receipt'")).scalar(),
            "distinct_receipt_numbers": connection.execute(text(
                "SELECT count(DISTINCT receipt_number) FROM payment_order WHERE receipt_number IS NOT NULL")).scalar(),
            "paid_events": connection.execute(text(
                "SELECT count(*) FROM dossier_event WHERE action = 'paid'")).scalar(),
            "dossiers_back_to_work": connection.execute(text(
                "SELECT count(*) FROM dossier WHERE state = 4")).scalar(),
        }
    engine.dispose()
    return figures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--copies", type=int, default=2)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args(argv)
    database_url = fresh_database(os.environ.get("CONGDICHVU_DATABASE_URL") or DEFAULT_SERVER)
    settings, queries = prepare(database_url, args.orders)
    calls = [query for query in queries for _copy in range(args.copies)]
    random.Random(11).shuffle(calls)
    port = free_port()
    server = subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "page_throughput.py"), "--serve",
                               json.dumps(settings), str(port)], env=dict(os.environ, PYTHONUTF8="1"))
    base = f"http://127.0.0.1:{port}"

    def send(query):
        try:
            with urllib.request.urlopen(f"{base}/payments/vnpay/ipn?{query}", timeout=60) as answer:
                return json.loads(answer.read())["RspCode"]
        except OSError as failure:
            return f"error: {failure}"

    try:
        wait_until_up(base + "/_bench/bare")
        started = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            answers = Counter(pool.map(send, calls))
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    figures = dict(count(settings), ipns_sent=len(calls), orders=args.orders, clients=args.clients,
                   answers=dict(answers), seconds=round(elapsed, 2),
                   errors=sum(n for code, n in answers.items() if code not in ("00", "02")))
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    results = ROOT / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    (results / "payments_ipn.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
    ok = (figures["orders_paid"] == figures["receipts"] == figures["paid_events"] == args.orders
          and figures["errors"] == 0 and answers.get("00") == args.orders)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
