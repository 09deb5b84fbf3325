"""The desk's payment reconciliation (``/mot-cua/thanh-toan``, đối soát
thanh toán): the payments of the visitor's agencies for a day or a
period, counted and totalled per agency, day and state, listed with what
the gateway last said, the mismatches to settle, the list as CSV or XLSX,
and a button that asks the gateway now about payments still waiting for
its word (reconcile.reconcile).

The filters are a GET form (it works without JavaScript and can be
bookmarked); dates that cannot be read answer 400 with the form and a
message, never a 500. See ``reconciliation`` for whose payments and which day.
"""
from datetime import datetime, timezone

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config

from ..catalog.interfaces import ICatalogService
from ..forms import require_form
from ..i18n import _, official_translate
from ..i18n.formatting import today_local
from ..onestop.desk_views import read_day
from ..onestop.queues import scope_of
from ..security import Permissions, mark_personal
from ..views import flash
from . import confirm, reconciliation, services
from .interfaces import IPaymentGateway
from .models import PaymentAttempt
from .reconcile import reconcile

FORM_ID = "reconcile"
REFUND_FORM_ID = "refunded"
#: the refund's note (the bank transfer's reference), in characters
NOTE_MIN, NOTE_MAX = 3, 300


def _now():
    return datetime.now(timezone.utc)


def _agencies(request, codes):
    """{code: name} of the agencies ``codes``, in the catalogue's order."""
    return {agency.code: agency.name for agency in request.find_service(ICatalogService).agencies()
            if agency.code in codes}


def _gateway_labels(request):
    gateway = request.registry.queryUtility(IPaymentGateway)
    return {gateway.name: gateway.label} if gateway is not None else {}


def _scope_words(filters, names, translate):
    if filters.agency:
        return names.get(filters.agency, filters.agency)
    return "; ".join(names.values()) if len(names) <= 3 else \
        translate(_("${count} agencies", mapping={"count": len(names)}))


def _typed(params):
    """What the form's fields hold, as typed (shown again with an error)."""
    return {name: params[name][:100] for name in reconciliation.PARAMS.values() if isinstance(params.get(name), str)}


def _download(request, fmt, filters, codes, names):
    translate = official_translate(request.registry)
    rows = reconciliation.attempts(request.dbsession, codes, filters, names, limit=reconciliation.FILE_ROWS)
    _summaries, totals = reconciliation.summary(request.dbsession, codes, filters, names)
    body = reconciliation.file_bytes(fmt, rows, filters, translate, _gateway_labels(request), _now(),
                                     _scope_words(filters, names, translate), totals=totals)
    from ..documents.spreadsheets import CONTENT_TYPES

    response = Response(body=body, content_type=CONTENT_TYPES[fmt].split(";")[0],
                        content_disposition=f'attachment; filename="{reconciliation.filename(filters, fmt)}"')
    if fmt == "csv":
        response.charset = "utf-8"
    return response


@view_config(route_name="desk_payments", request_method="GET", renderer="payments/reconciliation.jinja2",
             permission=Permissions.DESK)
def reconciliation_page(request):
    """The page, or with ``dinh-dang`` (csv, xlsx) the attempts as a file."""
    mark_personal(request)
    codes = scope_of(request).mine
    names = _agencies(request, codes)
    filters = reconciliation.read_filters(request.GET, set(names), today_local(), read_day)
    values = {"filters": filters, "agencies": names, "params": reconciliation.PARAMS, "kept": {},
              "states": reconciliation.STATE_LABELS, "form_id": FORM_ID, "has_scope": bool(codes),
              "max_days": reconciliation.MAX_DAYS, "typed": _typed(request.GET)}
    if filters.errors:
        request.response.status = 400
        return values
    values["typed"] = reconciliation.query(filters)
    fmt = request.GET.get(reconciliation.PARAMS["format"], "").strip()
    if fmt and codes:
        return _download(request, fmt, filters, codes, names)
    values["kept"] = reconciliation.query(filters)
    if not codes:
        return values
    summaries, totals = reconciliation.summary(request.dbsession, codes, filters, names)
    shown = sum(tot.count for tot in totals.values())
    values.update(
        refunds=reconciliation.refunds_owed(request.dbsession, codes, names), refund_form_id=REFUND_FORM_ID,
        note_min=NOTE_MIN, note_max=NOTE_MAX, reasons=reconciliation.REFUND_REASONS,
        buckets=reconciliation.SUMMARY_LABELS, summaries=summaries, totals=totals, shown=shown, page_rows=reconciliation.PAGE_ROWS,
        rows=reconciliation.attempts(request.dbsession, codes, filters, names),
        mismatches=reconciliation.mismatches(request.dbsession, codes, filters, names),
        kinds=reconciliation.MISMATCHES, gateway_labels=reconciliation.GATEWAY_LABELS,
        ways=dict(_gateway_labels(request), **reconciliation.WAYS), many_agencies=len(names) > 1,
        period=reconciliation.period_words(filters, request.localizer.translate))
    return values


def tally_message(tally):
    """What a pass of reconcile.reconcile did, in words (a Tally)."""
    if tally.busy:
        return _("A pass asking the payment gateway is already running; please try again in a few minutes.")
    if not tally.asked:
        return _("No payment of yours was waiting for the gateway's word: there was nothing to ask.")
    return _("The gateway was asked about ${asked} payments: ${paid} newly paid, ${closed} closed unpaid, "
             "${expired} expired, ${unanswered} without an answer (asked again later); "
             "taken but to refund: ${refund}.",
             mapping={"asked": tally.asked, "paid": tally.paid, "closed": tally.closed, "expired": tally.expired,
                      "unanswered": len(tally.unanswered), "refund": tally.refund})


@view_config(route_name="desk_payments", request_method="POST", permission=Permissions.DESK)
def ask_gateway(request):
    """"Ask the gateway now": one pass of reconciliation over the stale
    attempts of the visitor's agencies, then back to the page with its counts."""
    mark_personal(request)
    require_form(request, FORM_ID)
    codes = scope_of(request).mine
    flash(request, tally_message(reconcile(request, agency_codes=codes)) if codes else
          _("Your account belongs to no agency, so it has no payments to ask about."))
    return _back(request)


def _back(request):
    """The page again, with the filters the form came from (its query string)."""
    kept = _typed(request.GET)
    kept.pop(reconciliation.PARAMS["format"], None)
    return HTTPSeeOther(location=request.route_url("desk_payments", _query=kept))


def _attempt_to_refund(request, codes):
    """The attempt the form names (``attempt``, its id) if its order is
    collected by one of ``codes``, the visitor's agencies; else 404, as
    for a payment that does not exist (another agency's is none of theirs)."""
    raw = request.POST.get("attempt")
    attempt_id = int(raw) if isinstance(raw, str) and raw.strip().isdigit() and len(raw.strip()) < 12 else None
    attempt = request.dbsession.get(PaymentAttempt, attempt_id) if attempt_id else None
    if attempt is None or attempt.order.agency_code not in codes:
        raise HTTPNotFound()
    return attempt


@view_config(route_name="desk_payment_refunded", request_method="POST", permission=Permissions.DESK)
def payment_refunded(request):
    """"Refund made" on a payment to refund (a row of "Khoản cần hoàn
    tiền"): confirm.refunded with the bank transfer's reference or a note,
    once; then back to the page with a message (a second submit says the
    refund was recorded already, never an error page)."""
    mark_personal(request)
    require_form(request, REFUND_FORM_ID)
    attempt = _attempt_to_refund(request, set(scope_of(request).mine))
    raw = request.POST.get("note")
    note = " ".join(raw.split()) if isinstance(raw, str) else ""
    if not NOTE_MIN <= len(note) <= NOTE_MAX:
        flash(request, _("Payment ${ref}: write the refund's voucher number or a note, from ${min} to ${max} "
                         "characters; nothing was recorded.",
                         mapping={"ref": attempt.txn_ref, "min": NOTE_MIN, "max": NOTE_MAX}))
        return _back(request)
    try:
        confirm.refunded(request, attempt, note)
    except services.NotToRefund:
        flash(request, _("Payment ${ref}: the refund was recorded already (or it is not one to refund); "
                         "nothing was changed.", mapping={"ref": attempt.txn_ref}))
        return _back(request)
    flash(request, _("Payment ${ref}: the refund was recorded and the applicant told.",
                     mapping={"ref": attempt.txn_ref}))
    return _back(request)
