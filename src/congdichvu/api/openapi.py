"""The public API's contract: the OpenAPI 3.1 document of every public JSON
endpoint (``GET /api/v1/openapi.json``) and what its page
(``GET /api/v1/docs``) shows, both made from the data here.

One home, and no second copy of what the code already says: paths come
from routes.py (by route name), limits and allowed values from the views'
own constants (catalog.params, search, stats.params), the procedure and
catalogue shapes from the exchange format's JSON Schema
(catalog/catalog.schema.json, whose ``$defs`` become the components named
``Catalog…``), the statistics' names from stats.figures. Texts are
translation strings: the document carries each in Vietnamese, then in
English; the page shows it in the visitor's language.

The dossier lookup (``/tra-cuu-ho-so``) has no JSON form (an HTML form
behind CSRF and a rate limit), so it is not here. Only GET (and HEAD,
which answers the same without a body) reach the API: every other method
is answered 405 by the ingress tween.
"""
import json
from dataclasses import dataclass

from pyramid.i18n import TranslationString

from ..catalog import exchange
from ..catalog.labels import LEVELS, SORTS
from ..catalog.params import MAX_NAME_CHARS, MAX_PAGE, MAX_PER_PAGE, ONLINE_LEVEL_VALUES, PER_PAGE
from ..i18n import _
from ..search.query import MAX_QUERY_CHARS
from ..search.services import FACETS, MAX_PER_PAGE as MAX_SEARCH_PER_PAGE
from ..search.views import MAX_FILTER_LENGTH, PER_PAGE as SEARCH_PER_PAGE, SUGGESTIONS
from ..stats.figures import CHANNELS, RATINGS
from ..stats.params import FALSE, FIRST_DAY, LAST_DAY, MAX_DAYS, TRUE

OPENAPI_VERSION = "3.1.0"
#: the API's version, as in its paths (/api/v1/…)
API_VERSION = "1.0"
SCHEMAS = "#/components/schemas/"
JSON = "application/json"
#: how the exchange format's JSON Schema is served (RFC draft media type of JSON Schema)
SCHEMA_MEDIA_TYPE = "application/schema+json"


# -- the exchange format's schema as components ---------------------------------


def catalog_name(definition):
    """``legal_basis`` → ``CatalogLegalBasis``: the component of a ``$defs`` entry."""
    return "Catalog" + "".join(part.capitalize() for part in definition.split("_"))


def _rewrite_refs(node):
    if isinstance(node, list):
        return [_rewrite_refs(item) for item in node]
    if not isinstance(node, dict):
        return node
    rewritten = {key: _rewrite_refs(value) for key, value in node.items()}
    reference = node.get("$ref")
    if isinstance(reference, str) and reference.startswith("#/$defs/"):
        rewritten["$ref"] = SCHEMAS + catalog_name(reference[len("#/$defs/"):])
    return rewritten


def catalog_components(schema):
    """{component name: schema} of the exchange format's JSON Schema
    ``schema``: ``Catalog`` (the whole file) and one ``Catalog…`` per
    definition, their references pointed at each other."""
    components = {catalog_name(name): _rewrite_refs(definition) for name, definition in schema["$defs"].items()}
    whole = {key: value for key, value in schema.items() if key not in ("$schema", "$id", "$defs")}
    components["Catalog"] = _rewrite_refs(whole)
    return components


def ref(name, *pointer):
    """A reference to the component ``name``, or to a part of it:
    ``ref("CatalogProcedure", "properties", "level")``."""
    return {"$ref": SCHEMAS + "/".join((name,) + pointer)}


# -- the portal's own shapes -------------------------------------------------------

COUNT = {"type": "integer", "minimum": 0}
RATE = {"type": "number", "minimum": 0, "maximum": 1}
URL = {"type": "string", "format": "uri"}


def _object(properties, required=None, description=None):
    """A closed object: the names given, all of them required unless ``required`` says which."""
    shape = {"type": "object", "required": list(properties if required is None else required),
             "additionalProperties": False, "properties": properties}
    if description is not None:
        shape["description"] = description
    return shape


def _counts(names):
    return _object({name: COUNT for name in names})


def statistics_schema():
    """The shape of stats.figures.Figures.as_json, with the API's additions."""
    return _object(
        {
            "agency": {"type": "string", "description": _("The code of the agency asked for.")},
            "from": {"type": "string", "format": "date"},
            "to": {"type": "string", "format": "date"},
            "received": _object({"carried_over": COUNT, "new": COUNT, "by_channel": _counts(CHANNELS)}),
            "resolved": _counts(("early", "on_time", "late")),
            "in_progress": _counts(("within_deadline", "overdue")),
            "awaiting_supplement": COUNT,
            "refused": COUNT,
            "withdrawn": COUNT,
            "rates": _object({name: RATE for name in ("on_time", "online", "online_payment", "digitised")}),
            "returned": _counts(("total", "by_post", "online")),
            "payments": _counts(("paid", "paid_online")),
            "digitised": COUNT,
            "satisfaction": _counts(RATINGS),
            "other_rates": _object({name: RATE for name in ("postal_return", "satisfaction")}),
            "include_children": {"type": "boolean"},
            "sector": {"type": "string", "description": _("Present when the figures are of one sector.")},
            "procedure": {"type": "string", "description": _("Present when the figures are of one procedure.")},
        },
        required=("agency", "from", "to", "received", "resolved", "in_progress", "awaiting_supplement", "refused",
                  "withdrawn", "rates", "returned", "payments", "digitised", "satisfaction", "other_rates",
                  "include_children"),
        description=_("The one-stop office's figures of an agency over a period (Circular 01/2018/TT-VPCP, "
                      "Art. 26); rates are shares from 0 to 1, 0 when there is nothing to divide."),
    )


def search_result_schema():
    return _object({
        "code": ref("CatalogProcedure", "properties", "code"),
        "name": {"type": "string"},
        "score": {"type": "number", "description": _("How well it matches; higher is better.")},
        "sector": {"type": "string", "description": _("The sector's code.")},
        "sector_name": {"type": "string"},
        "level": ref("CatalogProcedure", "properties", "level"),
        "online_level": {"type": ["integer", "null"], "minimum": 1, "maximum": 4},
        "url": dict(URL, description=_("The procedure's page on the portal.")),
    })


def own_schemas():
    facet_counts = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 1}}
    return {
        "Error": _object({"error": {"type": "string", "minLength": 1}},
                         description=_("What was wrong, in the visitor's language (Vietnamese by default).")),
        "SearchResult": search_result_schema(),
        "SearchResults": _object({
            "query": {"type": "string", "description": _("The query as it was read.")},
            "total": COUNT,
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "results": {"type": "array", "items": ref("SearchResult")},
            "related": {"type": "array", "items": ref("SearchResult"),
                        "description": _("Weaker matches, offered apart on the last page of results.")},
            "facets": _object({name: facet_counts for name in FACETS}, required=(),
                              description=_("How many results each value of a filter would keep.")),
            "suggestion": {"type": ["string", "null"], "description": _("The query as the portal thinks it was "
                                                                        "meant, when that differs.")},
        }),
        "Suggestions": _object({
            "query": {"type": "string"},
            "suggestions": {"type": "array", "maxItems": SUGGESTIONS, "items": _object({
                "code": ref("CatalogProcedure", "properties", "code"), "name": {"type": "string"}, "url": URL})},
        }),
        "OpenSearchSuggestions": {
            "type": "array", "minItems": 2, "maxItems": 2,
            "prefixItems": [{"type": "string"},
                            {"type": "array", "maxItems": SUGGESTIONS, "items": {"type": "string"}}],
            "description": _("The OpenSearch suggestions extension: the query, then the procedures' names."),
        },
        "ProcedurePage": _object({
            "total": COUNT,
            "page": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "pages": {"type": "integer", "minimum": 1},
            "links": _object({"self": URL, "next": URL, "prev": URL}, required=("self",)),
            "procedures": {"type": "array", "items": ref("CatalogProcedure")},
        }),
        "Statistics": statistics_schema(),
        "OpenAPIDocument": {"type": "object", "required": ["openapi", "info", "paths"],
                            "properties": {"openapi": {"type": "string", "pattern": r"^3\.1\.[0-9]+$"}}},
        "JSONSchema": {"type": "object", "required": ["$schema"],
                       "properties": {"$schema": {"const": "https://json-schema.org/draft/2020-12/schema"}}},
    }


# -- operations ---------------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    name: str
    description: TranslationString
    schema: dict
    required: bool = False
    location: str = "query"
    example: object = None


@dataclass(frozen=True)
class Answer:
    """One documented response: ``schema`` is a JSON Schema (a reference)."""

    description: TranslationString
    schema: dict | None = None
    media_type: str = JSON
    #: names in components/headers sent with it
    headers: tuple = ()


@dataclass(frozen=True)
class Operation:
    route: str
    operation_id: str
    tag: str
    summary: TranslationString
    description: TranslationString
    ok: Answer
    parameters: tuple = ()
    #: why a request is refused with 400 (besides a query string that is not UTF-8)
    refused: TranslationString | None = None
    not_found: TranslationString | None = None
    #: why it may answer 409 (a write it makes lost a race)
    conflict: TranslationString | None = None
    #: where a link to a related document belongs: (route name, description)
    external: tuple | None = None


@dataclass(frozen=True)
class Label:
    """A short text (a title, a link's name): in the document, both
    languages on one line."""

    text: TranslationString


@dataclass(frozen=True)
class Tag:
    name: str
    title: TranslationString
    description: TranslationString


TAGS = (
    Tag("search", _("Search"), _("Full-text search of the procedures in force, in Vietnamese with or without "
                                 "diacritics.")),
    Tag("catalogue", _("Procedure catalogue"), _("The administrative procedures in force, in the catalogue "
                                                 "exchange format.")),
    Tag("statistics", _("Statistics"), _("The one-stop office's figures, as published on the statistics page.")),
    Tag("contract", _("This contract"), _("The documents that describe the API.")),
)

#: the caching headers of a public answer and of its 304 (congdichvu.httpcache)
CACHING = ("ETag", "Last-Modified", "Cache-Control", "Vary")


def _page(maximum):
    return {"type": "integer", "minimum": 1, "maximum": maximum, "default": 1}


def _per_page(default, maximum):
    return {"type": "integer", "minimum": 1, "maximum": maximum, "default": default}


def _choice(values, default=None):
    schema = {"type": "string", "enum": list(values)}
    if default is not None:
        schema["default"] = default
    return schema


def _search_filters():
    """The search's filters, one per facet (search.services.FACETS)."""
    texts = {
        "sector": _("Only procedures of this sector (its code)."),
        "level": _("Only procedures of this level: ${values}.", mapping={"values": ", ".join(LEVELS)}),
        "agency": _("Only procedures this agency handles (its code)."),
        "online_level": _("Only procedures of this online service level: ${values}.",
                          mapping={"values": ", ".join(ONLINE_LEVEL_VALUES)}),
    }
    return tuple(Parameter(name, texts[name], {"type": "string"}) for name in FACETS)


def _search_operations():
    return (
        Operation(
            route="api_search", operation_id="searchProcedures", tag="search",
            summary=_("Search the procedures"),
            description=_("The procedures in force that match the words of q, best first, with the number of "
                          "results each filter value would keep. A filter value the catalogue does not know "
                          "keeps no result; filter values longer than ${limit} characters are cut.",
                          mapping={"limit": MAX_FILTER_LENGTH}),
            parameters=(
                Parameter("q", _("What to look for: words of a procedure's name, papers, result or code, with or "
                                 "without diacritics. Only its first ${limit} characters are read.",
                                 mapping={"limit": MAX_QUERY_CHARS}),
                          {"type": "string", "minLength": 1, "pattern": r"\S"}, required=True, example="khai sinh"),
                Parameter("page", _("Which page of results."), _page(MAX_PAGE)),
                Parameter("per_page", _("Results per page."), _per_page(SEARCH_PER_PAGE, MAX_SEARCH_PER_PAGE)),
                *_search_filters(),
            ),
            ok=Answer(_("The results."), ref("SearchResults"), headers=CACHING),
            refused=_("q is missing or blank; page or per_page is not a whole number within its limits."),
            conflict=_("Rarely, when the database is busy: the search could not be recorded. Send it again."),
        ),
        Operation(
            route="api_search_suggest", operation_id="suggestProcedures", tag="search",
            summary=_("Suggest procedures as a name is typed"),
            description=_("Up to ${count} procedures whose name starts with the words typed (the last word may "
                          "be half typed) or whose code is typed. With format=opensearch, the answer follows the "
                          "OpenSearch suggestions extension instead.", mapping={"count": SUGGESTIONS}),
            parameters=(
                Parameter("q", _("What has been typed so far; without it, no suggestion. Only its first "
                                 "${limit} characters are read.", mapping={"limit": MAX_QUERY_CHARS}),
                          {"type": "string"}, example="đăng ký kh"),
                Parameter("format", _("opensearch for the OpenSearch suggestions form; any other value gives the "
                                      "portal's own form."), {"type": "string", "examples": ["opensearch"]}),
            ),
            ok=Answer(_("The suggestions."), {"oneOf": [ref("Suggestions"), ref("OpenSearchSuggestions")]},
                      headers=CACHING),
        ),
    )


EXCHANGE_FORMAT = ("api_catalog_schema", _("The catalogue exchange format (JSON Schema)"))


def _catalog_operations():
    return (
        Operation(
            route="api_procedures", operation_id="listProcedures", tag="catalogue",
            summary=_("List the procedures"),
            description=_("The procedures in force, a page at a time, each in the catalogue exchange format; "
                          "links lead to the next and previous pages. A page past the last one is empty."),
            parameters=(
                Parameter("sector", _("Only procedures of this sector (its code). An unknown code is refused."),
                          {"type": "string"}, example="HT"),
                Parameter("agency", _("Only procedures this agency handles (its code). An unknown code is "
                                      "refused."), {"type": "string"}),
                Parameter("level", _("Only procedures of this level."), _choice(LEVELS)),
                Parameter("online_level", _("Only procedures of this online service level; none: not "
                                            "classified."), _choice(ONLINE_LEVEL_VALUES)),
                Parameter("q", _("Only procedures whose name holds these words, with or without diacritics. Only "
                                 "its first ${limit} characters are read.", mapping={"limit": MAX_NAME_CHARS}),
                          {"type": "string"}),
                Parameter("sort", _("The order: by name (Vietnamese alphabetical order) or by code."),
                          _choice(SORTS, default="name")),
                Parameter("page", _("Which page."), _page(MAX_PAGE)),
                Parameter("per_page", _("Procedures per page."), _per_page(PER_PAGE, MAX_PER_PAGE), example=5),
            ),
            ok=Answer(_("One page of procedures."), ref("ProcedurePage"), headers=CACHING),
            external=EXCHANGE_FORMAT,
            refused=_("An unknown sector or agency code, a level, online_level or sort not in the list, a page or "
                      "per_page that is not a whole number within its limits."),
        ),
        Operation(
            route="api_procedure", operation_id="getProcedure", tag="catalogue",
            summary=_("One procedure"),
            description=_("A procedure in force, by its national code, in the catalogue exchange format."),
            parameters=(
                Parameter("code", _("The procedure's national code."), ref("CatalogProcedure", "properties", "code"),
                          required=True, location="path", example="1.001193"),
            ),
            ok=Answer(_("The procedure."), ref("CatalogProcedure"), headers=CACHING),
            not_found=_("No procedure in force has this code."),
            external=EXCHANGE_FORMAT,
        ),
        Operation(
            route="api_catalog", operation_id="getCatalog", tag="catalogue",
            summary=_("The whole catalogue"),
            description=_("Every agency, sector and procedure in force, as one file in the catalogue exchange "
                          "format, which the portal also imports. Its generated field is when the catalogue last "
                          "changed."),
            ok=Answer(_("The catalogue file."), ref("Catalog"), headers=CACHING + ("Content-Disposition",)),
            external=EXCHANGE_FORMAT,
        ),
    )


def _statistics_operations():
    day = {"type": "string", "format": "date"}
    return (
        Operation(
            route="api_statistics", operation_id="getStatistics", tag="statistics",
            summary=_("The figures of an agency"),
            description=_("Dossiers received, resolved early, on time or late, in progress, refused and withdrawn, "
                          "with the rates, for an agency over a period of days (the city's time)."),
            parameters=(
                Parameter("agency", _("The agency's code; by default the top agency."), {"type": "string"},
                          example="H56.01"),
                Parameter("from", _("The first day, YYYY-MM-DD, from ${first} to ${last}; by default the first day "
                                    "of this quarter.", mapping={"first": FIRST_DAY.isoformat(),
                                                                 "last": LAST_DAY.isoformat()}),
                          day, example="2018-01-01"),
                Parameter("to", _("The last day, YYYY-MM-DD, not before from, at most ${days} days after it; by "
                                  "default today, or the end of the quarter of from if that is earlier.",
                                  mapping={"days": MAX_DAYS}),
                          day, example="2018-03-31"),
                Parameter("sector", _("Only the dossiers of this sector (its code)."), {"type": "string"}),
                Parameter("procedure", _("Only the dossiers of this procedure (its code, archived ones too)."),
                          {"type": "string"}),
                Parameter("include_children", _("true: the agency and every agency under it, added up. Letter "
                                                "case does not matter."),
                          _choice([value for value in TRUE + FALSE if value], default="false"), example="true"),
            ),
            ok=Answer(_("The figures."), ref("Statistics"), headers=CACHING),
            refused=_("A date that is not a day of the calendar written YYYY-MM-DD or lies outside the years "
                      "allowed, a period that ends before it starts or is too long, an unknown agency, sector or "
                      "procedure, an include_children that is neither true nor false."),
        ),
    )


def _contract_operations():
    return (
        Operation(
            route="api_openapi", operation_id="getOpenAPIDocument", tag="contract",
            summary=_("This document"),
            description=_("The OpenAPI 3.1 description of the public API. It changes only when the portal is "
                          "updated."),
            ok=Answer(_("The OpenAPI document."), ref("OpenAPIDocument"), headers=CACHING),
            external=("api_docs", _("The same, as a page to read")),
        ),
        Operation(
            route="api_catalog_schema", operation_id="getCatalogSchema", tag="contract",
            summary=_("The catalogue exchange format"),
            description=_("The JSON Schema (draft 2020-12) of the catalogue exchange format: the shape of "
                          "catalog.json and of each procedure the API answers."),
            ok=Answer(_("The JSON Schema."), ref("JSONSchema"), media_type=SCHEMA_MEDIA_TYPE, headers=CACHING),
        ),
    )


def operations():
    """Every documented operation, in the order of the page."""
    return _search_operations() + _catalog_operations() + _statistics_operations() + _contract_operations()


# -- the parts every operation shares ---------------------------------------------------


def headers():
    return {
        "ETag": {"description": _("An opaque tag of this version of the answer; send it back in If-None-Match."),
                 "schema": {"type": "string"}},
        "Last-Modified": {"description": _("When the content last changed (HTTP date); send it back in "
                                           "If-Modified-Since."), "schema": {"type": "string"}},
        "Cache-Control": {"description": _("How long a cache may keep the answer."), "schema": {"type": "string"}},
        "Vary": {"description": _("Cookie: the language cookie chooses the language of the messages."),
                 "schema": {"type": "string"}},
        "Content-Disposition": {"description": _("attachment, with the file's name."), "schema": {"type": "string"}},
        "Allow": {"description": _("The methods the API answers: GET, HEAD."), "schema": {"type": "string"}},
    }


def conditional_parameters():
    return {
        "IfNoneMatch": {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"},
                        "description": _("The ETag of a copy already held: 304 when it is still current.")},
        "IfModifiedSince": {"name": "If-Modified-Since", "in": "header", "required": False,
                            "schema": {"type": "string"},
                            "description": _("The Last-Modified of a copy already held: 304 when nothing changed "
                                             "since.")},
    }


def _error(description):
    return {"description": description, "content": {JSON: {"schema": ref("Error")}}}


def shared_responses():
    return {
        "NotModified": {"description": _("The copy the client holds is still current; no body."),
                        "headers": {name: {"$ref": f"#/components/headers/{name}"} for name in CACHING}},
        "TooLarge": _error(_("The request carries a body larger than the portal accepts (the API reads none).")),
        "MethodNotAllowed": dict(_error(_("Any method but GET and HEAD.")),
                                 headers={"Allow": {"$ref": "#/components/headers/Allow"}}),
    }


UNREADABLE = _("The query string or the address is not UTF-8, or the request cannot be read.")


def refusal(operation):
    """Why ``operation`` answers 400."""
    if operation.refused is None:
        return UNREADABLE
    return _("${reason} Also: ${unreadable}", mapping={"reason": operation.refused, "unreadable": UNREADABLE})


# -- the document -----------------------------------------------------------------------


def _parameter(parameter):
    built = {"name": parameter.name, "in": parameter.location, "required": parameter.required,
             "description": parameter.description, "schema": parameter.schema}
    if parameter.example is not None:
        built["example"] = parameter.example
    return built


def _answer(answer):
    built = {"description": answer.description}
    if answer.headers:
        built["headers"] = {name: {"$ref": f"#/components/headers/{name}"} for name in answer.headers}
    if answer.schema is not None:
        built["content"] = {answer.media_type: {"schema": answer.schema}}
    return built


def _responses(operation):
    responses = {"200": _answer(operation.ok), "304": {"$ref": "#/components/responses/NotModified"},
                 "400": _error(refusal(operation))}
    if operation.not_found is not None:
        responses["404"] = _error(operation.not_found)
    if operation.conflict is not None:
        responses["409"] = _error(operation.conflict)
    responses["413"] = {"$ref": "#/components/responses/TooLarge"}
    return responses


def _operation(operation, urls):
    built = {
        "operationId": operation.operation_id,
        "tags": [operation.tag],
        "summary": Label(operation.summary),
        "description": operation.description,
        "parameters": [_parameter(parameter) for parameter in operation.parameters]
        + [{"$ref": "#/components/parameters/IfNoneMatch"}, {"$ref": "#/components/parameters/IfModifiedSince"}],
        "responses": _responses(operation),
    }
    if operation.external is not None:
        route, description = operation.external
        built["externalDocs"] = {"url": urls[route], "description": Label(description)}
    return built


def paths(patterns, urls):
    """{path: {"get": operation}}; ``patterns`` maps route names to their patterns."""
    return {patterns[operation.route]: {"get": _operation(operation, urls)} for operation in operations()}


def components():
    return {
        "schemas": {**catalog_components(exchange.load_schema()), **own_schemas()},
        "parameters": conditional_parameters(),
        "responses": shared_responses(),
        "headers": headers(),
    }


def document(public_url, patterns, portal_name):
    """The OpenAPI document, its texts still translation strings (see
    ``translated``). ``public_url`` is the portal's address (the
    congdichvu.public_url setting, never a request's Host), ``patterns``
    {route name: pattern} of the routes it names."""
    urls = {name: public_url + pattern for name, pattern in patterns.items()}
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": Label(_("Public API of ${portal}", mapping={"portal": portal_name})),
            "version": API_VERSION,
            "description": _("Read-only, open to anyone, no key: the administrative procedures in force, their "
                             "search, and the one-stop office's figures. Answers are JSON in UTF-8; errors are "
                             "{\"error\": message}, the message in Vietnamese unless the language cookie says "
                             "English. An empty parameter is the same as one left out; parameters not listed are "
                             "ignored. Public answers carry ETag, Last-Modified and Cache-Control and answer 304 "
                             "to If-None-Match or If-Modified-Since when nothing changed. HEAD answers as GET "
                             "without a body; any other method is answered 405."),
        },
        "servers": [{"url": public_url, "description": Label(_("This portal"))}],
        "externalDocs": {"url": urls["api_docs"], "description": Label(_("The documentation page"))},
        "tags": [{"name": tag.name, "x-displayName": Label(tag.title), "description": tag.description}
                 for tag in TAGS],
        "paths": paths(patterns, urls),
        "components": components(),
    }


#: the route names the document needs patterns for
ROUTES = tuple(operation.route for operation in operations()) + ("api_docs",)


def english(message):
    """``message`` in English (its msgid), the messages in its mapping too."""
    mapping = {name: english(value) if isinstance(value, TranslationString) else value
               for name, value in (message.mapping or {}).items()}
    return TranslationString(message, mapping=mapping).interpolate()


def translated(node, vietnamese):
    """``node`` with every translation string written in Vietnamese
    (``vietnamese(message)``), then in English when that differs: a
    paragraph each, or for a Label, "tiếng Việt (English)"."""
    if isinstance(node, Label):
        local, original = vietnamese(node.text), english(node.text)
        return original if local == original else f"{local} ({original})"
    if isinstance(node, TranslationString):
        local, original = vietnamese(node), english(node)
        return original if local == original else f"{local}\n\n{original}"
    if isinstance(node, dict):
        return {name: translated(value, vietnamese) for name, value in node.items()}
    if isinstance(node, (list, tuple)):
        return [translated(item, vietnamese) for item in node]
    return node


def document_bytes(public_url, patterns, portal_name, vietnamese):
    """The document as UTF-8 JSON, its texts in Vietnamese then English."""
    built = translated(document(public_url, patterns, portal_name), vietnamese)
    return json.dumps(built, ensure_ascii=False, indent=1).encode("utf-8")
