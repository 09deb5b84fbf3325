"""Tra cứu hồ sơ: a dossier's state and history from its code and the
receipt's secret, and nothing personal."""
from pyramid.view import view_config

from ..forms import require_form
from ..i18n import _
from ..security import Permissions, client_address
from . import services, timeline

STATE_LABELS = {
    # the national code's "new": until an officer receives it, it is only submitted
    1: _("Submitted, waiting to be received"),
    2: _("Received"),
    3: _("Not received"),
    4: _("Being processed"),
    5: _("Waiting for papers to be added"),
    6: _("Waiting for payment"),
    7: _("Withdrawn by the applicant"),
    8: _("Stopped"),
    9: _("Processed"),
    10: _("Result returned"),
}


@view_config(route_name="dossier_lookup", renderer="eservices/lookup.jinja2", permission=Permissions.VIEW_PUBLIC)
def dossier_lookup(request):
    # the QR code of a receipt opens this page with the code filled in (?ma=…)
    values = {"dossier": None, "message": None, "code": (request.GET.get("ma") or "").strip()[:64],
              "states": STATE_LABELS, "timeline": []}
    if request.method == "POST":
        require_form(request, "lookup")
        code = (request.POST.get("code") or "").strip()
        values["code"] = code[:64]
        try:
            dossier = services.lookup(request.dbsession, code, request.POST.get("secret"),
                                      request.registry.settings["congdichvu.secret"],
                                      client_address(request))
        except services.TooManyLookups:
            request.response.status = 429
            values["message"] = _("Too many attempts from your connection. Please try again in 15 minutes.")
        else:
            if dossier is None:
                values["message"] = _("No dossier matches this code and secret. Check both on your receipt.")
            else:
                values["timeline"] = timeline.lines(dossier, agency_namer(request), with_notes=False)
            values["dossier"] = dossier
    return values


def agency_namer(request):
    """``name(code)``: an agency's name from the catalogue (its code when unknown)."""
    from ..catalog.interfaces import ICatalogService

    catalog = request.find_service(ICatalogService)

    def name(code):
        agency = catalog.agency(code)
        return agency.name if agency is not None else code

    return name
