"""The thesaurus: what people type → the catalogue's official words.

Abbreviations ("GPXD"), colloquial names ("sổ đỏ") and everyday words for
what happened to someone ("chứng tử", "bị mất") expand to the words the
procedures themselves use ("khai tử", "cấp lại"). Matching is on folded
syllables, so "GPXD", "gpxd", "QSDĐ" and "qsdd" all expand.

The text format, one entry a line (``synonyms.txt`` is the shipped seed;
the database keeps the editors' copy, one line an entry)::

    # a comment; "## Concept" lines name the concept that follows
    typed, another typed = official words | other official words

An entry's typed side may never be words every query holds ("thủ tục",
"làm", "cấp"): see ``refusal``.
"""
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .analysis import fold, nfc, unify_spelling

SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")
#: what a typed side may not be made of alone: words of every request
#: ("tôi muốn làm thủ tục ..."), and the commonest words of procedure names.
#: An entry of these would add its expansion to nearly every query.
STOP_LIKE = frozenset(
    word for word in (
        "làm xin cho tôi em mình muốn cần phải thế nào như ở đâu bao nhiêu cách để và của "
        "thì là gì được có không ạ hỏi thủ tục hồ sơ giúp với về việc mã đã bị "
        "cấp đăng ký giấy đối với các một những này đó trong khi nếu hoặc theo tại"
    ).split()
)
#: the same typed without diacritics ("hồ sơ" and "sổ" fold alike, so a
#: side typed with diacritics is judged with them)
STOP_LIKE_FOLDED = frozenset(fold(word) for word in STOP_LIKE)


@dataclass(frozen=True)
class Entry:
    """One line of the thesaurus: ``typed`` phrases (as written) and the
    ``expansions`` they stand for."""

    typed: tuple
    expansions: tuple
    concept: str = ""

    def line(self):
        return f"{', '.join(self.typed)} = {' | '.join(self.expansions)}"


def parse_line(line, concept=""):
    """The Entry of one line, or None for a comment, a blank line or a line
    without both sides."""
    line = line.split("#", 1)[0].strip()
    if "=" not in line:
        return None
    typed, expansions = line.split("=", 1)
    typed = tuple(dict.fromkeys(t.strip() for t in typed.split(",") if fold(t).split()))
    expansions = tuple(dict.fromkeys(e.strip() for e in expansions.split("|") if e.strip()))
    return Entry(typed, expansions, concept) if typed and expansions else None


def entries(text):
    """[Entry] of a thesaurus text, each with the concept heading above it."""
    found, concept = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("##"):
            concept = stripped.lstrip("#").strip()
            continue
        entry = parse_line(stripped, concept)
        if entry is not None:
            found.append(entry)
    return found


def folded(syllable):
    """A syllable as the table keys it: the analyzer's one spelling
    ("lý" → "lí", "công ty" → "công ti"), then folded, so a typed side
    written "ly hôn" meets the query "li hôn" and "ly hon"."""
    return fold(unify_spelling(nfc(syllable).lower()))


def key(typed):
    """The table key of a typed phrase: its folded syllables, a tuple."""
    return tuple(folded(syllable) for syllable in typed.split())


def table(entries):
    """{folded typed syllables (a tuple): [expansion, ...]} of ``entries``."""
    found = {}
    for entry in entries:
        for typed in entry.typed:
            alternatives = found.setdefault(key(typed), [])
            alternatives.extend(e for e in entry.expansions if e not in alternatives)
    return found


def parse(text):
    """{folded typed words (a tuple of syllables): [expansion, ...]}."""
    return table(entries(text))


def refusal(typed):
    """Why ``typed`` may not be the typed side of an entry, or None: a side
    made only of STOP_LIKE words or numbers would fire on nearly every
    query and make everything match everything."""
    syllables = nfc(typed).lower().split()
    if not syllables:
        return "empty"

    def stop_like(syllable):
        if fold(syllable) == syllable:  # typed without diacritics
            return syllable in STOP_LIKE_FOLDED
        return unify_spelling(syllable) in STOP_LIKE or syllable in STOP_LIKE

    if all(stop_like(s) or s.isdigit() or len(s) < 2 for s in syllables):
        return "stop_like"
    return None


@lru_cache(maxsize=4)
def load(path=SYNONYMS_FILE):
    return parse(Path(path).read_text(encoding="utf-8"))


def expansions(words, table=None):
    """[(start, length, expansion)] for every typed phrase of ``words``
    (syllables, any case and diacritics) that the table knows."""
    table = load() if table is None else table
    syllables = [folded(word) for word in words]
    longest = max(map(len, table), default=0)
    found = []
    for start in range(len(syllables)):
        for length in range(min(longest, len(syllables) - start), 0, -1):
            for expansion in table.get(tuple(syllables[start:start + length]), ()):
                found.append((start, length, expansion))
    return found
