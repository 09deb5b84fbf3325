"""A procedure as an index document."""
from .analysis import folded_analyzer, syllables
from .schema import FOLDED, PAIRED, PAIRS, WEIGHTS

_FOLDED = folded_analyzer()


def name_key(text):
    """A name as one folded string of syllables ("dang ki khai sinh")."""
    return " ".join(syllables(text, _FOLDED))


def _join(parts):
    return "\n".join(part for part in parts if part)


def _form_name(filename):
    """A blank form's file name as the page shows it, and its words alone
    ("to-khai-x.docx" → "to-khai-x.docx to-khai-x"): the tokenizer keeps
    "x.docx" whole, so typing the words without the extension must find
    the stem too."""
    stem = filename.rsplit(".", 1)[0]
    return f"{filename} {stem}" if stem != filename else filename


def _details(procedure):
    """Every other text the public page shows, in its order: who may
    apply, steps, each channel's time in words, details and fees (names
    and notes), the papers' cases, notes and blank forms, requirements,
    the legal bases (number, title, issuer), the publishing decision and
    the agencies named. Each text once: a time or a fee written alike
    for every channel counts once, not once per channel."""
    channels = procedure.channels
    fees = [fee for channel in channels for fee in channel.fees]
    return _join(dict.fromkeys(
        [procedure.applicants]
        + list(procedure.steps)
        + [channel.duration_text for channel in channels]
        + [channel.description for channel in channels]
        + [text for fee in fees for text in (fee.name, fee.text)]
        + [paper.case_group for paper in procedure.papers]
        + [paper.note for paper in procedure.papers]
        + [_form_name(paper.template) for paper in procedure.papers if paper.template]
        + [procedure.requirements]
        + [" ".join(filter(None, (basis.number, basis.title, basis.issuer))) for basis in procedure.legal_bases]
        + [procedure.published_decision]
        + [agency.name for agency in procedure.agencies]
    ))


def procedure_document(procedure, handling_agencies):
    """The document for ``procedure``; ``handling_agencies`` are the agencies
    that implement it (its own list, or every agency of its level)."""
    texts = {
        "name": procedure.name,
        "keywords": _join(procedure.keywords),
        "result": procedure.result,
        "sector": procedure.sector.name,
        "papers": _join(paper.name for paper in procedure.papers),
        "details": _details(procedure),
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
        # highlighted only when the result and papers hold none of the query
        "snippet_more": texts["details"],
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
