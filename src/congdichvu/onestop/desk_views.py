"""The officer's desk (``/mot-cua``): the queues with their counts, the
filters and search, a page of dossiers; and the ledger (Form 06).

Everything is read from the query string (a GET form: it works without
JavaScript, and a page can be bookmarked or sent to a colleague); a value
that cannot be read is left out with a message, never a 400 or a 500.
"""
from datetime import datetime, timezone

from pyramid.view import view_config

from ..catalog.interfaces import ICatalogService
from ..catalog.labels import CHANNELS as CHANNEL_LABELS
from ..eservices.models import CHANNELS
from ..eservices.views import STATE_LABELS
from ..i18n import _
from ..inputs import NotOnCalendar, normalise_text, parse_int, read_date
from ..security import Permissions, mark_personal
from . import queues
from .resources import visible_to

#: the longest search text read (a name, a code, a number)
MAX_SEARCH = 100
#: query-string names, as the URL shows them
PARAMS = {"queue": "hang", "procedure": "thu-tuc", "sector": "linh-vuc", "channel": "kenh", "from": "tu",
          "to": "den", "search": "q", "sort": "sap-xep", "page": "trang"}


def _now():
    return datetime.now(timezone.utc)


def _text(params, name, limit=MAX_SEARCH):
    value = params.get(name)
    if not isinstance(value, str):
        return ""
    return " ".join(normalise_text(value).split())[:limit]


def read_day(params, name, label, messages):
    """The date written in ``params[name]`` (dd/mm/yyyy), or None; a
    message naming the field ``label`` when it is written but unreadable."""
    raw = _text(params, name, 40)
    if not raw:
        return None
    try:
        day = read_date(raw)
    except NotOnCalendar as error:
        messages.append(_("${field}: ${date} is not a day of the calendar.",
                          mapping={"field": label, "date": error.written}))
        return None
    if day is None:
        messages.append(_("${field}: write the date as day/month/year, for example 31/03/2018.",
                          mapping={"field": label}))
    return day


def read_filters(params, procedure_codes, sector_codes):
    """The Filters asked for in the query string ``params``; what is
    unknown or unreadable is left out, with a message in ``messages``."""
    filters = queues.Filters()
    messages = filters.messages
    procedure = _text(params, PARAMS["procedure"], 40)
    if procedure and procedure not in procedure_codes:
        messages.append(_("There is no procedure with the code ${code}; all procedures are shown.",
                          mapping={"code": procedure}))
    elif procedure:
        filters.procedure = procedure
    sector = _text(params, PARAMS["sector"], 40)
    if sector and sector not in sector_codes:
        messages.append(_("There is no sector with the code ${code}; all sectors are shown.",
                          mapping={"code": sector}))
    elif sector:
        filters.sector = sector
    channel = _text(params, PARAMS["channel"], 20)
    if channel and channel not in CHANNELS:
        messages.append(_("Unknown channel; all channels are shown."))
    elif channel:
        filters.channel = channel
    filters.date_from = read_day(params, PARAMS["from"], _("Submitted from"), messages)
    filters.date_to = read_day(params, PARAMS["to"], _("Submitted until"), messages)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        messages.append(_("The start date must not be after the end date; the dates are not used."))
        filters.date_from = filters.date_to = None
    filters.search = _text(params, PARAMS["search"])
    filters.sort = queues.SORTS.get(_text(params, PARAMS["sort"], 10), "")
    return filters


def filter_query(filters, sort_param=None):
    """The query string of ``filters`` (to keep them across queues and pages)."""
    from ..i18n.formatting import format_date

    query = {PARAMS["procedure"]: filters.procedure, PARAMS["sector"]: filters.sector,
             PARAMS["channel"]: filters.channel, PARAMS["search"]: filters.search or None,
             PARAMS["from"]: format_date(filters.date_from) or None, PARAMS["to"]: format_date(filters.date_to) or None,
             PARAMS["sort"]: sort_param}
    return {key: value for key, value in query.items() if value}


#: how a finished dossier did against its deadline (Form 06's words)
OUTCOME_WORDS = {"early": _("Early"), "on_time": _("On time"), "late": _("Late")}


def deadline_text(status):
    """What the deadline column says next to the date."""
    if status is None:
        return None
    kind, days = status
    if kind == "stopped":
        return _("clock stopped (waiting for papers)")
    if kind == "done":
        return OUTCOME_WORDS.get(days)
    if kind == "late":
        if days == 0:
            return _("overdue since today")
        return _("overdue by ${days} working days", mapping={"days": days})
    if days == 0:
        return _("due today")
    return _("${days} working days left", mapping={"days": days})


def dossier_row(request, dossier, calendar, now, agency_names=None):
    """What a line of the table shows of ``dossier`` (no further query)."""
    snapshot = dossier.procedure_snapshot or {}
    submitted_only = dossier.state in (1, 3) or dossier.received_at is None
    status = queues.deadline_status(calendar, dossier.due_at, now, dossier.state, dossier.finished_at)
    return {
        "code": dossier.code,
        "url": request.route_url("desk_dossier", code=dossier.code),
        "procedure": snapshot.get("name") or dossier.procedure_code,
        "applicant": dossier.applicant_name,
        "channel": CHANNEL_LABELS.get(dossier.channel, dossier.channel),
        "when_label": _("Submitted") if submitted_only else _("Received"),
        "when": dossier.submitted_at if submitted_only else dossier.received_at,
        "due_at": dossier.due_at,
        "deadline": deadline_text(status),
        "late": bool(status and status[0] == "late"),
        "state": STATE_LABELS.get(dossier.state, str(dossier.state)),
        "transferred": dossier.handling_agency_code != dossier.agency_code,
        "handling": (agency_names or {}).get(dossier.handling_agency_code, dossier.handling_agency_code),
    }


@view_config(route_name="desk", renderer="onestop/desk.jinja2", permission=Permissions.DESK)
def desk(request):
    mark_personal(request)
    params = request.GET
    scope = queues.scope_of(request)
    now = _now()
    calendar = request.working_calendar
    soon = queues.due_soon_limit(calendar, now)
    catalog = request.find_service(ICatalogService)
    procedures = catalog.procedure_names()
    sectors = [(sector.code, sector.name) for sector, _count in catalog.sectors_with_counts()]
    filters = read_filters(params, {code for code, _name in procedures}, {code for code, _name in sectors})
    shown = queues.queues_for(scope)
    key = _text(params, PARAMS["queue"], 20)
    if key and key not in {queue.key for queue in shown}:
        filters.messages.append(_("There is no such list; the new dossiers to receive are shown."))
    queue = queues.QUEUE_KEYS[key] if key in {q.key for q in shown} else queues.QUEUE_KEYS[queues.DEFAULT_QUEUE]
    sort_param = _text(params, PARAMS["sort"], 10) if filters.sort else None
    filters.sort = filters.sort or queue.default_sort
    page_number = parse_int(_text(params, PARAMS["page"], 20), minimum=1, maximum=queues.MAX_PAGE) or 1
    visible = visible_to(request)
    counts = queues.counts(request.dbsession, visible, scope, now, soon)
    page = queues.queue_page(request.dbsession, visible, scope, queue.key, filters, page_number, now, soon,
                             total=None if queues.narrowed(filters) else counts[queue.key])
    kept = filter_query(filters, sort_param)
    names = {agency.code: agency.name for agency in request.find_service(ICatalogService).agencies()}
    return {
        "queues": shown,
        "queue": queue,
        "counts": counts,
        "page": page,
        "rows": [dossier_row(request, dossier, calendar, now, names) for dossier in page.items],
        "filters": filters,
        "kept": kept,
        "params": PARAMS,
        "procedures": procedures,
        "sectors": sectors,
        "channels": [(code, CHANNEL_LABELS[code]) for code in CHANNELS],
        "sort": filters.sort,
        "scope": scope,
    }


@view_config(route_name="desk_ledger", renderer="onestop/ledger.jinja2", permission=Permissions.DESK)
def desk_ledger(request):
    """Form 06 of the visitor's agency for ``tu``–``den`` (dd/mm/yyyy, at
    most ``ledger.MAX_DAYS`` days) as ``dinh-dang`` (xlsx or csv); without
    dates, the form asking for them."""
    from pyramid.response import Response

    from ..i18n import official_translate
    from . import ledger

    mark_personal(request)
    params = request.GET
    writers = ledger.writers()
    agency = getattr(request.user, "agency", None)
    messages = []
    values = {"messages": messages, "formats": list(writers), "agency": agency,
              "tu": _text(params, "tu", 40), "den": _text(params, "den", 40), "max_days": ledger.MAX_DAYS}
    if not any(name in params for name in ("tu", "den", "dinh-dang")):
        return values
    if agency is None:
        messages.append(_("Your account belongs to no agency, so it has no ledger."))
        return values
    date_from = read_day(params, "tu", _("From date"), messages)
    date_to = read_day(params, "den", _("To date"), messages)
    if not messages and (date_from is None or date_to is None):
        messages.append(_("Give both dates of the period."))
    fmt = _text(params, "dinh-dang", 10) or "xlsx"
    if fmt not in writers:
        messages.append(_("This format is not available; choose one of the list."))
    if not messages and date_from > date_to:
        messages.append(_("The start date must not be after the end date."))
    if not messages and (date_to - date_from).days + 1 > ledger.MAX_DAYS:
        messages.append(_("A ledger covers at most ${days} days; choose a shorter period.",
                          mapping={"days": ledger.MAX_DAYS}))
    if messages:
        return values
    catalog = request.find_service(ICatalogService)
    names = {row.code: row.name for row in catalog.agencies()}
    rows = ledger.ledger_rows(request.dbsession, visible_to(request), agency.code, date_from, date_to, names)
    body = writers[fmt](rows, ledger.meta(agency, date_from, date_to, datetime.now(timezone.utc)),
                        official_translate(request.registry))
    filename = f"so-theo-doi-{agency.code}-{date_from:%Y%m%d}-{date_to:%Y%m%d}.{fmt}"
    response = Response(body=body, content_type=ledger.CONTENT_TYPES[fmt].split(";")[0],
                        content_disposition=f'attachment; filename="{filename}"')
    if fmt == "csv":
        response.charset = "utf-8"
    return response
