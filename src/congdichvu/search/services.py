"""The Whoosh implementation of ISearchService."""
import threading
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import numpy as np
from sqlalchemy import func, select
from whoosh import query as Q
from whoosh.analysis import LowercaseFilter
from zope.interface import implementer

from ..ratelimit import RateLimit
from . import acronyms, lexicon, plan, scoring, snippets
from . import query as querying
from .analysis import TOKEN_PATTERN, NormalizingTokenizer, fold, folded_analyzer, syllables, unify_spelling
from .interfaces import ISearchService
from .models import QUERY_LOG_CHARS, SHOWN_CHARS, SearchQuery
from .schema import FOLDED, PAIRED, PAIRS, WEIGHTS
from .scoring import Postings

FACETS = {
    "sector": "sector_code",
    "level": "level",
    "agency": "agency_codes",
    "online_level": "online_level",
}
MAX_PER_PAGE = 50
#: the results are the procedures holding at least this share of what the
#: best one holds of the query (see query.evaluate's coverage); those down
#: to RELATED_SHARE are offered apart, at most RELATED_SHOWN of them
GOOD_SHARE = 0.75
RELATED_SHARE = 0.4
RELATED_SHOWN = 5
#: searches recorded in the query log per address and hour: a person
#: searches a few times a minute at most
LOGGED_PER_ADDRESS = RateLimit("search_log.address", 120, timedelta(hours=1))
_FOLDED = folded_analyzer()


@dataclass
class Result:
    code: str
    name: str
    score: float
    sector: str
    sector_name: str
    level: str
    online_level: int | None
    name_html: str
    snippet_html: str


@dataclass
class SearchResults:
    query: str
    total: int
    page: int
    per_page: int
    results: list = field(default_factory=list)
    facets: dict = field(default_factory=dict)
    suggestion: str | None = None
    #: weaker matches, shown apart after the last page of results
    related: list = field(default_factory=list)
    #: the query log row of this search (result links name it, so that
    #: opening a result is recorded), or None when it was not logged
    logged: int | None = None

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))


def _text(term):
    return term.decode("utf-8") if isinstance(term, bytes) else term


def edit_distance(first, second):
    """Damerau–Levenshtein distance: a swap of two letters ("khia" for
    "khai", the commonest slip on a phone) costs one edit, not two."""
    previous2, previous = None, list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        current = [i] + [0] * len(second)
        for j, b in enumerate(second, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b))
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


class Vocabulary:
    """What one index generation knows, for building queries: its folded
    syllables (all of them, and those of the primary fields), which are
    common, and for each the spelling with diacritics seen most often."""

    COMMON_SHARE = 0.08
    MAX_CORRECTIONS = 20000
    PRIMARY_FIELDS = tuple(name + FOLDED for name in plan.PRIMARY)
    #: every folded text of a procedure is in one of these
    FOLDED_FIELDS = tuple(name + FOLDED for name in WEIGHTS)

    def __init__(self, searcher, build=None):
        # This object and its postings are shared by every thread; Whoosh
        # readers are not thread-safe, so the searcher is its own and every
        # read of it after construction holds ``lock``.
        self.searcher, self.build = searcher, build
        self.lock = threading.RLock()
        self.reader = reader = searcher.reader()
        documents = max(1, reader.doc_count())
        # every folded syllable the catalogue holds, and the codes: the
        # union of the fields' own lexicons (a field of its own repeating
        # every word cost a fifth of the index build)
        self.all = {_text(term).lower() for term in reader.lexicon("code")}
        for name in self.FOLDED_FIELDS:
            self.all.update(_text(term) for term in reader.lexicon(name))
        self.primary, self.primary_exact = set(), set()
        for name in plan.PRIMARY:
            self.primary.update(_text(term) for term in reader.lexicon(name + FOLDED))
            self.primary_exact.update(_text(term) for term in reader.lexicon(name))

        def common_in(fields, terms):
            return {
                term for term in terms
                if max(reader.doc_frequency(name, term) for name in fields) / documents >= self.COMMON_SHARE
            }

        self.topic, self.topic_exact = set(), set()
        for name in plan.TOPIC:
            self.topic.update(_text(term) for term in reader.lexicon(name + FOLDED))
            self.topic_exact.update(_text(term) for term in reader.lexicon(name))
        self.common_folded = common_in(("name_f", "result_f"), self.primary)
        self.common_exact = common_in(("name", "result"), self.primary_exact)
        self.spelling = self._spellings(searcher)
        self._corrections = {}
        self._acronym_pairs = None
        self._facets = None
        lexicon.pairs()  # read once per process, here rather than in a citizen's first search
        self.postings = Postings(searcher, self.lock)
        # each document's place in the catalogue, for ties: the order of
        # documents in the index depends on how it was built (in parallel,
        # updated one by one), the catalogue's does not
        self.positions = np.fromiter(reader.column_reader("position"), dtype=np.int64, count=reader.doc_count_all())

    @staticmethod
    def _spellings(searcher):
        """Folded syllable → its commonest spelling in the procedure names,
        as written there ("ky" → "ký", not the index's unified "kí")."""
        counts = {}
        tokenize = NormalizingTokenizer(TOKEN_PATTERN) | LowercaseFilter()
        for fields in searcher.all_stored_fields():
            for token in tokenize(fields.get("name", "")):
                key = fold(unify_spelling(token.text))
                per_key = counts.setdefault(key, {})
                per_key[token.text] = per_key.get(token.text, 0) + 1
        return {key: max(spellings, key=spellings.get) for key, spellings in counts.items()}

    def knows(self, folded):
        return folded in self.all

    def up_to_date(self):
        with self.lock:
            return self.searcher.up_to_date()

    def stored_fields(self, docnums):
        with self.lock:
            return [self.searcher.stored_fields(int(docnum)) for docnum in docnums]

    def _facet_arrays(self):
        """Per facet: (its values, per document the index of its value), and
        for agencies, which may be many per document, parallel arrays of
        (document, value index). Read once per index generation."""
        with self.lock:
            return self._read_facet_arrays()

    def _read_facet_arrays(self):
        if self._facets is None:
            size = self.reader.doc_count_all()
            single = {name: ({}, np.full(size, -1, dtype=np.int32)) for name in ("sector", "level", "online_level")}
            agency_values, agency_docs, agency_ids = {}, [], []
            for docnum, fields in self.reader.iter_docs():
                for name, field in (("sector", "sector_code"), ("level", "level"), ("online_level", "online_level")):
                    values, column = single[name]
                    column[docnum] = values.setdefault(fields[field], len(values))
                for code in fields.get("agency_codes_stored", "").split():
                    agency_docs.append(docnum)
                    agency_ids.append(agency_values.setdefault(code, len(agency_values)))
            self._facets = (single, agency_values, np.array(agency_docs, dtype=np.int64), np.array(agency_ids, dtype=np.int64))
        return self._facets

    def restriction(self, filters):
        """A mask of the documents that pass ``filters`` ({facet: value}), or None."""
        filters = {name: value for name, value in (filters or {}).items() if value and name in FACETS}
        if not filters:
            return None
        single, agency_values, agency_docs, agency_ids = self._facet_arrays()
        mask = np.ones(self.postings.size, dtype=bool)
        for name, value in filters.items():
            if name == "agency":
                allowed = np.zeros(self.postings.size, dtype=bool)
                if value in agency_values:
                    allowed[agency_docs[agency_ids == agency_values[value]]] = True
                mask &= allowed
            else:
                values, column = single[name]
                mask &= column == values.get(str(value), -2)
        return mask

    def facet_counts(self, matching):
        """{facet: {value: documents}} among the ``matching`` mask."""
        single, agency_values, agency_docs, agency_ids = self._facet_arrays()
        counts = {}
        for name, (values, column) in single.items():
            tally = np.bincount(column[matching & (column >= 0)], minlength=len(values))
            counts[name] = {value: int(tally[index]) for value, index in values.items() if tally[index]}
        tally = np.bincount(agency_ids[matching[agency_docs]], minlength=len(agency_values))
        counts["agency"] = {value: int(tally[index]) for value, index in agency_values.items() if tally[index]}
        return counts

    def in_primary(self, exact, folded=None):
        """Whether the primary fields hold the syllable; one typed with
        diacritics (``exact`` differs from ``folded``) must match them."""
        if folded is None or exact == folded:
            return (folded or exact) in self.primary
        return exact in self.primary_exact

    def in_topic(self, exact, folded=None):
        if folded is None or exact == folded:
            return (folded or exact) in self.topic
        return exact in self.topic_exact

    def initials(self, folded, before=None, after=None):
        """The catalogue's phrase (folded syllables) that the initials
        ``folded`` stand for, or None (see acronyms); remembered like
        corrections."""
        key = ("initials", folded, before, after)
        with self.lock:
            if key not in self._corrections:
                if len(self._corrections) >= self.MAX_CORRECTIONS:
                    del self._corrections[next(iter(self._corrections))]
                self._corrections[key] = acronyms.resolve(
                    folded, self._pairs(), self.holds_phrase, before, after
                )
            return self._corrections[key]

    def _pairs(self):
        """acronyms.Pairs of the primary fields, read on first use (the
        caller holds the lock)."""
        if self._acronym_pairs is None:
            frequencies = {}
            for name in plan.PRIMARY:
                for term in self.reader.lexicon(name + PAIRED):
                    pair = _text(term)
                    frequencies[pair] = frequencies.get(pair, 0) + self.reader.doc_frequency(name + PAIRED, term)
            self._acronym_pairs = acronyms.Pairs.of(frequencies)
        return self._acronym_pairs

    def holds_phrase(self, folded):
        """Whether one procedure holds the folded syllables side by side in
        one of its primary fields."""
        return any(
            len(scoring.postings_of(plan.phrase_in(name, folded), self.postings)[0]) for name in plan.PRIMARY
        )

    def topic_frequency(self, suffix, text):
        """How many procedures hold ``text`` in their name, keywords or
        result, the field most holding it (``suffix``: "" exact, "_f"
        folded, "_p" a pair)."""
        with self.lock:
            return max(self.reader.doc_frequency(name + suffix, text) for name in ("name", "keywords", "result"))

    def in_details(self, folded):
        """Whether some procedure's long texts hold the folded syllable."""
        with self.lock:
            return bool(self.reader.doc_frequency("details" + FOLDED, folded))

    def topic_words(self, folded):
        """Whether the folded syllables (one or more, side by side) are
        words some procedure is about (see topic_phrase)."""
        if len(folded) == 1:
            return self.in_topic(folded[0])
        return all(self.topic_phrase(first, second) for first, second in zip(folded, folded[1:]))

    def phrase_anywhere(self, folded):
        """Whether every pair of the folded syllables is side by side in
        some procedure's text (any field): an editor's wording, found."""
        with self.lock:
            return all(
                any(self.reader.doc_frequency(name + PAIRED, f"{first} {second}") for name in PAIRS)
                for first, second in zip(folded, folded[1:])
            )

    def topic_phrase(self, first, second):
        """Whether some procedure's name, keywords, result or sector has the
        two folded syllables side by side."""
        pair = f"{first} {second}"
        with self.lock:
            return any(self.reader.doc_frequency(name + PAIRED, pair) for name in plan.TOPIC)

    def common_phrase(self, spelled):
        """Whether a phrase (spelled syllables, see synonyms.spelled) is
        common in procedures' names: its syllable, or each of its pairs."""
        if len(spelled) == 1:
            return self.common(spelled[0], fold(spelled[0]))
        folded = [fold(syllable) for syllable in spelled]
        return all(self.common_pair(f"{a} {b}") for a, b in zip(folded, folded[1:]))

    def common_pair(self, pair):
        """Whether a folded pair ("dang ki") is in so many procedures'
        names or results that it tells them little (COMMON_SHARE)."""
        with self.lock:
            documents = max(1, self.reader.doc_count())
            frequency = max(self.reader.doc_frequency(name + PAIRED, pair) for name in ("name", "result"))
        return frequency / documents >= self.COMMON_SHARE

    def common(self, exact, folded=None):
        if folded is None or exact == folded:
            return (folded or exact) in self.common_folded
        return exact in self.common_exact

    def _candidates(self, folded, fieldnames, maxdist):
        found = set()
        with self.lock:
            for name in fieldnames:
                found.update(_text(term) for term in self.reader.terms_within(name, folded, maxdist, prefix=1))
        return found

    def _frequency(self, folded):
        """How common a folded syllable is: its documents, summed over the
        folded fields (the caller holds the lock)."""
        return sum(self.reader.doc_frequency(name, folded) for name in self.FOLDED_FIELDS)

    def correction(self, folded):
        """The most likely intended syllable for an unknown one, or None
        (always for one longer than a syllable can be, see query.FUZZY_*).
        Answers are remembered, at most MAX_CORRECTIONS of them (queries
        typed at random must not grow the process without bound)."""
        if len(folded) > querying.FUZZY_MAX_LETTERS:
            return None
        with self.lock:
            if folded not in self._corrections:
                if len(self._corrections) >= self.MAX_CORRECTIONS:
                    del self._corrections[next(iter(self._corrections))]  # the oldest
                self._corrections[folded] = self._best_correction(folded)
            return self._corrections[folded]

    def _best_correction(self, folded):
        maxdist = 2 if len(folded) >= 7 else 1
        candidates = self._candidates(folded, self.PRIMARY_FIELDS, 2)
        scored = sorted(
            (edit_distance(folded, candidate), -self._frequency(candidate), candidate)
            for candidate in candidates
        )
        best = scored[0] if scored and scored[0][0] <= maxdist else None
        return best[2] if best else None

    def correctable(self, folded):
        return len(folded) >= querying.FUZZY_MIN_LETTERS and not folded.isdigit() and self.correction(folded) is not None

    #: ways of cutting kept at each letter (all of the fewest pieces, at most)
    SPLITS_KEPT = 16

    def split(self, folded):
        """Known syllables that, joined, give ``folded`` ("dangky" → dang,
        ky), or None. Prefers fewer pieces, then the cut whose neighbours
        the catalogue holds side by side ("kethon" → ket hon, not ke thon)."""
        if len(folded) < 4 or len(folded) > 40:
            return None
        best = {0: [[]]}
        for end in range(1, len(folded) + 1):
            for start in range(max(0, end - 7), end):
                piece = fold(unify_spelling(folded[start:end]))  # "ky" is indexed as "ki"
                if start not in best or piece not in self.primary:
                    continue
                cuts = [pieces + [piece] for pieces in best[start]]
                if end not in best or len(cuts[0]) < len(best[end][0]):
                    best[end] = cuts[:self.SPLITS_KEPT]
                elif len(cuts[0]) == len(best[end][0]):
                    best[end] = (best[end] + cuts)[:self.SPLITS_KEPT]
        cuts = best.get(len(folded))
        if not cuts or len(cuts[0]) < 2:
            return None
        return max(cuts, key=lambda pieces: sum(self.topic_phrase(a, b) for a, b in zip(pieces, pieces[1:])))


_TOKENS = NormalizingTokenizer(TOKEN_PATTERN)


def _typed_words(parsed):
    """The words of a query as typed (case and spelling kept), its codes
    left out like query.parse leaves them, cut like it cuts them."""
    words = [token.text for token in _TOKENS(parsed.text)]
    return [word[:querying.MAX_SYLLABLE_CHARS] for word in words if fold(word) not in parsed.codes][
        :querying.MAX_SYLLABLES]


def _shown(results):
    """The codes a search showed, space separated, as many whole ones as
    the log keeps (SHOWN_CHARS)."""
    shown = ""
    for result in results.results + results.related:
        if len(shown) + len(result.code) + 1 > SHOWN_CHARS:
            break
        shown = f"{shown} {result.code}" if shown else result.code
    return shown


def split(evaluation):
    """(results, related): masks of the procedures that hold nearly as much
    of the query as the best one (GOOD_SHARE), and of the weaker ones down
    to RELATED_SHARE. "đăng ký khai sinh" finds the birth registrations;
    "Đăng ký khai tử", holding only "đăng ký", is no result of it."""
    matching, coverage = evaluation.matching, evaluation.coverage
    if not matching.any():
        return matching, matching
    best = float(coverage[matching].max())
    good = matching & (coverage >= GOOD_SHARE * best - 1e-6)
    related = matching & ~good & (coverage >= RELATED_SHARE * best - 1e-6)
    return good, related


@implementer(ISearchService)
class WhooshSearchService:
    def __init__(self, manager, dbsession):
        self.manager = manager
        self.db = dbsession

    def _vocabulary(self):
        return self.manager.shared(Vocabulary)

    def _suggestion(self, typed, meant, vocabulary):
        """What was meant, spelled with its diacritics, when it differs from
        what was typed by more than accents ("dang ky khia sinh" → "đăng ký
        khai sinh"); None otherwise. Only what was corrected changes: a word
        left as typed is shown as typed ("Quang Trung", "ký"), except that
        in a query typed without diacritics the words naming the procedure
        take theirs (never its filler: "mat bao lau" is no "mất báo lâu")."""
        if [fold(unify_spelling(f)) for f in meant.folded] == [fold(unify_spelling(f)) for f in typed.folded]:
            return None
        original = _typed_words(typed)
        accented = any(e != f for e, f in zip(typed.exact, typed.folded))
        aligned = len(meant.folded) == len(typed.folded) == len(original)
        words = []
        for i, (e, f) in enumerate(zip(meant.exact, meant.folded)):
            kept = aligned and typed.folded[i] == f
            if kept and (accented or querying.is_filler(meant, i)):
                words.append(original[i])
            else:
                word = e if e != f else vocabulary.spelling.get(fold(unify_spelling(f)), e)
                words.append(word.upper() if aligned and original[i].isupper() else word)
        return " ".join(words)

    def search(self, text, filters=None, page=1, per_page=10, log=None):
        parsed = querying.parse(text, table=self.manager.thesaurus())
        per_page = max(1, min(per_page, MAX_PER_PAGE))
        results = SearchResults(query=unicodedata.normalize("NFC", parsed.text), total=0, page=page, per_page=per_page)
        if parsed.empty:
            return results
        vocabulary = self._vocabulary()
        typed = parsed
        parsed = querying.resegment(parsed, vocabulary)
        parsed = querying.corrected(querying.read_initials(parsed, vocabulary), vocabulary)
        built = plan.build(parsed, vocabulary)
        results.suggestion = self._suggestion(typed, parsed, vocabulary)
        if built is None:  # the catalogue has no answer
            if log and page == 1:
                self._log(results, log)
            return results
        evaluation = scoring.evaluate(built, vocabulary.postings, vocabulary.restriction(filters))
        good, related = split(evaluation)
        results.total = int(good.sum())
        results.facets = vocabulary.facet_counts(good)
        marked = {parsed.folded[i] for i in querying.content(parsed)} | {  # filler ("cho con") unmarked
            syllable for _s, _l, expansion in parsed.expansions for syllable in syllables(expansion, _FOLDED)
        }
        if results.suggestion:
            marked |= set(syllables(results.suggestion, _FOLDED))
        hits = self._page(vocabulary, good, evaluation.scores, page, per_page)
        results.results = [self._result(fields, score, marked) for fields, score in hits]
        if page >= results.pages:
            weaker = self._page(vocabulary, related, evaluation.scores, 1, RELATED_SHOWN)
            results.related = [self._result(fields, score, marked) for fields, score in weaker]
        if log and page == 1:
            self._log(results, log)
        return results

    @staticmethod
    def _page(vocabulary, matching, scores, page, per_page):
        """[(stored fields, score)] of the page, best first (ties: catalogue order)."""
        candidates = np.flatnonzero(matching)
        wanted = page * per_page
        if len(candidates) > wanted:
            # all that score at least the wanted-th best, so that ties at the edge are ordered too
            edge = len(candidates) - wanted
            candidates = candidates[scores[candidates] >= np.partition(scores[candidates], edge)[edge]]
        order = np.lexsort((vocabulary.positions[candidates], -scores[candidates]))
        chosen = candidates[order][(page - 1) * per_page:wanted]
        return list(zip(vocabulary.stored_fields(chosen), (float(scores[d]) for d in chosen)))

    def _result(self, hit, score, marked):
        name = hit["name"]
        name_html = snippets.whole(name, marked)
        snippet = snippets.passages(hit.get("snippet_source", ""), marked) or snippets.passages(
            hit.get("snippet_more", ""), marked
        )
        online = hit["online_level"]
        return Result(
            code=hit["code"],
            name=name,
            score=round(score, 3),
            sector=hit["sector_code"],
            sector_name=hit["sector_name"],
            level=hit["level"],
            online_level=int(online) if online.isdigit() else None,
            name_html=name_html,
            snippet_html=snippet or "",
        )

    def _log(self, results, address):
        """Record the search for editors: the query as kept (see
        query.clip), cut to the column; at most LOGGED_PER_ADDRESS an hour
        from one address, so a robot's thousands of searches do not grow
        the table without bound."""
        if not LOGGED_PER_ADDRESS.hit(self.db, address):
            return
        text = results.query[:QUERY_LOG_CHARS]
        row = SearchQuery(
            query=text, folded=fold(text)[:QUERY_LOG_CHARS], results=results.total,
            created_at=datetime.now(timezone.utc), shown=_shown(results),
        )
        self.db.add(row)
        self.db.flush()
        results.logged = row.id

    def suggest(self, prefix, limit=8):
        parsed = querying.parse(prefix)
        if parsed.empty:
            return []
        searcher = self.manager.searcher()
        clauses = [Q.Term("code", code, boost=1000.0) for code in parsed.codes]
        folded = parsed.folded
        # every syllable but the last is complete; the last may be half typed
        words = [Q.Term("name" + FOLDED, syllable) for syllable in folded[:-1]]
        if folded:
            words.append(Q.Prefix("name" + FOLDED, folded[-1]))
        if words:
            clauses.append(Q.And(words))
        hits = searcher.search(Q.Or(clauses), limit=limit)
        return [{"code": hit["code"], "name": hit["name"]} for hit in hits]

    def popular_queries(self, limit=20, since=None, zero_results=False):
        count = func.count(SearchQuery.id)
        query = select(SearchQuery.folded, func.min(SearchQuery.query), count).group_by(SearchQuery.folded)
        if since is not None:
            query = query.where(SearchQuery.created_at >= since)
        if zero_results:
            query = query.where(SearchQuery.results == 0)
        rows = self.db.execute(query.order_by(count.desc()).limit(limit))
        return [(text, times) for _folded, text, times in rows]
