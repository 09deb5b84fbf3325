"""A procedure page costs the same number of queries however big it is."""

from congdichvu.catalog import exchange
from tests.factories import document, procedure_entry


def _big_procedure(code, size):
    entry = procedure_entry(code=code, agencies=["H56.01.P01", "H56.01.P02"][: max(1, min(size, 2))])
    entry["channels"] = [
        {
            "channel": channel,
            "time": {"value": 3, "unit": "working_day"},
            "fees": [{"name": f"Phí {i}", "amount": 1000 * i} for i in range(size)],
        }
        for channel in ("in_person", "online", "postal")
    ]
    entry["papers"] = [
        {"name": f"Giấy tờ {i}", "originals": 1, "copies": 0, "required": i % 2 == 0,
         "template": "to-khai-dang-ky-khai-sinh.docx" if i % 3 == 0 else f"khong-co-{i}.docx",
         "group": f"Trường hợp {i % 3}" if i % 2 else None}
        for i in range(size)
    ]
    for paper in entry["papers"]:
        if paper["group"] is None:
            del paper["group"]
    entry["legal_bases"] = [{"number": f"{i}/2024/NĐ-CP", "title": f"Nghị định {i}"} for i in range(size)]
    entry["steps"] = [f"Bước {i}" for i in range(size)]
    return entry


def _queries_for(testapp, query_counter, code):
    query_counter.clear()
    testapp.get(f"/thu-tuc/{code}", headers={"Cache-Control": "no-cache"})
    return len(query_counter)


def test_procedure_page_has_no_n_plus_one(testapp, dbsession, query_counter):
    exchange.import_catalog(
        dbsession, document(procedures=[_big_procedure("1.999101", 1), _big_procedure("1.999102", 40)])
    )
    dbsession.flush()
    small = _queries_for(testapp, query_counter, "1.999101")
    large = _queries_for(testapp, query_counter, "1.999102")
    assert small == large
    assert small <= 12


def test_browse_page_query_count_does_not_grow_with_page_size(testapp, query_counter):
    query_counter.clear()
    testapp.get("/thu-tuc", params={"per_page": 5}, headers={"Cache-Control": "no-cache"})
    few = len(query_counter)
    query_counter.clear()
    testapp.get("/thu-tuc", params={"per_page": 100}, headers={"Cache-Control": "no-cache"})
    assert len(query_counter) == few
