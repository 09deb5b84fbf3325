"""The figures of the one-stop office for agencies and a period, as SQL
aggregations over each dossier's summary row (stats.models.DossierStat).

A period is a range of days [``start``, ``end``] in the city's time
(Asia/Ho_Chi_Minh); it covers the instants from the first day's midnight
to the midnight after the last day. The measures follow the report of
Circular 01/2018/TT-VPCP (Art. 26; "Số hồ sơ nhận giải quyết … đã giải
quyết … đang giải quyết") and stats.ontime's rules:

- received: ``carried_over`` (submitted before the period, not ended
  before it) + ``new`` (submitted in it), the new ones by channel
  (``in_person``, ``postal``, ``online``);
- resolved in the period (processed, else returned, else stopped in it):
  ``early``, ``on_time``, ``late``; ``refused`` and ``withdrawn`` in it;
- at the period's end, of those not ended: ``awaiting_supplement`` (the
  clock stopped for papers), else ``within_deadline`` or ``overdue``
  against the deadline as it stood then;
- so carried_over + new = resolved + refused + withdrawn +
  awaiting_supplement + in_progress, always;
- ``paid``/``paid_online``: dossiers whose fees were paid in the period,
  and online; ``digitised``: new dossiers with every required paper as a
  file (Decree 45/2020/NĐ-CP); ``returned``, ``returned_by_post``,
  ``returned_online``: results returned in the period; the applicants'
  ratings made in it: ``very_satisfied``, ``satisfied``, ``dissatisfied``.

Each measure is one SQL condition (``measures``): the figures count them
all in one statement (``count(*) FILTER (WHERE …)``), and the dossiers
behind any number are the rows matching the same condition (``dossiers``).
"""
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func, or_, select

from ..i18n.formatting import TIMEZONE
from .models import DossierStat as S, StatDay as D
from .ontime import EARLY, LATE, ON_TIME, REFUSED, RESOLVED, WITHDRAWN_ENDING

CHANNELS = ("in_person", "postal", "online")
RATINGS = ("very_satisfied", "satisfied", "dissatisfied")


def bounds(start, end):
    """(from, until) instants of the days ``start``..``end`` (dates) in the city's time."""
    first = datetime.combine(start, time(), tzinfo=TIMEZONE)
    after = datetime.combine(end + timedelta(days=1), time(), tzinfo=TIMEZONE)
    return first, after


def _within(column, first, after):
    return and_(column >= first, column < after)


def measures(first, after):
    """{name: SQL condition on DossierStat} of every counted measure for
    the period [``first``, ``after``) (aware instants)."""
    ended_before = and_(S.finished_at.isnot(None), S.finished_at < first)
    open_at_end = and_(S.submitted_at < after, or_(S.finished_at.is_(None), S.finished_at >= after))
    waiting = and_(S.paused_from.isnot(None), S.paused_from < after,
                   or_(S.paused_until.is_(None), S.paused_until >= after))
    # the deadline at the end: the one fixed at reception, unless a wait for papers began before then
    deadline = case((and_(S.paused_from.isnot(None), S.paused_from < after), S.due_at), else_=S.first_due_at)
    new = _within(S.submitted_at, first, after)
    ended_in = _within(S.finished_at, first, after)
    paid = _within(S.paid_at, first, after)
    returned = _within(S.returned_at, first, after)
    rated = _within(S.rated_at, first, after)
    found = {
        "carried_over": and_(S.submitted_at < first, ~ended_before),
        "new": new,
        **{channel: and_(new, S.channel == channel) for channel in CHANNELS},
        **{outcome: and_(ended_in, S.ending == RESOLVED, S.outcome == outcome) for outcome in (EARLY, ON_TIME, LATE)},
        "refused": and_(ended_in, S.ending == REFUSED),
        "withdrawn": and_(ended_in, S.ending == WITHDRAWN_ENDING),
        "awaiting_supplement": and_(open_at_end, waiting),
        "within_deadline": and_(open_at_end, ~waiting, or_(deadline.is_(None), deadline >= after)),
        "overdue": and_(open_at_end, ~waiting, deadline < after),
        "paid": paid,
        "paid_online": and_(paid, S.paid_online.is_(True)),
        "digitised": and_(new, S.digitised.is_(True)),
        "returned": returned,
        "returned_by_post": and_(returned, S.returned_by == "postal"),
        "returned_online": and_(returned, S.returned_by == "online"),
        **{level: and_(rated, S.rating == level) for level in RATINGS},
    }
    return found


def _rate(part, whole):
    return round(part / whole, 4) if whole else 0.0


@dataclass(frozen=True)
class Figures:
    """The counts of one agency (or several, summed: ``agency`` is the one
    asked for) over the days ``start``..``end``; see the module's docstring."""

    agency: str
    start: date
    end: date
    carried_over: int = 0
    new: int = 0
    in_person: int = 0
    postal: int = 0
    online: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    refused: int = 0
    withdrawn: int = 0
    awaiting_supplement: int = 0
    within_deadline: int = 0
    overdue: int = 0
    paid: int = 0
    paid_online: int = 0
    digitised: int = 0
    returned: int = 0
    returned_by_post: int = 0
    returned_online: int = 0
    very_satisfied: int = 0
    satisfied: int = 0
    dissatisfied: int = 0

    @property
    def received(self):
        return self.carried_over + self.new

    @property
    def resolved(self):
        return self.early + self.on_time + self.late

    @property
    def in_progress(self):
        return self.within_deadline + self.overdue

    @property
    def ratings(self):
        return self.very_satisfied + self.satisfied + self.dissatisfied

    @property
    def rates(self):
        """{name: share from 0 to 1} (0 when there is nothing to divide):
        on_time (early or on time, of those resolved), online (of the new),
        online_payment (of the payments), digitised (of the new),
        postal_return (of the results returned), satisfaction (satisfied or
        very satisfied, of the ratings)."""
        return {
            "on_time": _rate(self.early + self.on_time, self.resolved),
            "online": _rate(self.online, self.new),
            "online_payment": _rate(self.paid_online, self.paid),
            "digitised": _rate(self.digitised, self.new),
            "postal_return": _rate(self.returned_by_post, self.returned),
            "satisfaction": _rate(self.very_satisfied + self.satisfied, self.ratings),
        }

    def as_json(self):
        """The API's shape (``GET /api/v1/statistics``): other tools rely on these names."""
        rates = self.rates
        return {
            "agency": self.agency,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "received": {"carried_over": self.carried_over, "new": self.new,
                         "by_channel": {channel: getattr(self, channel) for channel in CHANNELS}},
            "resolved": {"early": self.early, "on_time": self.on_time, "late": self.late},
            "in_progress": {"within_deadline": self.within_deadline, "overdue": self.overdue},
            "awaiting_supplement": self.awaiting_supplement,
            "refused": self.refused,
            "withdrawn": self.withdrawn,
            "rates": {name: rates[name] for name in ("on_time", "online", "online_payment", "digitised")},
            "returned": {"total": self.returned, "by_post": self.returned_by_post, "online": self.returned_online},
            "payments": {"paid": self.paid, "paid_online": self.paid_online},
            "digitised": self.digitised,
            "satisfaction": {level: getattr(self, level) for level in RATINGS},
            "other_rates": {name: rates[name] for name in ("postal_return", "satisfaction")},
        }


#: the counted fields of Figures, in the order of the statement's columns
COUNTED = tuple(field.name for field in fields(Figures) if field.name not in ("agency", "start", "end"))


def _scope(codes, first, after, sector=None, procedure=None):
    """The rows a period may count: its agencies' dossiers submitted before
    its end and not settled before its start (models.DossierStat)."""
    conditions = [S.agency_code.in_(list(codes)), S.submitted_at < after,
                  or_(S.settled_at.is_(None), S.settled_at >= first)]
    if sector:
        conditions.append(S.sector_code == sector)
    if procedure:
        conditions.append(S.procedure_code == procedure)
    return conditions


def _counts(first, after):
    found = measures(first, after)
    return [func.count().filter(found[name]).label(name) for name in COUNTED]


def _from_rows(dbsession, codes, first, after, sector, procedure, grouped):
    """The counts from the summary rows: [(agency code or None, {name: n})]."""
    columns = [S.agency_code] if grouped else []
    query = select(*columns, *_counts(first, after)).where(*_scope(codes, first, after, sector, procedure))
    if grouped:
        query = query.group_by(S.agency_code)
    return [(row.agency_code if grouped else None, row._mapping) for row in dbsession.execute(query)]


#: what the days add up to in a period
FLOWS = tuple(name for name in COUNTED if name not in ("carried_over", "awaiting_supplement", "within_deadline",
                                                       "overdue"))


def _from_days(dbsession, codes, start, end, grouped):
    """The counts from the daily counts (models.StatDay): the period's days
    added up; what stands at its start and end from every day before."""
    before, during = D.day < start, D.day.between(start, end)
    ended = D.early + D.on_time + D.late + D.refused + D.withdrawn
    columns = [func.sum(getattr(D, name)).filter(during).label(name) for name in FLOWS]
    columns += [func.sum(D.new - ended).filter(before).label("carried_over"),
                func.sum(D.new - ended).label("open"),
                func.sum(D.waiting_in - D.waiting_out).label("awaiting_supplement"),
                func.sum(D.overdue_in - D.overdue_out).label("overdue")]
    query = select(*([D.agency_code] if grouped else []), *columns).where(D.agency_code.in_(list(codes)),
                                                                          D.day <= end)
    if grouped:
        query = query.group_by(D.agency_code)
    found = []
    for row in dbsession.execute(query):
        values = {name: value or 0 for name, value in row._mapping.items()}
        values["within_deadline"] = values.pop("open") - values["awaiting_supplement"] - values["overdue"]
        found.append((row.agency_code if grouped else None, values))
    return found


def _counted(dbsession, codes, start, end, sector, procedure, grouped, source):
    if source == "days" or (source is None and not sector and not procedure):
        return _from_days(dbsession, codes, start, end, grouped)
    first, after = bounds(start, end)
    return _from_rows(dbsession, codes, first, after, sector, procedure, grouped)


def figures(dbsession, agency, codes, start, end, sector=None, procedure=None, source=None):
    """The Figures of the agencies ``codes`` (summed; ``agency`` names
    them) for the days ``start``..``end``, optionally of one sector or
    procedure (codes). One statement: over the daily counts, or over the
    dossiers' rows for a sector or procedure (``source`` "days" or "rows"
    forces one: they agree, which the tests check)."""
    rows = _counted(dbsession, codes, start, end, sector, procedure, False, source)
    values = rows[0][1] if rows else {}
    return Figures(agency=agency, start=start, end=end, **{name: values.get(name) or 0 for name in COUNTED})


def figures_by_agency(dbsession, codes, start, end, sector=None, procedure=None, source=None):
    """{agency code: Figures} of each of ``codes`` for the days
    ``start``..``end`` (every code present, with zeros when it had
    nothing): one statement grouped by agency."""
    found = {code: Figures(agency=code, start=start, end=end) for code in codes}
    for code, values in _counted(dbsession, codes, start, end, sector, procedure, True, source):
        found[code] = Figures(agency=code, start=start, end=end, **{name: values.get(name) or 0 for name in COUNTED})
    return found


#: the measures that add up others (the page's totals): their dossiers are any of the parts
GROUPS = {"received": ("carried_over", "new"), "resolved": (EARLY, ON_TIME, LATE),
          "in_progress": ("within_deadline", "overdue"), "ratings": RATINGS}
#: every name a drill-down may ask for
DRILLABLE = frozenset(COUNTED) | frozenset(GROUPS)


def _condition(measure, first, after):
    found = measures(first, after)
    if measure in GROUPS:
        return or_(*(found[name] for name in GROUPS[measure]))
    return found[measure]


def behind(codes, start, end, measure, sector=None, procedure=None):
    """The conditions (a list, for ``where``) selecting the DossierStat rows
    behind ``measure`` (a name in DRILLABLE) for the days ``start``..``end``.
    KeyError for an unknown measure."""
    first, after = bounds(start, end)
    return [*_scope(codes, first, after, sector, procedure), _condition(measure, first, after)]


def dossier_ids(dbsession, codes, start, end, measure, sector=None, procedure=None, limit=None, offset=0):
    """The ids of the dossiers behind ``measure`` (see ``behind``), newest
    submitted first; and how many there are in all: (ids, total)."""
    conditions = behind(codes, start, end, measure, sector, procedure)
    total = dbsession.scalar(select(func.count()).select_from(S).where(*conditions))
    query = select(S.dossier_id).where(*conditions).order_by(S.submitted_at.desc(), S.dossier_id.desc())
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return list(dbsession.scalars(query)), total
