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

from . import lexicon, synonyms
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
        "thì là gì được có không ạ hỏi thủ tục hồ sơ giúp với về việc mã đã bị "
        "những nào sao gì ơi nhé nhỉ rồi nữa luôn vậy thế nhờ xem ai"
    ).split()
)
# typed without diacritics, only those that cannot be mistaken for another word
REQUEST_WORDS_FOLDED = frozenset(
    {"lam", "xin", "cho", "toi", "muon", "can", "phai", "nao", "nhu", "dau", "nhieu", "cach", "cua", "thi", "giup", "viec",
     "nhung", "gi", "roi", "nua", "luon"}
)
REQUEST_WEIGHT = 0.25
#: who a request is for, after "cho": "làm giấy khai sinh cho con"
BENEFICIARIES = frozenset("mẹ bố ba má cha con cháu vợ chồng ông bà anh chị em bé cụ mình tôi họ nó".split())
#: where, after "ở" or "tại": "đăng ký tạm trú ở phường"
PLACES = frozenset("phường xã quận huyện tỉnh thị trấn thành phố nhà quê đâu".split())
#: typed without diacritics, the words of those lists that are no other word
FOLDED_SAFE = {"phuong": "phường", "quan": "quận", "huyen": "huyện", "tinh": "tỉnh", "dau": "đâu", "chong": "chồng",
               "chau": "cháu", "cho": "cho", "o": "ở", "tai": "tại", "que": "quê", "nha": "nhà", "vo": "vợ",
               "me": "mẹ", "bo": "bố"}
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
ABSENT_SHARE = 0.4
ABSENT_WORD_SHARE = 0.5


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


def _is_filler(parsed, index):
    """Whether the query's syllable ``index`` asks rather than names: a
    request word ("tôi muốn", "cần những gì"), or the person or place a
    request is for ("cho mẹ", "ở phường")."""
    exact, folded = parsed.exact[index], parsed.folded[index]
    if _is_request_word(exact, folded):
        return True
    if index == 0:
        return False
    before = parsed.exact[index - 1], parsed.folded[index - 1]
    if _spelled(before) in ("cho",) and _spelled((exact, folded)) in BENEFICIARIES:
        return True
    if _spelled(before) in ("ở", "tại") and _spelled((exact, folded)) in PLACES:
        return True
    return False


def _spelled(pair):
    """A typed syllable as compared with the word lists: with its
    diacritics when typed with them, else folded (then only the lists'
    folded forms that are not another word match)."""
    exact, folded = pair
    return exact if exact != folded else FOLDED_SAFE.get(folded, folded)


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
HELD_AS_PHRASE_IN_DETAILS = 0.8
#: weight of a syllable that most procedures' names hold ("đăng", "cấp")
COMMON_WEIGHT = 0.5


def _expansion_phrase(name, expanded):
    return _phrase_in(name, expanded) if len(expanded) > 1 else Term(name + FOLDED, expanded[0])


def _held(index, parsed, vocabulary):
    """[(leaf, strength)]: the ways a procedure may hold the query's
    syllable ``index`` (see HELD_*)."""
    exact, folded = parsed.exact[index], parsed.folded[index]
    if exact != folded:  # typed with diacritics: "sổ" is held by "sổ", less by "số" or "sở"
        ways = [(Term(name, exact), HELD) for name in PRIMARY]
        ways += [(Term(name + FOLDED, folded), HELD_FOLDED_ONLY) for name in PRIMARY]
    else:
        ways = [(Term(name + FOLDED, folded), HELD) for name in PRIMARY]
    ways.append((Term("details" + FOLDED, folded), HELD_IN_DETAILS))
    if _fuzzy_candidate(parsed, folded):
        ways += [(leaf, HELD_FUZZILY) for leaf, _weight in _fuzzy_terms(folded, fields=PRIMARY[:4])]
    for start, length, expansion in _present_expansions(parsed, vocabulary):
        if start <= index < start + length:
            _exact, expanded = _expansion_syllables(expansion)
            ways += [(_expansion_phrase(name, expanded), HELD_BY_EXPANSION) for name in PRIMARY]
    run = _run_of(index, parsed)
    if len(run) > 1:
        ways.append((_phrase_in("details", [parsed.folded[i] for i in run]), HELD_AS_PHRASE_IN_DETAILS))
    return ways


def _present_expansions(parsed, vocabulary):
    """The expansions whose official words this catalogue uses as a topic
    (a thesaurus serves every catalogue: "giấy phép lái xe" must not make a
    city catalogue without it answer "bằng lái")."""
    return [
        (start, length, expansion) for start, length, expansion in parsed.expansions
        if vocabulary.topic_words(_expansion_syllables(expansion)[1])
    ]


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


def _on_topic(index, parsed, vocabulary):
    exact, folded = parsed.exact[index], parsed.folded[index]
    if vocabulary.in_topic(exact, folded) or _covered_by_expansion(index, parsed, vocabulary):
        return True
    if _in_a_present_run(index, parsed, vocabulary):
        return True
    correction = vocabulary.correction(folded) if _may_fuzz(parsed, folded) else None
    return correction is not None and vocabulary.in_topic(correction)


def absent_share(parsed, vocabulary):
    """The share of the query's distinctive syllables that no procedure is
    about (in its name, keywords, result or sector, through an expansion,
    or as the query's words side by side anywhere), even fuzzily. A
    syllable typed with diacritics is looked up with them: "chiếu" is not
    "chiều"."""
    distinctive = [i for i in _content(parsed) if not vocabulary.common(parsed.exact[i], parsed.folded[i])]
    if not distinctive:
        return 0.0
    absent = [i for i in distinctive if not _on_topic(i, parsed, vocabulary)]
    return len(absent) / len(distinctive)


def _corrected(parsed, folded, vocabulary):
    if not _may_fuzz(parsed, folded):
        return folded
    return vocabulary.correction(folded) or folded


def absent_word_share(parsed, vocabulary):
    """The share of the query's distinctive words (adjacent meaningful
    syllables that the dictionary knows as a word, not both common in the
    catalogue) that no procedure is about. A topic the catalogue lacks
    shows as words it never uses: "lái xe", "bảo hiểm", "thu nhập"; two
    syllables that are no word ("vợ người") tell nothing."""
    content = set(_content(parsed))
    corrected = [_corrected(parsed, f, vocabulary) for f in parsed.folded]
    words = [
        i for i in range(len(parsed.folded) - 1)
        if i in content and i + 1 in content
        and lexicon.is_word(corrected[i], corrected[i + 1])
        and not (vocabulary.common(parsed.exact[i], parsed.folded[i])
                 and vocabulary.common(parsed.exact[i + 1], parsed.folded[i + 1]))
    ]
    if not words:
        return 0.0
    expansions = _present_expansions(parsed, vocabulary)
    absent = [
        i for i in words
        if not any(start <= i and i + 1 < start + length for start, length, _e in expansions)
        and not vocabulary.topic_phrase(corrected[i], corrected[i + 1])
        and not _in_a_present_run(i, parsed, vocabulary)
    ]
    return len(absent) / len(words)


def _in_a_present_run(index, parsed, vocabulary):
    run = _run_of(index, parsed)
    return len(run) > 1 and vocabulary.phrase_anywhere([parsed.folded[i] for i in run])


def answerable(parsed, vocabulary):
    return (
        absent_share(parsed, vocabulary) < ABSENT_SHARE
        and absent_word_share(parsed, vocabulary) < ABSENT_WORD_SHARE
    )


@dataclass(frozen=True)
class Held:
    """One query syllable a result should hold: its ``weight`` in the
    query and the ``ways`` [(leaf, strength)] a procedure may hold it."""

    weight: float
    ways: tuple


def _coverage(parsed, vocabulary):
    """[Held] for the query's syllables that some procedure may hold
    (filler words a quarter, common ones half, the others fully);
    syllables nothing holds are left out: they would lower every
    procedure's coverage alike."""
    held = []
    for i in range(len(parsed.folded)):
        if not _findable(i, parsed, vocabulary):
            continue
        exact, folded = parsed.exact[i], parsed.folded[i]
        weight = REQUEST_WEIGHT if _is_filler(parsed, i) else COMMON_WEIGHT if vocabulary.common(exact, folded) else 1.0
        held.append(Held(weight, tuple(_held(i, parsed, vocabulary))))
    return held


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
    for _start, _length, expansion in _present_expansions(parsed, vocabulary):
        exact, folded = _expansion_syllables(expansion)
        if len(exact) > 1:
            weighted.extend(_phrase_clauses(folded, EXPANSION_WEIGHT * 2))
        for e, f in zip(exact, folded):
            weighted.extend(_syllable_clause(e, f, EXPANSION_WEIGHT / len(exact), COMMON_FIELDS))
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
    it holds some of the query; its score is its BM25F score times the
    square of its coverage, so that the one holding all the query comes
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
                np.maximum.at(strength, docnums, value)
        coverage += held.weight * strength
    if total_weight:
        coverage /= total_weight
        matching |= coverage > 0
    for leaf, weight in plan.ranking:
        docnums, leaf_scores = _leaf(leaf, postings)
        if len(docnums):
            np.add.at(scores, docnums, weight * leaf_scores)
    scores *= coverage * coverage
    for term in plan.codes:
        docnums, _scores = _leaf(term, postings)
        matching[docnums] = True
        coverage[docnums] = 1.0
        scores[docnums] += CODE_WEIGHT
    matching &= postings.live
    if restrict is not None:
        matching &= restrict
    return Evaluation(matching, scores, coverage)


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
