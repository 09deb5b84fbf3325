"""Route factories for drafts and dossiers.

Both hang under the root, so its ACL applies (citizens submit), except for
``OWN_DOSSIER``: a draft or a dossier grants it to the person it belongs to
and denies it to everyone else, so not even the root's ALL_PERMISSIONS
(administrators) reaches a citizen's dossier through the citizen's pages.
Staff will work on dossiers through their own pages and permission. Someone
who may not see a draft or a dossier is told it does not exist (404), never
that it is someone else's.
"""
from pyramid.authorization import Allow, Deny, Everyone
from pyramid.httpexceptions import HTTPForbidden, HTTPNotFound
from sqlalchemy import select

from ..catalog.interfaces import ICatalogService
from ..security import Permissions, RootFactory, mark_personal
from .models import Dossier, DossierDraft


def owner_only(user_id):
    """The ACL of something only user ``user_id`` may hold as their own."""
    return [(Allow, f"user:{user_id}", Permissions.OWN_DOSSIER), (Deny, Everyone, Permissions.OWN_DOSSIER)]


class DraftResource:
    def __init__(self, request, draft):
        self.__parent__ = RootFactory(request)
        self.draft = draft
        self.__acl__ = owner_only(draft.user_id)
        self.procedure = None  # looked up once the visitor may see the draft


class DossierResource:
    def __init__(self, request, dossier):
        self.__parent__ = RootFactory(request)
        self.dossier = dossier
        self.__acl__ = owner_only(dossier.applicant_id)


def _signed_in(request):
    mark_personal(request)  # whatever the answer, no cache may keep it
    if request.user is None:
        raise HTTPForbidden()  # the forbidden view asks to sign in and comes back


def _owned(request, resource):
    """``resource`` when the visitor holds OWN_DOSSIER on it, else 404."""
    if not request.has_permission(Permissions.OWN_DOSSIER, resource):
        raise HTTPNotFound()
    return resource


def draft_factory(request):
    _signed_in(request)
    draft = request.dbsession.scalar(select(DossierDraft).where(DossierDraft.token == request.matchdict["token"]))
    if draft is None:
        raise HTTPNotFound()
    resource = _owned(request, DraftResource(request, draft))
    resource.procedure = request.find_service(ICatalogService).procedure(draft.procedure_code)
    return resource


def dossier_factory(request):
    _signed_in(request)
    dossier = request.dbsession.scalar(select(Dossier).where(Dossier.code == request.matchdict["code"]))
    if dossier is None:
        raise HTTPNotFound()
    return _owned(request, DossierResource(request, dossier))
