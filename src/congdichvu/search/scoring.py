"""Evaluating a search plan over the Whoosh index with numpy.

Whoosh stores and analyses; its matchers, pure Python, read and score every
posting of every clause one by one, which for a query of forty clauses over
five thousand procedures costs a hundred milliseconds. Here each term's
postings are read once per index generation into arrays (document numbers
and their BM25F scores, Whoosh's own formula and statistics), and a query is
a handful of vectorised sums over those arrays.
"""
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import MultiMatcher
from whoosh.scoring import BM25F, bm25

_DEFAULTS = BM25F()
B, K1 = _DEFAULTS.B, _DEFAULTS.K1
MAX_CACHED_TERMS = 20000


def _arrays(matcher):
    """(document numbers, frequencies) of a term's postings as arrays.

    Whoosh 3-format postings are read a block at a time (128 postings
    decoded at once by Whoosh itself); reading them one posting at a time
    through the matcher cost a millisecond per thousand postings, the most
    of a search whose common words are in every procedure's long texts."""
    ids, weights = [], []
    for offset, leaf in _leaves(matcher):
        if isinstance(leaf, W3LeafMatcher):
            while leaf.is_active():
                leaf._read_ids()  # noqa: SLF001 - see the docstring: the block API has no public name
                leaf._read_weights()  # noqa: SLF001
                ids.append(np.asarray(leaf._ids, dtype=np.int64) + offset)  # noqa: SLF001
                weights.append(np.asarray(leaf._weights, dtype=np.float32))  # noqa: SLF001
                leaf._next_block()  # noqa: SLF001
        else:
            items = list(leaf.items_as("frequency"))
            ids.append(np.fromiter((d for d, _f in items), dtype=np.int64, count=len(items)) + offset)
            weights.append(np.fromiter((f for _d, f in items), dtype=np.float32, count=len(items)))
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    return np.concatenate(ids), np.concatenate(weights)


def _leaves(matcher, offset=0):
    """(document number offset, leaf matcher) of a term's postings over
    the index's segments."""
    if isinstance(matcher, MultiMatcher):
        for child, child_offset in zip(matcher.matchers, matcher.offsets):
            yield from _leaves(child, offset + child_offset)
    else:
        yield offset, matcher


class Postings:
    """Per index generation: arrays of the documents and scores of terms."""

    def __init__(self, searcher, lock):
        self.searcher = searcher
        self.reader = reader = searcher.reader()
        self.size = reader.doc_count_all()
        self.live = np.zeros(self.size, dtype=bool)
        self.live[list(reader.all_doc_ids())] = True
        self._lengths = {}
        self._cache = OrderedDict()
        self._lock = lock  # the reader's: Whoosh readers are not thread-safe

    def field_lengths(self, field):
        """Per document, the length of ``field`` (read once per index generation)."""
        with self._lock:
            if field not in self._lengths:
                self._lengths[field] = np.array(
                    [self.reader.doc_field_length(docnum, field, 0) for docnum in range(self.size)], dtype=np.float32
                )
            return self._lengths[field]

    def term(self, field, text):
        """(document numbers, BM25F scores) of ``text`` in ``field``."""
        key = (field, text)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        with self._lock:
            found = self._read(field, text)
            self._cache[key] = found
            if len(self._cache) > MAX_CACHED_TERMS:
                self._cache.popitem(last=False)
        return found

    def _read(self, field, text):
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        if not self.reader.frequency(field, text) and (field, text) not in self.reader:
            return empty
        try:
            docnums, frequencies = _arrays(self.reader.postings(field, text))
        except Exception:  # a field without positions or frequencies
            return empty
        if not len(docnums):
            return empty
        keep = self.live[docnums]
        docnums, frequencies = docnums[keep], frequencies[keep]
        if not self.searcher.schema[field].scorable:
            return docnums, np.ones(len(docnums), dtype=np.float32)
        idf = self.searcher.idf(field, text)
        average = self.searcher.avg_field_length(field) or 1.0
        scores = bm25(idf, frequencies, self.field_lengths(field)[docnums], average, B, K1)
        return docnums, scores.astype(np.float32)

    def terms_within(self, field, text, maxdist):
        with self._lock:
            return self._terms_within(field, text, maxdist)

    def _terms_within(self, field, text, maxdist):
        return [
            term.decode("utf-8") if isinstance(term, bytes) else term
            for term in self.reader.terms_within(field, text, maxdist, prefix=1)
        ]


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


CODE_WEIGHT = 1000.0


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
            docnums = postings_of(leaf, postings)[0]
            if len(docnums):
                raise_to(strength, docnums, value, leaf)
        coverage += held.weight * strength
    if total_weight:
        coverage /= total_weight
        matching |= coverage > 0
    for leaf, weight in plan.ranking:
        docnums, leaf_scores = postings_of(leaf, postings)
        if len(docnums):
            if isinstance(leaf, Fuzzy):  # several close terms may hold one document
                np.add.at(scores, docnums, weight * leaf_scores)
            else:
                scores[docnums] += weight * leaf_scores
    scores *= coverage * _name_share(plan, postings)
    for term in plan.codes:
        docnums, _scores = postings_of(term, postings)
        matching[docnums] = True
        coverage[docnums] = 1.0
        scores[docnums] += CODE_WEIGHT
    matching &= postings.live
    if restrict is not None:
        matching &= restrict
    return Evaluation(matching, scores, coverage)


#: what a name made only of the query's words adds to a score (see _name_share)
NAME_SHARE_BONUS = 0.3


def _name_share(plan, postings):
    """Per procedure, 1 + NAME_SHARE_BONUS × the share of its name's
    syllables that are the query's: the procedure a query names exactly
    ranks before its variants ("Đăng ký lại …", "… có yếu tố nước ngoài")."""
    if not getattr(plan, "in_name", None):
        return 1.0
    held = np.zeros(postings.size, dtype=np.float32)
    for leaf in plan.in_name:
        docnums = postings_of(leaf, postings)[0]
        held[docnums] += 1
    lengths = postings.field_lengths("name_f")
    return 1 + NAME_SHARE_BONUS * np.minimum(1.0, held / np.maximum(lengths, 1))


def raise_to(strengths, docnums, value, leaf):
    """``strengths`` of ``docnums`` raised to ``value`` where lower. A
    term's documents are distinct, so plain indexing does (ten times
    faster than ``np.maximum.at``); a fuzzy leaf's may repeat."""
    if isinstance(leaf, Fuzzy):
        np.maximum.at(strengths, docnums, value)
    else:
        strengths[docnums] = np.maximum(strengths[docnums], value)


def postings_of(leaf, postings):
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
