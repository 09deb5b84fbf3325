"""PLACEHOLDER, TO DELETE AT MERGE: a stand-in for the desk's queues
(``desk``, onestop.desk_views), so the staff dossier page can link back."""
from pyramid.response import Response
from pyramid.view import view_config

from ..security import Permissions


@view_config(route_name="desk", permission=Permissions.DESK)
def desk_placeholder(request):
    return Response("desk", content_type="text/plain")
