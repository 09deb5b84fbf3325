"""api.openapi: a valid OpenAPI 3.1 document, made from what the code
already says (routes, the exchange format's schema, the views' limits)
rather than a second copy of it."""
from datetime import date
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from pyramid.config import Configurator
from pyramid.interfaces import IRoutesMapper

from congdichvu.api import openapi
from congdichvu.api.views import constraint, route_patterns
from congdichvu.catalog import exchange
from congdichvu.catalog.params import MAX_PER_PAGE
from congdichvu.i18n import _
from congdichvu.search.services import FACETS
from congdichvu.stats.figures import Figures

ROOT = Path(__file__).resolve().parents[3]
PUBLIC_URL = "https://dichvucong.example.vn"


@pytest.fixture(scope="module")
def registry():
    """A registry holding the routes of routes.py, nothing else."""
    config = Configurator(settings={"congdichvu.static_dir": str(ROOT / "static")})
    config.include("congdichvu.routes")
    config.commit()
    return config.registry


@pytest.fixture(scope="module")
def document(registry):
    """The document in English (the msgids), as a client without the catalogues would read it."""
    return openapi.translated(openapi.document(PUBLIC_URL, route_patterns(registry), "Cổng"), openapi.english)


def test_the_document_is_valid_openapi_3_1(document):
    validate(document)
    assert document["openapi"] == "3.1.0"


def test_every_api_route_is_documented_at_its_own_path(registry, document):
    routes = [route for route in registry.getUtility(IRoutesMapper).get_routes() if route.name.startswith("api_")]
    documented = {route.pattern for route in routes if route.name != "api_docs"}  # the page is HTML
    assert documented == set(document["paths"])
    assert {"/api/v1/search", "/api/v1/procedures/{code}", "/api/v1/statistics"} <= documented


def test_addresses_come_from_the_public_url(document):
    assert document["servers"][0]["url"] == PUBLIC_URL
    assert document["externalDocs"]["url"] == PUBLIC_URL + "/api/v1/docs"
    catalog = document["paths"]["/api/v1/catalog.json"]["get"]
    assert catalog["externalDocs"]["url"] == PUBLIC_URL + "/api/v1/catalog.schema.json"


def test_the_exchange_format_is_referenced_not_copied(document):
    """The components named Catalog… are the file's definitions, their
    references pointed at each other: a change to the file changes them."""
    schemas = document["components"]["schemas"]
    definitions = exchange.load_schema()["$defs"]
    assert {openapi.catalog_name(name) for name in definitions} < set(schemas)
    assert schemas["CatalogProcedure"]["properties"]["code"] == definitions["procedure"]["properties"]["code"]
    procedure = {"$ref": "#/components/schemas/CatalogProcedure"}
    channel = {"$ref": "#/components/schemas/CatalogChannel"}
    assert schemas["CatalogProcedure"]["properties"]["channels"]["items"] == channel
    assert schemas["Catalog"]["properties"]["procedures"]["items"] == procedure
    responses = document["paths"]["/api/v1/procedures/{code}"]["get"]["responses"]
    assert responses["200"]["content"]["application/json"]["schema"] == procedure


def _references(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def test_every_reference_resolves(document):
    for reference in set(_references(document)):
        assert reference.startswith("#/"), reference
        found = document
        for part in reference[2:].split("/"):
            found = found[part]


def test_the_demo_catalogues_procedures_are_catalog_procedures(document):
    """Checked through the components, as a client reading the document would."""
    components = document["components"]
    # the components beside the schema, so that its "#/components/…" references resolve
    validator = Draft202012Validator(dict(components["schemas"]["CatalogProcedure"], components=components))
    demo = exchange.read_file(ROOT / "src" / "congdichvu" / "data" / "demo-catalog.json")
    for entry in demo["procedures"]:
        assert list(validator.iter_errors(entry)) == [], entry["code"]
    assert list(validator.iter_errors(dict(demo["procedures"][0], code="not a code")))


def test_the_statistics_shape_is_that_of_the_figures(document):
    """Figures.as_json (stats.figures), with every count set, is exactly
    the Statistics component: a name added there fails here."""
    counted = {name: 1 for name in Figures.__dataclass_fields__ if name not in ("agency", "start", "end")}
    body = Figures(agency="H56.01", start=date(2018, 1, 1), end=date(2018, 3, 31), **counted).as_json()
    body["include_children"] = True
    validator = Draft202012Validator(document["components"]["schemas"]["Statistics"])
    assert list(validator.iter_errors(body)) == []
    assert list(validator.iter_errors(dict(body, sector="HT", procedure="1.001193"))) == []
    assert list(validator.iter_errors(dict(body, unexpected=1)))  # closed: a new name must be documented


def test_limits_are_the_views_own(document):
    procedures = {p["name"]: p for p in document["paths"]["/api/v1/procedures"]["get"]["parameters"] if "name" in p}
    assert procedures["per_page"]["schema"]["maximum"] == MAX_PER_PAGE
    search = {p["name"] for p in document["paths"]["/api/v1/search"]["get"]["parameters"] if "name" in p}
    assert set(FACETS) < search


def test_every_get_documents_caching_and_304(document):
    for path, item in document["paths"].items():
        responses = item["get"]["responses"]
        assert responses["304"] == {"$ref": "#/components/responses/NotModified"}, path
        assert set(responses["200"]["headers"]) >= {"ETag", "Last-Modified", "Cache-Control"}, path
        assert {"$ref": "#/components/parameters/IfNoneMatch"} in item["get"]["parameters"], path
        for status in ("400", "413"):
            assert status in responses, (path, status)


def test_texts_carry_vietnamese_then_english():
    vietnamese = {"Search": "Tìm kiếm", "What was wrong.": "Có gì sai."}.get
    assert openapi.translated(openapi.Label(_("Search")), vietnamese) == "Tìm kiếm (Search)"
    assert openapi.translated(_("What was wrong."), vietnamese) == "Có gì sai.\n\nWhat was wrong."
    assert openapi.translated(_("API"), lambda message: "API") == "API"  # the same in both: once


def test_english_fills_nested_messages():
    message = _("${reason} Also: ${more}", mapping={"reason": _("${n} is wrong.", mapping={"n": 3}), "more": "x"})
    assert openapi.english(message) == "3 is wrong. Also: x"


def test_the_page_words_what_a_parameter_allows():
    assert constraint({"type": "integer", "minimum": 1, "maximum": 100000, "default": 1})[0].mapping == {
        "minimum": "1", "maximum": "100.000"}
    assert [str(words) for words in constraint({"type": "string", "enum": ["name", "code"], "default": "name"})] == [
        "one of: ${values}", "default: ${value}"]
    assert [str(words) for words in constraint({"type": "string", "format": "date"})] == ["a date, YYYY-MM-DD"]
