"""Route factories: the view's context is the model object, or 404."""
from pyramid.httpexceptions import HTTPNotFound
from sqlalchemy import select

from .interfaces import ICatalogService
from .models import FormTemplate


def _service(request):
    return request.find_service(ICatalogService)


def procedure_factory(request):
    procedure = _service(request).procedure(request.matchdict["code"])
    if procedure is None:
        raise HTTPNotFound()
    return procedure


def sector_factory(request):
    sector = _service(request).sector(request.matchdict["code"])
    if sector is None:
        raise HTTPNotFound()
    return sector


def agency_factory(request):
    agency = _service(request).agency(request.matchdict["code"])
    if agency is None:
        raise HTTPNotFound()
    return agency


def form_template_factory(request):
    template = request.dbsession.scalar(
        select(FormTemplate).where(FormTemplate.filename == request.matchdict["filename"])
    )
    if template is None:
        raise HTTPNotFound()
    return template
