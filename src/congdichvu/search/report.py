"""What people searched for, by week, for editors growing the thesaurus:
the most frequent queries, those that found nothing, and those whose
results nobody opened (the opens are recorded by ``record_open``, from the
result links of the search page).

Weeks are ISO weeks (Monday to Sunday) of the city's calendar
(Asia/Ho_Chi_Minh); the log keeps instants in UTC.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import distinct, func, select

from ..i18n.formatting import from_local, today_local
from ..ratelimit import RateLimit
from .analysis import fold
from .models import QUERY_LOG_CHARS, SearchOpen, SearchQuery

#: weeks the report offers
WEEKS = 8
#: queries shown per list
SHOWN = 30
#: the value of the week choice meaning all of them
ALL_WEEKS = "all"
#: opens recorded per address and hour (as the query log: services.LOGGED_PER_ADDRESS)
OPENED_PER_ADDRESS = RateLimit("search_open.address", 120, timedelta(hours=1))


@dataclass(frozen=True)
class Week:
    """An ISO week of the city's calendar: ``key`` ("2026-W49"), its local
    Monday and Sunday, and the UTC instants it starts and ends at."""

    key: str
    monday: date
    sunday: date
    start: datetime
    end: datetime

    @property
    def number(self):
        return self.monday.isocalendar().week

    @property
    def year(self):
        return self.monday.isocalendar().year


def _local_midnight(day):
    return from_local(datetime.combine(day, time()))


def weeks(now=None, count=WEEKS):
    """The last ``count`` weeks, the current one (holding ``now``) first."""
    today = today_local(now)
    monday = today - timedelta(days=today.weekday())
    found = []
    for back in range(count):
        first = monday - timedelta(weeks=back)
        iso = first.isocalendar()
        found.append(Week(f"{iso.year}-W{iso.week:02d}", first, first + timedelta(days=6), _local_midnight(first),
                          _local_midnight(first + timedelta(days=7))))
    return found


def span(chosen, offered):
    """(start, end) instants of the week keyed ``chosen`` among ``offered``
    (Weeks, newest first), or of all of them for ALL_WEEKS; None for a key
    not offered."""
    if chosen == ALL_WEEKS:
        return offered[-1].start, offered[0].end
    week = next((week for week in offered if week.key == chosen), None)
    return (week.start, week.end) if week is not None else None


@dataclass(frozen=True)
class QueryCount:
    """A query as people typed it (one spelling of those folding alike),
    how often it was searched, the most procedures it found and how many
    of its searches were followed by opening a result."""

    query: str
    searches: int
    found: int
    opened: int


def _counted(session, start, end, *conditions, having=None):
    searches = func.count(distinct(SearchQuery.id))
    statement = (
        select(func.min(SearchQuery.query), searches, func.max(SearchQuery.results),
               func.count(distinct(SearchOpen.query_id)))
        .outerjoin(SearchOpen, SearchOpen.query_id == SearchQuery.id)
        .where(SearchQuery.created_at >= start, SearchQuery.created_at < end, *conditions)
        .group_by(SearchQuery.folded)
        .order_by(searches.desc(), SearchQuery.folded)
        .limit(SHOWN)
    )
    if having is not None:
        statement = statement.having(having)
    return [QueryCount(*row) for row in session.execute(statement)]


def report(session, start, end):
    """{"frequent", "nothing", "unopened": [QueryCount]} of the searches
    from ``start`` to ``end`` (UTC instants), most searched first."""
    return {
        "frequent": _counted(session, start, end),
        "nothing": _counted(session, start, end, SearchQuery.results == 0),
        "unopened": _counted(session, start, end, SearchQuery.results > 0,
                             having=func.count(SearchOpen.id) == 0),
    }


#: how far back an open looks for the search it came from
OPEN_WITHIN = timedelta(days=1)
#: the latest logged searches of the same words looked at for one that showed the result
OPEN_CANDIDATES = 20


def record_open(session, text, code, address):
    """Record that the result ``code`` of a search for ``text`` (as typed)
    was opened, against the latest such search logged in the last day that
    showed it; nothing when there is none (so that opens cannot be made up
    for any search), or past the address's hourly limit (so a robot cannot
    grow the table without bound). The page links by the words, not by its
    log row, so that every visitor's page of a search is the same page (a
    proxy or browser may keep it: congdichvu.httpcache)."""
    folded = fold(text[:QUERY_LOG_CHARS])[:QUERY_LOG_CHARS]
    since = datetime.now(timezone.utc) - OPEN_WITHIN
    latest = session.scalars(
        select(SearchQuery).where(SearchQuery.folded == folded, SearchQuery.created_at >= since)
        .order_by(SearchQuery.id.desc()).limit(OPEN_CANDIDATES))
    searched = next((row for row in latest if code in row.shown.split()), None)
    if searched is None:
        return False
    if not OPENED_PER_ADDRESS.hit(session, address):
        return False
    session.add(SearchOpen(query_id=searched.id, procedure_code=code, created_at=datetime.now(timezone.utc)))
    return True
