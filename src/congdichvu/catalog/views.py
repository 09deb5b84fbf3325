"""Public pages and the JSON API of the catalogue."""
from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import FileResponse, Response
from pyramid.view import view_config

from ..pagecache import mark_cacheable, window_start
from ..security import Permissions
from . import exchange, forms
from .interfaces import ICatalogService
from .labels import LEVELS
from .models import Agency, FormTemplate, Procedure, Sector
from .params import BadParameter, read_browse


#: how long (seconds) the page cache may keep a procedure page: its real
#: performance (stats.performance) changes as dossiers finish and as days
#: pass, which the content version does not follow
PERFORMANCE_MAX_AGE = 3600


def _catalog(request):
    return request.find_service(ICatalogService)


def browse_page(request, fixed=None):
    """The browse listing, optionally narrowed to a sector or an agency."""
    catalog = _catalog(request)
    filters, sort, page, per_page = read_browse(request.params, catalog, strict=False)
    filters.update(fixed or {})
    result = catalog.browse(filters, sort=sort, page=page, per_page=per_page)
    if result.page > result.pages:  # past the end: show the last page
        result = catalog.browse(filters, sort=sort, page=result.pages, per_page=per_page)
    return {
        "result": result,
        "filters": filters,
        "codes": filters["codes"],
        "sort": sort,
        "sectors": catalog.sectors_with_counts(),
        "agencies": catalog.agencies(),
        "levels": LEVELS,
    }


@view_config(route_name="procedures", renderer="catalog/procedures.jinja2", permission=Permissions.VIEW_PUBLIC)
def procedures(request):
    mark_cacheable(request)
    return browse_page(request)


@view_config(route_name="sectors", renderer="catalog/sectors.jinja2", permission=Permissions.VIEW_PUBLIC)
def sectors(request):
    mark_cacheable(request)
    return {"sectors": _catalog(request).sectors_with_counts()}


@view_config(
    route_name="sector", context=Sector, renderer="catalog/procedures.jinja2", permission=Permissions.VIEW_PUBLIC
)
def sector(context, request):
    mark_cacheable(request)
    values = browse_page(request, fixed={"sector": context})
    values["codes"]["sector"] = context.code
    values["heading_sector"] = context
    return values


@view_config(route_name="agencies", renderer="catalog/agencies.jinja2", permission=Permissions.VIEW_PUBLIC)
def agencies(request):
    mark_cacheable(request)
    return {"agencies": _catalog(request).agencies()}


@view_config(
    route_name="agency", context=Agency, renderer="catalog/agency.jinja2", permission=Permissions.VIEW_PUBLIC
)
def agency(context, request):
    mark_cacheable(request)
    values = browse_page(request, fixed={"agency": context})
    values["codes"]["agency"] = context.code
    values["agency"] = context
    return values


@view_config(
    route_name="procedure",
    context=Procedure,
    renderer="catalog/procedure.jinja2",
    permission=Permissions.VIEW_PUBLIC,
)
def procedure(context, request):
    from ..i18n.formatting import today_local
    from ..stats.performance import WINDOW_DAYS, procedure_performance
    from .labels import duration

    mark_cacheable(request, max_age=PERFORMANCE_MAX_AGE)
    as_of = window_start(PERFORMANCE_MAX_AGE)
    limits = []
    for channel in context.channels:  # the legal time limit(s), once each, in the channels' order
        if (channel.duration_value, channel.duration_unit) not in limits:
            limits.append((channel.duration_value, channel.duration_unit))
    return {
        "procedure": context,
        "handling_agencies": _catalog(request).handling_agencies(context),
        "explicit_agencies": bool(context.agencies),
        # as of the window's start: the same page all through it, on every server (a strong ETag)
        "performance": procedure_performance(request.dbsession, context.code, today_local(as_of),
                                             request.working_calendar, until=as_of),
        "legal_limit": " / ".join(request.localizer.translate(duration(*limit)) for limit in limits),
        "performance_window": WINDOW_DAYS,
    }


@view_config(route_name="form_template", context=FormTemplate, permission=Permissions.VIEW_PUBLIC)
def form_template(context, request):
    try:
        path = forms.stored_path(request.registry.settings, context.filename)
    except ValueError:  # a row from older data whose name is not a plain file name
        raise HTTPNotFound() from None
    if not path.is_file():
        raise HTTPNotFound()
    response = FileResponse(str(path), request=request, content_type=context.content_type)
    response.content_disposition = f"attachment; filename*=UTF-8''{context.filename}"
    return response


# -- the API ---------------------------------------------------------------


def _api_error(request, status, message):
    body = {"error": request.localizer.translate(message)}
    response = Response(json_body=body, status=status, charset="utf-8")
    response.content_type = "application/json"
    return response


def _page_url(request, page):
    params = {key: value for key, value in request.params.items() if key != "page"}
    params["page"] = page
    return request.route_url("api_procedures", _query=params)


@view_config(route_name="api_procedures", renderer="json", permission=Permissions.VIEW_PUBLIC)
def api_procedures(request):
    catalog = _catalog(request)
    try:
        filters, sort, page, per_page = read_browse(request.params, catalog, strict=True)
    except BadParameter as error:
        return _api_error(request, 400, error.message)
    result = catalog.browse(filters, sort=sort, page=page, per_page=per_page, full=True)
    mark_cacheable(request)
    links = {"self": _page_url(request, page)}
    if page < result.pages:
        links["next"] = _page_url(request, page + 1)
    if 1 < page <= result.pages:
        links["prev"] = _page_url(request, page - 1)
    return {
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "pages": result.pages,
        "links": links,
        "procedures": [exchange.procedure_to_dict(item) for item in result.items],
    }


@view_config(route_name="api_procedure", context=Procedure, renderer="json", permission=Permissions.VIEW_PUBLIC)
def api_procedure(context, request):
    mark_cacheable(request)
    return exchange.procedure_to_dict(context)


@view_config(route_name="api_catalog", permission=Permissions.VIEW_PUBLIC)
def api_catalog(request):
    mark_cacheable(request)
    response = Response(exchange.dumps(_catalog(request).export()), charset="utf-8")
    response.content_type = "application/json"
    response.content_disposition = 'attachment; filename="danh-muc-thu-tuc-hanh-chinh.json"'
    return response
