"""A stand-in for the staff dossier page (``desk_dossier``), which the
desk's own work builds: enough to land on after entering a dossier at the
counter and to print its receipt. The lead deletes this module (and its
template) when the real page is merged."""
from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import FileResponse
from pyramid.view import view_config

from ..eservices.storage import file_store
from ..eservices.views import STATE_LABELS
from ..paths import UnsafePath
from ..security import Permissions


@view_config(route_name="desk_dossier", renderer="onestop/_placeholder_dossier.jinja2",
             permission=Permissions.READ_DOSSIER)
def desk_dossier(context, request):
    dossier = context.dossier
    receipt = next((f for f in reversed(dossier.files) if f.kind == "receipt"), None)
    if request.GET.get("mau") == "01":  # the receipt, Form 01, to print
        if receipt is None:
            raise HTTPNotFound()
        try:
            path = file_store(request).path(receipt.storage_key)
        except UnsafePath:
            raise HTTPNotFound() from None
        if not path.is_file():
            raise HTTPNotFound()
        response = FileResponse(str(path), request=request, content_type="application/pdf")
        response.headers["Content-Disposition"] = f'inline; filename="{receipt.filename}"'
        return response
    return {"dossier": dossier, "receipt": receipt, "states": STATE_LABELS}
