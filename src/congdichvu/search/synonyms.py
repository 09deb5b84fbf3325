"""Abbreviations and colloquial names (``synonyms.txt``) → the catalogue's
official words. Matching is on folded syllables, so "GPXD", "gpxd",
"QSDĐ" and "qsdd" all expand."""
from functools import lru_cache
from pathlib import Path

from .analysis import fold

SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")


def parse(text):
    """{folded typed words (a tuple of syllables): [expansion, ...]}."""
    table = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if "=" not in line:
            continue
        typed, expansions = line.split("=", 1)
        key = tuple(fold(typed).split())
        alternatives = [alternative.strip() for alternative in expansions.split("|") if alternative.strip()]
        if key and alternatives:
            table.setdefault(key, []).extend(alternatives)
    return table


@lru_cache(maxsize=4)
def load(path=SYNONYMS_FILE):
    return parse(Path(path).read_text(encoding="utf-8"))


def expansions(words, table=None):
    """[(start, length, expansion)] for every typed phrase of ``words``
    (syllables, any case and diacritics) that the table knows."""
    table = load() if table is None else table
    folded = [fold(word) for word in words]
    longest = max((len(key) for key in table), default=0)
    found = []
    for start in range(len(folded)):
        for length in range(min(longest, len(folded) - start), 0, -1):
            for expansion in table.get(tuple(folded[start:start + length]), ()):
                found.append((start, length, expansion))
    return found
