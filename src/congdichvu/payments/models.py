"""Payment orders (one per request to pay) and their attempts (one per
trip to the gateway, each with its own never-reused ``txn_ref``).

An order is what the citizen owes for a dossier: the lines and the total
(payments.fees.Quote), in whole đồng. Every time they press "Thanh toán"
a new attempt is made, so a cancelled or failed trip is never reused and
the gateway never sees one TxnRef twice. Only the gateway's server-to-
server report (the IPN), or its answer to a transaction query, changes an
attempt's state; the order follows its attempts:

- ``pending``   waiting for the citizen or the gateway;
- ``paid``      an attempt was confirmed paid (final; one receipt);
- ``failed``    the last attempt failed at the bank (pay again);
- ``cancelled`` the citizen cancelled at the gateway (pay again);
- ``expired``   the last attempt ran out of time unpaid (pay again).

An order the office or the applicant closes (the dossier withdrawn or
stopped, a new order asked instead) is ``cancelled`` with ``closed_at``
set; a payment the gateway still reports for it is kept as paid and
marked ``refund_due``, like a second payment of an order already paid.
"""
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..models.meta import Base, UTCDateTime

PENDING, PAID, FAILED, CANCELLED, EXPIRED = "pending", "paid", "failed", "cancelled", "expired"
ORDER_STATES = (PENDING, PAID, FAILED, CANCELLED, EXPIRED)
#: an attempt the gateway reported on (its IPN or a query): a second report is "already confirmed".
#: ``expired`` is the portal's own conclusion, which a late report from the gateway still overrides
REPORTED = frozenset({PAID, FAILED, CANCELLED})


class PaymentOrder(Base):
    """What is owed for a dossier, once: ``items`` the fee lines
    (payments.fees.Quote.as_json()["lines"]), ``amount`` their total in
    đồng. ``agency_code`` collects it (the dossier's handling agency when
    asked) and numbers its receipt; ``resume_state`` is the dossier state
    to go back to once paid (1 before reception, 4 while processing)."""

    __tablename__ = "payment_order"
    __table_args__ = (Index("ix_payment_order_agency_created", "agency_code", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    agency_code: Mapped[str] = mapped_column(String(40))
    amount: Mapped[int] = mapped_column(BigInteger)
    items: Mapped[list] = mapped_column(JSON, default=list)
    purpose: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default=PENDING, index=True)
    resume_state: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when the office or the applicant closed it unpaid (the dossier withdrawn or stopped, or a new
    #: order asked instead): a payment arriving afterwards is kept, and is to be refunded
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the attempt that paid it (an order is paid once)
    paid_attempt_id: Mapped[int | None] = mapped_column(Integer)
    #: the e-receipt: its series (ký hiệu) and number (số), and the dossier file holding the PDF
    receipt_symbol: Mapped[str | None] = mapped_column(String(40))
    receipt_number: Mapped[int | None] = mapped_column(Integer)
    receipt_file_id: Mapped[int | None] = mapped_column(ForeignKey("dossier_file.id", ondelete="SET NULL"))

    attempts: Mapped[list["PaymentAttempt"]] = relationship(
        back_populates="order", order_by="PaymentAttempt.id", cascade="all, delete-orphan")


class PaymentAttempt(Base):
    """One trip to a gateway for an order. ``amount`` is in đồng (the
    VNPay protocol sends it ×100). What the gateway said is kept as it
    said it: ``response_code``, ``transaction_status``, its transaction
    number, bank, pay date, and the last report whole (``report``, the
    verified parameters). ``gateway_state`` is the state the gateway gave
    on its last report or query, which reconciliation compares with ours."""

    __tablename__ = "payment_attempt"
    __table_args__ = (Index("ix_payment_attempt_state_created", "state", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("payment_order.id", ondelete="CASCADE"), index=True)
    gateway: Mapped[str] = mapped_column(String(20))
    txn_ref: Mapped[str] = mapped_column(String(40), unique=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(20), default=PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: "ipn", "query" or "counter": what settled it
    reported_by: Mapped[str | None] = mapped_column(String(20))
    response_code: Mapped[str | None] = mapped_column(String(10))
    transaction_status: Mapped[str | None] = mapped_column(String(10))
    transaction_number: Mapped[str | None] = mapped_column(String(40))
    bank_code: Mapped[str | None] = mapped_column(String(40))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    gateway_state: Mapped[str | None] = mapped_column(String(20))
    gateway_amount: Mapped[int | None] = mapped_column(BigInteger)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    report: Mapped[dict | None] = mapped_column(JSON)
    #: paid at the gateway when nothing was due (the order already paid by another attempt, or
    #: closed because the dossier was withdrawn or stopped): the money is to be refunded
    refund_due: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: when the office recorded the refund made, by whom, with what (the bank transfer's reference)
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refunded_by: Mapped[str | None] = mapped_column(String(100))
    refund_note: Mapped[str | None] = mapped_column(Text)

    order: Mapped[PaymentOrder] = relationship(back_populates="attempts")
