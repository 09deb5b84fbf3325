"""Portal-wide views: the home page, the language switcher, error pages."""
import logging

from pyramid.exceptions import BadCSRFToken
from pyramid.httpexceptions import HTTPClientError, HTTPForbidden, HTTPFound, HTTPNotFound
from pyramid.response import Response
from pyramid_retry import is_last_attempt, mark_error_retryable
from pyramid.renderers import render_to_response
from pyramid.view import exception_view_config, notfound_view_config, view_config
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, StatementError

from . import typed_input

from .forms import FormIncomplete
from .catalog.interfaces import ICatalogService
from .cms.completeness import disclosed_share
from .catalog.labels import LEVELS, ONLINE_LEVELS
from .i18n import LOCALE_COOKIE, LOCALES, _
from .inputs import safe_next
from .pagecache import mark_cacheable, window_start
from .security import Permissions

log = logging.getLogger(__name__)

#: seconds the home page may lag behind the clock: its share of fully
#: disclosed procedures counts those reviewed within 12 months
#: (cms.completeness), which changes with time alone, not with the content
#: version
HOME_MAX_AGE = 3600


@view_config(route_name="home", renderer="home.jinja2", permission=Permissions.VIEW_PUBLIC)
def home(request):
    mark_cacheable(request, max_age=HOME_MAX_AGE)
    catalog = request.find_service(ICatalogService)
    sectors = catalog.sectors_with_counts()
    level_counts = catalog.counts_by("level")
    online_counts = catalog.counts_by("online_level")
    agencies = catalog.agencies()
    home_code = request.registry.settings.get("congdichvu.home_agency")
    return {
        # as of the window's start: the same page all through it, on every server (a strong ETag)
        "disclosed_share": disclosed_share(request.dbsession, now=window_start(HOME_MAX_AGE)),
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


def json_error(request, message, status=400):
    """A JSON answer ``{"error": message}`` (translated) with ``status``:
    how an API says what was wrong with a request."""
    response = Response(json_body={"error": request.localizer.translate(message)}, status=status, charset="utf-8")
    response.content_type = "application/json"  # set after: json_body with charset drops it
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
    if request.user is not None and not request.environ.get(typed_input.COMMIT_AFTER_ERROR):
        flash(request, NOT_SENT)  # nothing could be kept (e.g. a browser that sends no Origin)
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


@exception_view_config(FormIncomplete)
def form_incomplete(exc, request):
    """A POST without the form it was sent to (``forms.FormIncomplete``):
    nothing was done (the transaction aborts, as under every exception
    view). Part of the form came: the browser goes back to the form, which
    shows what is saved — or what was typed, when that can fill the form —
    and says why. None of it: a 400."""
    if not exc.partial:
        return error_page(request, 400, "errors/bad_request.jinja2", {"message": NOT_THE_FORM})
    if exc.keepable:  # (keeping commits: views validate before they write anything)
        page = typed_input.keep(request, typed_input.INCOMPLETE)
        if request.environ.get(typed_input.COMMIT_AFTER_ERROR):
            return HTTPFound(location=page)
    flash(request, FORM_INCOMPLETE)  # nothing kept: the form shows what is saved
    return HTTPFound(location=request.path_qs)  # a Deform form is sent to its own page


def _refused_by_database(exc):
    """A value the database cannot store: too long for its column, a number
    beyond its range (SQLite raises OverflowError while binding it)."""
    return isinstance(exc, DataError) or (
        isinstance(exc, StatementError) and isinstance(getattr(exc, "orig", None), OverflowError))


def _conflict(exc):
    """Two requests wrote the same thing at once: a unique row both tried
    to create, or (SQLite, one writer at a time) a write that found the
    database taken by the other's transaction."""
    if isinstance(exc, IntegrityError):
        return True
    return isinstance(exc, OperationalError) and any(
        word in str(getattr(exc, "orig", "")).lower() for word in ("database is locked", "database is busy"))


#: set in the WSGI environ by a view whose caller is a machine expecting its
#: own error answer (the payment gateway's IPN): a callable making it
ERROR_ANSWER = "congdichvu.error_answer"


def error_page(request, status, template, values=None):
    """An error page with the portal's layout or, when even that cannot be
    drawn (the transaction failed and something reads the database), a
    plain page without it: the visitor never meets the server's own 500.
    A view that set ``ERROR_ANSWER`` gets its own answer instead; under
    ``/api/`` the answer is JSON, ``{"error": message}``."""
    answer = request.environ.get(ERROR_ANSWER)
    if answer is not None:
        return answer()
    values = dict(values or {})
    if request.path.startswith("/api/"):  # the API's contract (congdichvu.api): its answers are all JSON
        return json_error(request, values.get("message") or SERVER_ERROR, status)
    try:
        response = render_to_response(template, values, request=request)
    except Exception:  # noqa: BLE001 - whatever broke the page, a plain one still tells the visitor
        log.exception("error page %s could not be drawn; a plain one is sent", template)
        response = render_to_response("errors/plain.jinja2", dict(values, status=status), request=request)
    response.status = status
    return response


@exception_view_config(HTTPClientError)
def client_error(exc, request):
    """Pyramid's own 4xx answers (a view's ``raise HTTPBadRequest()``), in
    Vietnamese with the portal's layout instead of Pyramid's English text."""
    if request.path.startswith("/api/"):
        response = Response(json_body={"error": request.localizer.translate(_("The request is not valid."))},
                            status=exc.status_int, charset="utf-8", content_type="application/json")
        return response
    return error_page(request, exc.status_int, "errors/bad_request.jinja2", {"message": CLIENT_ERROR})


@exception_view_config(Exception)
def server_error(exc, request):
    if _refused_by_database(exc):
        # the last net under form validation, which should have caught it
        # (the log says where it did not): the sender's to fix, so a 400
        log.warning("value refused by the database on %s", request.path, exc_info=exc)
        return error_page(request, 400, "errors/bad_request.jinja2", {"message": STORE_REFUSED})
    if _conflict(exc):
        # Two requests raced to create the same row (a double click, two
        # editors). Sent through again, the request's own checks see the
        # row the other one committed and answer as if it came second; if
        # that still fails, say so plainly.
        if not is_last_attempt(request):
            mark_error_retryable(exc)
        else:
            log.warning("conflict on %s after every retry", request.path, exc_info=exc)
        return error_page(request, 409, "errors/bad_request.jinja2", {"message": CONFLICT})
    log.exception("unhandled error on %s", request.path)
    return error_page(request, 500, "errors/error.jinja2")


NOT_SENT = _("Your session had expired, so the form was not sent. Please fill it in and send it again.")
STORE_REFUSED = _("Some of what you sent is too long or out of range. Shorten it or check the numbers, then try "
                  "again.")
CONFLICT = _("Another request changed the same thing at the same moment, so yours was not saved. Go back, reload "
             "the page and try again.")
FORM_INCOMPLETE = _("The form arrived incomplete, so nothing was saved. Check the form below and send it again.")
NOT_THE_FORM = _("What was sent is not the form of this page, so nothing was done. Go back, reload the page and "
                 "fill in the form again.")
SERVER_ERROR = _("The portal could not complete your request. Nothing you saved has been lost. Please try again "
                 "in a moment.")
CLIENT_ERROR = _("The portal cannot do what this request asks. Go back, reload the page and try again.")
