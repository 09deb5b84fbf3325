"""Locale negotiation, translation helpers and Vietnamese formatting.

Vietnamese is the default and the complete language; English is second.
The choice is kept in a cookie set by the visible language switcher;
browsers' Accept-Language is ignored on purpose, because many citizens use
phones set to English but read Vietnamese best.
"""
import threading
from importlib.resources import files
from pathlib import Path

import deform
from deform.template import ZPTRendererFactory
from pyramid.i18n import TranslationString, TranslationStringFactory
from pyramid.threadlocal import get_current_request

from . import formatting

DOMAIN = "congdichvu"
_ = TranslationStringFactory(DOMAIN)

DEFAULT_LOCALE = "vi"
#: locale code -> the language's own name, shown in the switcher
LOCALES = {"vi": "Tiếng Việt", "en": "English"}
LOCALE_COOKIE = "_LOCALE_"


def official_translate(registry):
    """Translate into Vietnamese whatever the visitor's language: for
    official documents (the receipt, Form 01) that are Vietnamese by law."""
    from pyramid.i18n import make_localizer
    from pyramid.interfaces import ITranslationDirectories

    localizer = registry.get("official_localizer")
    if localizer is None:  # built once: it reads every catalogue from disk
        localizer = make_localizer(DEFAULT_LOCALE, registry.queryUtility(ITranslationDirectories) or [])
        registry["official_localizer"] = localizer
    return lambda message: translate_with(localizer, message)


def negotiate_locale(request):
    """The language asked for in the query (``_LOCALE_``), else the
    switcher's cookie, else Vietnamese. Reads only the query string, never
    a form body, and takes nothing it does not know."""
    try:
        asked = request.GET.get(LOCALE_COOKIE)
    except Exception:  # noqa: BLE001 - an unreadable query (the ingress tween answers it)
        asked = None
    for candidate in (asked, request.cookies.get(LOCALE_COOKIE)):
        if candidate in LOCALES:
            return candidate
    return DEFAULT_LOCALE


def includeme(config):
    settings = config.get_settings()
    config.set_locale_negotiator(negotiate_locale)
    # One call, so the order is the precedence: later directories win, and
    # the project's own catalogues carry the Vietnamese deform and colander
    # domains that those packages do not ship.
    config.add_translation_dirs(
        "colander:locale", "deform:locale", settings["congdichvu.locales_dir"]
    )

    def register_filters():
        env = config.get_jinja2_environment()
        env.filters.update(
            money=formatting.format_money,
            number=formatting.format_number,
            date=formatting.format_date,
            datetime=formatting.format_datetime,
            iso=formatting.format_iso,
            filesize=formatting.format_filesize,
        )
        env.globals.update(LOCALES=LOCALES, translate=_translate_current)

    configure_deform(settings)

    # after pyramid_jinja2 has created its environment
    config.action(None, register_filters, order=999)


def translate_with(localizer, message):
    """``message`` translated by ``localizer``, and the messages in its
    mapping too (a field's label, a state's name: "${field}: …"), which
    Pyramid would otherwise put in as their English msgids."""
    mapping = getattr(message, "mapping", None)
    if mapping and any(isinstance(value, TranslationString) for value in mapping.values()):
        message = TranslationString(message, mapping={
            name: translate_with(localizer, value) if isinstance(value, TranslationString) else value
            for name, value in mapping.items()})
    return localizer.translate(message)


def _translate_current(message):
    """Translate a TranslationString built in Python (labels, messages)."""
    request = get_current_request()
    return translate_with(request.localizer, message) if request is not None else message


def _deform_translator(term):
    request = get_current_request()
    if request is None:
        return term
    return translate_with(request.localizer, term)


def configure_deform(settings):
    """Render Deform widgets through the request's localizer, so form
    errors read "Bắt buộc" in Vietnamese; widget overrides in
    ``templates/deform/`` come before Deform's own templates."""
    search_path = [str(files("deform") / "templates")]
    overrides = Path(settings["congdichvu.templates_dir"]) / "deform"
    if overrides.is_dir():
        search_path.insert(0, str(overrides))
    deform.Form.set_default_renderer(CompilingOnceRenderer(search_path, translator=_deform_translator))


class CompilingOnceRenderer(ZPTRendererFactory):
    """Deform's template renderer, compiling each template under a lock.

    Chameleon compiles a template the first time it is rendered, through
    ``ast.parse``; on CPython 3.11 two threads parsing at once can fail
    with "SystemError: AST constructor recursion depth mismatch"
    (python/cpython#106905), which made the first simultaneous requests of
    a process answer 500. Compiling is once per template and process, so
    the lock costs nothing after."""

    _lock = threading.Lock()

    def load(self, template_name):
        template = super().load(template_name)
        with self._lock:
            template.cook_check()  # compiles it when it is not yet (or its file changed)
        return template
