"""The public statistics page ``/thong-ke`` (route "statistics") and its
tables as CSV or XLSX (``/thong-ke/tai-xuong.csv`` / ``.xlsx``, route
"statistics_download", the same query parameters plus ``bang``, which
table).

What a visitor chooses is a GET form (it works without JavaScript and can
be bookmarked): ``agency`` (a code; by default the city: the agency of
level "district" under the top one, else the top one), ``from`` and ``to``
(YYYY-MM-DD; by default this quarter up to today), read by
stats.params.read_query with the agency's children summed. A parameter
that cannot be read answers 400 with the page, the form and the message in
Vietnamese, never a 500.

The numbers are stats.figures' (Circular 01/2018/TT-VPCP, Art. 26):
one statement per page (figures_by_agency over the agency's subtree),
added up here for the headline and for each department's row. The page is
not put in the page cache: its numbers move with every dossier, and the
cache follows only the catalogue's changes.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import Response
from pyramid.view import view_config

from ..catalog.params import BadParameter
from ..catalog.services import catalog_for
from ..documents import spreadsheets
from ..i18n import _, official_translate
from ..i18n.formatting import format_date, today_local, vietnamese_sort_key as sort_key
from ..pagecache import mark_cacheable
from ..security import Permissions
from . import charts
from .figures import COUNTED, Figures, figures_by_agency
from .params import quarter_of, read_query, root_agency

try:  # Decision 766 indicators: written beside this page (stats.indicators); wired when present
    from . import indicators
except ImportError:  # pragma: no cover - the page stands without it
    indicators = None

#: the query parameters the page reads (the rest are ignored)
PARAMS = ("agency", "from", "to")
#: the tables that can be downloaded: ``bang`` value → (title msgid, file-name part)
TABLES = {
    "tong-hop": (_("Summary"), "tong-hop"),
    "phuong-xa": (_("Wards and communes"), "phuong-xa"),
    "phong-ban": (_("Departments and agencies"), "co-quan"),
    "xep-hang": (_("Ranking of wards and communes by on-time rate"), "xep-hang"),
}
FORMATS = ("csv", "xlsx")
COMMUNE = "commune"

#: the agency tables' columns: (msgid, Figures attribute or rates' key, kind, width in a workbook)
COLUMNS = (
    (_("Carried over"), "carried_over", "count", 10),
    (_("New"), "new", "count", 10),
    (_("New in person"), "in_person", "count", 10),
    (_("New by post"), "postal", "count", 10),
    (_("New online"), "online", "count", 10),
    (_("Received"), "received", "count", 10),
    (_("Resolved early"), "early", "count", 10),
    (_("Resolved on time"), "on_time", "count", 10),
    (_("Resolved late"), "late", "count", 10),
    (_("Resolved"), "resolved", "count", 10),
    (_("In progress within the deadline"), "within_deadline", "count", 12),
    (_("In progress overdue"), "overdue", "count", 12),
    (_("Awaiting supplement"), "awaiting_supplement", "count", 12),
    (_("Refused"), "refused", "count", 10),
    (_("Withdrawn"), "withdrawn", "count", 10),
    (_("On-time rate"), "on_time", "rate", 12),
    (_("Online rate"), "online", "rate", 12),
    (_("Online payment rate"), "online_payment", "rate", 12),
    (_("Digitised rate"), "digitised", "rate", 12),
    (_("Results returned by post"), "postal_return", "rate", 12),
    (_("Satisfaction"), "satisfaction", "rate", 12),
)
#: the columns shown on the page's agency tables (the files have all of COLUMNS)
PAGE_COLUMNS = ("received", "online", "early", "on_time", "late", "within_deadline", "overdue",
                "awaiting_supplement", "refused", "withdrawn")
PAGE_RATES = ("on_time", "online")


def total(figures, agency, start, end):
    """The Figures ``figures`` (an iterable) added up, named ``agency``."""
    sums = dict.fromkeys(COUNTED, 0)
    for found in figures:
        for name in COUNTED:
            sums[name] += getattr(found, name)
    return Figures(agency=agency, start=start, end=end, **sums)


def value_of(found, name, kind):
    """The number in column ``name`` of ``kind`` ("count" or "rate") of a Figures."""
    return found.rates[name] if kind == "rate" else getattr(found, name)


def default_agency(catalog):
    """The page's agency when none is asked for: the city (the agency of
    level "district" right under the top one), else the top one, or None."""
    root = root_agency(catalog)
    if root is None:
        return None
    return next((agency for agency in catalog.agencies()
                 if agency.parent_id == root.id and agency.level == "district"), root)


def quick_periods(today):
    """The form's quick choices: [(key, msgid, start, end)]; a period that
    is still going ends today."""
    this_quarter = quarter_of(today)
    last_quarter = quarter_of(this_quarter[0] - timedelta(days=1))
    return [
        ("month", _("This month"), today.replace(day=1), today),
        ("quarter", _("This quarter"), this_quarter[0], today),
        ("year", _("This year"), date(today.year, 1, 1), today),
        ("last-quarter", _("Last quarter"), *last_quarter),
    ]


@dataclass
class Row:
    """One agency's line of a table: the agency, its Figures (with those under it)."""

    agency: object
    figures: Figures
    #: the agency's own dossiers only (the chosen agency's line among those under it)
    own: bool = False

    @property
    def resolved_any(self):
        return self.figures.resolved > 0


def ranking(rows):
    """The wards ``rows`` by on-time rate, highest first; ties: more
    resolved first, then by name; those with nothing resolved last."""
    return sorted(rows, key=lambda row: (not row.resolved_any, -row.figures.rates["on_time"],
                                         -row.figures.resolved, sort_key(row.agency.name)))


def _params(request, catalog):
    """The page's parameters, the default agency filled in; the text typed, cut short, to show again."""
    params = {name: request.params.get(name) for name in PARAMS if isinstance(request.params.get(name), str)}
    if not (params.get("agency") or "").strip():
        chosen = default_agency(catalog)
        if chosen is not None:
            params["agency"] = chosen.code
    return params


@dataclass
class Tables:
    """What the page and the files show for one query."""

    query: object
    headline: Figures
    wards: list
    departments: list
    ranked: list


def tables(dbsession, catalog, query):
    """Tables of ``query`` (stats.params.Query, children included): one statement."""
    by_code = figures_by_agency(dbsession, query.codes, query.start, query.end, sector=query.sector,
                                procedure=query.procedure)
    agencies = [agency for agency in catalog.agencies() if agency.code in by_code]
    children = {}
    for agency in agencies:
        children.setdefault(agency.parent_id, []).append(agency)

    def under(agency):
        found, stack = [], [agency]
        while stack:
            node = stack.pop()
            found.append(by_code[node.code])
            stack.extend(child for child in children.get(node.id, []) if child is not node)
        return total(found, agency.code, query.start, query.end)

    headline = total(by_code.values(), query.agency.code, query.start, query.end)
    wards = [Row(agency, by_code[agency.code]) for agency in agencies if agency.level == COMMUNE]
    departments = [Row(agency, under(agency)) for agency in children.get(query.agency.id, [])
                   if agency.level != COMMUNE]
    if children.get(query.agency.id):  # its own office's dossiers, which no other line holds
        departments.insert(0, Row(query.agency, by_code[query.agency.code], own=True))
    return Tables(query=query, headline=headline, wards=wards, departments=departments, ranked=ranking(wards))


def chart_name(agency):
    """The agency's name short enough for a chart's label at 360 px: its
    short name, else its name without the leading "UBND" (People's
    Committee: "UBND phường Cam Giá" → "phường Cam Giá"); tables keep the full name."""
    if agency.short_name:
        return agency.short_name
    name = agency.name
    return name[5:] if name.startswith("UBND ") and len(name) > 5 else name


def _charts(request, found):
    translate = request.localizer.translate
    head = found.headline
    no_data = translate(_("No dossier in this period"))
    resolved = charts.bar_chart(
        "chart-resolved", translate(_("Dossiers resolved, by their deadline")),
        translate(_("Early: ${early}; on time: ${on_time}; late: ${late}. The table below gives the numbers.",
                    mapping={"early": charts.format_count(head.early),
                             "on_time": charts.format_count(head.on_time),
                             "late": charts.format_count(head.late)})),
        [(translate(_("Early")), head.early, charts.EARLY), (translate(_("On time")), head.on_time, charts.ON_TIME),
         (translate(_("Late")), head.late, charts.LATE)], no_data)
    channels = charts.donut_chart(
        "chart-channels", translate(_("New dossiers, by how they were submitted")),
        translate(_("In person: ${in_person}; by post: ${postal}; online: ${online}. The table below gives the "
                    "numbers.", mapping={"in_person": charts.format_count(head.in_person),
                                         "postal": charts.format_count(head.postal),
                                         "online": charts.format_count(head.online)})),
        [(translate(_("In person")), head.in_person), (translate(_("By post")), head.postal),
         (translate(_("Online")), head.online)], no_data)
    ranked = [row for row in found.ranked if row.resolved_any]
    ranking_chart = charts.ranking_chart(
        "chart-ranking", translate(_("On-time rate of the wards and communes")),
        translate(_("${count} wards and communes with dossiers resolved in the period, highest rate first; "
                    "the ranking table below gives each one's rate.", mapping={"count": len(ranked)})),
        [(chart_name(row.agency), row.figures.rates["on_time"]) for row in ranked], no_data) if found.wards else None
    return {"resolved": resolved, "channels": channels, "ranking": ranking_chart}


def _indicators(dbsession, found):
    """The Decision 766 scorecard of the page's agency and period
    (stats.indicators), or None while that module is not there."""
    if indicators is None:
        return None
    query = found.query
    facts = indicators.catalogue_facts(dbsession, query.codes, query.start, query.end)
    return indicators.scorecard(found.headline, facts)


def _error_page(request, error, params, catalog):
    request.response.status = 400
    return {"error": error.message, "typed": {name: (value or "")[:100] for name, value in params.items()},
            "found": None, **_form_values(request, catalog)}


def _form_values(request, catalog):
    today = today_local()
    return {"agencies": catalog.agencies(), "quick": quick_periods(today), "columns": COLUMNS,
            "page_columns": PAGE_COLUMNS, "page_rates": PAGE_RATES, "tables": TABLES, "today": today,
            "rate": charts.format_rate, "count": charts.format_count}


#: seconds a computed statistics page is served to others before it is computed again
PAGE_MAX_AGE = 300


@view_config(route_name="statistics", renderer="stats/statistics.jinja2", permission=Permissions.VIEW_PUBLIC,
             request_method=("GET", "HEAD"))
def statistics_page(request):
    catalog = catalog_for(request.dbsession)
    params = _params(request, catalog)
    try:
        query = read_query(params, catalog, today_local(), include_children=True)
    except BadParameter as error:
        return _error_page(request, error, params, catalog)
    found = tables(request.dbsession, catalog, query)
    kept = {"agency": query.agency.code, "from": query.start.isoformat(), "to": query.end.isoformat()}
    # the same for every visitor; the figures move with every dossier, so kept a few minutes at most
    mark_cacheable(request, max_age=PAGE_MAX_AGE, exact=False)
    return {"error": None, "found": found, "typed": kept, "kept": kept, "charts": _charts(request, found),
            "computed_at": datetime.now(timezone.utc),
            "scorecard": _indicators(request.dbsession, found), **_form_values(request, catalog)}


# -- the files ---------------------------------------------------------------


def _agency_rows(rows, translate):
    for row in rows:
        name = f"{row.agency.name} ({translate(_('its own office'))})" if row.own else row.agency.name
        cells = [row.agency.code, name]
        for _label, name, kind, _width in COLUMNS:
            value = value_of(row.figures, name, kind)
            cells.append(round(value * 100, 1) if kind == "rate" else value)
        yield cells


def file_table(found, table, translate):
    """(title, [(heading, width)], rows) of ``table`` (a key of TABLES) in
    the language of ``translate``; rates in percent (95.4), counts as numbers."""
    title = translate(TABLES[table][0])
    number_heading = [(translate(_("Rank")), 8)] if table == "xep-hang" else []
    columns = number_heading + [(translate(_("Agency code")), 14), (translate(_("Agency")), 30)]
    columns += [(translate(label) + (" (%)" if kind == "rate" else ""), width)
                for label, _name, kind, width in COLUMNS]
    if table == "tong-hop":
        rows = list(_agency_rows([Row(found.query.agency, found.headline)], translate))
    elif table == "phuong-xa":
        rows = list(_agency_rows(found.wards, translate))
    elif table == "phong-ban":
        rows = list(_agency_rows(found.departments, translate))
    else:
        rows = []
        for number, row in enumerate(found.ranked, 1):
            cells = next(_agency_rows([row], translate))
            rows.append([number if row.resolved_any else translate(_("no dossier resolved")), *cells])
    return title, columns, rows


def filename(query, table, fmt):
    """``thong-ke-H56.01-20180101-20180331-phuong-xa.csv``: the agency, the period, the table."""
    code = "".join(ch for ch in query.agency.code if ch.isascii() and (ch.isalnum() or ch in ".-_"))[:40]
    return f"thong-ke-{code}-{query.start:%Y%m%d}-{query.end:%Y%m%d}-{TABLES[table][1]}.{fmt}"


@view_config(route_name="statistics_download", permission=Permissions.VIEW_PUBLIC, request_method=("GET", "HEAD"))
def statistics_download(request):
    """One table of the page as CSV or XLSX, headings in Vietnamese
    (official_translate, like the desk's files), formula-safe
    (documents.spreadsheets). 404 for another format or table; a parameter
    that cannot be read is the page's 400."""
    fmt = request.matchdict["format"]
    table = (request.params.get("bang") or "tong-hop").strip()
    if fmt not in FORMATS or table not in TABLES:
        raise HTTPNotFound()
    catalog = catalog_for(request.dbsession)
    params = _params(request, catalog)
    try:
        query = read_query(params, catalog, today_local(), include_children=True)
    except BadParameter as error:
        from pyramid.renderers import render_to_response

        return render_to_response("stats/statistics.jinja2", _error_page(request, error, params, catalog),
                                  request=request, response=request.response)
    translate = official_translate(request.registry)
    title, columns, rows = file_table(tables(request.dbsession, catalog, query), table, translate)
    if fmt == "csv":
        body = spreadsheets.csv_bytes([heading for heading, _width in columns], rows)
    else:
        from datetime import datetime, timezone

        lines = [query.agency.name, translate(_("From ${start} to ${end}", mapping={
            "start": format_date(query.start), "end": format_date(query.end)}))]
        body = spreadsheets.table_xlsx(title, lines, columns, rows, datetime.now(timezone.utc))
    response = Response(body=body, content_type=spreadsheets.CONTENT_TYPES[fmt].split(";")[0],
                        content_disposition=f'attachment; filename="{filename(query, table, fmt)}"')
    if fmt == "csv":
        response.charset = "utf-8"
    return response
