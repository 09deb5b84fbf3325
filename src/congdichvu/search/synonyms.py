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
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import filler, lexicon
from .analysis import fold, nfc, query_analyzer, syllables, unify_spelling

SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")
_TYPED = query_analyzer()
#: what a typed side may not be made of alone: words of every request
#: ("tôi muốn làm thủ tục ..."), and the commonest words of procedure names.
#: An entry of these would add its expansion to nearly every query.
STOP_LIKE = frozenset(
    unify_spelling(word) for word in (
        "làm xin cho tôi em mình muốn cần phải thế nào như ở đâu bao nhiêu cách để và của "
        "thì là gì được có không ạ hỏi thủ tục hồ sơ giúp với về việc mã đã bị "
        "cấp đăng ký giấy tờ đối với các một những này đó trong khi nếu hoặc theo tại"
    ).split()
)
#: what a one-syllable typed side may not be either: any word of a request
#: (see filler) and the commonest words of names (a phrase of them, "làm
#: lại", "đi làm xa", is rare enough to say something)
SINGLE_STOP_LIKE = STOP_LIKE | filler.REQUEST_WORDS | frozenset(
    unify_spelling(word) for word in "lại người xã phường quận huyện tỉnh chứng nhận xác".split()
)
#: the same typed without diacritics ("hồ sơ" and "sổ" fold alike, so a
#: side typed with diacritics is judged with them)
STOP_LIKE_FOLDED = frozenset(fold(word) for word in STOP_LIKE)
SINGLE_STOP_LIKE_FOLDED = frozenset(fold(word) for word in SINGLE_STOP_LIKE)


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


def spelled(typed):
    """The syllables of a typed phrase as a query spells them (see
    analysis.query_spelling: tone marks in place, lowercase; a syllable
    that is no Vietnamese spelling, or Telex, read as a query reads it),
    punctuation dropped: "Thủ-tục." → ("thủ", "tục")."""
    return tuple(syllables(unicodedata.normalize("NFKC", typed), _TYPED))  # fullwidth "ｓổ" as search reads it


def key(typed):
    """The table key of a typed phrase: its folded syllables, a tuple."""
    return tuple(fold(syllable) for syllable in spelled(typed))


def table(entries):
    """{folded typed syllables (a tuple): {spelled syllables: [expansion,
    ...]}} of ``entries``: looked up folded, then compared with the
    diacritics each side has (see expansions)."""
    found = {}
    for entry in entries:
        for typed in entry.typed:
            words = spelled(typed)
            if not words:
                continue
            alternatives = found.setdefault(key(typed), {}).setdefault(words, [])
            alternatives.extend(e for e in entry.expansions if e not in alternatives)
    return found


def _meets(typed, entry):
    """Whether the query's syllables ``typed`` are the entry's ``entry``:
    where both carry diacritics they must agree ("sổ" is not "sơ" of "hồ
    sơ"), where either has none the folded forms already did."""
    return all(t == e or fold(t) == t or fold(e) == e for t, e in zip(typed, entry))


def parse(text):
    """{folded typed words (a tuple of syllables): [expansion, ...]}."""
    return table(entries(text))


def refusal(typed, common=None):
    """Why ``typed`` may not be the typed side of an entry, or None:
    "empty" when it holds no syllable; "stop_like" when it would fire on
    nearly every query. One syllable may not be a word of requests or of
    most names (SINGLE_STOP_LIKE), nor, since unaccented queries meet it
    folded, one folding like them ("cáp" would fire on "cap", cấp); a
    phrase may not be made only of STOP_LIKE words, request words and
    numbers ("thủ tục", "cấp 1", "bao lâu"), nor, with ``common`` (a predicate on a phrase's spelled
    syllables, see services.Vocabulary), be words most procedures' names
    hold ("chứng nhận")."""
    words = spelled(typed)
    if not words:
        return "empty"
    if len(words) == 1:
        word = words[0]
        if (len(word) < 2 or word.isdigit() or word in SINGLE_STOP_LIKE or fold(word) in SINGLE_STOP_LIKE_FOLDED
                or _glued_stop_like(word)):
            return "stop_like"
        return "stop_like" if common is not None and common(words) else None

    def core(syllable):
        if fold(syllable) == syllable:  # no diacritics: meets every spelling
            return syllable in STOP_LIKE_FOLDED
        return syllable in STOP_LIKE

    def asking(syllable):
        return core(syllable) or syllable in filler.REQUEST_WORDS

    numbers = [word.isdigit() or len(word) < 2 for word in words]
    # a number with a word that says something is specific ("lên cấp 2"); with names' words only it is not
    if all(n or core(w) for n, w in zip(numbers, words)) or all(asking(w) for w in words):
        return "stop_like"
    if common is not None and common(words):
        return "stop_like"
    return None


def _glued_stop_like(word):
    """Whether ``word`` is a stop-like phrase typed as one word ("dangky",
    "thutuc", "baolau"): pieces of two letters or more, each stop-like,
    two of them side by side a dictionary word (so "bida", "canada" are
    words, not "bị đã", "cần ạ đã")."""
    folded = fold(word)
    if not folded.isalpha() or not 5 <= len(folded) <= 40:
        return False
    cuts = {0: [[]]}
    for end in range(2, len(folded) + 1):
        for start in range(max(0, end - 7), end - 1):
            piece = fold(unify_spelling(folded[start:end]))
            if start in cuts and piece in SINGLE_STOP_LIKE_FOLDED:
                cuts.setdefault(end, []).extend(pieces + [piece] for pieces in cuts[start][:8])
    return any(
        len(pieces) > 1 and any(lexicon.is_word(a, b) for a, b in zip(pieces, pieces[1:]))
        for pieces in cuts.get(len(folded), ())
    )


@lru_cache(maxsize=4)
def load(path=SYNONYMS_FILE):
    return parse(Path(path).read_text(encoding="utf-8"))


def expansions(words, table=None):
    """[(start, length, expansion)] for every typed phrase of ``words``
    (a query's syllables as query.parse spells them) that the table knows."""
    table = load() if table is None else table
    words = [unify_spelling(nfc(word).lower()) for word in words]
    folded = [fold(word) for word in words]
    longest = max(map(len, table), default=0)
    found = []
    for start in range(len(words)):
        for length in range(min(longest, len(words) - start), 0, -1):
            for entry, alternatives in table.get(tuple(folded[start:start + length]), {}).items():
                if _meets(words[start:start + length], entry):
                    found.extend((start, length, expansion) for expansion in alternatives)
    return found
