"""Route factories: the view's context is the model object, or 404."""
from pyramid.httpexceptions import HTTPNotFound
from sqlalchemy import select

from .interfaces import ICatalogService
from .models import FormTemplate


def _found(obj):
    if obj is None:
        raise HTTPNotFound()
    return obj


def _lookup(request, method):
    return _found(getattr(request.find_service(ICatalogService), method)(request.matchdict["code"]))


def procedure_factory(request):
    return _lookup(request, "procedure")


def sector_factory(request):
    return _lookup(request, "sector")


def agency_factory(request):
    return _lookup(request, "agency")


def form_template_factory(request):
    return _found(
        request.dbsession.scalar(select(FormTemplate).where(FormTemplate.filename == request.matchdict["filename"]))
    )
