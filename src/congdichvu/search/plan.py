"""What a procedure must hold to answer a query, and how much it counts.

A plan (``build``) has three parts, evaluated over the index by scoring:

* coverage: for each syllable of the query, the ways a procedure may hold
  it and how strongly (its word in the name fully, the papers half, the
  long texts a little; through the thesaurus nearly fully), weighted by
  what the syllable tells (the inverse document frequency of its word;
  filler a quarter). A procedure's coverage is the weighted share of the
  query it holds: extra words lower it, never rule a procedure out;
* ranking: weighted BM25F leaves (syllables, pairs, the whole query as a
  phrase or a name, expansions), multiplied by the coverage;
* codes typed, which find their procedure first.

``build`` answers None when the catalogue cannot answer: no procedure is
about half the query's distinctive syllables (see topic_share), so that
"đăng ký xe máy" in a city catalogue finds nothing rather than everything
holding "đăng ký".
"""
import math
from dataclasses import dataclass, field

import numpy as np

from . import query as querying
from .analysis import exact_analyzer, folded_analyzer, syllables
from .schema import EXACT_BONUS, FOLDED, PAIRED, PAIRS, WEIGHTS
from .scoring import AllOf, Fuzzy, Term, postings_of, raise_to

_EXACT, _FOLDED = exact_analyzer(), folded_analyzer()


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
FOLDED_WHEN_TYPED_WITH_DIACRITICS = 0.35
#: a query is answered when some procedure is about this share of its
#: distinctive syllables (see topic_share)
ANSWER_SHARE = 0.5
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


def phrase_in(name, folded):
    """``folded`` (two syllables or more) side by side in field ``name``,
    as its pairs of adjacent syllables: term lookups, not positions."""
    terms = tuple(Term(name + PAIRED, pair) for pair in _pairs(folded))
    return AllOf(terms) if len(terms) > 1 else terms[0]


def _phrase_clauses(folded, weight=1.0):
    return [
        (phrase_in(name, folded), phrase_weight * EXACT_BONUS * weight) for name, phrase_weight in PHRASE_FIELDS.items()
    ]


def _fuzzy_terms(folded, weight=1.0, fields=FUZZY_FIELDS):
    maxdist = 2 if len(folded) >= 7 else 1
    return [(Fuzzy(name + FOLDED, folded, maxdist), WEIGHTS[name] * 0.8 * weight) for name in fields]


def _fuzzy_candidate(parsed, folded):
    return querying.may_fuzz(parsed, folded) and len(folded) >= querying.FUZZY_MIN_LETTERS and not folded.isdigit()


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
    return phrase_in(name, expanded) if len(expanded) > 1 else Term(name + FOLDED, expanded[0])


def _held(index, parsed, vocabulary, words):
    """[(leaf, strength)]: the ways a procedure may hold the query's
    syllable ``index`` (see HELD_*); a syllable of a word (``words``, see
    querying.words) is held fully with its word only."""
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
    run = querying.run_of(index, parsed)
    phrase = min(HELD_AS_PHRASE_IN_DETAILS, HELD_PER_SYLLABLE_OF_A_PHRASE * len(run))
    return ways + [
        (leaf, phrase if share == 1.0 else HELD_TOGETHER_IN_DETAILS)
        for leaf, share in _run_ways(index, parsed, vocabulary)
    ]


@querying.memo
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


def _covered_by_expansion(index, parsed, vocabulary):
    return any(start <= index < start + length for start, length, _e in _present_expansions(parsed, vocabulary))


def _findable(index, parsed, vocabulary):
    exact, folded = parsed.exact[index], parsed.folded[index]
    return (
        vocabulary.in_primary(exact, folded)
        or vocabulary.in_details(folded)
        or _covered_by_expansion(index, parsed, vocabulary)
        or querying.may_fuzz(parsed, folded) and vocabulary.correctable(folded)
    )


@querying.memo
def _distinctive(parsed, vocabulary):
    """The content syllables that tell procedures apart: not so common
    that most names hold them ("đăng", "ký", "cấp", "giấy"), judged with
    their word: "khai" and "tử" are each in many names, "khai tử" in few."""
    words = querying.words(parsed)

    def telling(i):
        if i in words:
            return not vocabulary.common_pair(" ".join(words[i][0]))
        return not vocabulary.common(parsed.exact[i], parsed.folded[i])

    return [i for i in querying.content(parsed) if telling(i)]


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
    around ``index`` (see query.runs) side by side in any of its texts (1), or
    all of them in its long texts (a little less): what an editor wrote,
    found by the words a citizen types for it."""
    indices = querying.run_of(index, parsed)
    run = [parsed.folded[i] for i in indices]
    if len(run) < 2:
        return []
    # all its syllables, and its words as words ("quân sự", not "dân sự" and "quân đội")
    words = {" ".join(pair) for i in indices for pair in querying.words(parsed).get(i, ())}
    # the syllables most procedures' names hold are in nearly all long texts: they tell nothing here
    telling = [f for i, f in zip(indices, run) if not vocabulary.common(parsed.exact[i], f)] or run
    together = AllOf(
        tuple(Term("details" + FOLDED, syllable) for syllable in dict.fromkeys(telling))
        + tuple(Term("details" + PAIRED, word) for word in sorted(words))
    )
    return [(phrase_in(name, run), 1.0) for name in PAIRS] + [(together, TOGETHER_IN_DETAILS)]


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
    postings, words = vocabulary.postings, querying.words(parsed)
    about = np.zeros(postings.size, dtype=np.float32)
    for index in distinctive:
        strength = np.zeros(postings.size, dtype=np.float32)
        for leaf, value in _about(index, parsed, vocabulary, words):
            docnums = postings_of(leaf, postings)[0]
            if len(docnums):
                raise_to(strength, docnums, value, leaf)
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
    held, words = [], querying.words(parsed)
    for i in range(len(parsed.folded)):
        if not _findable(i, parsed, vocabulary):
            continue
        weight = max(_informative(i, parsed, vocabulary, words), _expanded_weight(i, parsed, vocabulary))
        if querying.is_filler(parsed, i):
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
    weights = [REQUEST_WEIGHT if querying.is_filler(parsed, i) else 1.0 for i in range(len(parsed.folded))]
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


@dataclass
class Plan:
    """How to answer a query: which procedures match (``codes`` typed, or
    holding some of the ``coverage`` syllables) and how they rank."""

    codes: list
    coverage: list
    ranking: list
    #: [leaf]: the query's content syllables in a procedure's name (see
    #: scoring.evaluate: of two names holding the query, the one it is
    #: more of comes first, "Đăng ký kết hôn" before "Đăng ký lại kết hôn")
    in_name: list = field(default_factory=list)


def build(parsed, vocabulary):
    """The plan for ``parsed``, or None when the catalogue cannot answer
    it. ``vocabulary`` tells what the index knows (see services)."""
    codes = [Term("code", code) for code in parsed.codes]
    parsed = querying.fuzzy_budget(parsed, vocabulary)
    if not parsed.folded or not answerable(parsed, vocabulary):
        return Plan(codes, [], []) if codes else None
    in_name = [Term("name" + FOLDED, f) for f in dict.fromkeys(parsed.folded[i] for i in querying.content(parsed))]
    return Plan(codes, _coverage(parsed, vocabulary), _ranking(parsed, vocabulary), in_name)
