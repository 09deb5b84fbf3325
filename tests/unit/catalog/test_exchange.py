import json
import unicodedata
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from congdichvu.catalog import exchange
from congdichvu.catalog.models import Channel, Fee, LegalBasis, Paper, Procedure
from tests.factories import demo_document, document, procedure_entry


def _paths(problems):
    return [problem.path for problem in problems]


def _count(dbsession, model):
    return dbsession.scalar(select(func.count()).select_from(model))


def test_the_demo_catalogue_is_valid(dbsession):
    assert exchange.validate_document(demo_document(), dbsession) == []


def test_every_schema_error_is_reported_with_its_json_path():
    doc = document(procedures=[procedure_entry()])
    doc["procedures"][0]["code"] = "abc"
    doc["procedures"][0]["level"] = "village"
    doc["procedures"][0]["channels"][0]["fees"][0]["amount"] = -5
    del doc["procedures"][0]["result"]
    doc["procedures"][0]["surprise"] = True
    problems = exchange.validate_document(doc)
    assert set(_paths(problems)) == {
        "$.procedures[0]",  # missing result, unknown field
        "$.procedures[0].code",
        "$.procedures[0].level",
        "$.procedures[0].channels[0].fees[0].amount",
    }
    assert len(problems) == 5


def test_the_validator_with_definitions_inlined_finds_what_the_schema_finds():
    from jsonschema import Draft202012Validator, FormatChecker

    plain = Draft202012Validator(exchange.load_schema(), format_checker=FormatChecker())
    doc = document(procedures=[procedure_entry(), procedure_entry(code="x", name="", steps=[5])])
    doc["procedures"][0]["channels"][0]["time"]["unit"] = "week"
    doc["procedures"][0]["legal_bases"][0]["issued"] = "31/12/2024"

    def found(validator):
        return sorted((error.json_path, error.validator, error.message) for error in validator.iter_errors(doc))

    assert found(exchange._VALIDATOR) == found(plain) and len(found(plain)) >= 5
    assert '"$ref"' not in json.dumps(exchange._VALIDATOR.schema["properties"])


def _mutations(node, path=()):
    """(path, replacement) for every value in ``node``: other types, blank,
    out of range, odd dates and numbers, and for objects an unknown field
    and each field missing."""
    odd = [None, True, False, 0, -1, 1.0, 1.5, 10**20, "", " ", "x", "2024-02-30", "2024-1-01", "2024-01-01\n",
           "1.000001\n", [], [None], {}, {"x": 1}]
    for replacement in odd:
        yield path, replacement
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, {k: v for k, v in node.items() if k != key}
            yield from _mutations(value, path + (key,))
        yield path, {**node, "surprise": 1}
    elif isinstance(node, list):
        for position, value in enumerate(node):
            yield from _mutations(value, path + (position,))


def _replaced(document, path, value):
    copy = json.loads(json.dumps(document))
    if not path:
        return value
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy


def test_the_fast_check_never_passes_what_jsonschema_refuses():
    """fastjsonschema's yes is trusted: it must not pass any document
    jsonschema finds an error in (a stricter no only costs time)."""
    doc = document(procedures=[procedure_entry(), procedure_entry(code="1.000002", name="Hai")])
    doc["procedures"][0]["legal_bases"][0]["issued"] = "2024-02-29"
    tried = 0
    for path, value in _mutations(doc):
        changed = _replaced(doc, path, value)
        refused = any(True for _error in exchange._VALIDATOR.iter_errors(changed))
        if refused:
            assert not exchange._IS_VALID(changed), (path, value)
        tried += 1
    assert exchange._IS_VALID(doc) and tried > 1000


def test_a_valid_file_skips_the_slow_validation_and_is_left_as_it_was(monkeypatch):
    monkeypatch.setattr(exchange, "_VALIDATOR", None)  # would fail if used
    doc = demo_document()
    before = json.dumps(doc, sort_keys=True)
    assert exchange.validate_document(doc) == []
    assert json.dumps(doc, sort_keys=True) == before  # no schema default written into it


def test_a_recursive_definition_stays_a_reference():
    node = {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}
    schema = {"$defs": {"node": node}, "type": "object", "properties": {"root": {"$ref": "#/$defs/node"}}}
    inlined = exchange._inline_definitions(schema, schema["$defs"])
    assert inlined["properties"]["root"]["properties"]["children"]["items"] == {"$ref": "#/$defs/node"}
    validator = exchange._validator(schema)
    assert not validator.is_valid({"root": {"children": [{"children": [{"children": 3}]}]}})
    assert validator.is_valid({"root": {"children": [{"children": []}]}})


def test_wrong_types_and_bad_dates_are_reported():
    doc = document(procedures=[procedure_entry()])
    doc["procedures"][0]["papers"][0]["originals"] = "one"
    doc["procedures"][0]["legal_bases"][0]["issued"] = "2024-13-45"
    problems = exchange.validate_document(doc)
    assert _paths(problems) == ["$.procedures[0].legal_bases[0].issued", "$.procedures[0].papers[0].originals"]


def test_references_must_resolve(dbsession):
    doc = document(
        agencies=[{"code": "X1", "name": "A", "level": "commune", "parent": "NOPE"}],
        procedures=[procedure_entry(sector="NOPE", agencies=["H56.01", "GHOST"])],
    )
    problems = exchange.validate_document(doc, dbsession)
    assert _paths(problems) == [
        "$.agencies[0].parent",
        "$.procedures[0].sector",
        "$.procedures[0].agencies[1]",
    ]


def test_duplicate_codes_and_parent_cycles_are_refused():
    doc = document(
        agencies=[
            {"code": "A1", "name": "A", "level": "commune", "parent": "A2"},
            {"code": "A2", "name": "B", "level": "commune", "parent": "A1"},
        ],
        sectors=[{"code": "S", "name": "S"}, {"code": "S", "name": "S again"}],
        procedures=[procedure_entry(sector="S")],
    )
    problems = exchange.validate_document(doc)
    assert "$.sectors[1].code" in _paths(problems)
    assert _paths(problems).count("$.agencies[0].parent") == 1
    assert _paths(problems).count("$.agencies[1].parent") == 1


def test_invalid_json_reports_line_and_column():
    with pytest.raises(exchange.CatalogInvalid) as caught:
        exchange.parse('{"format": "congdichvu-catalog",\n "version": 1,,}')
    (problem,) = caught.value.problems
    assert problem.path == "$"
    assert problem.message.mapping["line"] == 2


def test_an_invalid_file_writes_nothing(dbsession):
    before = _count(dbsession, Procedure)
    doc = document(sectors=[{"code": "NEW", "name": "Mới"}], procedures=[procedure_entry(sector="NEW"), {"code": "bad"}])
    with pytest.raises(exchange.CatalogInvalid):
        exchange.import_catalog(dbsession, doc)
    assert _count(dbsession, Procedure) == before
    assert dbsession.scalar(select(Procedure).where(Procedure.code == "1.999001")) is None


def test_import_creates_then_is_idempotent(dbsession):
    doc = document(procedures=[procedure_entry()])
    first = exchange.import_catalog(dbsession, doc, now=datetime(2025, 1, 1, tzinfo=timezone.utc))
    assert first.created["procedures"] == 1
    counts = {model: _count(dbsession, model) for model in (Procedure, Channel, Fee, Paper, LegalBasis)}

    second = exchange.import_catalog(dbsession, doc, now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert second.unchanged["procedures"] == 1 and not second.changed
    assert {model: _count(dbsession, model) for model in counts} == counts
    procedure = dbsession.scalar(select(Procedure).where(Procedure.code == "1.999001"))
    assert procedure.updated_at.year == 2025  # untouched when nothing changed


def test_generated_is_the_utc_instant_of_the_last_change(dbsession):
    # 09:15 in Thái Nguyên, as a caller holding local time would pass it
    local = datetime(2026, 3, 3, 9, 15, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    exchange.import_catalog(dbsession, document(procedures=[procedure_entry()]), now=local)
    exported = exchange.export_catalog(dbsession)
    assert exported["generated"] == "2026-03-03T02:15:30Z"
    assert datetime.fromisoformat(exported["generated"]) == local
    dbsession.flush()
    dbsession.expire_all()
    assert dbsession.scalar(select(Procedure.updated_at).where(Procedure.code == "1.999001")) == local


def test_a_changed_procedure_is_updated_in_place(dbsession):
    exchange.import_catalog(dbsession, document(procedures=[procedure_entry()]))
    changed = procedure_entry(name="Thủ tục đã sửa tên")
    changed["channels"][0]["fees"][0]["amount"] = 2000000
    changed["papers"].append({"name": "Bản sao", "originals": 0, "copies": 1, "required": False})
    report = exchange.import_catalog(dbsession, document(procedures=[changed]))
    assert report.updated["procedures"] == 1
    procedure = dbsession.scalar(select(Procedure).where(Procedure.code == "1.999001"))
    dbsession.refresh(procedure)
    assert procedure.name == "Thủ tục đã sửa tên"
    assert procedure.channels[0].fees[0].amount == 2000000
    assert [paper.name for paper in procedure.papers] == ["Tờ khai", "Bản sao"]
    assert exchange.procedure_to_dict(procedure) == exchange.canonical_procedure(changed)


def test_text_is_stored_in_nfc(dbsession):
    decomposed = unicodedata.normalize("NFD", "Đăng ký thử")
    exchange.import_catalog(dbsession, document(procedures=[procedure_entry(name=decomposed)]))
    procedure = dbsession.scalar(select(Procedure).where(Procedure.code == "1.999001"))
    assert procedure.name == unicodedata.normalize("NFC", decomposed)


def test_export_of_the_demo_matches_the_demo_file(dbsession):
    exported = exchange.export_catalog(dbsession)
    original = demo_document()
    for doc in (exported, original):
        doc.pop("generated", None)
    assert exported == original


def test_export_is_stable_when_nothing_changes(dbsession):
    assert exchange.dumps(exchange.export_catalog(dbsession)) == exchange.dumps(exchange.export_catalog(dbsession))


def test_numbers_keep_their_json_form():
    channel = exchange.canonical_channel(
        {"channel": "online", "time": {"value": 15.0, "unit": "day"}, "fees": []}
    )
    assert channel["time"]["value"] == 15 and isinstance(channel["time"]["value"], int)


def _papers_shown_and_handed_in(**shown):
    return procedure_entry(papers=[
        {"name": "Tờ khai", "originals": 1, "copies": 0, "required": True},
        {"name": "Căn cước", "originals": 1, "copies": 0, "required": True,
         "note": "Xuất trình để đối chiếu, không nộp", **shown},
    ])


def test_a_paper_only_shown_round_trips_and_an_absent_flag_stays_absent(dbsession):
    entry = _papers_shown_and_handed_in(presented_only=True)
    exchange.import_catalog(dbsession, document(procedures=[entry]))
    procedure = dbsession.scalar(select(Procedure).where(Procedure.code == "1.999001"))
    assert [paper.presented_only for paper in procedure.papers] == [False, True]
    exported = exchange.procedure_to_dict(procedure)
    assert exported["papers"] == entry["papers"]  # handed in: no flag written; shown: true
    assert exchange.dumps(exported) == exchange.dumps(exchange.canonical_procedure(entry))
    # an explicit false is the same as no flag, and changes nothing
    unflagged = _papers_shown_and_handed_in(presented_only=False)
    assert "presented_only" not in exchange.canonical_procedure(unflagged)["papers"][1]
    report = exchange.import_catalog(dbsession, document(procedures=[unflagged]))
    assert report.updated["procedures"] == 1 and procedure.papers[1].presented_only is False


def test_the_flag_is_not_guessed_from_the_note(dbsession):
    exchange.import_catalog(dbsession, document(procedures=[_papers_shown_and_handed_in()]))
    procedure = dbsession.scalar(select(Procedure).where(Procedure.code == "1.999001"))
    assert procedure.papers[1].presented_only is False


def test_a_flag_that_is_not_true_or_false_is_refused():
    problems = exchange.validate_document(document(procedures=[_papers_shown_and_handed_in(presented_only="có")]))
    assert _paths(problems) == ["$.procedures[0].papers[1].presented_only"]
    assert problems[0].message.mapping["expected"] == "boolean"


def test_the_demo_marks_the_papers_only_shown(dbsession):
    procedure = dbsession.scalar(select(Procedure).where(Procedure.code == "1.001193"))
    shown = [paper.name for paper in procedure.papers if paper.presented_only]
    assert len(shown) == 1 and shown[0].startswith("Giấy tờ tùy thân của người đi đăng ký khai sinh")


@pytest.mark.parametrize("name", ["../../../x.pdf", "..\\..\\x.pdf", "/etc/x.pdf", "a/b.pdf", ".x.pdf", "x.pdf\n",
                                  "tờ-khai.docx", "x\x00.pdf", ""])
def test_a_blank_form_name_must_be_a_plain_file_name(app, dbsession, name):
    from congdichvu.i18n import official_translate

    doc = document(procedures=[procedure_entry(papers=[
        {"name": "Tờ khai", "originals": 1, "copies": 0, "required": True, "template": "to-khai.docx"},
        {"name": "Đơn", "originals": 1, "copies": 0, "required": True, "template": name},
    ])])
    (problem,) = exchange.validate_document(doc, dbsession)
    assert problem.path == "$.procedures[0].papers[1].template"
    message = official_translate(app.registry)(problem.message)
    assert message.startswith("Tên tệp chỉ được gồm chữ cái không dấu") and "to-khai-dang-ky-khai-sinh.docx" in message


def test_the_schema_and_the_code_share_the_blank_form_name_rule():
    from congdichvu.catalog.forms import FILE_NAME_PATTERN

    paper = exchange.load_schema()["$defs"]["paper"]["properties"]["template"]
    assert paper["pattern"] == FILE_NAME_PATTERN


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400", "10001", "-0.5"])
def test_a_processing_time_must_be_a_number_from_0_to_10000(dbsession, value):
    doc = document(procedures=[procedure_entry()])
    text = json.dumps(doc).replace('"value": 5', f'"value": {value}', 1)
    assert f'"value": {value}' in text
    try:
        problems = exchange.validate_document(exchange.parse(text), dbsession)
    except exchange.CatalogInvalid as refused:  # NaN and Infinity: not JSON numbers
        problems = refused.problems
    assert _paths(problems) in (["$"], ["$.procedures[0].channels[0].time.value"])


def test_a_processing_time_in_half_days_is_kept(dbsession):
    doc = document(procedures=[procedure_entry()])
    doc["procedures"][0]["channels"][0]["time"]["value"] = 0.5
    assert exchange.validate_document(exchange.parse(json.dumps(doc)), dbsession) == []


def test_the_schema_and_the_calendar_share_the_longest_processing_time():
    from congdichvu.calendar.service import MAX_DURATION

    assert exchange.load_schema()["$defs"]["duration"]["properties"]["value"]["maximum"] == MAX_DURATION
