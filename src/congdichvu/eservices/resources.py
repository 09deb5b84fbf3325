"""Route factories for drafts and dossiers.

Both hang under the root, so its ACL applies (citizens submit), except for
``OWN_DOSSIER``: a draft or a dossier grants it to the person it belongs to
and denies it to everyone else, so not even the root's ALL_PERMISSIONS
(administrators) reaches a citizen's dossier through the citizen's pages.
Staff will work on dossiers through their own pages and permission. Someone
who may not see a draft or a dossier is told it does not exist (404), never
that it is someone else's.

What the path names is checked here, once per route, before any view runs:
a draft token, a dossier code or a procedure code that could not be one, a
procedure not in force or not submitted online, a draft or dossier of
another account — each is a 404 from its factory.
"""
import re

from pyramid.authorization import Allow, Deny, Everyone
from pyramid.httpexceptions import HTTPForbidden, HTTPFound, HTTPNotFound
from sqlalchemy import select

from ..catalog.interfaces import ICatalogService
from ..catalog.models import PROCEDURE_CODE
from ..i18n import _
from ..security import Permissions, RootFactory, mark_personal
from ..views import flash
from . import flow
from .codes import DOSSIER_CODE
from .models import Dossier, DossierDraft

#: a draft's token as flow.new_draft makes it (uuid4().hex)
DRAFT_TOKEN = re.compile(r"[0-9a-f]{32}")
#: methods that only read: the others may change the draft, so they take it first
READING = frozenset({"GET", "HEAD", "OPTIONS"})


def owner_only(user_id):
    """The ACL of something only user ``user_id`` may hold as their own."""
    return [(Allow, f"user:{user_id}", Permissions.OWN_DOSSIER), (Deny, Everyone, Permissions.OWN_DOSSIER)]


class DraftResource:
    def __init__(self, request, draft):
        self.__parent__ = RootFactory(request)
        self.draft = draft
        self.__acl__ = owner_only(draft.user_id)
        self.procedure = None  # looked up once the visitor may see the draft


class OnlineProcedureResource:
    """A procedure as its "Nộp hồ sơ trực tuyến" page sees it: in force and
    submitted online (level 3 or 4)."""

    def __init__(self, request, procedure):
        self.__parent__ = RootFactory(request)
        self.procedure = procedure


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


def online_procedure_factory(request):
    """The procedure named in the path when drafts of it can be begun
    (flow.open_to_drafts), else 404: not a code at all, unknown, not in
    force, or not offered online."""
    mark_personal(request)  # the page lists the visitor's own drafts
    code = request.matchdict["code"]
    procedure = request.find_service(ICatalogService).procedure(code) if PROCEDURE_CODE.fullmatch(code) else None
    if not flow.open_to_drafts(procedure):
        raise HTTPNotFound()
    return OnlineProcedureResource(request, procedure)


def draft_factory(request):
    """The visitor's own draft named by the token in the path, else 404.
    A request that may change it (any method but GET, HEAD, OPTIONS) takes
    it first (flow.lock_draft); one deleted meanwhile from another tab
    leads to "Hồ sơ của tôi", saying so."""
    _signed_in(request)
    token = request.matchdict["token"]
    draft = request.dbsession.scalar(select(DossierDraft).where(DossierDraft.token == token)) \
        if DRAFT_TOKEN.fullmatch(token) else None
    if draft is None:
        raise HTTPNotFound()
    resource = _owned(request, DraftResource(request, draft))
    if request.method not in READING:
        try:
            flow.lock_draft(request.dbsession, draft)
        except flow.DraftGone:
            flash(request, _("The draft was deleted."))
            raise HTTPFound(location=request.route_url("my_dossiers")) from None
    resource.procedure = request.find_service(ICatalogService).procedure(draft.procedure_code)
    return resource


def dossier_factory(request):
    _signed_in(request)
    code = request.matchdict["code"]
    dossier = request.dbsession.scalar(select(Dossier).where(Dossier.code == code)) \
        if DOSSIER_CODE.fullmatch(code) else None
    if dossier is None:
        raise HTTPNotFound()
    return _owned(request, DossierResource(request, dossier))
