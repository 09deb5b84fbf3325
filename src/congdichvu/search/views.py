"""The search page, its JSON API, suggestions as you type, OpenSearch,
and the result links' way to the procedure (recording what was opened)."""
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config

from ..catalog.interfaces import ICatalogService
from ..catalog.labels import LEVELS, ONLINE_LEVELS
from ..catalog.params import MAX_PAGE, BadParameter, _lenient_page, _positive_int
from ..i18n import _
from ..i18n.formatting import vietnamese_sort_key
from ..inputs import parse_int
from ..pagecache import mark_cacheable
from ..security import NO_STORE, Permissions, client_address
from . import report
from .interfaces import ISearchService
from .query import clip
from .services import FACETS, MAX_PER_PAGE

PER_PAGE = 10
#: the most procedures suggested as a name is typed
SUGGESTIONS = 8
MAX_FILTER_LENGTH = 40
#: facets longer than this are folded (a city has dozens of wards)
FACET_FOLDED_FROM = 8


def _filters(params):
    return {
        name: params[name][:MAX_FILTER_LENGTH]
        for name in FACETS
        if params.get(name)
    }


def _json_error(request, message, status=400):
    response = Response(json_body={"error": request.localizer.translate(message)}, status=status, charset="utf-8")
    response.content_type = "application/json"
    return response


def _facet_entries(request, results, catalog):
    """{facet: [(code, label, count)]} for the page, labelled in the UI
    language: every value the results hold, sectors and agencies in
    Vietnamese alphabetical order, levels in their own order."""
    translate = request.localizer.translate
    sectors = {sector.code: sector.name for sector, _count in catalog.sectors_with_counts()}
    agencies = {agency.code: agency.name for agency in catalog.agencies()}
    labels = {
        "sector": sectors.get,
        "agency": agencies.get,
        "level": lambda code: translate(LEVELS[code]) if code in LEVELS else code,
        "online_level": lambda code: translate(ONLINE_LEVELS.get(parse_int(code), code)),
    }
    natural = {
        "level": lambda code: list(LEVELS).index(code) if code in LEVELS else len(LEVELS),
        "online_level": lambda code: parse_int(code) if parse_int(code) is not None else 99,
    }
    entries = {}
    for name, counts in results.facets.items():
        labelled = [(code, labels[name](code) or code, count) for code, count in counts.items()]
        if name in natural:
            labelled.sort(key=lambda entry: natural[name](entry[0]))
        else:
            labelled.sort(key=lambda entry: vietnamese_sort_key(str(entry[1])))
        entries[name] = labelled
    return entries


#: seconds a search's answer may lag behind the index and the thesaurus,
#: which the content version does not follow (kept by browsers and proxies)
SEARCH_MAX_AGE = 60


@view_config(route_name="search", renderer="search/results.jinja2", permission=Permissions.VIEW_PUBLIC)
def search_page(request):
    # never kept by the page cache: each search reaching the portal is logged for the editors' report
    mark_cacheable(request, max_age=SEARCH_MAX_AGE, keep=False)
    text = clip(request.params.get("q"))
    filters = _filters(request.params)
    page = _lenient_page(request.params.get("page"))
    catalog = request.find_service(ICatalogService)
    values = {"q": text, "filters": filters, "results": None, "facets": {}, "home_agency": None, "sectors": [],
              "facet_folded_from": FACET_FOLDED_FROM, "logged": None}
    if text:
        search = request.find_service(ISearchService)
        results = search.search(text, filters=filters, page=page, per_page=PER_PAGE, log=client_address(request))
        # the first page's links go through the click route (the search is logged from it);
        # by the words, never the log row, so that the page is the same for every visitor
        values["logged"] = text if page == 1 else None
        if results.total and page > results.pages:
            results = search.search(text, filters=filters, page=results.pages, per_page=PER_PAGE)
        values.update(results=results, facets=_facet_entries(request, results, catalog))
        if not results.total:
            home = request.registry.settings.get("congdichvu.home_agency")
            values.update(home_agency=catalog.agency(home) if home else None,
                          sectors=catalog.sectors_with_counts())
    return values


#: the longest procedure code a result link may name (the column's width)
MAX_CODE = 40


@view_config(route_name="search_open", permission=Permissions.VIEW_PUBLIC)
def open_result(request):
    """A result link of the search page, ``?q=<the words searched>&ma=<code>``:
    records that the result was opened (report.record_open), then sends
    the browser on (303) to the procedure's own page, whose address stays
    the one the page cache keeps. It leads nowhere else: the address is
    built here from the code of a procedure in force (404 otherwise); words
    no logged search showed the result for are only not recorded."""
    code = request.params.get("ma")
    if not isinstance(code, str) or not 0 < len(code) <= MAX_CODE:
        raise HTTPNotFound()
    if request.find_service(ICatalogService).procedure(code) is None:
        raise HTTPNotFound()
    text = clip(request.params.get("q"))
    if text:
        report.record_open(request.dbsession, text, code, client_address(request))
    response = HTTPSeeOther(location=request.route_url("procedure", code=code))
    response.headers["Cache-Control"] = NO_STORE  # every click must reach the portal to be counted
    return response


def _result_json(request, result):
    return {
        "code": result.code,
        "name": result.name,
        "score": result.score,
        "sector": result.sector,
        "sector_name": result.sector_name,
        "level": result.level,
        "online_level": result.online_level,
        "url": request.route_url("procedure", code=result.code),
    }


@view_config(route_name="api_search", renderer="json", permission=Permissions.VIEW_PUBLIC)
def api_search(request):
    mark_cacheable(request, max_age=SEARCH_MAX_AGE, keep=False)
    text = clip(request.params.get("q"))
    if not text:
        return _json_error(request, _("Type what you are looking for in q."))
    try:
        page = _positive_int(request.params, "page", 1, MAX_PAGE)
        per_page = _positive_int(request.params, "per_page", PER_PAGE, MAX_PER_PAGE)
    except BadParameter as error:
        return _json_error(request, error.message)
    results = request.find_service(ISearchService).search(
        text, filters=_filters(request.params), page=page, per_page=per_page, log=client_address(request)
    )
    return {
        "query": results.query,
        "total": results.total,
        "page": results.page,
        "per_page": results.per_page,
        "results": [_result_json(request, result) for result in results.results],
        # weaker matches, offered apart after the last page of results
        "related": [_result_json(request, result) for result in results.related],
        "facets": results.facets,
        "suggestion": results.suggestion,
    }


@view_config(route_name="api_search_suggest", renderer="json", permission=Permissions.VIEW_PUBLIC)
def api_search_suggest(request):
    mark_cacheable(request, max_age=SEARCH_MAX_AGE)
    text = clip(request.params.get("q"))
    found = request.find_service(ISearchService).suggest(text, limit=SUGGESTIONS) if text else []
    if request.params.get("format") == "opensearch":
        # the OpenSearch suggestions extension: [query, [completions]]
        return [text, [item["name"] for item in found]]
    return {
        "query": text,
        "suggestions": [dict(item, url=request.route_url("procedure", code=item["code"])) for item in found],
    }


@view_config(route_name="opensearch", renderer="search/opensearch.xml.jinja2", permission=Permissions.VIEW_PUBLIC)
def opensearch(request):
    mark_cacheable(request)
    request.response.content_type = "application/opensearchdescription+xml"
    return {}
