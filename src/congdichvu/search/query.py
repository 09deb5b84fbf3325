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

from . import synonyms
from .analysis import exact_analyzer, fold, folded_analyzer, syllables
from .schema import EXACT_BONUS, FOLDED, PAIRED, WEIGHTS

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
# Words of requests, not of procedures ("tôi muốn làm ... ở đâu"): they
# still count, a quarter as much, but a result need not contain them.
REQUEST_WORDS = frozenset(
    (
        "làm xin cho tôi em mình muốn cần phải thế nào như ở đâu bao nhiêu cách để và của "
        "thì là gì được có không ạ hỏi thủ tục hồ sơ giúp với về việc mã đã bị"
    ).split()
)
# typed without diacritics, only those that cannot be mistaken for another word
REQUEST_WORDS_FOLDED = frozenset(
    {"lam", "xin", "cho", "toi", "muon", "can", "phai", "nao", "nhu", "dau", "nhieu", "cach", "cua", "thi", "giup", "viec"}
)
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
COVERAGE = 0.5
ABSENT_SHARE = 0.4
ABSENT_PAIR_SHARE = 0.75


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
    #: the thesaurus the expansions come from (synonyms.parse's shape);
    #: None for the shipped file
    table: dict | None = field(default=None, repr=False, compare=False)

    @property
    def empty(self):
        return not self.exact and not self.codes


_EXACT, _FOLDED = exact_analyzer(), folded_analyzer()


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
    exact, folded = _bounded(text, _EXACT), _bounded(text, _FOLDED)
    codes = CODE.findall(text)
    # a code is looked up as a code, not as words
    pairs = [(e, f) for e, f in zip(exact, folded) if f not in codes]
    exact, folded = [e for e, _f in pairs], [f for _e, f in pairs]
    return ParsedQuery(
        text=text, exact=exact, folded=folded, codes=codes, expansions=synonyms.expansions(exact, table), table=table
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
    return ParsedQuery(parsed.text, exact, [f for _e, f in pairs], parsed.codes,
                       synonyms.expansions(exact, parsed.table), parsed.fuzzy, parsed.table)


def fuzzy_budget(parsed, vocabulary):
    """``parsed`` deciding which syllables may be looked up fuzzily
    (corrected, matched within edits): the first MAX_FUZZY_SYLLABLES
    distinct ones the index does not know, of at most FUZZY_MAX_LETTERS
    letters. Decided once per query; the others are looked up as typed."""
    if parsed.fuzzy is not None:
        return parsed
    unknown = [f for f in dict.fromkeys(parsed.folded) if len(f) <= FUZZY_MAX_LETTERS and not vocabulary.knows(f)]
    return replace(parsed, fuzzy=frozenset(unknown[:MAX_FUZZY_SYLLABLES]))


def _may_fuzz(parsed, folded):
    return parsed.fuzzy is not None and folded in parsed.fuzzy


def resegment(parsed, vocabulary):
    """Split syllables typed together ("khaisinh", "dangky") when they are
    unknown and the pieces are all known."""

    def split(e, f):
        pieces = None if vocabulary.knows(f) else vocabulary.split(f)
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


def _is_request_word(exact, folded):
    if exact != folded:  # typed with diacritics: they decide
        return exact in REQUEST_WORDS
    return folded in REQUEST_WORDS_FOLDED


def _weight(exact, folded):
    return REQUEST_WEIGHT if _is_request_word(exact, folded) else 1.0


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


def _coverage_clause(index, parsed, vocabulary):
    """What counts as the query's syllable ``index`` being present in a
    result: the syllable, a fuzzy match of it, or an expansion of a typed
    phrase that contains it, in the primary fields."""
    exact, folded = parsed.exact[index], parsed.folded[index]
    if exact != folded:  # typed with diacritics: "sổ" is covered by "sổ", not by "số" or "sở"
        options = [Term(name, exact) for name in PRIMARY]
    else:
        options = [Term(name + FOLDED, folded) for name in PRIMARY]
    if _fuzzy_candidate(parsed, folded):
        options += [leaf for leaf, _weight in _fuzzy_terms(folded, fields=PRIMARY[:4])]
    for start, length, expansion in parsed.expansions:
        if start <= index < start + length:
            _exact, expanded = _expansion_syllables(expansion)
            for name in PRIMARY:
                options.append(_phrase_in(name, expanded) if len(expanded) > 1 else Term(name + FOLDED, expanded[0]))
    return tuple(options)


def _covered_by_expansion(index, parsed):
    return any(start <= index < start + length for start, length, _e in parsed.expansions)


def _content(parsed):
    return [i for i, (e, f) in enumerate(zip(parsed.exact, parsed.folded)) if not _is_request_word(e, f)]


def _findable(index, parsed, vocabulary):
    exact, folded = parsed.exact[index], parsed.folded[index]
    return (
        vocabulary.in_primary(exact, folded)
        or _covered_by_expansion(index, parsed)
        or _may_fuzz(parsed, folded) and vocabulary.correctable(folded)
    )


def _on_topic(index, parsed, vocabulary):
    exact, folded = parsed.exact[index], parsed.folded[index]
    if vocabulary.in_topic(exact, folded) or _covered_by_expansion(index, parsed):
        return True
    correction = vocabulary.correction(folded) if _may_fuzz(parsed, folded) else None
    return correction is not None and vocabulary.in_topic(correction)


def absent_share(parsed, vocabulary):
    """The share of the query's distinctive syllables that no procedure is
    about (in its name, keywords, result or sector), even fuzzily or
    through an expansion. A syllable typed with diacritics is looked up with
    them: "chiếu" is not "chiều"."""
    distinctive = [i for i in _content(parsed) if not vocabulary.common(parsed.exact[i], parsed.folded[i])]
    if not distinctive:
        return 0.0
    absent = [i for i in distinctive if not _on_topic(i, parsed, vocabulary)]
    return len(absent) / len(distinctive)


def _corrected(parsed, folded, vocabulary):
    if not _may_fuzz(parsed, folded):
        return folded
    return vocabulary.correction(folded) or folded


def absent_pair_share(parsed, vocabulary):
    """The share of the query's words (adjacent pairs of meaningful
    syllables, numbers aside) that no procedure is about. Vietnamese words
    are mostly two syllables, and a topic the catalogue lacks shows as words
    it never uses: "bảo hiểm", "lái xe", "thu nhập"."""
    content = set(_content(parsed))
    pairs = [
        i for i in range(len(parsed.folded) - 1)
        if i in content and i + 1 in content
        and not parsed.folded[i].isdigit() and not parsed.folded[i + 1].isdigit()
    ]
    if not pairs:
        return 0.0
    absent = [
        i for i in pairs
        if not any(start <= i and i + 1 < start + length for start, length, _e in parsed.expansions)
        and not vocabulary.topic_phrase(
            _corrected(parsed, parsed.folded[i], vocabulary), _corrected(parsed, parsed.folded[i + 1], vocabulary)
        )
    ]
    return len(absent) / len(pairs)


def answerable(parsed, vocabulary):
    return (
        absent_share(parsed, vocabulary) < ABSENT_SHARE
        and absent_pair_share(parsed, vocabulary) < ABSENT_PAIR_SHARE
    )


def _required(parsed, vocabulary):
    """(clauses, minmatch): results must cover half the meaningful
    syllables that can be found; each clause is a tuple of alternatives."""
    meaningful = [i for i in _content(parsed) if _findable(i, parsed, vocabulary)]
    if not meaningful:
        meaningful = _content(parsed) or list(range(len(parsed.folded)))
    clauses = [_coverage_clause(i, parsed, vocabulary) for i in meaningful]
    return clauses, max(1, math.ceil(COVERAGE * len(clauses)))


NAME_IS_QUERY = 40.0
WHOLE_QUERY_PHRASE = 2.0


def _ranking(parsed, vocabulary):
    """[(leaf, weight)]: a document's score is the sum of the weighted BM25F
    scores of the leaves it matches."""
    # the query is a procedure's whole name, or holds it as a phrase
    weighted = [(Term("name_key", " ".join(parsed.folded)), NAME_IS_QUERY)]
    if len(parsed.folded) > 2:
        weighted.extend(_phrase_clauses(parsed.folded, WHOLE_QUERY_PHRASE))
    for exact, folded in zip(parsed.exact, parsed.folded):
        weight = _weight(exact, folded)
        fields = COMMON_FIELDS if vocabulary.common(exact, folded) else RANKED_FIELDS
        weighted.extend(_syllable_clause(exact, folded, weight, fields))
        if _fuzzy_candidate(parsed, folded):
            weighted.extend(_fuzzy_terms(folded, weight))
    for first in range(len(parsed.exact) - 1):
        pair_weight = min(
            _weight(parsed.exact[first], parsed.folded[first]),
            _weight(parsed.exact[first + 1], parsed.folded[first + 1]),
        )
        weighted.extend(_phrase_clauses(parsed.folded[first:first + 2], pair_weight))
    for _start, _length, expansion in parsed.expansions:
        exact, folded = _expansion_syllables(expansion)
        if len(exact) > 1:
            weighted.extend(_phrase_clauses(folded, EXPANSION_WEIGHT * 2))
        for e, f in zip(exact, folded):
            weighted.extend(_syllable_clause(e, f, EXPANSION_WEIGHT / len(exact), COMMON_FIELDS))
    return weighted


CODE_WEIGHT = 1000.0


@dataclass
class Plan:
    """How to answer a query: which procedures match (``codes`` typed, or at
    least ``minmatch`` of the ``required`` clauses) and how they rank."""

    codes: list
    required: list
    minmatch: int
    ranking: list


def build(parsed, vocabulary):
    """The plan for ``parsed``, or None when the catalogue cannot answer
    it. ``vocabulary`` tells what the index knows (see services)."""
    codes = [Term("code", code) for code in parsed.codes]
    parsed = fuzzy_budget(parsed, vocabulary)
    if not parsed.folded or not answerable(parsed, vocabulary):
        return Plan(codes, [], 0, []) if codes else None
    required, minmatch = _required(parsed, vocabulary)
    return Plan(codes, required, minmatch, _ranking(parsed, vocabulary))


def evaluate(plan, postings, restrict=None):
    """(matching mask, scores) of ``plan`` over ``postings`` (scoring.Postings),
    narrowed to the ``restrict`` mask when given."""
    size = postings.size
    scores = np.zeros(size, dtype=np.float32)
    matching = np.zeros(size, dtype=bool)
    for term in plan.codes:
        docnums, _scores = _leaf(term, postings)
        matching[docnums] = True
        scores[docnums] += CODE_WEIGHT
    if plan.required:
        covered = np.zeros(size, dtype=np.int16)
        for clause in plan.required:
            hit = np.zeros(size, dtype=bool)
            for leaf in clause:
                hit[_leaf(leaf, postings)[0]] = True
            covered += hit
        matching |= covered >= plan.minmatch
    matching &= postings.live
    if restrict is not None:
        matching &= restrict
    for leaf, weight in plan.ranking:
        docnums, leaf_scores = _leaf(leaf, postings)
        if len(docnums):
            np.add.at(scores, docnums, weight * leaf_scores)
    return matching, scores


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
