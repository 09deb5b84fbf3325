"""The sandbox's own ledger: the transactions it was asked to take, kept in
a SQLite file of its own (``{congdichvu.data_dir}/sandbox-vnpay.sqlite``),
never in the portal's database — it plays an outside bank, and the portal
must learn what happened there only through the protocol (IPN, querydr).

A new connection for every call (WAL, a busy timeout), each change in one
``BEGIN IMMEDIATE`` transaction, so several threads and several processes
of the development server can use the same file: the transaction numbers
never repeat and a decision is taken once.
"""
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import timezone
from pathlib import Path

from .. import vnpay

FILE_NAME = "sandbox-vnpay.sqlite"
#: the first transaction number less one: numbers have 8 digits, as VNPay's do
FIRST_NUMBER = 14_000_000
#: milliseconds a call waits for another writer before giving up
BUSY_TIMEOUT_MS = 10_000
#: response_code of a transaction the customer has opened and not decided
UNDECIDED = ""
#: the bank the sandbox pretends the card belongs to
BANK_CODE = "NCB"

SCHEMA = """
CREATE TABLE IF NOT EXISTS transactions (
    txn_ref TEXT PRIMARY KEY,
    tmn_code TEXT NOT NULL,
    amount TEXT NOT NULL,
    order_info TEXT NOT NULL DEFAULT '',
    create_date TEXT NOT NULL DEFAULT '',
    transaction_no INTEGER NOT NULL UNIQUE,
    response_code TEXT NOT NULL DEFAULT '',
    transaction_status TEXT NOT NULL,
    bank_code TEXT NOT NULL DEFAULT '',
    pay_date TEXT NOT NULL DEFAULT '',
    updated TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class SandboxTransaction:
    """One row: ``amount`` is vnp_Amount as the merchant sent it (đồng ×
    100, text); ``create_date`` and ``pay_date`` are protocol stamps
    (``yyyyMMddHHmmss`` GMT+7; ``pay_date`` empty until decided);
    ``transaction_no`` the sandbox's own 8-digit number; ``response_code``
    empty and ``transaction_status`` "01" until the customer decides;
    ``updated`` ISO 8601 UTC."""

    txn_ref: str
    tmn_code: str
    amount: str
    order_info: str
    create_date: str
    transaction_no: str
    response_code: str
    transaction_status: str
    bank_code: str
    pay_date: str
    updated: str

    @property
    def decided(self):
        return self.response_code != UNDECIDED

    @property
    def paid(self):
        return self.response_code == vnpay.SUCCESS and self.transaction_status == vnpay.STATUS_SUCCESS


def _transaction(row):
    values = dict(row)
    values["transaction_no"] = f"{values['transaction_no']:08d}"
    return SandboxTransaction(**values)


class SandboxStore:
    """See the module. ``path`` the SQLite file (created with its table)."""

    def __init__(self, path):
        self.path = str(path)
        with closing(self._connect()) as connection:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute(SCHEMA)

    @classmethod
    def in_data_dir(cls, data_dir):
        return cls(Path(data_dir) / FILE_NAME)

    def _connect(self):
        # isolation_level=None: no implicit transactions; each change opens its own
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        connection.row_factory = sqlite3.Row
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return connection

    def get(self, txn_ref):
        """The transaction ``txn_ref``, or None."""
        with closing(self._connect()) as connection:
            return self._get(connection, txn_ref)

    @staticmethod
    def _get(connection, txn_ref):
        row = connection.execute("SELECT * FROM transactions WHERE txn_ref = ?", (txn_ref,)).fetchone()
        return _transaction(row) if row is not None else None

    def _write(self, change):
        """Run ``change(connection)`` in one immediate transaction (other
        writers wait for it) and return what it returns."""
        with closing(self._connect()) as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                result = change(connection)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
            return result

    @staticmethod
    def _insert(connection, params, now):
        """A new undecided transaction from the merchant's ``pay`` params,
        with the next number (the immediate transaction makes it unique)."""
        number = connection.execute(
            "SELECT COALESCE(MAX(transaction_no), ?) + 1 FROM transactions", (FIRST_NUMBER,)).fetchone()[0]
        connection.execute(
            "INSERT INTO transactions (txn_ref, tmn_code, amount, order_info, create_date, transaction_no, "
            "response_code, transaction_status, bank_code, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (params["vnp_TxnRef"], params["vnp_TmnCode"], params["vnp_Amount"], params.get("vnp_OrderInfo", ""),
             params.get("vnp_CreateDate", ""), number, UNDECIDED, vnpay.STATUS_INCOMPLETE, BANK_CODE,
             now.astimezone(timezone.utc).isoformat()))

    def open(self, params, now):
        """The transaction of the (verified) ``pay`` params ``params``,
        recorded as undecided when it is new; ``now`` an aware instant."""
        def change(connection):
            found = self._get(connection, params["vnp_TxnRef"])
            if found is not None:
                return found
            self._insert(connection, params, now)
            return self._get(connection, params["vnp_TxnRef"])

        return self._write(change)

    def decide(self, params, response_code, transaction_status, now):
        """Record the customer's decision on the transaction of ``params``
        (opened first if it was not): ``(transaction, changed)``, where
        ``changed`` is False when it had already been decided — a decision
        is never changed, so the transaction comes back as it was."""
        def change(connection):
            if self._get(connection, params["vnp_TxnRef"]) is None:
                self._insert(connection, params, now)
            changed = connection.execute(
                "UPDATE transactions SET response_code = ?, transaction_status = ?, pay_date = ?, updated = ? "
                "WHERE txn_ref = ? AND response_code = ?",
                (response_code, transaction_status, vnpay.stamp(now), now.astimezone(timezone.utc).isoformat(),
                 params["vnp_TxnRef"], UNDECIDED)).rowcount == 1
            return self._get(connection, params["vnp_TxnRef"]), changed

        return self._write(change)

