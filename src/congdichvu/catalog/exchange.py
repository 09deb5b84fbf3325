"""The catalogue exchange format (``catalog.schema.json``): validate, import,
export.

The schema file is the contract. Import writes nothing unless the whole file
is valid, and is idempotent: codes are identities, an unchanged entry is left
untouched (its last-updated date too), a changed one is updated. Export
writes the canonical form, so import → export → import → export gives
identical files.
"""
import json
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import fastjsonschema
from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy import func, insert, select
from sqlalchemy.orm import selectinload

from ..i18n import _
from ..i18n.formatting import format_iso_utc, vietnamese_sort_key
from ..search.analysis import fold
from . import forms
from .models import (
    PUBLISHED,
    Agency,
    CatalogInfo,
    Channel,
    Fee,
    LegalBasis,
    Paper,
    Procedure,
    Sector,
)

SCHEMA_PATH = Path(__file__).with_name("catalog.schema.json")
FORMAT = "congdichvu-catalog"
VERSION = 1


def load_schema():
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


_LOCAL_DEFINITION = "#/$defs/"


def _inline_definitions(node, definitions, using=()):
    """``node`` with each ``{"$ref": "#/$defs/name"}`` replaced by that
    definition (itself inlined). The same constraints, but jsonschema no
    longer resolves a reference at every use: 68,000 lookups, 40 % of the
    validation of 2,000 procedures. A recursive definition stays a $ref."""
    if isinstance(node, list):
        return [_inline_definitions(item, definitions, using) for item in node]
    if not isinstance(node, dict):
        return node
    reference = node.get("$ref", "")
    name = reference[len(_LOCAL_DEFINITION):]
    if len(node) == 1 and reference.startswith(_LOCAL_DEFINITION) and name in definitions and name not in using:
        return _inline_definitions(definitions[name], definitions, using + (name,))
    return {key: _inline_definitions(value, definitions, using) for key, value in node.items()}


def _inlined(schema):
    return _inline_definitions(schema, schema.get("$defs", {}))


def _validator(schema):
    return Draft202012Validator(_inlined(schema), format_checker=FormatChecker())


def _fast_check(schema):
    """A yes/no check of ``schema`` compiled to Python by fastjsonschema:
    ten times faster than jsonschema on a valid file (0.1 s instead of
    1.2 s for 2,000 procedures), but it stops at the first error and
    words it in English. So it only answers "valid"; when it says no,
    jsonschema lists every error (and has the last word: where the two
    disagree, jsonschema's verdict stands). The schema uses no keyword
    newer than draft 7, and dates are checked by jsonschema's own format
    checker, so both read it alike (tests/unit/catalog/test_exchange.py
    compares them)."""
    compiled = dict(_inlined(schema))
    compiled.pop("$schema", None)  # fastjsonschema knows drafts 4 to 7
    checker = FormatChecker()
    # use_default=False: by default it writes the schema's defaults into
    # the document it checks, which would change what is imported
    check = fastjsonschema.compile(
        compiled, formats={"date": lambda value: checker.conforms(value, "date")}, use_default=False
    )

    def is_valid(document):
        try:
            check(document)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return is_valid


_VALIDATOR = _validator(load_schema())
_IS_VALID = _fast_check(load_schema())


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a catalogue file, at a JSON path like
    ``$.procedures[3].code``; ``message`` is a translation string."""

    path: str
    message: object


class CatalogInvalid(Exception):
    def __init__(self, problems):
        super().__init__(f"{len(problems)} problem(s) in the catalogue")
        self.problems = problems


@dataclass
class ImportReport:
    created: dict = field(default_factory=lambda: {"agencies": 0, "sectors": 0, "procedures": 0})
    updated: dict = field(default_factory=lambda: {"agencies": 0, "sectors": 0, "procedures": 0})
    unchanged: dict = field(default_factory=lambda: {"agencies": 0, "sectors": 0, "procedures": 0})

    @property
    def changed(self):
        return any(self.created.values()) or any(self.updated.values())


# -- reading and validating ---------------------------------------------------


def _not_a_number(name):
    """NaN and Infinity: Python reads them, JSON has no such numbers, and no
    range check can refuse NaN (every comparison with it is false)."""
    raise CatalogInvalid([Problem("$", _("${value} is not a number JSON allows.", mapping={"value": name}))])


def parse(text):
    """Parse JSON text, or raise CatalogInvalid with where it broke."""
    try:
        return json.loads(text, parse_constant=_not_a_number)
    except json.JSONDecodeError as error:
        raise CatalogInvalid(
            [
                Problem(
                    "$",
                    _(
                        "The file is not valid JSON: ${reason} (line ${line}, column ${column}).",
                        mapping={"reason": error.msg, "line": error.lineno, "column": error.colno},
                    ),
                )
            ]
        ) from error


def read_file(path):
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise CatalogInvalid(
            [Problem("$", _("Cannot read the file: ${reason}.", mapping={"reason": error.strerror}))]
        ) from error
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CatalogInvalid(
            [Problem("$", _("The file is not UTF-8 text (byte ${offset}).", mapping={"offset": error.start}))]
        ) from error
    return parse(text)


def _schema_message(error):
    """A translatable message for one jsonschema error."""
    kind, expected, value = error.validator, error.validator_value, error.instance
    if kind == "required":
        missing = [name for name in expected if isinstance(value, dict) and name not in value]
        return _("Required field missing: ${fields}.", mapping={"fields": ", ".join(missing)})
    if kind == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(name for name in value if name not in allowed)
        return _("Unknown field(s): ${fields}.", mapping={"fields": ", ".join(extra)})
    if kind == "type":
        names = expected if isinstance(expected, list) else [expected]
        return _("Wrong type: expected ${expected}.", mapping={"expected": " / ".join(names)})
    if kind == "enum":
        return _(
            "Value ${value} is not allowed; allowed: ${allowed}.",
            mapping={"value": json.dumps(value, ensure_ascii=False), "allowed": ", ".join(map(str, expected))},
        )
    if kind == "const":
        return _("Must be ${expected}.", mapping={"expected": json.dumps(expected, ensure_ascii=False)})
    if kind == "pattern" and expected == forms.FILE_NAME_PATTERN:
        return forms.name_problem(value)
    if kind == "pattern":
        return _(
            "Value ${value} does not have the required form (${pattern}).",
            mapping={"value": json.dumps(value, ensure_ascii=False), "pattern": expected},
        )
    if kind == "minLength":
        return _("Must not be empty.")
    if kind == "minItems":
        return _("Needs at least ${count} item(s).", mapping={"count": expected})
    if kind == "minimum":
        return _("Must be at least ${limit}.", mapping={"limit": expected})
    if kind == "maximum":
        return _("Must be at most ${limit}.", mapping={"limit": expected})
    if kind == "format" and expected == "date":
        return _("${value} is not a date of the form YYYY-MM-DD.", mapping={"value": json.dumps(value, ensure_ascii=False)})
    return _("Invalid: ${detail}", mapping={"detail": error.message})


def _schema_problems(document):
    if _IS_VALID(document):
        return []
    errors = sorted(_VALIDATOR.iter_errors(document), key=lambda e: (list(map(str, e.absolute_path)), e.validator))
    return [Problem(error.json_path, _schema_message(error)) for error in errors]


def _duplicates(entries, collection):
    seen, problems = {}, []
    for index, entry in enumerate(entries):
        code = entry["code"]
        if code in seen:
            problems.append(
                Problem(
                    f"$.{collection}[{index}].code",
                    _("Code ${code} appears twice (also at index ${first}).", mapping={"code": code, "first": seen[code]}),
                )
            )
        else:
            seen[code] = index
    return problems


def _reference_problems(document, dbsession):
    """What the schema cannot say: unique codes, references that resolve,
    agency parents without cycles."""
    agencies, sectors, procedures = document["agencies"], document["sectors"], document["procedures"]
    problems = (
        _duplicates(agencies, "agencies") + _duplicates(sectors, "sectors") + _duplicates(procedures, "procedures")
    )
    known_agencies = {a["code"] for a in agencies}
    known_sectors = {s["code"] for s in sectors}
    if dbsession is not None:
        known_agencies |= set(dbsession.scalars(select(Agency.code)))
        known_sectors |= set(dbsession.scalars(select(Sector.code)))

    parents = {a["code"]: a.get("parent") for a in agencies}
    for index, agency in enumerate(agencies):
        parent = agency.get("parent")
        if parent is not None and parent not in known_agencies:
            problems.append(
                Problem(f"$.agencies[{index}].parent", _("Unknown agency code ${code}.", mapping={"code": parent}))
            )
        if _has_cycle(agency["code"], parents):
            problems.append(
                Problem(f"$.agencies[{index}].parent", _("Agency ${code} is its own ancestor.", mapping={"code": agency["code"]}))
            )
    for index, procedure in enumerate(procedures):
        if procedure["sector"] not in known_sectors:
            problems.append(
                Problem(
                    f"$.procedures[{index}].sector",
                    _("Unknown sector code ${code}.", mapping={"code": procedure["sector"]}),
                )
            )
        for position, code in enumerate(procedure.get("agencies") or []):
            if code not in known_agencies:
                problems.append(
                    Problem(
                        f"$.procedures[{index}].agencies[{position}]",
                        _("Unknown agency code ${code}.", mapping={"code": code}),
                    )
                )
    return problems


def _file_name_problems(document):
    """Blank-form names, matched to the very end: JSON Schema's pattern
    lets a trailing newline through. The name joins a directory later, so
    it must be a plain file name."""
    problems = []
    for index, procedure in enumerate(document["procedures"]):
        for position, paper in enumerate(procedure.get("papers") or []):
            name = paper.get("template")
            if name is not None and not forms.valid_name(name):
                problems.append(Problem(f"$.procedures[{index}].papers[{position}].template", forms.name_problem(name)))
    return problems


def _has_cycle(code, parents):
    seen = set()
    while code is not None and code in parents:
        if code in seen:
            return True
        seen.add(code)
        code = parents[code]
    return False


def validate_document(document, dbsession=None):
    """Every problem of ``document``, schema first, then references; a list
    that is empty when the document can be imported."""
    problems = _schema_problems(document)
    if problems:
        return problems
    return _file_name_problems(document) + _reference_problems(document, dbsession)


# -- the canonical form ---------------------------------------------------------


def _nfc(value):
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(item) for item in value]
    if isinstance(value, dict):
        return {key: _nfc(item) for key, item in value.items()}
    return value


def _number(value):
    """JSON numbers as written: 15, not 15.0."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _pick(data, fields, keep_null=()):
    """The fields in schema order, without absent or null optional values."""
    return {name: data[name] for name in fields if data.get(name) is not None or (name in keep_null and name in data)}


AGENCY_FIELDS = ("code", "name", "short_name", "level", "kind", "parent", "address", "phone", "email", "office_hours")
SECTOR_FIELDS = ("code", "name")
FEE_FIELDS = ("name", "kind", "amount", "per", "text")
PAPER_FIELDS = ("name", "originals", "copies", "required", "presented_only", "group", "template", "note")
LEGAL_BASIS_FIELDS = ("number", "title", "issued", "issuer")
PROCEDURE_FIELDS = (
    "code", "name", "sector", "level", "agencies", "applicants", "steps", "channels",
    "online_level", "online_mode", "papers", "requirements", "result", "legal_bases",
    "keywords", "published_decision",
)


def canonical_agency(data):
    data = _nfc(dict(data))
    data.setdefault("kind", "people_committee")
    data.setdefault("parent", None)
    return _pick(data, AGENCY_FIELDS, keep_null=("parent",))


def canonical_sector(data):
    return _pick(_nfc(data), SECTOR_FIELDS)


def canonical_channel(data):
    time = _pick(_nfc(data["time"]), ("value", "unit", "text"))
    time["value"] = _number(time["value"])
    return _pick(
        {
            "channel": data["channel"],
            "time": time,
            "fees": [_pick(_nfc(fee), FEE_FIELDS) for fee in data["fees"]],
            "description": _nfc(data.get("description")),
        },
        ("channel", "time", "fees", "description"),
    )


def canonical_paper(data):
    """A paper's fields; ``presented_only`` only when true (absent means
    false), so files written before the flag existed export unchanged."""
    paper = _pick(data, PAPER_FIELDS)
    if not paper.get("presented_only"):
        paper.pop("presented_only", None)
    return paper


def canonical_procedure(data):
    data = _nfc(dict(data))
    for name in ("agencies", "steps", "keywords"):
        data[name] = list(data.get(name) or [])
    data["channels"] = [canonical_channel(channel) for channel in data["channels"]]
    data["papers"] = [canonical_paper(paper) for paper in data["papers"]]
    data["legal_bases"] = [_pick(basis, LEGAL_BASIS_FIELDS) for basis in data["legal_bases"]]
    return _pick(data, PROCEDURE_FIELDS)


# -- models to the canonical form ---------------------------------------------


def agency_to_dict(agency):
    return canonical_agency(
        {
            "code": agency.code,
            "name": agency.name,
            "short_name": agency.short_name,
            "level": agency.level,
            "kind": agency.kind,
            "parent": agency.parent.code if agency.parent else None,
            "address": agency.address,
            "phone": agency.phone,
            "email": agency.email,
            "office_hours": agency.office_hours,
        }
    )


def sector_to_dict(sector):
    return canonical_sector({"code": sector.code, "name": sector.name})


def _channel_to_dict(channel):
    return {
        "channel": channel.channel,
        "time": {"value": channel.duration_value, "unit": channel.duration_unit, "text": channel.duration_text},
        "fees": [
            {"name": fee.name, "kind": fee.kind, "amount": fee.amount, "per": fee.per, "text": fee.text}
            for fee in channel.fees
        ],
        "description": channel.description,
    }


def procedure_to_dict(procedure):
    """The procedure in the exchange format's shape (also the API's)."""
    return canonical_procedure(
        {
            "code": procedure.code,
            "name": procedure.name,
            "sector": procedure.sector.code,
            "level": procedure.level,
            "agencies": [agency.code for agency in procedure.agencies],
            "applicants": procedure.applicants,
            "steps": procedure.steps,
            "channels": [_channel_to_dict(channel) for channel in procedure.channels],
            "online_level": procedure.online_level,
            "online_mode": procedure.online_mode,
            "papers": [
                {
                    "name": paper.name,
                    "originals": paper.originals,
                    "copies": paper.copies,
                    "required": paper.required,
                    "presented_only": paper.presented_only,
                    "group": paper.case_group,
                    "template": paper.template,
                    "note": paper.note,
                }
                for paper in procedure.papers
            ],
            "requirements": procedure.requirements,
            "result": procedure.result,
            "legal_bases": [
                {
                    "number": basis.number,
                    "title": basis.title,
                    "issued": basis.issued.isoformat() if basis.issued else None,
                    "issuer": basis.issuer,
                }
                for basis in procedure.legal_bases
            ],
            "keywords": procedure.keywords,
            "published_decision": procedure.published_decision,
        }
    )


def procedure_loader_options():
    """Eager loads that fetch a whole procedure in a fixed number of queries."""
    return (
        selectinload(Procedure.sector),
        selectinload(Procedure.agencies),
        selectinload(Procedure.channels).selectinload(Channel.fees),
        selectinload(Procedure.papers).selectinload(Paper.form_template),
        selectinload(Procedure.legal_bases),
    )


# -- import -----------------------------------------------------------------------


def _next_position(dbsession, model):
    return (dbsession.scalar(select(func.max(model.position))) or 0) + 1


def _apply_agency(agency, data):
    for name in ("code", "name", "short_name", "level", "kind", "address", "phone", "email", "office_hours"):
        setattr(agency, name, data.get(name))


def _import_agencies(dbsession, entries, report):
    existing = {agency.code: agency for agency in dbsession.scalars(select(Agency).options(selectinload(Agency.parent)))}
    position = _next_position(dbsession, Agency)
    wanted = [canonical_agency(entry) for entry in entries]
    for data in wanted:
        agency = existing.get(data["code"])
        if agency is None:
            agency = existing[data["code"]] = Agency(position=position)
            position += 1
            dbsession.add(agency)
            report.created["agencies"] += 1
        elif agency_to_dict(agency) == data:
            report.unchanged["agencies"] += 1
            continue
        else:
            report.updated["agencies"] += 1
        _apply_agency(agency, data)
    # parents once every agency of the file exists
    for data in wanted:
        agency = existing[data["code"]]
        agency.parent = existing[data["parent"]] if data["parent"] else None
    return existing


def _import_sectors(dbsession, entries, report):
    existing = {sector.code: sector for sector in dbsession.scalars(select(Sector))}
    position = _next_position(dbsession, Sector)
    for data in map(canonical_sector, entries):
        sector = existing.get(data["code"])
        if sector is None:
            sector = existing[data["code"]] = Sector(code=data["code"], position=position)
            position += 1
            dbsession.add(sector)
            report.created["sectors"] += 1
        elif sector_to_dict(sector) == data:
            report.unchanged["sectors"] += 1
            continue
        else:
            report.updated["sectors"] += 1
        sector.name = data["name"]
    return existing


def _fee_row(position, fee):
    return {
        "position": position,
        "name": fee["name"],
        "kind": fee.get("kind"),
        "amount": fee["amount"],
        "per": fee.get("per"),
        "text": fee.get("text"),
    }


def _channel_row(position, data):
    return {
        "position": position,
        "channel": data["channel"],
        "duration_value": data["time"]["value"],
        "duration_unit": data["time"]["unit"],
        "duration_text": data["time"].get("text"),
        "description": data.get("description"),
    }


def _paper_row(position, paper):
    return {
        "position": position,
        "name": paper["name"],
        "originals": paper["originals"],
        "copies": paper["copies"],
        "required": paper["required"],
        "presented_only": paper.get("presented_only", False),
        "case_group": paper.get("group"),
        "template": paper.get("template"),
        "note": paper.get("note"),
    }


def _legal_basis_row(position, basis):
    return {
        "position": position,
        "number": basis["number"],
        "title": basis["title"],
        "issued": date.fromisoformat(basis["issued"]) if basis.get("issued") else None,
        "issuer": basis.get("issuer"),
    }


def folded_name(name):
    """"Đăng  ký Khai sinh" → "dang ky khai sinh": what the name filter matches."""
    return " ".join(fold(name).split())


def _apply_fields(procedure, data, agencies, sectors):
    """Everything of ``data`` but its channels, papers and legal bases."""
    procedure.code = data["code"]
    procedure.name = data["name"]
    procedure.name_sort = vietnamese_sort_key(data["name"])
    procedure.name_folded = folded_name(data["name"])
    procedure.sector = sectors[data["sector"]]
    procedure.level = data["level"]
    procedure.agencies = [agencies[code] for code in data["agencies"]]
    for name in ("applicants", "online_level", "online_mode", "requirements", "result", "published_decision"):
        setattr(procedure, name, data.get(name))
    procedure.steps = list(data["steps"])
    procedure.keywords = list(data["keywords"])


def _replace_parts(procedure, data):
    """A known procedure's parts, replaced through the ORM (its old rows go)."""
    procedure.channels = [
        Channel(**_channel_row(index, channel), fees=[Fee(**_fee_row(at, fee)) for at, fee in enumerate(channel["fees"])])
        for index, channel in enumerate(data["channels"])
    ]
    procedure.papers = [Paper(**_paper_row(index, paper)) for index, paper in enumerate(data["papers"])]
    procedure.legal_bases = [LegalBasis(**_legal_basis_row(index, basis)) for index, basis in enumerate(data["legal_bases"])]


def _insert_parts(dbsession, created):
    """The parts of new procedures ((procedure, data), flushed), written
    as plain multi-row INSERTs. Through the ORM, SQLite inserts each of the
    14 parts of an average procedure by itself to learn its id (it cannot
    match the ids of a multi-row INSERT to the objects): two thirds of an
    import's database time. Only channels need their ids back (for their
    fees). The procedures themselves went through the ORM, so the search
    outbox and the content version saw them."""
    papers, bases, channels, fees = [], [], [], []
    for procedure, data in created:
        papers += [{**_paper_row(i, p), "procedure_id": procedure.id} for i, p in enumerate(data["papers"])]
        bases += [{**_legal_basis_row(i, b), "procedure_id": procedure.id} for i, b in enumerate(data["legal_bases"])]
        for index, channel in enumerate(data["channels"]):
            channels.append({**_channel_row(index, channel), "procedure_id": procedure.id})
            fees.append([_fee_row(at, fee) for at, fee in enumerate(channel["fees"])])
    for model, rows in ((Paper, papers), (LegalBasis, bases)):
        if rows:
            dbsession.execute(insert(model.__table__), rows)
    if not channels:
        return
    table = Channel.__table__
    ids = dbsession.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), channels).all()
    rows = [{**fee, "channel_id": channel_id} for channel_id, channel_fees in zip(ids, fees) for fee in channel_fees]
    if rows:
        dbsession.execute(insert(Fee.__table__), rows)


def _import_procedures(dbsession, entries, agencies, sectors, report, now):
    # only the procedures the file names: publishing one revision imports one
    codes = [entry["code"] for entry in entries]
    existing = {
        procedure.code: procedure
        for procedure in dbsession.scalars(
            select(Procedure).where(Procedure.code.in_(codes)).options(*procedure_loader_options())
        )
    }
    position = _next_position(dbsession, Procedure)
    created = []
    for data in map(canonical_procedure, entries):
        procedure = existing.get(data["code"])
        if procedure is None:
            procedure = existing[data["code"]] = Procedure(position=position, created_at=now)
            position += 1
            dbsession.add(procedure)
            report.created["procedures"] += 1
            created.append((procedure, data))
        elif procedure_to_dict(procedure) == data and procedure.status == PUBLISHED:
            report.unchanged["procedures"] += 1
            continue
        else:
            report.updated["procedures"] += 1
            _replace_parts(procedure, data)
        _apply_fields(procedure, data, agencies, sectors)
        procedure.status = PUBLISHED  # a catalogue file lists procedures in force
        procedure.updated_at = now
    if created:
        dbsession.flush()  # their ids, for their parts
        _insert_parts(dbsession, created)


def get_info(dbsession, key):
    return dbsession.scalar(select(CatalogInfo.value).where(CatalogInfo.key == key))


def set_info(dbsession, key, value):
    info = dbsession.scalar(select(CatalogInfo).where(CatalogInfo.key == key))
    if value is None:
        if info is not None:
            dbsession.delete(info)
        return
    if info is None:
        dbsession.add(CatalogInfo(key=key, value=value))
    else:
        info.value = value


def import_catalog(dbsession, document, now=None):
    """Validate and import ``document``; raise CatalogInvalid (writing
    nothing) when anything is wrong. Returns an ImportReport."""
    problems = validate_document(document, dbsession)
    if problems:
        raise CatalogInvalid(problems)
    now = now or datetime.now(timezone.utc)
    report = ImportReport()
    with dbsession.no_autoflush:
        agencies = _import_agencies(dbsession, document["agencies"], report)
        sectors = _import_sectors(dbsession, document["sectors"], report)
        _import_procedures(dbsession, document["procedures"], agencies, sectors, report, now)
    note = _nfc(document.get("note"))
    if note is not None and note != get_info(dbsession, "note"):
        set_info(dbsession, "note", note)
        report.updated["note"] = 1
    if report.changed:
        set_info(dbsession, "changed_at", format_iso_utc(now))
    dbsession.flush()
    return report


# -- export -------------------------------------------------------------------


def export_catalog(dbsession):
    """The whole catalogue in the canonical exchange form.

    ``generated`` is when the catalogue last changed, not the wall clock,
    so exporting an unchanged catalogue twice gives identical files."""
    agencies = dbsession.scalars(
        select(Agency).options(selectinload(Agency.parent)).order_by(Agency.position, Agency.id)
    )
    sectors = dbsession.scalars(select(Sector).order_by(Sector.position, Sector.id))
    procedures = dbsession.scalars(
        select(Procedure)
        .where(Procedure.status == PUBLISHED)
        .options(*procedure_loader_options())
        .order_by(Procedure.position, Procedure.id)
    )
    document = {"format": FORMAT, "version": VERSION}
    generated = get_info(dbsession, "changed_at")
    if generated:
        document["generated"] = generated
    note = get_info(dbsession, "note")
    if note:
        document["note"] = note
    document["agencies"] = [agency_to_dict(agency) for agency in agencies]
    document["sectors"] = [sector_to_dict(sector) for sector in sectors]
    document["procedures"] = [procedure_to_dict(procedure) for procedure in procedures]
    return document


def dumps(document):
    """The file's text: UTF-8 (not escaped), two-space indent, final newline."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
