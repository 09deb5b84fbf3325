"""The administrator's page of days off and make-up working days."""
from datetime import timedelta

from pyramid.httpexceptions import HTTPFound
from pyramid.view import view_config
from sqlalchemy import delete, select

from ..accounts.services import record
from ..i18n import _
from ..forms import FORM_ID, read_day, require_form
from ..inputs import MAX_ID, parse_int
from ..i18n.formatting import today_local
from ..security import Permissions
from .models import DAY_OFF, NOTE_LENGTH, WORKING_DAY, CalendarOverride


def _upcoming(calendar, start, notes, language, days=366):
    """[(date, working?, why)] for the days in the year from ``start`` that
    are not the ordinary Monday–Friday pattern; ``why`` is the
    administrator's note (``notes``: {date: note}), else the holiday's name
    in ``language``, else (a weekend day worked) None."""
    found = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        working = calendar.is_working_day(day)
        if working != (day.weekday() < 5):
            found.append((day, working, notes.get(day) or calendar.holiday_name(day, language)))
    return found


@view_config(route_name="calendar_admin", renderer="calendar/admin.jinja2", permission=Permissions.MANAGE_CALENDAR)
def calendar_admin(request):
    db = request.dbsession
    error = None
    if request.method == "POST":
        # two forms post here: removing an entry, and adding a day
        if request.POST.get(FORM_ID) == "calendar_remove":
            if _remove(request, parse_int(request.POST.get("remove"), minimum=1, maximum=MAX_ID)):
                return HTTPFound(location=request.route_url("calendar_admin"))
            request.response.status = 409
            error = _("Someone else removed this day before you.")
        else:
            require_form(request, "calendar_day")
            error = _add(request)
            if error is None:
                return HTTPFound(location=request.route_url("calendar_admin"))
    overrides = list(db.scalars(select(CalendarOverride).order_by(CalendarOverride.day)))
    notes = {row.day: row.note for row in overrides}
    upcoming = _upcoming(request.working_calendar, today_local(), notes, request.locale_name)
    return {"overrides": overrides, "upcoming": upcoming, "error": error,
            "values": request.POST if error else _kept(request)}


def _remove(request, number):
    """Remove the override ``number``, once: one conditional DELETE whose
    row count decides (two administrators removing it at once, a double
    click: the second deletes nothing and is told). False when it was not
    there (any more)."""
    db = request.dbsession
    day = db.scalar(select(CalendarOverride.day).where(CalendarOverride.id == number)) if number else None
    removed = day is not None and db.execute(
        delete(CalendarOverride).where(CalendarOverride.id == number)
        .execution_options(synchronize_session=False)).rowcount == 1
    if removed:
        record(db, "calendar.removed", actor=request.user, target=day.isoformat())
    return removed


def _add(request):
    """Add the day the form names; None, or what is wrong with the form."""
    db = request.dbsession
    day, error = read_day(request.POST.get("day", ""))
    if day is None:
        return error
    kind = request.POST.get("kind")
    note = (request.POST.get("note") or "").strip()
    if kind not in (DAY_OFF, WORKING_DAY):
        return _("Choose whether the day is off or worked.")
    if not note:
        return _("Say why (for example the decision that swaps the day).")
    if len(note) > NOTE_LENGTH:
        return _("The reason is longer than ${max} characters: shorten it.", mapping={"max": NOTE_LENGTH})
    if db.scalar(select(CalendarOverride).where(CalendarOverride.day == day)) is not None:
        return _("This day already has an entry; remove it first.")
    db.add(CalendarOverride(day=day, kind=kind, note=note))
    record(db, "calendar.added", actor=request.user, target=day.isoformat(), note=note, details={"kind": kind})
    return None


def _kept(request):
    """What was typed before a session expired, to fill the form again."""
    kept = request.kept_input
    return dict(kept.fields) if kept is not None else {}
