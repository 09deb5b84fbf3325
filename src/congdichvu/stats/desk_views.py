"""The leaders' dashboard (``/mot-cua/thong-ke``): the figures of the one-stop
office (stats.figures) for the visitor's agency and every agency under it,
for a month, quarter, year or any period, and the dossiers behind each
number (``/mot-cua/thong-ke/ho-so``), as a page or a CSV file.

Who sees what follows the desk (security.principals, onestop.queues.Scope):
a leader their agency and every one under it ("leads:" principals), an
officer their own agency ("agency:"); an agency outside those is refused
(403), whatever the query string says. Both pages are GET forms (they work
without JavaScript and can be bookmarked); a parameter that cannot be read
answers 400 with the page and a message in Vietnamese, never a 500.
"""
from datetime import date, timedelta

from pyramid.httpexceptions import HTTPForbidden
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import select

from ..catalog.params import BadParameter
from ..catalog.services import agency_subtree, catalog_for
from ..documents import spreadsheets
from ..eservices.models import Dossier
from ..i18n import _
from ..i18n.formatting import format_date, today_local
from ..inputs import parse_int
from ..onestop.queues import scope_of
from ..security import Permissions, mark_personal
from .figures import DRILLABLE, figures, figures_by_agency, dossier_ids
from .models import DossierStat
from .params import quarter_of, read_day, read_query

#: the kinds of period the form offers (``ky``): the month, quarter or year holding ``from``, or ``from``–``to``
MONTH, QUARTER, YEAR, CUSTOM = "thang", "quy", "nam", "tuy-chon"
PERIODS = {MONTH: _("Month"), QUARTER: _("Quarter"), YEAR: _("Year"), CUSTOM: _("From date to date")}
#: dossiers on a page of the drill-down; the most a CSV file holds
PAGE_SIZE, FILE_ROWS = 50, 20000
MAX_PAGE = 100000

#: the numbers of the agencies' table, in its order: (measure, heading)
COLUMNS = (
    ("received", _("Received")), ("carried_over", _("Carried over")), ("new", _("New")),
    ("online", _("Online")), ("resolved", _("Resolved")), ("early", _("Early")), ("on_time", _("On time")),
    ("late", _("Resolved late")), ("in_progress", _("In progress")), ("overdue", _("In progress, overdue")),
    ("awaiting_supplement", _("Waiting for papers")), ("refused", _("Refused")), ("withdrawn", _("Withdrawn")),
)
#: what the drill-down's title says of each measure
MEASURES = dict(COLUMNS, within_deadline=_("In progress, within the deadline"),
                in_person=_("New, handed in at the desk"), postal=_("New, sent by post"),
                paid=_("Fees paid"), paid_online=_("Fees paid online"), digitised=_("New, every paper as a file"),
                returned=_("Results returned"), returned_by_post=_("Results returned by post"),
                returned_online=_("Results returned online"), very_satisfied=_("Very satisfied"),
                satisfied=_("Satisfied"), dissatisfied=_("Dissatisfied"), ratings=_("Ratings"))
#: how a dossier ended or stands, in the drill-down's outcome column
OUTCOMES = {"early": _("Early"), "on_time": _("On time"), "late": _("Late"), "refused": _("Refused"),
            "withdrawn": _("Withdrawn"), "resolved": _("Resolved"), None: _("Not finished")}


def period_of(kind, day):
    """(first, last day) of the month, quarter or year (``kind``) holding ``day``."""
    if kind == MONTH:
        first = day.replace(day=1)
        following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        return first, following - timedelta(days=1)
    if kind == QUARTER:
        return quarter_of(day)
    return date(day.year, 1, 1), date(day.year, 12, 31)


def read_period(params, today):
    """(kind, params for stats.params.read_query): ``ky`` names the kind of
    period (this quarter by default; ``tuy-chon`` when only dates are
    given); for a month, quarter or year, ``from`` is any day in it and
    the period ends today at the latest. BadParameter for what is wrong."""
    raw = (params.get("ky") or "").strip()
    kind = raw or (CUSTOM if params.get("from") or params.get("to") else QUARTER)
    if kind not in PERIODS:
        raise BadParameter("ky", _("Choose the period: a month, a quarter, a year or from a date to a date."))
    found = {name: params.get(name) for name in ("agency", "sector") if params.get(name)}
    if kind == CUSTOM:
        found.update({name: params.get(name) for name in ("from", "to") if params.get(name)})
        return kind, found
    start, end = period_of(kind, read_day(params, "from", today))
    found.update({"from": start.isoformat(), "to": max(start, min(end, today)).isoformat()})
    return kind, found


def _visible(request):
    """The codes of the agencies the visitor may see the figures of."""
    return scope_of(request).mine


def _own_agency(request, visible):
    """The agency the dashboard opens on: the visitor's own, if visible."""
    own = getattr(getattr(request.user, "agency", None), "code", None)
    return own if own in visible else (sorted(visible)[0] if visible else None)


def _tree(request, agency, visible):
    """The codes of ``agency`` and of every agency under it the visitor may see, ``agency`` first."""
    return tuple(code for code in agency_subtree(request.dbsession, agency.id) if code in visible)


def _read(request, params, include_children):
    """The stats.params.Query asked for, the agency defaulting to the
    visitor's own; HTTPForbidden for an agency the visitor may not see."""
    visible = _visible(request)
    params = dict(params)
    params.setdefault("agency", _own_agency(request, visible))
    query = read_query(params, catalog_for(request.dbsession), today_local(), include_children=False)
    if query.agency.code not in visible:
        raise HTTPForbidden()
    codes = _tree(request, query.agency, visible) if include_children else (query.agency.code,)
    return query, codes


def drill_query(query, measure, codes, agency_code=None):
    """The drill-down's query string for ``measure`` of ``agency_code`` (all ``codes`` when None)."""
    found = {"measure": measure, "agency": agency_code or query.agency.code, "from": query.start.isoformat(),
             "to": query.end.isoformat()}
    if agency_code is None and len(codes) > 1:
        found["include_children"] = "true"
    if query.sector:
        found["sector"] = query.sector
    return found


def _params(request):
    return {key: value for key, value in request.GET.items() if isinstance(value, str)}


@view_config(route_name="desk_statistics", request_method="GET", renderer="stats/desk.jinja2",
             permission=Permissions.VIEW_STATISTICS)
def dashboard(request):
    """The figures of the chosen agency (the visitor's own by default) and
    of each visible agency under it, for the period chosen (``ky``,
    ``from``, ``to``; this quarter by default), optionally of one
    ``sector``. 400 with a message for a parameter that cannot be read,
    403 for an agency the visitor may not see."""
    mark_personal(request)
    params = _params(request)
    catalog = catalog_for(request.dbsession)
    visible = _visible(request)
    names = {agency.code: agency.name for agency in catalog.agencies()}
    values = {"periods": PERIODS, "columns": COLUMNS, "measure_words": MEASURES, "typed": params, "error": None,
              "has_scope": bool(visible), "query": None,
              "agencies": [(code, names[code]) for code in names if code in visible],
              "sectors": [(sector.code, sector.name) for sector, _count in catalog.sectors_with_counts()],
              "kind": params.get("ky") or QUARTER}
    if not visible:
        return values
    try:
        kind, asked = read_period(params, today_local())
        query, codes = _read(request, asked, include_children=True)
    except BadParameter as error:
        request.response.status = 400
        values["error"] = error.message
        return values
    by_agency = figures_by_agency(request.dbsession, codes, query.start, query.end, sector=query.sector)
    total = figures(request.dbsession, query.agency.code, codes, query.start, query.end, sector=query.sector) \
        if len(codes) > 1 else by_agency[query.agency.code]
    rows = [(code, names.get(code, code), by_agency[code]) for code in codes]
    values.update(kind=kind, query=query, codes=codes, total=total, rows=rows, names=names,
                  drill=lambda measure, code=None: request.route_path(
                      "desk_statistics_dossiers", _query=drill_query(query, measure, codes, code)),
                  typed=dict(params, **{"from": params.get("from") or query.start.isoformat(),
                                        "to": params.get("to") or query.end.isoformat()}))
    return values


def _dossier_rows(request, ids):
    """What a line of the drill-down shows of each dossier of ``ids``, in their order (one query)."""
    if not ids:
        return []
    found = {dossier.id: (dossier, stat) for dossier, stat in request.dbsession.execute(
        select(Dossier, DossierStat).join(DossierStat, DossierStat.dossier_id == Dossier.id)
        .where(Dossier.id.in_(ids)))}
    rows = []
    for dossier_id in ids:
        dossier, stat = found[dossier_id]
        rows.append({
            "code": dossier.code, "url": request.route_path("desk_dossier", code=dossier.code),
            "applicant": dossier.applicant_name or "",
            "procedure": (dossier.procedure_snapshot or {}).get("name") or dossier.procedure_code,
            "submitted": stat.submitted_at, "due": stat.due_at, "finished": stat.finished_at,
            "outcome": OUTCOMES.get(stat.outcome or stat.ending, OUTCOMES[None]),
        })
    return rows


def _csv(request, rows, filename):
    """The drill-down as CSV (documents.spreadsheets: a name a citizen typed
    that looks like a formula is written as text, never run by Excel)."""
    translate = request.localizer.translate
    headings = [translate(word) for word in (_("Dossier code"), _("Applicant"), _("Procedure"), _("Submitted"),
                                             _("Due"), _("Finished"), _("Outcome"))]
    body = spreadsheets.csv_bytes(headings, ([row["code"], row["applicant"], row["procedure"],
                                              format_date(row["submitted"]), format_date(row["due"]),
                                              format_date(row["finished"]), translate(row["outcome"])]
                                             for row in rows))
    response = Response(body=body, content_type="text/csv",
                        content_disposition=f'attachment; filename="{filename}"')
    response.charset = "utf-8"
    return response


@view_config(route_name="desk_statistics_dossiers", request_method="GET", renderer="stats/desk_dossiers.jinja2",
             permission=Permissions.VIEW_STATISTICS)
def dossiers_behind(request):
    """The dossiers behind a number of the dashboard: ``measure`` (a name
    of stats.figures.DRILLABLE), ``agency``, ``from``, ``to`` (YYYY-MM-DD),
    optional ``sector``, ``procedure``, ``include_children`` (true: the
    agency and every visible one under it), ``trang`` (the page), and
    ``dinh-dang=csv`` for the whole list as a file. 400 for what cannot be
    read, 403 for an agency the visitor may not see."""
    mark_personal(request)
    params = _params(request)
    measure = (params.get("measure") or "").strip()
    values = {"error": None, "measure": measure, "measures": MEASURES, "rows": [], "total": 0}
    try:
        if measure not in DRILLABLE:
            raise BadParameter("measure", _("There is no figure called ${name}.", mapping={"name": measure[:40]}))
        children = (params.get("include_children") or "").strip().lower() in ("true", "1", "yes")
        query, codes = _read(request, params, include_children=children)
    except BadParameter as error:
        request.response.status = 400
        values["error"] = error.message
        return values
    page = parse_int(params.get("trang") or "1", minimum=1, maximum=MAX_PAGE) or 1
    arguments = (request.dbsession, codes, query.start, query.end, measure)
    kept = drill_query(query, measure, codes)
    if children and len(codes) > 1:
        kept["include_children"] = "true"
    if query.procedure:
        kept["procedure"] = query.procedure
    if params.get("dinh-dang") == "csv":
        ids, _total = dossier_ids(*arguments, sector=query.sector, procedure=query.procedure, limit=FILE_ROWS)
        filename = f"ho-so-{measure}-{query.agency.code}-{query.start:%Y%m%d}-{query.end:%Y%m%d}.csv"
        return _csv(request, _dossier_rows(request, ids), filename)
    ids, total = dossier_ids(*arguments, sector=query.sector, procedure=query.procedure, limit=PAGE_SIZE,
                             offset=(page - 1) * PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    if page > pages:  # past the end (an old link, a typed number): the last page, as the catalogue's lists do
        page = pages
        ids, total = dossier_ids(*arguments, sector=query.sector, procedure=query.procedure, limit=PAGE_SIZE,
                                 offset=(page - 1) * PAGE_SIZE)
    values.update(query=query, codes=codes, rows=_dossier_rows(request, ids), total=total, page=page, pages=pages,
                  kept=kept, page_size=PAGE_SIZE, many=len(codes) > 1)
    return values
