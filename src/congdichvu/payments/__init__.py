"""Paying fees online (level 4): the fees due, payment orders and their
attempts, the gateway interface and the VNPay-protocol gateway, the local
sandbox gateway (development only), e-receipts and reconciliation.

How money moves (DESIGN.md, "Payment"): a dossier with fees due gets a
payment order; each press of "Thanh toán" makes an attempt with its own
TxnRef and sends the browser to the gateway with a signed request; the
browser comes back to the return page, which only shows; only the
gateway's server-to-server report (IPN) with a valid signature and the
exact amount, or its answer to a transaction query (reconciliation),
marks an attempt paid — once — and then the order, the dossier and the
receipt follow in the same transaction.
"""
from ..settings import asbool

#: where the sandbox gateway (payments.sandbox) answers, under congdichvu.public_url
SANDBOX_PAY_PATH = "/sandbox/vnpay/pay"
SANDBOX_QUERY_PATH = "/sandbox/vnpay/querydr"


def sandbox_enabled(settings):
    return asbool(settings.get("congdichvu.payments.sandbox", False))


def includeme(config):
    """The VNPay-protocol gateway as the IPaymentGateway utility (startup
    fails without its hash secret: production.ini takes it from
    CONGDICHVU_VNPAY_HASH_SECRET), the sandbox gateway when
    ``congdichvu.payments.sandbox`` is true (development.ini; never
    production.ini), the views (the citizen's, the gateway's, the desk's
    reconciliation), and the in-process reconciliation."""
    from .gateway import VNPayGateway
    from .interfaces import IPaymentGateway

    settings = config.get_settings()
    if sandbox_enabled(settings):
        public = settings["congdichvu.public_url"].rstrip("/")
        settings["congdichvu.vnpay.url"] = settings.get("congdichvu.vnpay.url") or public + SANDBOX_PAY_PATH
        settings["congdichvu.vnpay.api_url"] = settings.get("congdichvu.vnpay.api_url") or public + SANDBOX_QUERY_PATH
    missing = [key for key in ("congdichvu.vnpay.tmn_code", "congdichvu.vnpay.hash_secret", "congdichvu.vnpay.url",
                               "congdichvu.vnpay.api_url") if not settings.get(key)]
    if missing:
        raise RuntimeError("Missing payment settings: %s (set CONGDICHVU_VNPAY_TMN_CODE / "
                           "CONGDICHVU_VNPAY_HASH_SECRET)" % ", ".join(missing))
    config.registry.registerUtility(VNPayGateway.from_settings(settings), IPaymentGateway)
    from ..ingress import MACHINE_ANSWERS
    from .views import unreadable_ipn

    # a request too broken to read is not one the gateway signed
    config.registry.setdefault(MACHINE_ANSWERS, {})[b"/payments/vnpay/ipn"] = unreadable_ipn
    if sandbox_enabled(settings):
        config.include(".sandbox")
    config.scan(".views")
    config.scan(".desk_views")
    config.include(".reconcile")
