"""The sandbox's own ledger: numbers never repeat, a decision is taken once,
from several threads (each with its own connection, as several processes)."""
import sqlite3
import threading
from datetime import datetime, timezone

import pytest

from congdichvu.payments import vnpay
from congdichvu.payments.sandbox.store import FILE_NAME, SandboxStore

NOW = datetime(2026, 12, 1, 3, 4, 5, tzinfo=timezone.utc)


def params(txn_ref, amount="150000000"):
    return {"vnp_TxnRef": txn_ref, "vnp_TmnCode": "CDVSBX01", "vnp_Amount": amount,
            "vnp_OrderInfo": "Le phi ho so", "vnp_CreateDate": "20261201100405"}


@pytest.fixture
def store(tmp_path):
    return SandboxStore.in_data_dir(tmp_path)


def test_the_file_is_its_own_in_the_data_dir_and_in_wal_mode(store, tmp_path):
    assert store.path == str(tmp_path / FILE_NAME) == str(tmp_path / "sandbox-vnpay.sqlite")
    with sqlite3.connect(store.path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    SandboxStore(store.path)  # opening it again keeps what is there


def test_an_opened_transaction_is_undecided_with_an_8_digit_number(store):
    opened = store.open(params("A1"), NOW)
    assert (opened.response_code, opened.transaction_status, opened.pay_date) == ("", "01", "")
    assert opened.transaction_no == "14000001" and not opened.decided and not opened.paid
    assert (opened.amount, opened.tmn_code, opened.create_date, opened.bank_code) == (
        "150000000", "CDVSBX01", "20261201100405", "NCB")
    assert store.open(params("A1"), NOW) == opened  # opening again changes nothing
    assert store.open(params("A2"), NOW).transaction_no == "14000002"
    assert store.get("A1") == opened and store.get("nothing") is None


def test_a_decision_is_taken_once(store):
    store.open(params("B1"), NOW)
    paid, changed = store.decide(params("B1"), "00", "00", NOW)
    assert changed and paid.paid and paid.decided and paid.pay_date == vnpay.stamp(NOW) == "20261201100405"
    again, changed = store.decide(params("B1"), "24", "02", NOW)
    assert not changed and again == paid


def test_deciding_what_was_never_opened_opens_it_first(store):
    decided, changed = store.decide(params("C1"), "24", "02", NOW)
    assert changed and decided.response_code == "24" and decided.transaction_status == "02"
    assert decided.transaction_no == "14000001"


def _together(count, work):
    start, results, errors = threading.Barrier(count), [], []

    def run(index):
        start.wait()
        try:
            results.append(work(index))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_numbers_never_repeat_under_concurrency(store):
    opened = _together(12, lambda index: store.open(params(f"D{index}"), NOW))
    numbers = sorted(transaction.transaction_no for transaction in opened)
    assert numbers == [f"{14000001 + index:08d}" for index in range(12)]


def test_two_decisions_at_once_one_wins(store):
    store.open(params("E1"), NOW)
    codes = ["00", "24"] * 5
    results = _together(10, lambda index: store.decide(params("E1"), codes[index],
                                                       "00" if codes[index] == "00" else "02", NOW))
    winners = [transaction for transaction, changed in results if changed]
    assert len(winners) == 1
    assert {transaction for transaction, _changed in results} == {store.get("E1")} == set(winners)
