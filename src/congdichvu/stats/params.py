"""Reading what a statistics request asks for — the agency, the days, a
sector or procedure — the same way for the API, the public page and the
leaders' dashboard. Anything wrong raises catalog.params.BadParameter with
a message for the person (a 400, never a 500)."""
import re
from dataclasses import dataclass
from datetime import date, timedelta

from ..catalog.params import BadParameter
from ..catalog.services import agency_subtree
from ..i18n import _

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: the earliest day a period may start (before any dossier could exist here)
FIRST_DAY = date(2000, 1, 1)
#: the last day a period may end
LAST_DAY = date(2100, 12, 31)
#: the longest period, in days (ten years)
MAX_DAYS = 3660
TRUE, FALSE = ("true", "1", "yes"), ("false", "0", "no", "")
#: what is said of a date that cannot be read, by parameter: the form's words, then the API's name
WRONG_DAY = {
    "from": (_("The start date (from) must be written YYYY-MM-DD, for example 2018-03-31."),
             _("The start date (from), ${value}, is not a day of the calendar."),
             _("The start date (from) must be between the years 2000 and 2100.")),
    "to": (_("The end date (to) must be written YYYY-MM-DD, for example 2018-03-31."),
           _("The end date (to), ${value}, is not a day of the calendar."),
           _("The end date (to) must be between the years 2000 and 2100.")),
}


@dataclass(frozen=True)
class Query:
    """A statistics request: ``agency`` (catalog Agency), ``codes`` (it, and
    every agency under it when ``include_children``), the days ``start``..
    ``end``, and optionally a ``sector`` or ``procedure`` code."""

    agency: object
    codes: tuple
    start: date
    end: date
    sector: str | None = None
    procedure: str | None = None
    include_children: bool = False


def quarter_of(day):
    """(first day, last day) of the quarter holding ``day``."""
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    following = date(first.year + (first.month == 10), (first.month + 2) % 12 + 1, 1)
    return first, following - timedelta(days=1)


def read_day(params, name, default):
    """The day in ``params[name]`` ("from" or "to") written YYYY-MM-DD
    (``default`` when absent)."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    written, missing, out_of_range = WRONG_DAY[name]
    if not _ISO_DAY.fullmatch(raw):
        raise BadParameter(name, written)
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(name, _(missing, mapping={"value": raw})) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise BadParameter(name, out_of_range)
    return day


def _flag(params, name):
    raw = (params.get(name) or "").strip().lower()
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise BadParameter(name, _("${name} must be true or false.", mapping={"name": name}))


def root_agency(catalog):
    """The agency at the top of the tree (the city or province), or None."""
    return next((agency for agency in catalog.agencies() if agency.parent_id is None), None)


def read_query(params, catalog, today, include_children=None):
    """The Query in ``params`` (agency, from, to, sector, procedure,
    include_children); by default the top agency and this quarter up to
    ``today``. ``include_children`` given here overrides the parameter."""
    code = (params.get("agency") or "").strip()
    agency = catalog.agency(code) if code else root_agency(catalog)
    if agency is None:
        raise BadParameter("agency", _("There is no agency with the code ${code}.", mapping={"code": code[:40]})
                           if code else _("There is no agency yet."))
    start = read_day(params, "from", quarter_of(today)[0])
    end = read_day(params, "to", max(start, min(today, quarter_of(start)[1])))
    if end < start:
        raise BadParameter("to", _("The end date (to) must not be before the start date (from)."))
    if (end - start).days > MAX_DAYS:
        raise BadParameter("to", _("A period may be at most 10 years long."))
    sector = (params.get("sector") or "").strip() or None
    if sector is not None and catalog.sector(sector) is None:
        raise BadParameter("sector", _("There is no sector with the code ${code}.", mapping={"code": sector[:40]}))
    procedure = (params.get("procedure") or "").strip() or None
    if procedure is not None and catalog.procedure(procedure, include_archived=True) is None:
        raise BadParameter("procedure", _("There is no procedure with the code ${code}.",
                                          mapping={"code": procedure[:40]}))
    children = _flag(params, "include_children") if include_children is None else include_children
    codes = agency_subtree(catalog.db, agency.id) if children else (agency.code,)
    return Query(agency=agency, codes=codes, start=start, end=end, sector=sector, procedure=procedure,
                 include_children=children)
