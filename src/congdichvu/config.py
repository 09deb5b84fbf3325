"""The Configurator, as the ordered list of what the portal is made of."""
from pyramid.config import Configurator

from .settings import resolve


def _check_required(settings):
    missing = [key for key in ("sqlalchemy.url", "congdichvu.secret", "congdichvu.public_url") if not settings.get(key)]
    if missing:
        raise RuntimeError(
            "Missing settings: %s (set CONGDICHVU_DATABASE_URL / CONGDICHVU_SECRET / CONGDICHVU_PUBLIC_URL)"
            % ", ".join(missing)
        )


def configure(settings):
    """Build the Configurator; the caller makes the WSGI app (a benchmark
    or a test may add to the configuration first)."""
    settings = resolve(settings)
    _check_required(settings)
    settings.setdefault("jinja2.directories", settings["congdichvu.templates_dir"])
    settings.setdefault("jinja2.i18n.domain", "congdichvu")
    settings.setdefault("jinja2.newstyle", "true")
    settings.setdefault("jinja2.trim_blocks", "true")
    settings.setdefault("jinja2.lstrip_blocks", "true")
    settings.setdefault("jinja2.autoescape", "true")
    # exception views abort the transaction, except the one keeping a form's input
    settings.setdefault("tm.commit_veto", "congdichvu.typed_input.commit_veto")

    config = Configurator(settings=settings, root_factory="congdichvu.security.RootFactory")
    config.include(".sessions")
    config.include(".ingress")
    config.include("pyramid_jinja2")
    config.include("pyramid_services")
    config.include(".models")
    config.include(".security")
    config.include(".typed_input")
    config.include(".i18n")
    config.include(".routes")
    config.include(".calendar")
    config.include(".mail")
    config.include(".notify")
    config.include(".accounts")
    config.include(".catalog")
    config.include(".cms")
    config.include(".eservices")
    config.include(".onestop")
    config.include(".payments")
    config.include(".stats")
    config.include(".search")
    config.include(".api")
    config.include(".pagecache")
    config.scan(".views")
    return config
