"""Portal-wide views: the home page, the language switcher, error pages."""
import logging

from pyramid.exceptions import BadCSRFToken
from pyramid.httpexceptions import HTTPForbidden, HTTPFound, HTTPNotFound
from pyramid.renderers import render_to_response
from pyramid.view import exception_view_config, notfound_view_config, view_config
from sqlalchemy.exc import DataError, StatementError

from . import typed_input

from .catalog.interfaces import ICatalogService
from .cms.completeness import disclosed_share
from .catalog.labels import LEVELS, ONLINE_LEVELS
from .i18n import LOCALE_COOKIE, LOCALES, _
from .inputs import safe_next
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
    """A form sent with an expired or missing token (a page open too long,
    a session that ended, another tab that signed in again): nothing is
    done, what was typed is kept and the browser goes back to the form to
    check it and send it again."""
    if request.method != "POST":
        request.response.status = 400
        return {}
    page = typed_input.keep(request)
    if request.user is not None:
        flash(request, typed_input.MESSAGE)
    return HTTPFound(location=page)


@exception_view_config(HTTPForbidden, renderer="errors/forbidden.jinja2")
def forbidden(exc, request):
    """Anonymous visitors are asked to sign in and come back — after a form
    was sent when the session had ended, to that form, filled again with
    what they typed. Signed-in visitors are told plainly."""
    if request.user is None:
        page = typed_input.keep(request) if request.method == "POST" else request.path_qs
        return HTTPFound(location=request.route_url("login", _query={"came_from": page}))
    request.response.status = 403
    return {}


def _refused_by_database(exc):
    """A value the database cannot store: too long for its column, a number
    beyond its range (SQLite raises OverflowError while binding it)."""
    return isinstance(exc, DataError) or (
        isinstance(exc, StatementError) and isinstance(getattr(exc, "orig", None), OverflowError))


@exception_view_config(Exception, renderer="errors/error.jinja2")
def server_error(exc, request):
    if _refused_by_database(exc):
        # the last net under form validation, which should have caught it
        # (the log says where it did not): the sender's to fix, so a 400
        log.warning("value refused by the database on %s", request.path, exc_info=exc)
        response = render_to_response("errors/bad_request.jinja2", {"message": STORE_REFUSED}, request=request)
        response.status = 400
        return response
    log.exception("unhandled error on %s", request.path)
    request.response.status = 500
    return {}


STORE_REFUSED = _("Some of what you sent is too long or out of range. Shorten it or check the numbers, then try "
                  "again.")
