"""A procedure as an index document."""
from .analysis import folded_analyzer, syllables
from .schema import FOLDED, PAIRED, PAIRS, WEIGHTS

_FOLDED = folded_analyzer()


def name_key(text):
    """A name as one folded string of syllables ("dang ki khai sinh")."""
    return " ".join(syllables(text, _FOLDED))


def _join(parts):
    return "\n".join(part for part in parts if part)


def procedure_document(procedure, handling_agencies):
    """The document for ``procedure``; ``handling_agencies`` are the agencies
    that implement it (its own list, or every agency of its level)."""
    texts = {
        "name": procedure.name,
        "keywords": _join(procedure.keywords),
        "result": procedure.result,
        "sector": procedure.sector.name,
        "papers": _join(paper.name for paper in procedure.papers),
        "details": _join(
            [procedure.applicants, procedure.requirements]
            + list(procedure.steps)
            + [f"{basis.number} {basis.title}" for basis in procedure.legal_bases]
            + [agency.name for agency in procedure.agencies]
        ),
    }
    document = {
        "code": procedure.code,
        "sector_code": procedure.sector.code,
        "level": procedure.level,
        "online_level": str(procedure.online_level or "none"),
        "agency_codes": ",".join(agency.code for agency in handling_agencies),
        "agency_codes_stored": " ".join(agency.code for agency in handling_agencies),
        "sector_name": procedure.sector.name,
        "snippet_source": _join([procedure.result] + [paper.name for paper in procedure.papers]),
        "position": procedure.position,
        "name_key": name_key(procedure.name),
    }
    for name in WEIGHTS:
        text = texts[name] or ""
        document[name] = text
        document[name + FOLDED] = text
    for name in PAIRS:
        document[name + PAIRED] = texts[name] or ""
    return document
