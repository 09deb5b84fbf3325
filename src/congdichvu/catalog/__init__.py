"""The catalogue: agencies, sectors and procedures, their exchange format and
the public pages and API that disclose them."""
from . import versioning
from .interfaces import ICatalogService
from .labels import LABELS, duration
from .services import catalog_service_factory


def includeme(config):
    config.register_service_factory(catalog_service_factory, ICatalogService)
    # pages are cached against this token (congdichvu.pagecache)
    config.registry["content_version"] = versioning.content_version
    config.scan(".views")

    def register_template_globals():
        config.get_jinja2_environment().globals.update(labels=LABELS, duration_label=duration)

    config.action(None, register_template_globals, order=999)
