"""The machine-readable catalogue."""
import json

from congdichvu.catalog import exchange
from tests.factories import demo_document


def test_procedure_in_the_exchange_format(testapp):
    response = testapp.get("/api/v1/procedures/1.001193")
    assert response.content_type == "application/json"
    data = response.json
    original = next(p for p in demo_document()["procedures"] if p["code"] == "1.001193")
    assert data == original
    assert exchange._VALIDATOR.is_valid(dict(demo_document(), procedures=[data]))


def test_unknown_code_is_a_json_404(testapp):
    response = testapp.get("/api/v1/procedures/9.999999", status=404)
    assert response.json["error"] == "Không tìm thấy."


def test_list_is_paginated_and_filterable(testapp):
    data = testapp.get("/api/v1/procedures", params={"level": "province", "per_page": 2}).json
    assert data["total"] == 5 and data["pages"] == 3 and data["page"] == 1
    assert len(data["procedures"]) == 2
    assert all(p["level"] == "province" for p in data["procedures"])
    assert "next" in data["links"] and "prev" not in data["links"]
    follow = testapp.get(data["links"]["next"].replace("http://example.com", "")).json
    assert follow["page"] == 2 and "prev" in follow["links"]


def test_filters_by_sector_and_agency(testapp):
    sector = testapp.get("/api/v1/procedures", params={"sector": "HT", "per_page": 100}).json
    assert sector["total"] > 0 and all(p["sector"] == "HT" for p in sector["procedures"])
    agency = testapp.get("/api/v1/procedures", params={"agency": "H56.01.CA", "per_page": 100}).json
    assert agency["total"] == 8
    assert all("H56.01.CA" in p["agencies"] for p in agency["procedures"])


def test_a_page_past_the_end_is_empty(testapp):
    data = testapp.get("/api/v1/procedures", params={"page": 50}).json
    assert data["procedures"] == [] and data["total"] == 89


def test_bad_parameters_are_400_with_a_vietnamese_reason(testapp):
    for params in ({"page": "abc"}, {"page": "-1"}, {"page": str(10**9)}, {"sort": "price"},
                   {"level": "village"}, {"sector": "NOPE"}, {"per_page": "0"}, {"online_level": "7"}):
        response = testapp.get("/api/v1/procedures", params=params, status=400)
        assert response.json["error"]
        assert response.json["error"] != "Not found."
    assert "phải là số nguyên" in testapp.get("/api/v1/procedures", params={"page": "abc"}, status=400).json["error"]


def test_the_whole_catalogue_downloads_in_the_exchange_format(testapp):
    response = testapp.get("/api/v1/catalog.json")
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.body.decode("utf-8"))
    assert exchange.validate_document(data) == []
    assert len(data["procedures"]) == 89 and len(data["agencies"]) == 48
