"""Payment reconciliation at the desk (đối soát thanh toán): what the
portal recorded of each trip to the gateway, set against what the gateway
last said of it, per agency and local day.

Whose payments: those of orders collected by the agencies the visitor
works for (an officer's agency, a leader's agency and every one under it:
onestop.queues.Scope), never others'. Which day a payment falls on: the
day (Asia/Ho_Chi_Minh) its attempt began, which is the transaction date
the gateway files it under (vnp_CreateDate) and never changes afterwards.

The counts and totals are one SQL aggregation; the list and the
mismatches read columns only, joined to the dossier for its code.

Mismatches, which an officer settles with the gateway or the citizen
(``MISMATCHES``):

- paid at the gateway (its last word) but the attempt not paid here: an
  IPN refused (amount) or a report after ours was closed (an attempt paid
  here whose order needed nothing more is a refund, the last kind);
- paid here but the gateway, asked later, says otherwise;
- the gateway's amount differs from the attempt's;
- paid when nothing was due (the order paid by another attempt, or closed
  because the dossier was withdrawn or stopped): to refund, until the
  refund is recorded. Those are also listed whatever the period
  (``refunds_owed``): money owed to a citizen does not age out of view.

"Paid" in the counts leaves out the payments to refund (money the office
does not keep), which are counted apart, as are those refunded.
"""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Date, and_, case, func, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from ..eservices.models import Dossier
from ..i18n import _
from ..i18n.formatting import format_datetime
from .models import CANCELLED, EXPIRED, FAILED, ORDER_STATES, PAID, PENDING, PaymentAttempt, PaymentOrder
from .receipts import written_number

#: the longest period of one page or file, in days (a quarter)
MAX_DAYS = 92
#: attempts listed on the page at most (the files hold them all)
PAGE_ROWS = 500
#: attempts in one file at most (a quarter of a large city fits many times)
FILE_ROWS = 100_000
#: query-string names, as the URL shows them
PARAMS = {"day": "ngay", "from": "tu", "to": "den", "agency": "co-quan", "state": "trang-thai",
          "format": "dinh-dang"}
FORMATS = ("csv", "xlsx")

#: our state of an attempt (models.ORDER_STATES), in the words of the dossier page (onestop.dossier_views.PAYMENT_STATES)
STATE_LABELS = {PENDING: _("Waiting"), PAID: _("Paid"), FAILED: _("Failed"), CANCELLED: _("Cancelled"),
                EXPIRED: _("Expired")}
#: what the gateway said on its last report or query (services._note_gateway, services.expire)
GATEWAY_LABELS = dict(STATE_LABELS, pending=_("Still open at the gateway"),
                      unknown=_("Unknown to the gateway"))
#: how an attempt was made: its gateway's name, or the desk's counter
COUNTER = "counter"
WAYS = {COUNTER: _("At the desk")}

#: the summary's columns beside the states: the payments kept, split by way, and the ones to refund or refunded
PAID_ONLINE, PAID_COUNTER, REFUND_DUE, REFUNDED = "paid_online", "paid_counter", "refund_due", "refunded"
SUMMARY_LABELS = {PENDING: STATE_LABELS[PENDING], PAID: STATE_LABELS[PAID], PAID_ONLINE: _("of which online"),
                  PAID_COUNTER: _("of which at the desk"), FAILED: STATE_LABELS[FAILED],
                  CANCELLED: STATE_LABELS[CANCELLED], EXPIRED: STATE_LABELS[EXPIRED], REFUND_DUE: _("To refund"),
                  REFUNDED: _("Refunded")}
#: why a payment is to be refunded (AttemptRow.refund_reason)
PAID_TWICE, NOTHING_DUE = "paid_twice", "nothing_due"
REFUND_REASONS = {
    PAID_TWICE: _("The fees were already paid by another payment."),
    NOTHING_DUE: _("The dossier was withdrawn or stopped, or the fees were asked again, before this payment."),
}

GATEWAY_PAID, GATEWAY_DENIES, AMOUNT_DIFFERS, DUPLICATE = "gateway_paid", "gateway_denies", "amount", "duplicate"


@dataclass(frozen=True)
class Mismatch:
    key: str
    title: object  # TranslationString
    advice: object


MISMATCHES = (
    Mismatch(GATEWAY_PAID, _("Paid at the gateway, not paid here"),
             _("The gateway says the money was taken, but the portal did not record the payment. Check the "
               "transaction with the gateway; if it stands, take the payment at the desk or refund it.")),
    Mismatch(GATEWAY_DENIES, _("Paid here, not at the gateway"),
             _("The portal recorded the payment, but the gateway, asked later, says otherwise. Check the "
               "transaction with the gateway before the receipt is relied on.")),
    Mismatch(AMOUNT_DIFFERS, _("Amount differs from the gateway's"),
             _("The gateway reported another amount than the one asked; the portal did not accept it.")),
    Mismatch(DUPLICATE, _("Paid when nothing was due: to refund"),
             _("The fees were already paid by another attempt, or the dossier was withdrawn or stopped before this "
               "payment: it is to be refunded to the citizen.")),
)


class local_date(FunctionElement):  # noqa: N801 (an SQL function, named as one)
    """The city's date (Asia/Ho_Chi_Minh) of an instant column, in SQL."""

    type = Date()
    name = "local_date"
    inherit_cache = True


@compiles(local_date)
def _local_date(element, compiler, **kw):
    # SQLite stores the UTC wall clock (models.meta.UTCDateTime); the city
    # has kept UTC+7 without daylight saving since 1975
    return "date(%s, '+7 hours')" % compiler.process(element.clauses, **kw)


@compiles(local_date, "postgresql")
def _local_date_postgresql(element, compiler, **kw):
    return "CAST((%s AT TIME ZONE 'Asia/Ho_Chi_Minh') AS DATE)" % compiler.process(element.clauses, **kw)


@dataclass
class Filters:
    """What the page shows: the local days ``date_from``–``date_to``
    (inclusive), one ``agency`` code or all the visitor's, one ``state``
    or all. ``errors`` make the request a 400 (unreadable dates);
    ``invalid`` names the fields they are about (query-string name → the
    index of its message in ``errors``, so the form can point at it);
    ``messages`` say what was left out (an unknown agency or state)."""

    date_from: date
    date_to: date
    agency: str | None = None
    state: str | None = None
    errors: list = field(default_factory=list)
    messages: list = field(default_factory=list)
    invalid: dict = field(default_factory=dict)

    @property
    def single_day(self):
        return self.date_from == self.date_to


def read_filters(params, agency_codes, today, read_day):
    """The Filters in the query string ``params``: ``ngay`` one day
    (default ``today``) or ``tu``–``den`` a period of at most MAX_DAYS
    days, ``co-quan`` one of ``agency_codes``, ``trang-thai`` a state.
    ``read_day(params, name, label, messages)`` reads a dd/mm/yyyy date
    (the desk's, onestop.desk_views.read_day)."""
    errors, invalid = [], {}

    def wrong(message, *fields):
        for name in fields:
            invalid.setdefault(PARAMS[name], len(errors))
        errors.append(message)

    def day(key, label):
        said = []
        found = read_day(params, PARAMS[key], label, said)
        for message in said:
            wrong(message, key)
        return found

    text = {key: _first(params, name) for key, name in PARAMS.items()}
    if text["from"] or text["to"]:
        date_from, date_to = day("from", _("From date")), day("to", _("To date"))
        if not errors and (date_from is None or date_to is None):
            wrong(_("Give both dates of the period, or a single day."), "to" if date_to is None else "from")
    else:
        date_from = date_to = day("day", _("Day")) if text["day"] else today
    if not errors and date_from > date_to:
        wrong(_("The start date must not be after the end date."), "from", "to")
    if not errors and (date_to - date_from).days + 1 > MAX_DAYS:
        wrong(_("A period covers at most ${days} days; choose a shorter one.", mapping={"days": MAX_DAYS}),
              "from", "to")
    if text["format"] and text["format"] not in FORMATS:
        errors.append(_("This file format is not available: choose CSV or XLSX."))
    filters = Filters(date_from or today, date_to or today, errors=errors, invalid=invalid)
    if text["agency"] and text["agency"] not in agency_codes:
        filters.messages.append(_("You see no agency with the code ${code}; all of yours are shown.",
                                  mapping={"code": text["agency"][:40]}))
    elif text["agency"]:
        filters.agency = text["agency"]
    if text["state"] and text["state"] not in ORDER_STATES:
        filters.messages.append(_("Unknown payment state; all states are shown."))
    elif text["state"]:
        filters.state = text["state"]
    return filters


def _first(params, name):
    value = params.get(name)
    return value.strip()[:100] if isinstance(value, str) else ""


def query(filters, ignore_state=False):
    """The filters' query string (to keep them across links and the POST)."""
    from ..i18n.formatting import format_date

    values = {PARAMS["agency"]: filters.agency, PARAMS["state"]: None if ignore_state else filters.state}
    if filters.single_day:
        values[PARAMS["day"]] = format_date(filters.date_from)
    else:
        values[PARAMS["from"]], values[PARAMS["to"]] = format_date(filters.date_from), format_date(filters.date_to)
    return {key: value for key, value in values.items() if value}


def _conditions(agency_codes, filters, with_state=True):
    from ..onestop.ledger import period

    start, end = period(filters.date_from, filters.date_to)
    codes = [filters.agency] if filters.agency else sorted(agency_codes)
    found = [PaymentOrder.agency_code.in_(codes), PaymentAttempt.created_at >= start, PaymentAttempt.created_at < end]
    if with_state and filters.state:
        found.append(PaymentAttempt.state == filters.state)
    return found


# -- counts and totals ---------------------------------------------------------

@dataclass
class Tot:
    """A count of attempts and their total in đồng."""

    count: int = 0
    amount: int = 0

    def add(self, count, amount):
        self.count += count
        self.amount += amount


@dataclass
class DaySummary:
    day: date
    states: dict = field(default_factory=dict)  # SUMMARY_LABELS key → Tot, in its order
    all: Tot = field(default_factory=Tot)


@dataclass
class AgencySummary:
    code: str
    name: str
    days: list = field(default_factory=list)  # DaySummary, by day
    states: dict = field(default_factory=dict)  # SUMMARY_LABELS key → Tot over the period
    all: Tot = field(default_factory=Tot)


def _ordered(states):
    return {key: states[key] for key in SUMMARY_LABELS if key in states}


#: the summary column of an attempt (SUMMARY_LABELS' keys but PAID, which adds up the two ways)
_BUCKET = case(
    (and_(PaymentAttempt.refund_due == true(), PaymentAttempt.refunded_at.is_not(None)), REFUNDED),
    (PaymentAttempt.refund_due == true(), REFUND_DUE),
    (and_(PaymentAttempt.state == PAID, PaymentAttempt.gateway == COUNTER), PAID_COUNTER),
    (PaymentAttempt.state == PAID, PAID_ONLINE),
    else_=PaymentAttempt.state)


def _columns(bucket):
    """The summary columns an attempt in ``bucket`` counts in."""
    return (bucket, PAID) if bucket in (PAID_ONLINE, PAID_COUNTER) else (bucket,)


def summary(dbsession, agency_codes, filters, agency_names):
    """The counts and totals per agency, local day and column of
    SUMMARY_LABELS (the states, "paid" without the payments to refund and
    split by way, those to refund, those refunded): a list of
    AgencySummary (agencies with an attempt only, by name's order in
    ``agency_names``, a dict code → name) and the period's Tot per column
    over them all (a dict). ``all`` counts every attempt. One statement."""
    day = local_date(PaymentAttempt.created_at)
    bucket = _BUCKET.label("bucket")
    found = dbsession.execute(
        select(PaymentOrder.agency_code, day.label("day"), bucket, func.count(),
               func.coalesce(func.sum(PaymentAttempt.amount), 0))
        .join(PaymentOrder, PaymentOrder.id == PaymentAttempt.order_id)
        .where(*_conditions(agency_codes, filters))
        .group_by(PaymentOrder.agency_code, day, _BUCKET)).all()
    agencies, days, totals = {}, {}, {}
    for code, on, column, count, amount in found:
        on = on if isinstance(on, date) else date.fromisoformat(str(on))  # SQLite's date() is text
        agency = agencies.setdefault(code, AgencySummary(code, agency_names.get(code, code)))
        day_summary = days.setdefault((code, on), DaySummary(on))
        for tot in (day_summary.all, agency.all):
            tot.add(int(count), int(amount))
        for key in _columns(column):
            for tot in (day_summary.states.setdefault(key, Tot()), agency.states.setdefault(key, Tot()),
                        totals.setdefault(key, Tot())):
                tot.add(int(count), int(amount))
    for (code, _on), day_summary in sorted(days.items()):
        day_summary.states = _ordered(day_summary.states)
        agencies[code].days.append(day_summary)
    order = {code: number for number, code in enumerate(agency_names)}
    result = sorted(agencies.values(), key=lambda agency: (order.get(agency.code, len(order)), agency.code))
    for agency in result:
        agency.states = _ordered(agency.states)
    return result, _ordered(totals)


# -- the attempts --------------------------------------------------------------

@dataclass(frozen=True)
class AttemptRow:
    """One attempt as the table and the files show it; amounts in đồng,
    instants aware UTC; the receipt only on the attempt that paid."""

    id: int
    agency_code: str
    agency_name: str
    created_at: object
    dossier_code: str
    txn_ref: str
    gateway: str
    transaction_number: str | None
    bank_code: str | None
    amount: int
    state: str
    paid_at: object
    reported_by: str | None
    gateway_state: str | None
    gateway_amount: int | None
    checked_at: object
    order_state: str
    receipt_symbol: str | None
    receipt_number: int | None
    refund_due: bool
    paid_here: bool = False  # the attempt that paid its order
    refunded_at: object = None
    refund_note: str | None = None

    @property
    def to_refund(self):
        """Paid when nothing was due, and its refund not recorded yet."""
        return self.refund_due and self.refunded_at is None

    @property
    def refund_reason(self):
        """Why it is to be refunded (a REFUND_REASONS key), or None: paid
        twice when its order was paid by another attempt, else the order
        was closed (the dossier withdrawn or stopped, or new fees asked)."""
        if not self.refund_due:
            return None
        return PAID_TWICE if self.order_state == PAID and not self.paid_here else NOTHING_DUE

    @property
    def mismatches(self):
        """The keys of MISMATCHES this attempt shows (see the module)."""
        found = []
        # the gateway's word against the attempt's own state: an attempt paid here whose order needed
        # nothing more is no missing payment but a refund (DUPLICATE)
        if self.gateway_state == PAID and self.state != PAID:
            found.append(GATEWAY_PAID)
        if self.state == PAID and self.gateway_state is not None and self.gateway_state != PAID:
            found.append(GATEWAY_DENIES)
        if self.gateway_amount is not None and self.gateway_amount != self.amount:
            found.append(AMOUNT_DIFFERS)
        if self.to_refund:
            found.append(DUPLICATE)
        return tuple(found)

    @property
    def receipt(self):
        """The receipt's series and number ("BL26E 0000012"), or ""."""
        if not self.receipt_symbol or self.receipt_number is None:
            return ""
        return f"{self.receipt_symbol} {written_number(self.receipt_number)}"


#: the SQL of each kind of mismatch, as AttemptRow.mismatches reads it
_MISMATCH_SQL = or_(
    and_(PaymentAttempt.gateway_state == PAID, PaymentAttempt.state != PAID),
    and_(PaymentAttempt.state == PAID, PaymentAttempt.gateway_state.is_not(None), PaymentAttempt.gateway_state != PAID),
    and_(PaymentAttempt.gateway_amount.is_not(None), PaymentAttempt.gateway_amount != PaymentAttempt.amount),
    and_(PaymentAttempt.refund_due == true(), PaymentAttempt.refunded_at.is_(None)),
)


def _rows(dbsession, conditions, limit, agency_names, order_by=None):
    paid_here = PaymentOrder.paid_attempt_id == PaymentAttempt.id
    found = dbsession.execute(
        select(PaymentAttempt.id, PaymentOrder.agency_code, PaymentAttempt.created_at, Dossier.code,
               PaymentAttempt.txn_ref, PaymentAttempt.gateway, PaymentAttempt.transaction_number,
               PaymentAttempt.bank_code, PaymentAttempt.amount, PaymentAttempt.state, PaymentAttempt.paid_at,
               PaymentAttempt.reported_by, PaymentAttempt.gateway_state, PaymentAttempt.gateway_amount,
               PaymentAttempt.checked_at, PaymentOrder.state, PaymentOrder.receipt_symbol,
               PaymentOrder.receipt_number, PaymentAttempt.refund_due, paid_here, PaymentAttempt.refunded_at,
               PaymentAttempt.refund_note)
        .join(PaymentOrder, PaymentOrder.id == PaymentAttempt.order_id)
        .join(Dossier, Dossier.id == PaymentOrder.dossier_id)
        .where(*conditions).order_by(order_by or PaymentAttempt.created_at, PaymentAttempt.id).limit(limit)).all()
    return [AttemptRow(
        id=row[0], agency_code=row[1], agency_name=agency_names.get(row[1], row[1]), created_at=row[2],
        dossier_code=row[3], txn_ref=row[4], gateway=row[5], transaction_number=row[6], bank_code=row[7],
        amount=int(row[8]), state=row[9], paid_at=row[10], reported_by=row[11], gateway_state=row[12],
        gateway_amount=None if row[13] is None else int(row[13]), checked_at=row[14], order_state=row[15],
        receipt_symbol=row[16] if row[19] else None, receipt_number=row[17] if row[19] else None,
        refund_due=bool(row[18]), paid_here=bool(row[19]), refunded_at=row[20], refund_note=row[21])
        for row in found]


def attempts(dbsession, agency_codes, filters, agency_names, limit=PAGE_ROWS):
    """The attempts the filters select, oldest first, at most ``limit``:
    a list of AttemptRow. One statement."""
    return _rows(dbsession, _conditions(agency_codes, filters), limit, agency_names)


def mismatches(dbsession, agency_codes, filters, agency_names, limit=PAGE_ROWS):
    """{Mismatch key: [AttemptRow, …]} for every kind (empty lists
    included) among the period's attempts in the filters' agencies,
    whatever the state asked for (a mismatch is between states). One statement."""
    found = {mismatch.key: [] for mismatch in MISMATCHES}
    conditions = [*_conditions(agency_codes, filters, with_state=False), _MISMATCH_SQL]
    for row in _rows(dbsession, conditions, limit, agency_names):
        for key in row.mismatches:
            found[key].append(row)
    return found


def refunds_owed(dbsession, agency_codes, agency_names, limit=PAGE_ROWS):
    """Every payment of ``agency_codes``' orders paid when nothing was due
    and not refunded yet, whatever its day, the oldest payment first: a
    list of AttemptRow (``refund_reason`` says why). One statement."""
    if not agency_codes:
        return []
    conditions = [PaymentOrder.agency_code.in_(sorted(agency_codes)), PaymentAttempt.refund_due == true(),
                  PaymentAttempt.refunded_at.is_(None)]
    return _rows(dbsession, conditions, limit, agency_names, order_by=PaymentAttempt.paid_at)


# -- the files -----------------------------------------------------------------

#: the files' columns: (heading, width in characters)
FILE_COLUMNS = (
    (_("No."), 5),
    (_("Agency code"), 14),
    (_("Agency"), 26),
    (_("Started at"), 17),
    (_("Dossier code"), 24),
    (_("Payment reference (TxnRef)"), 18),
    (_("Way of paying"), 12),
    (_("Gateway transaction number"), 16),
    (_("Bank"), 10),
    (_("Amount paid (đồng)"), 14),
    (_("Our state"), 12),
    (_("Paid at"), 17),
    (_("The gateway's last word"), 16),
    (_("Amount at the gateway (đồng)"), 14),
    (_("Gateway asked at"), 17),
    (_("E-receipt (series and number)"), 16),
    (MISMATCHES[-1].title, 16),
)


def way(row, translate, gateway_labels):
    """How ``row`` was paid, as words."""
    if row.gateway in WAYS:
        return translate(WAYS[row.gateway])
    return gateway_labels.get(row.gateway, row.gateway)


def file_row(number, row, translate, gateway_labels):
    """The cells of one AttemptRow: numbers for the line and the amounts,
    text for the rest (instants "31/03/2018 14:05" in the city's time)."""
    gateway_word = translate(GATEWAY_LABELS[row.gateway_state]) if row.gateway_state in GATEWAY_LABELS \
        else (row.gateway_state or "")
    return [number, row.agency_code, row.agency_name, format_datetime(row.created_at), row.dossier_code,
            row.txn_ref, way(row, translate, gateway_labels), row.transaction_number or "", row.bank_code or "",
            row.amount, translate(STATE_LABELS.get(row.state, row.state)), format_datetime(row.paid_at),
            gateway_word, row.gateway_amount, format_datetime(row.checked_at), row.receipt,
            refund_words(row, translate)]


def refund_words(row, translate):
    """The refund column of ``row``: "Yes" (to refund), "Refunded
    31/03/2018 (note)", or empty."""
    from ..i18n.formatting import format_date

    if not row.refund_due:
        return ""
    if row.refunded_at is None:
        return translate(_("Yes"))
    return translate(_("Refunded ${day} (${note})", mapping={"day": format_date(row.refunded_at),
                                                             "note": row.refund_note or ""}))


def totals_rows(totals, translate, width=len(FILE_COLUMNS)):
    """The files' totals block under the list: an empty row, then one row
    per column of the summary (``totals``, SUMMARY_LABELS key → Tot) with
    its words and count in the agency column and its total in the amount
    column, as the page counts them."""
    rows = [[None] * width]
    for key, tot in totals.items():
        row = [None] * width
        row[2] = translate(_("Total — ${label}: ${count} payments", mapping={
            "label": translate(SUMMARY_LABELS[key]), "count": tot.count}))
        row[9] = tot.amount
        rows.append(row)
    return rows


def period_words(filters, translate):
    from ..i18n.formatting import format_date

    if filters.single_day:
        return translate(_("Day ${day}", mapping={"day": format_date(filters.date_from)}))
    return translate(_("From ${start} to ${end}", mapping={"start": format_date(filters.date_from),
                                                           "end": format_date(filters.date_to)}))


def filename(filters, fmt):
    """``doi-soat-thanh-toan-YYYYMMDD.csv`` for a day, ``…-YYYYMMDD-YYYYMMDD.xlsx`` for a period."""
    days = f"{filters.date_from:%Y%m%d}" if filters.single_day else \
        f"{filters.date_from:%Y%m%d}-{filters.date_to:%Y%m%d}"
    return f"doi-soat-thanh-toan-{days}.{fmt}"


def file_bytes(fmt, rows, filters, translate, gateway_labels, generated_at, scope_words="", totals=None):
    """The attempts ``rows`` as a ``fmt`` ("csv" or "xlsx") file, in the
    language of ``translate`` (the caller gives Vietnamese, as for the
    ledger), then the ``totals`` (``summary``'s) when given; the workbook
    heads its table with the title, the period and ``scope_words`` (whose payments)."""
    from itertools import chain

    from ..documents import spreadsheets

    headings = [(translate(heading), width) for heading, width in FILE_COLUMNS]
    cells = chain((file_row(number, row, translate, gateway_labels) for number, row in enumerate(rows, 1)),
                  totals_rows(totals, translate) if totals else ())
    if fmt == "csv":
        return spreadsheets.csv_bytes([heading for heading, _width in headings], cells)
    lines = [line for line in (period_words(filters, translate), scope_words) if line]
    return spreadsheets.table_xlsx(translate(_("PAYMENT RECONCILIATION")), lines, headings, cells, generated_at)

