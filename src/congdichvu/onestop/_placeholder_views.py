"""PLACEHOLDER, TO DELETE AT MERGE: a stand-in for the staff dossier page
(``desk_dossier``), which the actions helper writes; the desk's tests only
need the route to exist and to answer the dossiers the visitor may read."""
from pyramid.response import Response
from pyramid.view import view_config

from ..security import Permissions


@view_config(route_name="desk_dossier", permission=Permissions.READ_DOSSIER)
def desk_dossier_placeholder(context, request):
    return Response(context.dossier.code, content_type="text/plain")
