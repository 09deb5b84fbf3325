"""The desk's queues: which dossiers wait for what, for whom, and how many.

Whose dossiers: an officer works on those their agency handles now
(``handling_agency_code``), a leader on those of the agencies they lead
(their own and every one under it: ``leads:`` principals, see
``security.principals``); someone with both roles sees both. Every query
is also restricted by ``resources.visible_to`` (the dossiers the visitor
may read at all), so a queue rule that is wrong can narrow, never widen,
what a visitor sees.

The queues (``QUEUES``) follow the national state codes (eservices.models
STATES) and the one-stop mechanism (Decree 61/2018/NĐ-CP, art. 18–20):
new online dossiers to receive (1); in processing (2, 4); waiting for the
applicant's supplement (5, whose clock is stopped: never due nor late);
waiting for payment (6); due within two working days and overdue (2, 4, 6
against ``due_at``, the legal deadline); processed, waiting to be returned
(9); transferred in and out (liên thông); waiting for a leader's sign-off.

All counts come from one statement (``count(*) FILTER (WHERE …)``), each
page from one statement for its rows and one for its total.
"""
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import and_, exists, func, literal, or_, select
from sqlalchemy.orm import aliased

from ..catalog.services import Page
from ..eservices.models import Dossier, DossierAgency, DossierEvent
from ..i18n import _
from ..i18n.formatting import TIMEZONE, to_local
from .actions import step_status

#: states in which the deadline runs (2 received, 4 processing, 6 awaiting payment)
RUNNING = (2, 4, 6)
#: states of a dossier still being worked on (not refused, withdrawn, stopped or returned)
OPEN = (2, 4, 5, 6, 9)
#: the events that open or close a request for a leader's sign-off (onestop.actions):
#: the latest of them decides whether one is pending
SIGN_OFF_ACTIONS = ("sign_off_requested", "apology", "transfer", "sign_off_declined")
SIGN_OFF_REQUESTED = "sign_off_requested"
#: "due soon": due by the close of this many working days from today
SOON_WORKING_DAYS = 2
PAGE_SIZE = 20
#: the last page number read from a URL (beyond it: the last page)
MAX_PAGE = 100_000


@dataclass(frozen=True)
class Queue:
    key: str  # as written in the URL
    label: object  # a TranslationString
    leaders_only: bool = False
    #: "due" (soonest deadline first) or "submitted" (newest first) when none is asked for
    default_sort: str = "due"


QUEUES = (
    Queue("moi", _("New online dossiers to receive"), default_sort="submitted"),
    Queue("dang-xu-ly", _("Being processed")),
    Queue("cho-bo-sung", _("Waiting for the applicant's papers")),
    Queue("cho-thanh-toan", _("Waiting for payment")),
    Queue("sap-den-han", _("Due within 2 working days")),
    Queue("qua-han", _("Overdue")),
    Queue("cho-tra", _("Processed, waiting to be returned")),
    Queue("chuyen-den", _("Transferred to us")),
    Queue("chuyen-di", _("Transferred to another agency")),
    Queue("cho-ky", _("Waiting for my sign-off"), leaders_only=True),
    Queue("tat-ca", _("All dossiers"), default_sort="submitted"),
)
QUEUE_KEYS = {queue.key: queue for queue in QUEUES}
DEFAULT_QUEUE = "moi"
SORTS = {"han": "due", "nop": "submitted"}


@dataclass(frozen=True)
class Scope:
    """Whose dossiers the visitor works on: ``officer`` the agency codes of
    their ``agency:`` principals, ``leader`` those of their ``leads:``
    principals (empty sets for neither)."""

    officer: frozenset = frozenset()
    leader: frozenset = frozenset()

    @property
    def mine(self):
        return self.officer | self.leader

    @property
    def is_leader(self):
        return bool(self.leader)


def scope_of(request):
    """The visitor's Scope, from their principals (security.principals)."""
    officer, leader = set(), set()
    for principal in request.principals:
        kind, _sep, code = principal.partition(":")
        if kind == "agency":
            officer.add(code)
        elif kind == "leads":
            leader.add(code)
    return Scope(frozenset(officer), frozenset(leader))


def due_soon_limit(calendar, now):
    """The close of the ``SOON_WORKING_DAYS``-th working day after today
    (the city's date of aware ``now``), per the working calendar: a
    dossier due by then is "due soon"."""
    day = to_local(now).date()
    for _n in range(SOON_WORKING_DAYS):
        day = calendar.next_working_day(day)
    return calendar.closing(day)


def sign_off_pending():
    """The ids of dossiers whose latest sign-off event is a request (a
    subquery): none later among ``SIGN_OFF_ACTIONS``."""
    later = aliased(DossierEvent)
    return (select(DossierEvent.dossier_id)
            .where(DossierEvent.action == SIGN_OFF_REQUESTED,
                   ~exists().where(later.dossier_id == DossierEvent.dossier_id,
                                   later.action.in_(SIGN_OFF_ACTIONS), later.id > DossierEvent.id)))


def queue_condition(key, scope, now, soon):
    """The SQL condition of queue ``key`` for ``scope`` at aware ``now``
    (``soon``: ``due_soon_limit``), before visibility. KeyError for an
    unknown key."""
    mine = sorted(scope.mine)
    handled = Dossier.handling_agency_code.in_(mine) if mine else literal(False)
    if key == "tat-ca":
        return literal(True)
    if key == "moi":
        return and_(handled, Dossier.state == 1)
    if key == "dang-xu-ly":
        return and_(handled, Dossier.state.in_((2, 4)))
    if key == "cho-bo-sung":
        return and_(handled, Dossier.state == 5)
    if key == "cho-thanh-toan":
        return and_(handled, Dossier.state == 6)
    if key == "sap-den-han":
        return and_(handled, Dossier.state.in_(RUNNING), Dossier.clock_stopped_at.is_(None),
                    Dossier.due_at >= now, Dossier.due_at <= soon)
    if key == "qua-han":
        return and_(handled, Dossier.state.in_(RUNNING), Dossier.clock_stopped_at.is_(None), Dossier.due_at < now)
    if key == "cho-tra":
        return and_(handled, Dossier.state == 9)
    if key == "chuyen-den":
        return and_(handled, Dossier.agency_code != Dossier.handling_agency_code, Dossier.state.in_(OPEN))
    if key == "chuyen-di":
        sent = Dossier.agency_code.in_(mine) if mine else literal(False)
        return and_(sent, Dossier.handling_agency_code != Dossier.agency_code, Dossier.state.in_(OPEN))
    if key == "cho-ky":
        led = sorted(scope.leader)
        if not led:
            return literal(False)
        return and_(Dossier.handling_agency_code.in_(led), Dossier.id.in_(sign_off_pending()))
    raise KeyError(key)


def queues_for(scope):
    """The queues shown to ``scope`` (sign-off only to leaders)."""
    return [queue for queue in QUEUES if scope.is_leader or not queue.leaders_only]


#: the states of every queue but "all": what the counts read (a few per cent of a year's dossiers)
WORKED = (1, *OPEN)


def visible_count(scope):
    """The statement counting the dossiers ``scope`` may read: those with a
    DossierAgency row of one of its agencies, the rule of
    ``resources.visible_to`` (whose codes are the same principals'),
    counted from the (agency, dossier) index alone: a city leader's year
    is a hundred thousand dossiers, and reading their rows to count them
    costs twice as much."""
    return (select(func.count(func.distinct(DossierAgency.dossier_id)))
            .where(DossierAgency.agency_code.in_(sorted(scope.mine) or [""])))


def counts(dbsession, visible, scope, now, soon):
    """{queue key: number of dossiers} for every queue of ``scope``, in one
    statement over the dossiers ``visible`` (a condition: visible_to).

    Every queue but "all" holds dossiers still at work (``WORKED`` states)
    that the visitor's agencies handle or sent, so those are counted from
    the few rows the (handling agency, state, due) and (agency, submitted)
    indexes find; "all" is one more count, of every visible dossier."""
    shown = queues_for(scope)
    worked = [queue for queue in shown if queue.key != "tat-ca"]
    mine = sorted(scope.mine)
    columns = [func.count().filter(queue_condition(q.key, scope, now, soon)).label(q.key.replace("-", "_"))
               for q in worked]
    everything = visible_count(scope).scalar_subquery()
    if mine:
        at_work = select(*columns, everything.label("all")).select_from(Dossier).where(
            visible, Dossier.state.in_(WORKED),
            or_(Dossier.handling_agency_code.in_(mine), Dossier.agency_code.in_(mine)))
    else:
        at_work = select(*(literal(0) for _q in worked), everything.label("all"))
    row = dbsession.execute(at_work).one()
    found = {queue.key: value for queue, value in zip(worked, row)}
    found["tat-ca"] = row[-1]
    return {queue.key: found[queue.key] for queue in shown}


@dataclass
class Filters:
    """What the filter form asked for, read and checked (``read_filters``)."""

    procedure: str | None = None
    sector: str | None = None
    channel: str | None = None
    date_from: object = None  # a date (local)
    date_to: object = None
    search: str = ""
    sort: str = "due"
    messages: list = field(default_factory=list)


def narrowed(filters):
    """Whether ``filters`` narrow a queue (the sort does not)."""
    return bool(filter_conditions(filters))


def filter_conditions(filters):
    """The SQL conditions of ``filters`` (a list)."""
    found = []
    if filters.procedure:
        found.append(Dossier.procedure_code == filters.procedure)
    if filters.sector:
        found.append(Dossier.sector_code == filters.sector)
    if filters.channel:
        found.append(Dossier.channel == filters.channel)
    if filters.date_from:
        start = datetime.combine(filters.date_from, time(0), tzinfo=TIMEZONE).astimezone(timezone.utc)
        found.append(Dossier.submitted_at >= start)
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time(0), tzinfo=TIMEZONE)
        found.append(Dossier.submitted_at < end.astimezone(timezone.utc))
    if filters.search:
        found.append(search_condition(filters.search))
    return found


def _like_prefix(text):
    """``text`` as the start of a LIKE pattern, its wildcards escaped."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_condition(text):
    """What the search box finds for ``text`` (already normalised, not
    empty): a dossier code written whole or its beginning (letters made
    upper case); an applicant's name, accents optional (the folded name
    contains the folded words, ``search.analysis.fold``); a card number or
    tax code exactly; a phone number however it is grouped or begun
    ("0912 345 678", "+84912345678")."""
    from ..accounts.identity import phone_forms
    from ..eservices.schemas import normalise_tax_code, tax_code_problem
    from ..inputs import ungrouped
    from ..search.analysis import fold

    found = []
    digits = ungrouped(text)
    numeric = digits.isascii() and digits.lstrip("+").isdigit()
    if numeric:
        found.append(Dossier.applicant_id_number == digits)
        found.append(Dossier.applicant_tax_code == digits)
        forms = phone_forms(digits)
        if forms:
            found.append(Dossier.applicant_phone.in_(forms))
    if tax_code_problem(text.strip()) is None:  # as stored: a branch with its dash ("0100109106-001")
        found.append(Dossier.applicant_tax_code == normalise_tax_code(text.strip()))
    code = text.strip().upper()
    if code[:1].isalpha() and code.isascii() and all(ch.isalnum() or ch in ".-" for ch in code):
        found.append(Dossier.code.like(_like_prefix(code) + "%", escape="\\"))
    folded = " ".join(fold(text).split())
    if folded and not numeric:
        found.append(Dossier.applicant_name_folded.like("%" + _like_prefix(folded) + "%", escape="\\"))
    return or_(*found) if found else literal(False)


def order_by(sort):
    """The order of a page: soonest deadline first (none last), or the
    latest submitted first; the id breaks ties so pages never overlap."""
    if sort == "submitted":
        return (Dossier.submitted_at.desc(), Dossier.id.desc())
    return (Dossier.due_at.asc().nulls_last(), Dossier.id.asc())


@dataclass
class QueuePage(Page):
    """A page of a queue (the catalogue's Page: ``items`` (Dossiers), the
    ``total`` matching, ``page`` (1-based) of ``pages``), with the links
    of its pagination."""

    per_page: int = PAGE_SIZE

    def links(self):
        """The page numbers a pagination shows (the first, the last, two on
        each side of this one), None where some are left out."""
        shown = sorted({1, self.pages} | set(range(max(1, self.page - 2), min(self.pages, self.page + 2) + 1)))
        found = []
        for number in shown:
            if found and number - found[-1] > 1:
                found.append(None)
            found.append(number)
        return found


def queue_page(dbsession, visible, scope, key, filters, page, now, soon, per_page=PAGE_SIZE, total=None):
    """The ``page``-th page (past the end: the last) of queue ``key`` for
    ``scope`` narrowed by ``filters``: one select of rows, and one count
    unless ``total`` is given (the queue's count, when nothing narrows it)."""
    conditions = [visible, queue_condition(key, scope, now, soon), *filter_conditions(filters)]
    if total is None:
        total = dbsession.scalar(select(func.count()).select_from(Dossier).where(*conditions))
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    items = list(dbsession.scalars(select(Dossier).where(*conditions).order_by(*order_by(filters.sort))
                                   .limit(per_page).offset((page - 1) * per_page)))
    return QueuePage(items, total, page, per_page)


def deadline_status(calendar, due_at, now, state, finished_at=None):
    """Where a dossier stands against its legal deadline ``due_at``, in
    working days of ``calendar`` — the one reading of the desk's list and
    of a dossier's page:

    - ("left", n): n working days left to the day it is due (0: due today);
    - ("late", n): past it by n working days (0: since earlier today);
    - ("stopped", None): the clock is stopped (5, waiting for papers);
    - ("done", "early" | "on_time" | "late"): finished (processed,
      returned or stopped) at ``finished_at``, against the deadline;
    - None: no deadline (not received yet) or refused or withdrawn."""
    if due_at is None or state in (3, 7):
        return None
    if state == 5:
        return ("stopped", None)
    if state in (8, 9, 10):
        return ("done", step_status(finished_at, due_at)) if finished_at is not None else None
    today, due_day = to_local(now).date(), to_local(due_at).date()
    if due_at < now:
        return ("late", calendar.working_days_between(due_day, today))
    return ("left", calendar.working_days_between(today, due_day))

