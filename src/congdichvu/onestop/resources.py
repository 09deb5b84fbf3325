"""Who may see and act on a dossier at the desk.

A dossier names, in its ACL, the officers of the agency handling it now
(``HANDLE_DOSSIER``), every agency it passed through (``READ_DOSSIER``:
the ward that sent it to the city still follows it), and the leaders of
those agencies and of the agencies above them (``READ_DOSSIER``; those
above the handling agency also ``SIGN_OFF``). Everyone else, even an
administrator, is told the dossier does not exist (404), as a citizen is
told of another's dossier.
"""
from pyramid.authorization import Allow, Deny, Everyone
from pyramid.httpexceptions import HTTPForbidden, HTTPNotFound
from sqlalchemy import select

from ..eservices.codes import DOSSIER_CODE
from ..eservices.models import Dossier
from ..security import Permissions, RootFactory, agency_principal, leader_principal, mark_personal

STAFF_PERMISSIONS = (Permissions.READ_DOSSIER, Permissions.HANDLE_DOSSIER, Permissions.SIGN_OFF)


def dossier_acl(dossier):
    """The ACL of ``dossier`` at the desk (see the module's docstring)."""
    handling = dossier.handling_agency_code
    acl = [(Allow, agency_principal(handling), (Permissions.READ_DOSSIER, Permissions.HANDLE_DOSSIER)),
           (Allow, leader_principal(handling), (Permissions.READ_DOSSIER, Permissions.SIGN_OFF))]
    for code in sorted({row.agency_code for row in dossier.agencies} | {dossier.agency_code}):
        acl.append((Allow, agency_principal(code), Permissions.READ_DOSSIER))
        acl.append((Allow, leader_principal(code), Permissions.READ_DOSSIER))
    acl.append((Deny, Everyone, STAFF_PERMISSIONS))
    return acl


class StaffDossierResource:
    def __init__(self, request, dossier):
        self.__parent__ = RootFactory(request)
        self.dossier = dossier
        self.__acl__ = dossier_acl(dossier)


def staff_dossier_factory(request):
    """The dossier named by ``{code}`` when the visitor may read it at the
    desk, else 404 (403 → sign in, for a visitor not signed in)."""
    mark_personal(request)
    if request.user is None:
        raise HTTPForbidden()
    code = request.matchdict["code"]
    dossier = request.dbsession.scalar(select(Dossier).where(Dossier.code == code)) \
        if DOSSIER_CODE.fullmatch(code) else None
    if dossier is None:
        raise HTTPNotFound()
    resource = StaffDossierResource(request, dossier)
    if not request.has_permission(Permissions.READ_DOSSIER, resource):
        raise HTTPNotFound()
    return resource


def visible_to(request):
    """A SQL condition on Dossier: the dossiers the visitor may read at the
    desk, for queues and search (the same rule as ``dossier_acl``)."""
    from ..eservices.models import DossierAgency

    codes = {p.split(":", 1)[1] for p in request.principals if p.startswith(("agency:", "leads:"))}
    if not codes:
        return Dossier.id.is_(None)  # nothing
    return Dossier.id.in_(select(DossierAgency.dossier_id).where(DossierAgency.agency_code.in_(codes)))


class IntakeResource:
    """A procedure as an officer's desk enters its dossiers: in force, and
    handled by the officer's own ``agency`` (onestop.intake)."""

    def __init__(self, request, procedure, agency):
        self.__parent__ = RootFactory(request)
        self.procedure = procedure
        self.agency = agency


def intake_procedure_factory(request):
    """The procedure named by ``{code}`` when the visitor may enter its
    dossiers at their desk, else 404 (403 → sign in, for a visitor not
    signed in): not a code, not in force, the visitor is not an officer of
    an agency, or their agency does not handle it."""
    from ..catalog.interfaces import ICatalogService
    from ..catalog.models import PROCEDURE_CODE
    from .intake import handles, intake_agency

    mark_personal(request)
    if request.user is None:
        raise HTTPForbidden()
    code = request.matchdict["code"]
    catalog = request.find_service(ICatalogService)
    procedure = catalog.procedure(code) if PROCEDURE_CODE.fullmatch(code) else None
    agency = intake_agency(request)
    if procedure is None or agency is None or not handles(catalog, agency, procedure):
        raise HTTPNotFound()
    return IntakeResource(request, procedure, agency)
