"""The index's fields. Each searchable text has an exact field and a folded
twin (``name`` and ``name_f``); ``WEIGHTS`` says how much a match in each
counts. Bump ``SCHEMA_VERSION`` whenever fields, analyzers or what
documents.py puts in a field change: an index of another version is
rebuilt at startup."""
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from .analysis import exact_analyzer, folded_analyzer, pairs_analyzer

SCHEMA_VERSION = "10"

#: searchable text fields and their weight in the ranking; "details" holds
#: every other text the public page shows (applicants, steps, channels'
#: times, details and fees, papers' cases, notes and blank forms,
#: requirements, legal bases, the publishing decision, agencies named: see
#: documents._details), which matter little for finding a procedure and
#: cost a field each otherwise
WEIGHTS = {
    "name": 6.0,
    "keywords": 3.0,
    "result": 2.0,
    "sector": 1.5,
    "papers": 1.2,
    "details": 0.3,
}
#: a match with the typed diacritics counts this much more than a folded one
EXACT_BONUS = 2.0
FOLDED = "_f"
#: fields also indexed as pairs of adjacent syllables ("name_p")
PAIRS = ("name", "keywords", "result", "papers", "sector", "details")
PAIRED = "_p"


def build_schema():
    exact, folded = exact_analyzer(), folded_analyzer()
    fields = {
        "code": ID(stored=True, unique=True),
        "sector_code": ID(stored=True),
        "level": ID(stored=True),
        "online_level": ID(stored=True),
        # codes of every agency that handles it (explicitly or by level)
        "agency_codes": KEYWORD(commas=True, scorable=False),
        "agency_codes_stored": STORED(),
        "sector_name": STORED(),
        "snippet_source": STORED(),
        "snippet_more": STORED(),
        "position": NUMERIC(stored=True, sortable=True),
        # the whole name, folded: a query that is the name finds it first
        "name_key": ID(),
    }
    pairs = pairs_analyzer()
    # No field keeps positions: phrases are looked up as pairs of syllables
    # ("name_p") and snippets are highlighted by analysing the stored text
    # again, so positions would only cost a fifth of the index build.
    for name in WEIGHTS:
        fields[name] = TEXT(analyzer=exact, stored=(name == "name"), phrase=False)
        fields[name + FOLDED] = TEXT(analyzer=folded, phrase=False)
    for name in PAIRS:
        fields[name + PAIRED] = TEXT(analyzer=pairs, phrase=False)
    return Schema(**fields)
