"""``GET /api/v1/statistics``: the figures of an agency for a period, as
JSON (stats.figures.Figures.as_json gives the names other tools rely on)."""
from pyramid.view import view_config

from ..catalog.params import BadParameter
from ..catalog.services import catalog_for
from ..i18n.formatting import today_local
from ..pagecache import mark_cacheable
from ..security import Permissions
from ..views import json_error
from .figures import figures
from .params import read_query
from .views import PAGE_MAX_AGE


@view_config(route_name="api_statistics", renderer="json", permission=Permissions.VIEW_PUBLIC,
             request_method="GET")
def api_statistics(request):
    """Parameters: ``agency`` (a code; the top agency by default), ``from``
    and ``to`` (YYYY-MM-DD; this quarter by default), optional ``sector``,
    ``procedure`` (codes) and ``include_children`` (true: the agency and
    every one under it, summed). 400 with ``{"error": message}`` for a
    wrong date, an unknown agency, sector or procedure."""
    try:
        query = read_query(request.params, catalog_for(request.dbsession), today_local())
    except BadParameter as error:
        return json_error(request, error.message)
    # the same for everyone; the figures move with every dossier: as the statistics page
    mark_cacheable(request, max_age=PAGE_MAX_AGE, exact=False)
    found = figures(request.dbsession, query.agency.code, query.codes, query.start, query.end,
                    sector=query.sector, procedure=query.procedure)
    body = found.as_json()
    body["include_children"] = query.include_children
    if query.sector:
        body["sector"] = query.sector
    if query.procedure:
        body["procedure"] = query.procedure
    return body
