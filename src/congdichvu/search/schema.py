"""The index's fields. Each searchable text has an exact field and a folded
twin (``name`` and ``name_f``); ``WEIGHTS`` says how much a match in each
counts. Bump ``SCHEMA_VERSION`` whenever fields or analyzers change: an index
of another version is rebuilt at startup."""
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from .analysis import exact_analyzer, folded_analyzer

SCHEMA_VERSION = "4"

#: searchable text fields and their weight in the ranking
WEIGHTS = {
    "name": 6.0,
    "keywords": 3.0,
    "result": 2.0,
    "sector": 1.5,
    "papers": 1.2,
    "applicants": 0.4,
    "requirements": 0.3,
    "steps": 0.3,
    "legal_bases": 0.3,
    "agencies": 0.3,
}
#: a match with the typed diacritics counts this much more than a folded one
EXACT_BONUS = 2.0
FOLDED = "_f"


def build_schema():
    exact, folded = exact_analyzer(), folded_analyzer()
    fields = {
        "code": ID(stored=True, unique=True),
        "sector_code": ID(stored=True),
        "level": ID(stored=True),
        "online_level": ID(stored=True),
        # codes of every agency that handles it (explicitly or by level)
        "agency_codes": KEYWORD(commas=True, scorable=False),
        "sector_name": STORED(),
        "snippet_source": STORED(),
        "position": NUMERIC(stored=True, sortable=True),
        # the whole name, folded: a query that is the name finds it first
        "name_key": ID(),
        # every folded word of the procedure: vocabulary for typo correction
        "all_f": TEXT(analyzer=folded, phrase=False),
    }
    for name in WEIGHTS:
        fields[name] = TEXT(analyzer=exact, stored=(name == "name"))
        fields[name + FOLDED] = TEXT(analyzer=folded)
    return Schema(**fields)
