"""What a citizen typed, understood: syllables, codes, corrections.

A query is cut into syllables as the index cuts texts (query_spelling puts
tone marks in place, Telex left in the text is read), with its codes apart
and within the bounds below. Then, with what the index knows (a
services.Vocabulary): syllables typed together are split ("khaisinh"),
initials are read as the catalogue's phrases ("ĐKHKD"), unknown syllables
are corrected ("khia" → "khai"). What the query holds is worked out here
once per query: its filler words (see filler), its content syllables, the
runs of them side by side, and its dictionary words (see lexicon). What a
procedure must hold to answer it, and how much, is plan's; evaluating that
over the index is scoring's.
"""
import re
import unicodedata
from dataclasses import dataclass, field, replace

from . import acronyms as acronyms_module
from . import filler, lexicon, synonyms
from .analysis import fold, is_valid_syllable, query_analyzer, syllables

# What one query may cost, bounded in parse() before any of it reaches
# Whoosh (its analyzers, term lookups and Levenshtein automata): the text,
# the syllables looked up, and the letters of each. A citizen's longest
# question ("tôi muốn làm giấy khai sinh cho con ở phường ... thì cần giấy tờ
# gì") has some twenty syllables; syllables typed together ("dangkykhaisinh")
# are split up to MAX_SYLLABLE_CHARS letters; codes are much shorter.
MAX_QUERY_CHARS = 300
MAX_SYLLABLES = 24
MAX_SYLLABLE_CHARS = 40
CODE = re.compile(r"\b\d\.\d{6}(?:\.[0-9A-Za-z]+)*\b")
# Fuzzy lookups build a Levenshtein automaton per field, whose size grows
# with the syllable's length and the edits allowed: one of 300 letters cost a
# second. The longest Vietnamese syllable has 7 letters ("nghiêng"), so a
# slip or two more is all a syllable can be; and a query corrects at most a
# few of its syllables (the first ones unknown), not two dozen.
FUZZY_MIN_LETTERS, FUZZY_MAX_LETTERS = 4, 10
MAX_FUZZY_SYLLABLES = 4


@dataclass
class ParsedQuery:
    text: str
    exact: list
    folded: list
    codes: list
    #: [(start, length, expansion)] from the synonyms table
    expansions: list = field(default_factory=list)
    #: the folded syllables that may be looked up fuzzily (see fuzzy_budget);
    #: None until a vocabulary has decided
    fuzzy: frozenset | None = None
    #: {syllable index: folded phrase} for initials read from the catalogue (see acronyms)
    acronyms: dict = field(default_factory=dict)
    #: the thesaurus the expansions come from (synonyms.parse's shape);
    #: None for the shipped file
    table: dict | None = field(default=None, repr=False, compare=False)
    #: what building a plan works out once per query (see memo); each
    #: rewritten query starts its own
    memo: dict = field(init=False, default_factory=dict, repr=False, compare=False)

    @property
    def empty(self):
        return not self.exact and not self.codes


def memo(function):
    """``function(parsed, *args)`` worked out once per query and arguments
    (a plan asks the same of a query for every syllable)."""

    def remembered(parsed, *args):
        key = (function.__name__, *map(id, args))  # the vocabulary outlives the query
        if key not in parsed.memo:
            parsed.memo[key] = function(parsed, *args)
        return parsed.memo[key]

    remembered.__name__, remembered.__doc__ = function.__name__, function.__doc__
    return remembered


_TYPED = query_analyzer()


def clip(text):
    """What is kept of a typed query: its first MAX_QUERY_CHARS characters,
    without surrounding spaces (what the pages show back and the log keeps)."""
    return (text or "").strip()[:MAX_QUERY_CHARS].strip()


def _bounded(text, analyzer):
    return [syllable[:MAX_SYLLABLE_CHARS] for syllable in syllables(text, analyzer)[:MAX_SYLLABLES]]


def parse(text, table=None):
    """The syllables and codes of a typed query, within the bounds above
    (a longer query is cut, never refused). ``table`` is the thesaurus
    ({folded typed syllables: [expansion, ...]}, see synonyms.parse); None
    uses the shipped file."""
    # compatibility forms as the letters they stand for: fullwidth "ｓổ" from
    # some phone keyboards is "sổ" (then cut: NFKC may lengthen the text)
    text = clip(unicodedata.normalize("NFKC", clip(text)))
    # tone marks put where orthography wants them; a syllable that is no
    # Vietnamese spelling even so ("thưc") is looked up without diacritics
    # (the folded form follows: Telex left in the text, "kys", reads "kí", so "ki")
    exact = _bounded(text, _TYPED)
    folded = [fold(syllable) for syllable in exact]
    codes = CODE.findall(text)
    # a code is looked up as a code, not as words
    pairs = [(e, f) for e, f in zip(exact, folded) if f not in codes]
    exact, folded = [e for e, _f in pairs], [f for _e, f in pairs]
    return ParsedQuery(
        text=text, exact=exact, folded=folded, codes=codes, expansions=_expansions(exact, table, {}), table=table
    )


def _rewrite(parsed, replace):
    """``parsed`` with each syllable (exact, folded) for which ``replace``
    gives a list of (exact, folded) replaced by that list."""
    pairs, changed = [], False
    for e, f in zip(parsed.exact, parsed.folded):
        replacement = replace(e, f)
        changed |= replacement is not None
        pairs.extend(replacement or [(e, f)])
    if not changed:
        return parsed
    exact = [e for e, _f in pairs]
    # initials stay read where syllables were replaced one for one
    acronyms = parsed.acronyms if len(pairs) == len(parsed.exact) else {}
    return ParsedQuery(parsed.text, exact, [f for _e, f in pairs], parsed.codes,
                       _expansions(exact, parsed.table, acronyms), parsed.fuzzy, acronyms, parsed.table)


def _expansions(exact, table, acronyms):
    return synonyms.expansions(exact, table) + [(index, 1, phrase) for index, phrase in sorted(acronyms.items())]


def read_initials(parsed, vocabulary):
    """``parsed`` with the initials it holds read as the catalogue's
    phrases ("GKS" → "giay khai sinh", see acronyms), where the index does
    not know the token and the thesaurus has no expansion of it."""
    expanded = {i for start, length, _e in parsed.expansions for i in range(start, start + length)}
    acronyms = {}
    for i, (e, f) in enumerate(zip(parsed.exact, parsed.folded)):
        if i in expanded or vocabulary.knows(f) or not acronyms_module.looks_like_initials(e, f):
            continue
        before = parsed.folded[i - 1] if i else None
        after = parsed.folded[i + 1] if i + 1 < len(parsed.folded) else None
        phrase = vocabulary.initials(f, before, after)
        if phrase:
            acronyms[i] = " ".join(phrase)
    if not acronyms:
        return parsed
    return replace(parsed, acronyms=acronyms, expansions=_expansions(parsed.exact, parsed.table, acronyms))


def fuzzy_budget(parsed, vocabulary):
    """``parsed`` deciding which syllables may be looked up fuzzily
    (corrected, matched within edits): the first MAX_FUZZY_SYLLABLES
    distinct ones the index does not know, of at most FUZZY_MAX_LETTERS
    letters, and not a real syllable typed with its diacritics ("hiểm" in
    a catalogue without insurance is a word it lacks, not a slip for
    "hiện"). Decided once per query; the others are looked up as typed."""
    if parsed.fuzzy is not None:
        return parsed
    # initials read, syllables of a thesaurus phrase ("miếu làng") and
    # filler ("ở phường Quang Trung": a name the catalogue may not hold)
    # are meant as typed
    read = {parsed.folded[i] for i in parsed.acronyms} | {
        parsed.folded[i] for start, length, _e in parsed.expansions for i in range(start, start + length)
    } | {parsed.folded[i] for i in range(len(parsed.folded)) if is_filler(parsed, i)}
    unknown = [
        f for e, f in dict.fromkeys(zip(parsed.exact, parsed.folded))
        if len(f) <= FUZZY_MAX_LETTERS and not vocabulary.knows(f) and not (e != f and is_valid_syllable(e))
        and f not in read
    ]
    return replace(parsed, fuzzy=frozenset(unknown[:MAX_FUZZY_SYLLABLES]))


def may_fuzz(parsed, folded):
    return parsed.fuzzy is not None and folded in parsed.fuzzy


def resegment(parsed, vocabulary):
    """Split syllables typed together ("khaisinh", "dangky") when they are
    unknown and the pieces are all known."""

    # the thesaurus's own words ("chào đời") are meant as typed
    expanded = {parsed.folded[i] for start, length, _e in parsed.expansions for i in range(start, start + length)}

    def split(e, f):
        pieces = None if vocabulary.knows(f) or f in expanded else vocabulary.split(f)
        if not pieces:
            return None
        found, offset = [], 0
        for piece in pieces:
            typed = e[offset:offset + len(piece)]
            found.append((typed if fold(typed) == piece else piece, piece))
            offset += len(piece)
        return found

    return _rewrite(parsed, split)


def corrected(parsed, vocabulary):
    """``parsed`` with each unknown syllable replaced by its likely intended
    one ("khia" → "khai"), so phrases and coverage work on what was meant;
    the fuzzy clauses still keep other readings in play."""

    parsed = fuzzy_budget(parsed, vocabulary)

    def correct(e, f):
        if not may_fuzz(parsed, f) or not vocabulary.correctable(f):
            return None
        fix = vocabulary.correction(f)
        return [(fix, fix)]

    return _rewrite(parsed, correct)


def is_filler(parsed, index):
    """Whether the query's syllable ``index`` asks rather than names (see filler)."""
    return _filler_mask(parsed)[index]


@memo
def _filler_mask(parsed):
    return filler.of(parsed)


@memo
def content(parsed):
    return [i for i, (e, f) in enumerate(zip(parsed.exact, parsed.folded)) if not is_filler(parsed, i)]


@memo
def runs(parsed):
    """The maximal runs of adjacent content syllables (indices)."""
    meaningful, found = set(content(parsed)), []
    for i in range(len(parsed.folded)):
        if i not in meaningful:
            continue
        if found and found[-1][-1] == i - 1:
            found[-1].append(i)
        else:
            found.append([i])
    return found


def run_of(index, parsed):
    return next((run for run in runs(parsed) if index in run), [index])


@memo
def words(parsed):
    """{syllable index: [(folded, folded)]}: the dictionary word (two
    syllables side by side, see lexicon, or in a thesaurus phrase) each
    content syllable is part of,
    the query cut into as many words as it holds ("quân nhân | tại ngũ",
    not "nhân tại"). A word is held as a whole: "hoạt động" does not hold
    "lao động"."""
    meaningful, folded, exact = set(content(parsed)), parsed.folded, parsed.exact
    n = len(folded)
    # a phrase the thesaurus knows is words too ("chứng tử": not "chứng" of
    # "chứng nhận" and "tử" of "điện tử")
    phrased = {i for start, length, _e in parsed.expansions if length > 1 for i in range(start, start + length - 1)}
    is_word = [
        i + 1 < n and i in meaningful and i + 1 in meaningful
        and (i in phrased or lexicon.is_word(folded[i], folded[i + 1], exact[i], exact[i + 1]))
        for i in range(n)
    ]
    # most words from each place on, right to left: take a word here, or skip a syllable
    most = [0] * (n + 2)
    for i in range(n - 1, -1, -1):
        most[i] = max(most[i + 1], 1 + most[i + 2] if is_word[i] else 0)
    found, i = {}, 0
    while i < n:
        if is_word[i] and 1 + most[i + 2] >= most[i + 1]:
            found[i] = found[i + 1] = [(folded[i], folded[i + 1])]
            i += 2
        else:
            i += 1
    return found
