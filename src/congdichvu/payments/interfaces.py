"""The gateway interface: what the portal needs of any payment gateway
(the VNPay-protocol one now; the national payment platform or Keypay can
be added as other utilities providing it)."""
from dataclasses import dataclass, field
from datetime import datetime

from zope.interface import Attribute, Interface


class BadSignature(Exception):
    """A message claiming to come from the gateway is not signed by it."""


class GatewayUnavailable(Exception):
    """The gateway could not be asked (network, its answer unreadable or unsigned)."""


@dataclass(frozen=True)
class Report:
    """What the gateway says of one attempt (its IPN, its return redirect or
    its answer to a query), verified: ``txn_ref`` the portal's reference,
    ``amount`` whole đồng (None when unreadable), ``outcome`` one of
    models.PAID / FAILED / CANCELLED / EXPIRED, or None while it is still
    open at the gateway; ``response_code`` and ``transaction_status`` as
    the gateway wrote them; ``transaction_number`` its own number;
    ``paid_at`` aware UTC; ``raw`` the verified fields, kept as they came."""

    txn_ref: str
    amount: int | None
    outcome: str | None
    response_code: str = ""
    transaction_status: str = ""
    transaction_number: str = ""
    bank_code: str = ""
    paid_at: datetime | None = None
    raw: dict = field(default_factory=dict)


class IPaymentGateway(Interface):
    name = Attribute("the short name kept on attempts, e.g. 'vnpay'")
    label = Attribute("the name citizens see, e.g. 'VNPay'")

    def redirect_url(attempt, *, info, locale, return_url, ip_address):
        """The address to send the browser to for ``attempt`` (a PaymentAttempt)."""

    def read_report(params):
        """The Report in ``params`` (a dict of text from the IPN or the
        return redirect). Raises BadSignature."""

    def query(attempt, *, now):
        """Ask the gateway what became of ``attempt``: a Report, or None
        when it does not know the transaction. Raises GatewayUnavailable."""
