"""Reading browse parameters from a query string.

Pages are forgiving (a bad page number is clamped, an unknown filter is
ignored); the API is strict and answers 400 with the reason.
"""
from ..i18n import _
from ..inputs import parse_int
from .labels import LEVELS, SORTS

PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 100_000
#: the values of ``online_level`` (an online service level, or "none": not classified)
ONLINE_LEVEL_VALUES = ("1", "2", "3", "4", "none")
#: the characters of ``q`` (words of a procedure's name) that are read
MAX_NAME_CHARS = 200


class BadParameter(ValueError):
    def __init__(self, name, message):
        super().__init__(name)
        self.name = name
        self.message = message


def _positive_int(params, name, default, limit):
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    value = parse_int(raw.strip(), maximum=10**30)
    if value is None:
        raise BadParameter(name, _("${name} must be a whole number.", mapping={"name": name}))
    if not 1 <= value <= limit:
        raise BadParameter(
            name, _("${name} must be between 1 and ${limit}.", mapping={"name": name, "limit": limit})
        )
    return value


def _online_level(raw):
    if raw not in ONLINE_LEVEL_VALUES:
        raise ValueError(raw)
    return None if raw == "none" else int(raw)


def read_browse(params, catalog, strict):
    """Return (filters, sort, page, per_page) from ``params``.

    ``filters`` holds model objects for sector and agency, plain values for
    level and online level, and the raw codes under "codes" for links.
    """
    filters, codes = {}, {}

    def bad(name, message):
        if strict:
            raise BadParameter(name, message)

    for name, lookup in (("sector", catalog.sector), ("agency", catalog.agency)):
        code = params.get(name)
        if code:
            found = lookup(code)
            if found is None:
                bad(name, _("Unknown ${name} code: ${code}.", mapping={"name": name, "code": code}))
            else:
                filters[name], codes[name] = found, code
    level = params.get("level")
    if level:
        if level in LEVELS:
            filters["level"] = codes["level"] = level
        else:
            bad("level", _("Unknown level: ${value}.", mapping={"value": level}))
    online = params.get("online_level")
    if online:
        try:
            filters["online_level"] = _online_level(online)
            codes["online_level"] = online
        except ValueError:
            bad("online_level", _("online_level must be 1, 2, 3, 4 or none."))
    name = (params.get("q") or "").strip()[:MAX_NAME_CHARS]
    if name:
        filters["name"] = codes["q"] = name

    sort = params.get("sort") or "name"
    if sort not in SORTS:
        bad("sort", _("Unknown sort: ${value}; use name or code.", mapping={"value": sort}))
        sort = "name"
    try:
        page = _positive_int(params, "page", 1, MAX_PAGE)
    except BadParameter:
        if strict:
            raise
        page = _lenient_page(params.get("page"))
    try:
        per_page = _positive_int(params, "per_page", PER_PAGE, MAX_PER_PAGE)
    except BadParameter:
        if strict:
            raise
        per_page = PER_PAGE
    filters["codes"] = codes
    return filters, sort, page, per_page


def _lenient_page(raw):
    value = parse_int((raw or "").strip(), maximum=10**30)
    return 1 if value is None else min(max(value, 1), MAX_PAGE)
