"""Portal-wide views: the home page, the language switcher, error pages."""
import logging

from pyramid.exceptions import BadCSRFToken
from pyramid.httpexceptions import HTTPForbidden, HTTPFound, HTTPNotFound
from pyramid.view import exception_view_config, notfound_view_config, view_config

from .catalog.interfaces import ICatalogService
from .cms.completeness import disclosed_share
from .catalog.labels import LEVELS, ONLINE_LEVELS
from .i18n import LOCALE_COOKIE, LOCALES, _
from .pagecache import mark_cacheable
from .security import Permissions

log = logging.getLogger(__name__)


@view_config(route_name="home", renderer="home.jinja2", permission=Permissions.VIEW_PUBLIC)
def home(request):
    mark_cacheable(request)
    catalog = request.find_service(ICatalogService)
    sectors = catalog.sectors_with_counts()
    level_counts = catalog.counts_by("level")
    online_counts = catalog.counts_by("online_level")
    agencies = catalog.agencies()
    home_code = request.registry.settings.get("congdichvu.home_agency")
    return {
        "disclosed_share": disclosed_share(request.dbsession),
        "home_agency": next((agency for agency in agencies if agency.code == home_code), None),
        "catalogue_note": catalog.note(),
        "sectors": sectors,
        "total": sum(count for _sector, count in sectors),
        "level_counts": [(level, level_counts[level]) for level in LEVELS if level_counts.get(level)],
        "online_counts": [(level, online_counts[level]) for level in ONLINE_LEVELS if online_counts.get(level)],
        "agencies_by_level": [
            (level, [agency for agency in agencies if agency.level == level]) for level in LEVELS
        ],
    }


def flash(request, message):
    """A one-time notice for the next page, translated now: the session
    cookie keeps plain text."""
    request.session.flash(request.localizer.translate(message))


def safe_next(value):
    """Only a path on this site: never an open redirect."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


@view_config(route_name="locale", permission=Permissions.VIEW_PUBLIC)
def switch_locale(request):
    code = request.matchdict["code"]
    if code not in LOCALES:
        raise HTTPNotFound()
    response = HTTPFound(location=safe_next(request.params.get("next")))
    response.set_cookie(LOCALE_COOKIE, code, max_age=365 * 24 * 3600, httponly=True, samesite="Lax")
    return response


@notfound_view_config(path_info=r"^/api/", renderer="json")
def api_not_found(request):
    request.response.status = 404
    return {"error": request.localizer.translate(_("Not found."))}


@notfound_view_config(renderer="errors/notfound.jinja2")
def not_found(request):
    request.response.status = 404
    return {}


@exception_view_config(BadCSRFToken, renderer="errors/csrf.jinja2")
def bad_csrf(exc, request):
    """A form sent without its token (forged, or from a page open too long)."""
    request.response.status = 400
    return {}


@exception_view_config(HTTPForbidden, renderer="errors/forbidden.jinja2")
def forbidden(exc, request):
    """Anonymous visitors are asked to sign in; others are told plainly."""
    if request.user is None and request.method == "GET":
        return HTTPFound(location=request.route_url("login", _query={"came_from": request.path_qs}))
    request.response.status = 403
    return {}


@exception_view_config(Exception, renderer="errors/error.jinja2")
def server_error(exc, request):
    log.exception("unhandled error on %s", request.path)
    request.response.status = 500
    return {}
