"""From what a citizen typed to a search plan, and its evaluation.

Every syllable is looked for in every text field, exact and folded, the
fields adding up; adjacent syllables also count as a
phrase, because Vietnamese words are mostly syllable pairs ("khai sinh",
"xây dựng"); abbreviations and colloquial names add their official words;
syllables the index has never seen are matched fuzzily (and corrected in a
suggestion), or split when they are several syllables typed together
("khaisinh"); a procedure code finds its procedure first. Plans are evaluated with numpy
over postings read from the Whoosh index (see scoring).

A result must also cover at least half of the query's meaningful syllables
in the fields that say what a procedure is (name, keywords, result, papers,
sector), and a query whose distinctive syllables the catalogue does not
know at all ("cấp hộ chiếu" in a city catalogue) finds nothing rather than
whatever shares the word "cấp".
"""
import math
import re
from dataclasses import dataclass, field, replace

import numpy as np

from . import acronyms as acronyms_module
from . import filler, lexicon, synonyms
from .analysis import exact_analyzer, fold, folded_analyzer, is_valid_syllable, query_analyzer, syllables
from .schema import EXACT_BONUS, FOLDED, PAIRED, PAIRS, WEIGHTS

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
#: what a filler syllable (see filler) counts, against 1 for the others
REQUEST_WEIGHT = 0.25
#: fields that say what a procedure is; coverage is counted in them
PRIMARY = ("name", "keywords", "result", "papers", "sector")
#: fields that say what a procedure is about (papers are only what one
#: brings: a passport named as an identity paper is no passport procedure)
TOPIC = ("name", "keywords", "result", "sector")
PHRASE_FIELDS = {"name": 3.0, "keywords": 2.0, "result": 1.0, "papers": 0.6}  # pairs, see schema
EXPANSION_WEIGHT = 0.8
FUZZY_FIELDS = ("name", "keywords", "result", "papers")
# Fuzzy lookups build a Levenshtein automaton per field, whose size grows
# with the syllable's length and the edits allowed: one of 300 letters cost a
# second. The longest Vietnamese syllable has 7 letters ("nghiêng"), so a
# slip or two more is all a syllable can be; and a query corrects at most a
# few of its syllables (the first ones unknown), not two dozen.
FUZZY_MIN_LETTERS, FUZZY_MAX_LETTERS = 4, 10
MAX_FUZZY_SYLLABLES = 4
FOLDED_WHEN_TYPED_WITH_DIACRITICS = 0.35
#: a query is answered when some procedure is about this share of its
#: distinctive syllables (see topic_share)
ANSWER_SHARE = 0.5


@dataclass(frozen=True)
class Term:
    field: str
    text: str


@dataclass(frozen=True)
class AllOf:
    """Every term present: the pairs of a phrase, side by side."""

    terms: tuple


@dataclass(frozen=True)
class Fuzzy:
    """Any indexed term within ``maxdist`` edits (first letter kept)."""

    field: str
    text: str
    maxdist: int


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
    #: what building a plan works out once per query (see _memo); each
    #: rewritten query starts its own
    memo: dict = field(init=False, default_factory=dict, repr=False, compare=False)

    @property
    def empty(self):
        return not self.exact and not self.codes


def _memo(function):
    """``function(parsed, *args)`` worked out once per query and arguments
    (a plan asks the same of a query for every syllable)."""

    def remembered(parsed, *args):
        key = (function.__name__, *map(id, args))  # the vocabulary outlives the query
        if key not in parsed.memo:
            parsed.memo[key] = function(parsed, *args)
        return parsed.memo[key]

    remembered.__name__, remembered.__doc__ = function.__name__, function.__doc__
    return remembered


_EXACT, _FOLDED, _TYPED = exact_analyzer(), folded_analyzer(), query_analyzer()


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
    text = clip(text)
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
    # initials read, and syllables of a thesaurus phrase ("miếu làng"), are meant as typed
    read = {parsed.folded[i] for i in parsed.acronyms} | {
        parsed.folded[i] for start, length, _e in parsed.expansions for i in range(start, start + length)
    }
    unknown = [
        f for e, f in dict.fromkeys(zip(parsed.exact, parsed.folded))
        if len(f) <= FUZZY_MAX_LETTERS and not vocabulary.knows(f) and not (e != f and is_valid_syllable(e))
        and f not in read
    ]
    return replace(parsed, fuzzy=frozenset(unknown[:MAX_FUZZY_SYLLABLES]))


def _may_fuzz(parsed, folded):
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
        if not _may_fuzz(parsed, f) or not vocabulary.correctable(f):
            return None
        fix = vocabulary.correction(f)
        return [(fix, fix)]

    return _rewrite(parsed, correct)


def _is_filler(parsed, index):
    """Whether the query's syllable ``index`` asks rather than names (see filler)."""
    return _filler_mask(parsed)[index]


@_memo
def _filler_mask(parsed):
    return filler.of(parsed)


#: where a common syllable ("đăng", "ký", "cấp") is looked for: it is in
#: most documents' long fields, and scoring those postings costs much and
#: tells little; pairs ("khai sinh") carry the meaning
COMMON_FIELDS = ("name", "keywords", "result")
#: "details" (steps, requirements, legal bases...) serve the vocabulary and
#: the snippet, not the ranking: everything is in them, so they rank nothing
RANKED_FIELDS = tuple(name for name in WEIGHTS if name != "details")


def _syllable_clause(exact, folded, weight, fields=RANKED_FIELDS):
    """[(leaf, weight)] for one syllable in ``fields``, exact and folded."""
    # Typed with diacritics, a syllable that only matches without them is
    # probably another word ("bản" is not "bán"), or a slip: it still
    # counts, a good deal less.
    typed_diacritics = exact != folded
    folded_weight = FOLDED_WHEN_TYPED_WITH_DIACRITICS if typed_diacritics else EXACT_BONUS
    weighted = []
    for name in fields:
        if typed_diacritics:
            weighted.append((Term(name, exact), WEIGHTS[name] * EXACT_BONUS * weight))
        # untyped diacritics: the folded term finds all an exact one would
        weighted.append((Term(name + FOLDED, folded), WEIGHTS[name] * folded_weight * weight))
    return weighted


def _pairs(folded):
    return [f"{first} {second}" for first, second in zip(folded, folded[1:])]


def _phrase_in(name, folded):
    """``folded`` (two syllables or more) side by side in field ``name``,
    as its pairs of adjacent syllables: term lookups, not positions."""
    terms = tuple(Term(name + PAIRED, pair) for pair in _pairs(folded))
    return AllOf(terms) if len(terms) > 1 else terms[0]


def _phrase_clauses(folded, weight=1.0):
    return [(_phrase_in(name, folded), phrase_weight * EXACT_BONUS * weight) for name, phrase_weight in PHRASE_FIELDS.items()]


def _fuzzy_terms(folded, weight=1.0, fields=FUZZY_FIELDS):
    maxdist = 2 if len(folded) >= 7 else 1
    return [(Fuzzy(name + FOLDED, folded, maxdist), WEIGHTS[name] * 0.8 * weight) for name in fields]


def _fuzzy_candidate(parsed, folded):
    return _may_fuzz(parsed, folded) and len(folded) >= FUZZY_MIN_LETTERS and not folded.isdigit()


def _expansion_syllables(expansion):
    return syllables(expansion, _EXACT), syllables(expansion, _FOLDED)


# How strongly a procedure holds query syllable i, from 0 to 1, by where and
# how it holds it; the best way counts. The procedure's own words in the
# fields that say what it is count fully; an everyday word replaced by the
# official one (the thesaurus) nearly as much; a syllable typed with
# diacritics that only matches without them ("bản" for "bán") half; the
# long texts (requirements, steps, legal bases) a little, or much when they
# hold the query's words side by side (an editor's wording).
HELD = 1.0
HELD_FOLDED_ONLY = 0.5
HELD_FUZZILY = 0.8
HELD_BY_EXPANSION = 0.9
HELD_IN_DETAILS = 0.3
# the longer the run of the query's words side by side in a procedure's
# texts, the less it is chance ("đăng ký khai sinh" is in many procedures'
# steps; "tờ khai người vô thừa nhận" in one)
HELD_AS_PHRASE_IN_DETAILS = 0.8
HELD_PER_SYLLABLE_OF_A_PHRASE = 0.2
HELD_TOGETHER_IN_DETAILS = 0.6
HELD_OUTSIDE_ITS_WORD = 0.6
#: what holding a syllable in each field counts: a procedure is what its
#: name says; the papers it asks for only mention things
HELD_IN = {"name": 1.0, "keywords": 0.9, "result": 0.9, "sector": 0.7, "papers": 0.5}


def _expansion_phrase(name, expanded):
    return _phrase_in(name, expanded) if len(expanded) > 1 else Term(name + FOLDED, expanded[0])


def _held(index, parsed, vocabulary, words):
    """[(leaf, strength)]: the ways a procedure may hold the query's
    syllable ``index`` (see HELD_*); a syllable of a word (``words``, see
    _words) is held fully with its word only."""
    exact, folded = parsed.exact[index], parsed.folded[index]
    alone = HELD_OUTSIDE_ITS_WORD if index in words else HELD
    if exact != folded:  # typed with diacritics: "sổ" is held by "sổ", less by "số" or "sở"
        ways = [(Term(name, exact), alone * HELD_IN[name]) for name in PRIMARY]
        ways += [(Term(name + FOLDED, folded), HELD_FOLDED_ONLY * alone * HELD_IN[name]) for name in PRIMARY]
    else:
        ways = [(Term(name + FOLDED, folded), alone * HELD_IN[name]) for name in PRIMARY]
    ways += [(Term(name + PAIRED, " ".join(pair)), HELD_IN[name]) for pair in words.get(index, ()) for name in PRIMARY]
    if not vocabulary.common(exact, folded):  # every procedure's long texts hold "đăng ký"
        ways.append((Term("details" + FOLDED, folded), HELD_IN_DETAILS))
    if _fuzzy_candidate(parsed, folded):
        ways += [(leaf, HELD_FUZZILY) for leaf, _weight in _fuzzy_terms(folded, fields=PRIMARY[:4])]
    for start, length, expansion in _present_expansions(parsed, vocabulary):
        if start <= index < start + length:
            _exact, expanded = _expansion_syllables(expansion)
            strength = HELD_BY_EXPANSION * _expansion_share(parsed, vocabulary, start, length)
            ways += [(_expansion_phrase(name, expanded), strength) for name in PRIMARY]
    run = _run_of(index, parsed)
    phrase = min(HELD_AS_PHRASE_IN_DETAILS, HELD_PER_SYLLABLE_OF_A_PHRASE * len(run))
    return ways + [
        (leaf, phrase if share == 1.0 else HELD_TOGETHER_IN_DETAILS)
        for leaf, share in _run_ways(index, parsed, vocabulary)
    ]


@_memo
def _present_expansions(parsed, vocabulary):
    """The expansions whose official words this catalogue uses as a topic
    (a thesaurus serves every catalogue: "giấy phép lái xe" must not make a
    city catalogue without it answer "bằng lái")."""
    return [
        (start, length, expansion) for start, length, expansion in parsed.expansions
        if vocabulary.topic_words(_expansion_syllables(expansion)[1])
    ]


#: what an expansion counts when the catalogue itself uses the typed words
#: as a topic: "mồ côi" finds the procedure named for orphans first, and
#: guardianship or adoption after it
EXPANSION_OF_WORDS_IN_USE = 0.3


def _expansion_share(parsed, vocabulary, start, length):
    """1 for an expansion of words the catalogue does not use as a topic,
    EXPANSION_OF_WORDS_IN_USE for one of words it does."""
    typed = parsed.folded[start:start + length]
    return EXPANSION_OF_WORDS_IN_USE if vocabulary.topic_words(typed) else 1.0


@_memo
def _runs(parsed):
    """The maximal runs of adjacent content syllables (indices)."""
    content, runs = set(_content(parsed)), []
    for i in range(len(parsed.folded)):
        if i not in content:
            continue
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _run_of(index, parsed):
    return next((run for run in _runs(parsed) if index in run), [index])


def _covered_by_expansion(index, parsed, vocabulary):
    return any(start <= index < start + length for start, length, _e in _present_expansions(parsed, vocabulary))


@_memo
def _content(parsed):
    return [i for i, (e, f) in enumerate(zip(parsed.exact, parsed.folded)) if not _is_filler(parsed, i)]


def _findable(index, parsed, vocabulary):
    exact, folded = parsed.exact[index], parsed.folded[index]
    return (
        vocabulary.in_primary(exact, folded)
        or vocabulary.in_details(folded)
        or _covered_by_expansion(index, parsed, vocabulary)
        or _may_fuzz(parsed, folded) and vocabulary.correctable(folded)
    )


@_memo
def _words(parsed):
    """{syllable index: [(folded, folded)]}: the dictionary word (two
    syllables side by side, see lexicon) each content syllable is part of,
    the query cut into as many words as it holds ("quân nhân | tại ngũ",
    not "nhân tại"). A word is held as a whole: "hoạt động" does not hold
    "lao động"."""
    content, folded, exact = set(_content(parsed)), parsed.folded, parsed.exact
    n = len(folded)
    is_word = [
        i + 1 < n and i in content and i + 1 in content
        and lexicon.is_word(folded[i], folded[i + 1], exact[i], exact[i + 1])
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


@_memo
def _distinctive(parsed, vocabulary):
    """The content syllables that tell procedures apart: not so common
    that most names hold them ("đăng", "ký", "cấp", "giấy")."""
    return [i for i in _content(parsed) if not vocabulary.common(parsed.exact[i], parsed.folded[i])]


#: how much a way of being about a query syllable counts (see _about)
ABOUT = 1.0
ABOUT_IN_PAPERS = 0.5
ABOUT_OUTSIDE_ITS_WORD = 0.5
#: a run of the query's words all in one procedure's long texts, not side by side
TOGETHER_IN_DETAILS = 0.8


def _about(index, parsed, vocabulary, words):
    """[(leaf, strength)]: the ways a procedure is about the query's
    syllable ``index``: its word (or the syllable, when it is part of
    none) in the fields that say what a procedure is, or less in the papers
    it asks for; an expansion of it there; or the query's run of words side
    by side in any text (an editor's wording)."""
    exact, folded = parsed.exact[index], parsed.folded[index]
    if exact != folded:
        alone = [(name, exact) for name in TOPIC] + [("papers", exact)]
    else:
        alone = [(name + FOLDED, folded) for name in TOPIC] + [("papers" + FOLDED, folded)]
    in_word = index in words
    ways = [
        (Term(name, text), (ABOUT_IN_PAPERS if name.startswith("papers") else ABOUT)
         * (ABOUT_OUTSIDE_ITS_WORD if in_word else 1.0))
        for name, text in alone
    ]
    for pair in words.get(index, ()):
        ways += [(Term(name + PAIRED, " ".join(pair)), ABOUT) for name in TOPIC]
        ways.append((Term("papers" + PAIRED, " ".join(pair)), ABOUT_IN_PAPERS))
    for start, length, expansion in _present_expansions(parsed, vocabulary):
        if start <= index < start + length:
            expanded = _expansion_syllables(expansion)[1]
            ways += [(_expansion_phrase(name, expanded), ABOUT) for name in TOPIC]
    if any(letter.isdigit() for letter in folded):  # a number typed is as good as a code
        ways += [(Term(name + FOLDED, folded), ABOUT) for name in WEIGHTS]
    return ways + [(leaf, ABOUT * share) for leaf, share in _run_ways(index, parsed, vocabulary)]


def _run_ways(index, parsed, vocabulary):
    """[(leaf, share)]: a procedure holding the query's run of words
    around ``index`` (see _runs) side by side in any of its texts (1), or
    all of them in its long texts (a little less): what an editor wrote,
    found by the words a citizen types for it."""
    indices = _run_of(index, parsed)
    run = [parsed.folded[i] for i in indices]
    if len(run) < 2:
        return []
    # all its syllables, and its words as words ("quân sự", not "dân sự" and "quân đội")
    words = {" ".join(pair) for i in indices for pair in _words(parsed).get(i, ())}
    # the syllables most procedures' names hold are in nearly all long texts: they tell nothing here
    telling = [f for i, f in zip(indices, run) if not vocabulary.common(parsed.exact[i], f)] or run
    together = AllOf(
        tuple(Term("details" + FOLDED, syllable) for syllable in dict.fromkeys(telling))
        + tuple(Term("details" + PAIRED, word) for word in sorted(words))
    )
    return [(_phrase_in(name, run), 1.0) for name in PAIRS] + [(together, TOGETHER_IN_DETAILS)]


def topic_share(parsed, vocabulary):
    """The largest share of the query's distinctive syllables that one
    procedure is about (0 to 1, see _about; 1 when the query has none). A
    question about a topic the catalogue lacks ("đổi giấy phép lái xe" in
    a city catalogue) shares only its common or generic words with any
    procedure; one with stray words ("... cho quán nhà mình") still has a
    procedure about most of it."""
    distinctive = _distinctive(parsed, vocabulary)
    if not distinctive:
        return 1.0
    postings, words = vocabulary.postings, _words(parsed)
    about = np.zeros(postings.size, dtype=np.float32)
    for index in distinctive:
        strength = np.zeros(postings.size, dtype=np.float32)
        for leaf, value in _about(index, parsed, vocabulary, words):
            docnums = _leaf(leaf, postings)[0]
            if len(docnums):
                _raise(strength, docnums, value, leaf)
        about += strength
    live = about[postings.live]
    return float(live.max()) / len(distinctive) if len(live) else 0.0


def answerable(parsed, vocabulary):
    return topic_share(parsed, vocabulary) >= ANSWER_SHARE


@dataclass(frozen=True)
class Held:
    """One query syllable a result should hold: its ``weight`` in the
    query and the ``ways`` [(leaf, strength)] a procedure may hold it."""

    weight: float
    ways: tuple


def _coverage(parsed, vocabulary):
    """[Held] for the query's syllables that some procedure may hold,
    each weighing what it tells (see _informative; filler words a quarter
    of that); syllables nothing holds are left out: they would lower every
    procedure's coverage alike."""
    held, words = [], _words(parsed)
    for i in range(len(parsed.folded)):
        if not _findable(i, parsed, vocabulary):
            continue
        weight = max(_informative(i, parsed, vocabulary, words), _expanded_weight(i, parsed, vocabulary))
        if _is_filler(parsed, i):
            weight *= REQUEST_WEIGHT
        held.append(Held(weight, tuple(_held(i, parsed, vocabulary, words))))
    return held


#: the most a typed syllable standing for a longer phrase weighs ("XNTTHN")
MOST_EXPANDED_WEIGHT = 2.0


def _expanded_weight(index, parsed, vocabulary):
    """What the query's syllable ``index`` weighs for the official words it
    stands for when it is an abbreviation, one token for a phrase ("KD",
    "XNTTHN"): what its expansion's syllables would weigh typed out (see
    _informative), at most MOST_EXPANDED_WEIGHT. 0 when nothing expands it
    alone (a typed phrase weighs its own syllables)."""
    best = 0.0
    for start, length, expansion in _present_expansions(parsed, vocabulary):
        if start == index and length == 1:
            expanded = _expansion_syllables(expansion)[1]
            pairs = [" ".join(pair) for pair in zip(expanded, expanded[1:])] or expanded
            suffix = PAIRED if len(expanded) > 1 else FOLDED
            told = sum(_idf_share(vocabulary.topic_frequency(suffix, text), vocabulary) for text in pairs)
            best = max(best, told * len(expanded) / len(pairs))
    return min(MOST_EXPANDED_WEIGHT, best)


#: the least a syllable of the query weighs, however common
LEAST_INFORMATIVE = 0.15


def _informative(index, parsed, vocabulary, words):
    """How much the query's syllable ``index`` tells procedures apart,
    from LEAST_INFORMATIVE to 1: the inverse document frequency of its
    word (or of itself, outside any word) in the procedures' names,
    keywords and results, relative to a word only one procedure uses.
    "đăng ký" says little in "đăng ký khai sinh"; "khai sinh" says it."""
    exact, folded = parsed.exact[index], parsed.folded[index]
    if index in words:
        frequency = vocabulary.topic_frequency(PAIRED, " ".join(words[index][0]))
    elif exact != folded:
        frequency = vocabulary.topic_frequency("", exact)
    else:
        frequency = vocabulary.topic_frequency(FOLDED, folded)
    return _idf_share(frequency, vocabulary)


def _idf_share(frequency, vocabulary):
    """The inverse document frequency of something ``frequency``
    procedures hold, relative to what one procedure holds (at least
    LEAST_INFORMATIVE, at most 1)."""
    size = vocabulary.postings.size
    if size < 2:
        return 1.0
    share = math.log((size + 1) / (frequency + 1)) / math.log(size + 1)
    return min(1.0, max(LEAST_INFORMATIVE, share))


NAME_IS_QUERY = 40.0
WHOLE_QUERY_PHRASE = 2.0


def _ranking(parsed, vocabulary):
    """[(leaf, weight)]: a document's score is the sum of the weighted BM25F
    scores of the leaves it matches."""
    # the query is a procedure's whole name, or holds it as a phrase
    weighted = [(Term("name_key", " ".join(parsed.folded)), NAME_IS_QUERY)]
    if len(parsed.folded) > 2:
        weighted.extend(_phrase_clauses(parsed.folded, WHOLE_QUERY_PHRASE))
    weights = [REQUEST_WEIGHT if _is_filler(parsed, i) else 1.0 for i in range(len(parsed.folded))]
    for exact, folded, weight in zip(parsed.exact, parsed.folded, weights):
        fields = COMMON_FIELDS if vocabulary.common(exact, folded) else RANKED_FIELDS
        weighted.extend(_syllable_clause(exact, folded, weight, fields))
        if _fuzzy_candidate(parsed, folded):
            weighted.extend(_fuzzy_terms(folded, weight))
    for first in range(len(parsed.exact) - 1):
        weighted.extend(_phrase_clauses(parsed.folded[first:first + 2], min(weights[first], weights[first + 1])))
    for start, length, expansion in _present_expansions(parsed, vocabulary):
        exact, folded = _expansion_syllables(expansion)
        weight = EXPANSION_WEIGHT * _expansion_share(parsed, vocabulary, start, length)
        if len(exact) > 1:
            weighted.extend(_phrase_clauses(folded, weight * 2))
        for e, f in zip(exact, folded):
            weighted.extend(_syllable_clause(e, f, weight / len(exact), COMMON_FIELDS))
    return weighted


CODE_WEIGHT = 1000.0


@dataclass
class Plan:
    """How to answer a query: which procedures match (``codes`` typed, or
    holding some of the ``coverage`` syllables) and how they rank."""

    codes: list
    coverage: list
    ranking: list


def build(parsed, vocabulary):
    """The plan for ``parsed``, or None when the catalogue cannot answer
    it. ``vocabulary`` tells what the index knows (see services)."""
    codes = [Term("code", code) for code in parsed.codes]
    parsed = fuzzy_budget(parsed, vocabulary)
    if not parsed.folded or not answerable(parsed, vocabulary):
        return Plan(codes, [], []) if codes else None
    return Plan(codes, _coverage(parsed, vocabulary), _ranking(parsed, vocabulary))


@dataclass
class Evaluation:
    """Per procedure (index document number): whether it matches, its
    score, and the weighted share of the query it holds (0 to 1)."""

    matching: np.ndarray
    scores: np.ndarray
    coverage: np.ndarray


def evaluate(plan, postings, restrict=None):
    """The Evaluation of ``plan`` over ``postings`` (scoring.Postings),
    narrowed to the ``restrict`` mask when given. A procedure matches when
    it holds some of the query; its score is its BM25F score times its
    coverage, so that the one holding all the query comes
    first and each word it lacks costs it, without ever ruling it out."""
    size = postings.size
    scores = np.zeros(size, dtype=np.float32)
    coverage = np.zeros(size, dtype=np.float32)
    matching = np.zeros(size, dtype=bool)
    total_weight = sum(held.weight for held in plan.coverage)
    for held in plan.coverage:
        strength = np.zeros(size, dtype=np.float32)
        for leaf, value in held.ways:
            docnums = _leaf(leaf, postings)[0]
            if len(docnums):
                _raise(strength, docnums, value, leaf)
        coverage += held.weight * strength
    if total_weight:
        coverage /= total_weight
        matching |= coverage > 0
    for leaf, weight in plan.ranking:
        docnums, leaf_scores = _leaf(leaf, postings)
        if len(docnums):
            if isinstance(leaf, Fuzzy):  # several close terms may hold one document
                np.add.at(scores, docnums, weight * leaf_scores)
            else:
                scores[docnums] += weight * leaf_scores
    scores *= coverage
    for term in plan.codes:
        docnums, _scores = _leaf(term, postings)
        matching[docnums] = True
        coverage[docnums] = 1.0
        scores[docnums] += CODE_WEIGHT
    matching &= postings.live
    if restrict is not None:
        matching &= restrict
    return Evaluation(matching, scores, coverage)


def _raise(strengths, docnums, value, leaf):
    """``strengths`` of ``docnums`` raised to ``value`` where lower. A
    term's documents are distinct, so plain indexing does (ten times
    faster than ``np.maximum.at``); a fuzzy leaf's may repeat."""
    if isinstance(leaf, Fuzzy):
        np.maximum.at(strengths, docnums, value)
    else:
        strengths[docnums] = np.maximum(strengths[docnums], value)


def _leaf(leaf, postings):
    """(document numbers, scores) of one leaf."""
    if isinstance(leaf, Term):
        return postings.term(leaf.field, leaf.text)
    if isinstance(leaf, AllOf):
        docnums, scores = postings.term(leaf.terms[0].field, leaf.terms[0].text)
        for term in leaf.terms[1:]:
            other, other_scores = postings.term(term.field, term.text)
            common, mine, theirs = np.intersect1d(docnums, other, assume_unique=True, return_indices=True)
            docnums, scores = common, scores[mine] + other_scores[theirs]
        return docnums, scores
    variants = [postings.term(leaf.field, text) for text in postings.terms_within(leaf.field, leaf.text, leaf.maxdist)]
    if not variants:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    return np.concatenate([v[0] for v in variants]), np.concatenate([v[1] for v in variants])
