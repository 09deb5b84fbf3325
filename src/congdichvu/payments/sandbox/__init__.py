"""The local sandbox gateway (development and tests only): speaks the
VNPay protocol (version 2.1.0) so the whole payment flow runs offline.

It plays the outside bank, in the portal's own process, under
``/sandbox/vnpay/`` (payments.SANDBOX_PAY_PATH, SANDBOX_QUERY_PATH): it
checks the merchant's signed ``pay`` request and shows a bank-like page
whose buttons pay, cancel, fail for want of funds or time out; it then
reports the result to the portal's IPN address server to server (now,
20 seconds later, or never — to test the transaction query) and sends the
browser back to the return address with the signed result; it answers
``querydr`` from its own ledger (store.py), which is not the portal's
database. ``payments.includeme`` includes it only when
``congdichvu.payments.sandbox`` is true (development.ini, the tests);
production.ini never does.

``registry["vnpay_sandbox"]`` is the Sandbox below; tests replace its
``courier`` with a courier.RecordingCourier.
"""
from dataclasses import dataclass

from .. import SANDBOX_PAY_PATH, SANDBOX_QUERY_PATH
from .courier import HTTPCourier, RecordingCourier  # noqa: F401 (RecordingCourier: for tests)
from .store import SandboxStore

REGISTRY_KEY = "vnpay_sandbox"


@dataclass
class Sandbox:
    """The sandbox gateway's parts: its ``store`` (store.SandboxStore), the
    ``courier`` that delivers IPNs, and the merchant it knows
    (``tmn_code``, and the hash ``secret`` it shares with it)."""

    store: SandboxStore
    courier: object
    secret: str
    tmn_code: str


def includeme(config):
    settings = config.get_settings()
    config.registry[REGISTRY_KEY] = Sandbox(
        store=SandboxStore.in_data_dir(settings["congdichvu.data_dir"]), courier=HTTPCourier(),
        secret=settings["congdichvu.vnpay.hash_secret"], tmn_code=settings["congdichvu.vnpay.tmn_code"])
    # the same path answers the page (GET) and the customer's decision (POST)
    config.add_route("vnpay_sandbox_pay", SANDBOX_PAY_PATH)
    config.add_route("vnpay_sandbox_querydr", SANDBOX_QUERY_PATH)
    config.scan(".views")
