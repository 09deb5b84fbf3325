"""Working days: weekends, Vietnamese holidays (the ``holidays`` package)
and an administrator's overrides; appointment times for dossiers."""
from sqlalchemy import select


def working_calendar(request):
    """The calendar with this database's overrides (for a request)."""
    from .models import CalendarOverride
    from .service import calendar_from_settings

    overrides = {row.day: row.kind for row in request.dbsession.scalars(select(CalendarOverride))}
    return calendar_from_settings(request.registry.settings, overrides)


def includeme(config):
    config.add_request_method(working_calendar, "working_calendar", reify=True)
    config.scan(".views")
