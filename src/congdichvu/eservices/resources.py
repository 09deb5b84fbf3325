"""Route factories for drafts and dossiers.

Both hang under the root, so its ACL applies (citizens submit, admins see
all); a dossier adds its applicant. Someone who may not see a draft or a
dossier is told it does not exist (404), never that it is someone else's.
"""
from pyramid.authorization import Allow
from pyramid.httpexceptions import HTTPForbidden, HTTPNotFound
from sqlalchemy import select

from ..catalog.interfaces import ICatalogService
from ..security import Permissions, RootFactory, mark_personal
from .models import Dossier, DossierDraft


class DraftResource:
    def __init__(self, request, draft, procedure):
        self.__parent__ = RootFactory(request)
        self.draft, self.procedure = draft, procedure


class DossierResource:
    def __init__(self, request, dossier):
        self.__parent__ = RootFactory(request)
        self.dossier = dossier
        self.__acl__ = [(Allow, f"user:{dossier.applicant_id}", Permissions.OWN_DOSSIER)]


def _signed_in(request):
    mark_personal(request)  # whatever the answer, no cache may keep it
    if request.user is None:
        raise HTTPForbidden()  # the forbidden view asks to sign in and comes back


def draft_factory(request):
    _signed_in(request)
    draft = request.dbsession.scalar(select(DossierDraft).where(DossierDraft.token == request.matchdict["token"]))
    if draft is None or draft.user_id != request.user.id:
        raise HTTPNotFound()
    procedure = request.find_service(ICatalogService).procedure(draft.procedure_code)
    return DraftResource(request, draft, procedure)


def dossier_factory(request):
    _signed_in(request)
    dossier = request.dbsession.scalar(select(Dossier).where(Dossier.code == request.matchdict["code"]))
    if dossier is None:
        raise HTTPNotFound()
    resource = DossierResource(request, dossier)
    if not request.has_permission(Permissions.OWN_DOSSIER, resource):
        raise HTTPNotFound()
    return resource
