"""The API's contract, served: the OpenAPI document
(``/api/v1/openapi.json``), its page (``/api/v1/docs``) and the catalogue
exchange format's JSON Schema (``/api/v1/catalog.schema.json``). All three
change only with a deploy, so the page cache may keep them."""
from urllib.parse import urlencode

from pyramid.interfaces import IRoutesMapper
from pyramid.response import Response
from pyramid.view import view_config

from ..catalog import exchange
from ..i18n import _, official_translate
from ..i18n.formatting import format_number
from ..ingress import PublicURL
from ..pagecache import mark_cacheable
from ..security import Permissions
from . import openapi

#: where the registry keeps the document's bytes, made on first request
DOCUMENT_KEY = "congdichvu.api.openapi"
SCHEMA_KEY = "congdichvu.api.catalog_schema"


def route_patterns(registry):
    """{route name: pattern} of the routes the document names (from routes.py)."""
    mapper = registry.getUtility(IRoutesMapper)
    return {name: mapper.get_route(name).pattern for name in openapi.ROUTES}


def public_url(registry):
    """The portal's address without a final slash, from congdichvu.public_url."""
    return PublicURL(registry.settings["congdichvu.public_url"]).url


def document_bytes(registry):
    """The OpenAPI document as UTF-8 JSON, made once per process."""
    body = registry.get(DOCUMENT_KEY)
    if body is None:
        body = registry[DOCUMENT_KEY] = openapi.document_bytes(
            public_url(registry), route_patterns(registry), registry.settings["congdichvu.portal_name"],
            official_translate(registry))
    return body


def _json_file(body, content_type):
    response = Response(body=body, charset="utf-8")
    response.content_type = content_type
    return response


@view_config(route_name="api_openapi", permission=Permissions.VIEW_PUBLIC, request_method=("GET", "HEAD"))
def openapi_document(request):
    """The OpenAPI 3.1 document (application/json), texts in Vietnamese then English."""
    mark_cacheable(request)
    return _json_file(document_bytes(request.registry), openapi.JSON)


@view_config(route_name="api_catalog_schema", permission=Permissions.VIEW_PUBLIC, request_method=("GET", "HEAD"))
def catalog_schema(request):
    """The package's catalog.schema.json, byte for byte."""
    mark_cacheable(request)
    body = request.registry.get(SCHEMA_KEY)
    if body is None:
        body = request.registry[SCHEMA_KEY] = exchange.SCHEMA_PATH.read_bytes()
    return _json_file(body, openapi.SCHEMA_MEDIA_TYPE)


# -- the page -----------------------------------------------------------------------


def constraint(schema):
    """What a parameter's ``schema`` allows, as translation strings."""
    words = []
    if "enum" in schema:
        words.append(_("one of: ${values}", mapping={"values": ", ".join(schema["enum"])}))
    elif schema.get("type") == "integer":
        words.append(_("a whole number from ${minimum} to ${maximum}", mapping={
            "minimum": format_number(schema["minimum"]), "maximum": format_number(schema["maximum"])}))
    elif schema.get("format") == "date":
        words.append(_("a date, YYYY-MM-DD"))
    elif schema.get("minLength"):
        words.append(_("text, not empty"))
    else:
        words.append(_("text"))
    if "default" in schema:
        words.append(_("default: ${value}", mapping={"value": schema["default"]}))
    return words


def _resolve(schema, schemas):
    """``schema`` itself, or what its local reference points at."""
    reference = schema.get("$ref", "")
    if not reference.startswith(openapi.SCHEMAS):
        return schema
    found = schemas
    for part in reference[len(openapi.SCHEMAS):].split("/"):
        found = found[part]
    return found


def example_url(operation, base, patterns):
    """The address of ``operation`` with its parameters' examples, after ``base``."""
    path = patterns[operation.route]
    query = []
    for parameter in operation.parameters:
        if parameter.example is None:
            continue
        if parameter.location == "path":
            path = path.replace("{" + parameter.name + "}", str(parameter.example))
        else:
            query.append((parameter.name, str(parameter.example)))
    return base + path + (("?" + urlencode(query)) if query else "")


def _responses(operation):
    """[(status, description msgid, schema name or None)] of an operation."""
    answers = [("200", operation.ok.description, _schema_name(operation.ok.schema)),
               ("304", _("Not modified: the copy already held is current."), None),
               ("400", openapi.refusal(operation), "Error")]
    if operation.not_found is not None:
        answers.append(("404", operation.not_found, "Error"))
    if operation.conflict is not None:
        answers.append(("409", operation.conflict, "Error"))
    answers.append(("413", _("A request body larger than the portal accepts."), "Error"))
    return answers


def _schema_name(schema):
    if schema is None:
        return None
    if "oneOf" in schema:
        return " | ".join(_schema_name(choice) for choice in schema["oneOf"])
    return schema["$ref"].rsplit("/", 1)[-1]


def describe(operation, base, patterns, schemas):
    """What the page shows of one operation."""
    return {
        "id": operation.operation_id,
        "method": "GET",
        "path": patterns[operation.route],
        "summary": operation.summary,
        "description": operation.description,
        "parameters": [
            {"name": parameter.name, "location": parameter.location, "required": parameter.required,
             "constraint": constraint(_resolve(parameter.schema, schemas)), "description": parameter.description}
            for parameter in operation.parameters
        ],
        "responses": _responses(operation),
        "example": example_url(operation, base, patterns),
        "media_type": operation.ok.media_type,
        "external": operation.external,
    }


def type_label(schema):
    """A short name of a property's type: ``integer``, ``array of SearchResult``, ``string (date)``…"""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    kind = schema.get("type", "")
    if isinstance(kind, list):
        kind = " | ".join(kind)
    if kind == "array" and "items" in schema:
        return f"array of {type_label(schema['items'])}"
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    if "properties" in schema:
        return f"object ({', '.join(schema['properties'])})"
    return kind or "object"


def shape_rows(schema):
    """[(property, type label, required)] of an object schema."""
    required = set(schema.get("required", ()))
    return [(name, type_label(value), name in required) for name, value in schema.get("properties", {}).items()]


#: the shapes the page lists (the catalogue's are in its JSON Schema)
SHAPES = ("SearchResults", "SearchResult", "Suggestions", "OpenSearchSuggestions", "ProcedurePage", "Statistics",
          "Error")


@view_config(route_name="api_docs", renderer="api/docs.jinja2", permission=Permissions.VIEW_PUBLIC,
             request_method=("GET", "HEAD"))
def docs(request):
    """The document as a page in the visitor's language: per operation its
    parameters, answers and an example address; then the answers' shapes."""
    mark_cacheable(request)
    registry = request.registry
    base, patterns = public_url(registry), route_patterns(registry)
    schemas = openapi.components()["schemas"]
    return {
        "base": base,
        "tags": [
            (tag, [describe(operation, base, patterns, schemas)
                   for operation in openapi.operations() if operation.tag == tag.name])
            for tag in openapi.TAGS
        ],
        "shapes": [(name, schemas[name].get("description"), shape_rows(schemas[name])) for name in SHAPES],
        "shape_names": set(SHAPES),
    }
