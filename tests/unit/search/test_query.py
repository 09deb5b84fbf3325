import numpy as np

from congdichvu.search import filler, plan, scoring
from congdichvu.search import query as querying


class Vocabulary:
    """A stand-in for what an index knows: ``words`` in every procedure's
    name (one procedure per ``documents`` entry when given)."""

    def __init__(self, words, common=(), phrases=(), documents=None):
        self.words, self.common_words, self.phrases = set(words), set(common), set(phrases)
        self.postings = NamePostings(documents or [sorted(self.words)], self.phrases)

    def in_details(self, folded):
        return False

    def topic_frequency(self, suffix, text):
        return 1

    def common_pair(self, pair):
        return all(syllable in self.common_words for syllable in pair.split())

    def topic_words(self, folded):
        return all(f in self.words for f in folded)

    def phrase_anywhere(self, folded):
        return all(pair in self.phrases for pair in zip(folded, folded[1:]))

    def knows(self, folded):
        return folded in self.words

    def in_primary(self, exact, folded=None):
        return (folded or exact) in self.words

    in_topic = in_primary

    def common(self, exact, folded=None):
        return (folded or exact) in self.common_words

    def correction(self, folded):
        return None

    def correctable(self, folded):
        return False

    def topic_phrase(self, first, second):
        return (first, second) in self.phrases

    def split(self, folded):
        return None


def test_parse_separates_codes_from_words():
    parsed = querying.parse("thủ tục 1.001193")
    assert parsed.codes == ["1.001193"]
    assert parsed.folded == ["thu", "tuc"]


def test_a_long_query_is_cut_not_refused():
    parsed = querying.parse("khai sinh " * 500)
    assert len(parsed.exact) == querying.MAX_SYLLABLES


def _filler(text):
    parsed = querying.parse(text)
    return [e for e, is_filler in zip(parsed.exact, filler.of(parsed)) if is_filler]


def test_request_words_are_recognised_by_their_diacritics():
    assert _filler("làm hộ") == ["làm"] and _filler("lam ho") == ["lam"]  # "ho" may be "hồ" or "hộ": a name
    assert _filler("rút bảo hiểm xã hội") == [] and _filler("mất bao lâu") == ["mất", "bao", "lâu"]
    assert _filler("lập di chúc") == [] and _filler("di dang ky") == ["di"]  # "di" is "đi" only unaccented


def test_who_and_where_a_request_is_for_are_filler():
    assert _filler("làm giấy chứng tử cho mẹ") == ["làm", "cho", "mẹ"]
    assert _filler("mẹ tôi già rồi có được nhận trợ cấp không") == ["mẹ", "tôi", "rồi", "có", "được", "không"]
    assert _filler("đăng ký tạm trú ở phường mình") == ["ở", "phường", "mình"]
    assert _filler("xin giấy xác nhận độc thân cho con trai cần những gì")[-6:] == [
        "cho", "con", "trai", "cần", "những", "gì"]
    assert _filler("nhận con nuôi") == [] and _filler("chứng thực bản sao") == []  # "con", "sao" name here
    assert "sao" in _filler("làm sao để được công nhận hộ nghèo")


def test_a_code_alone_is_looked_up_as_a_code():
    built = plan.build(querying.parse("1.001193"), Vocabulary([]))
    assert built.codes == [scoring.Term("code", "1.001193")] and built.ranking == []


class Postings:
    """Three documents with hand-made postings."""

    size = 3
    live = np.array([True, True, False])  # the third was deleted
    table = {
        ("name_f", "khai"): ([0, 1, 2], [1.0, 1.0, 1.0]),
        ("name_f", "sinh"): ([0, 2], [2.0, 2.0]),
        ("name_p", "khai sinh"): ([0, 2], [5.0, 5.0]),
        ("code", "1.001193"): ([1], [1.0]),
    }

    def term(self, field, text):
        docnums, scores = self.table.get((field, text), ([], []))
        return np.array(docnums, dtype=np.int64), np.array(scores, dtype=np.float32)

    def terms_within(self, field, text, maxdist):
        return ["khai"] if text == "khia" else []


class NamePostings(Postings):
    """Postings of procedures given by the folded syllables of their names."""

    def field_lengths(self, field):
        return np.array([len(words) for words in self.documents], dtype=np.float32)

    def __init__(self, documents, phrases=()):
        self.documents = documents
        self.size = len(documents)
        self.live = np.ones(self.size, dtype=bool)
        self.table = {}
        for docnum, words in enumerate(documents):
            for word in words:
                self.table.setdefault(("name_f", word), ([], []))
                self.table[("name_f", word)][0].append(docnum)
                self.table[("name_f", word)][1].append(1.0)
            for first, second in zip(words, words[1:]):
                if (first, second) in phrases:
                    self.table.setdefault(("name_p", f"{first} {second}"), ([], []))
                    self.table[("name_p", f"{first} {second}")][0].append(docnum)
                    self.table[("name_p", f"{first} {second}")][1].append(1.0)


def _held(*leaves):
    return plan.Held(1.0, tuple((leaf, 1.0) for leaf in leaves))


def test_a_plan_ranks_by_coverage_and_weighted_sum_and_never_requires_every_word():
    khai, sinh = scoring.Term("name_f", "khai"), scoring.Term("name_f", "sinh")
    built = plan.Plan(
        codes=[],
        coverage=[_held(khai), _held(sinh)],
        ranking=[(khai, 1.0), (scoring.AllOf((scoring.Term("name_p", "khai sinh"),)), 2.0)],
    )
    found = scoring.evaluate(built, Postings())
    assert found.matching.tolist() == [True, True, False]  # doc 1 lacks "sinh": ranked lower, not ruled out
    assert found.coverage.tolist()[:2] == [1.0, 0.5]
    assert found.scores[0] == 1.0 + 2 * 5.0 and found.scores[1] == 0.5 * 1.0


def test_codes_match_on_their_own_and_filters_narrow():
    built = plan.Plan(codes=[scoring.Term("code", "1.001193")], coverage=[], ranking=[])
    found = scoring.evaluate(built, Postings())
    assert found.matching.tolist() == [False, True, False] and found.scores[1] == scoring.CODE_WEIGHT
    assert not scoring.evaluate(built, Postings(), restrict=np.array([True, False, True])).matching.any()


def test_fuzzy_leaves_take_every_close_term():
    built = plan.Plan(codes=[], coverage=[_held(scoring.Fuzzy("name_f", "khia", 1))], ranking=[])
    assert scoring.evaluate(built, Postings()).matching.tolist() == [True, True, False]


def test_a_query_about_an_absent_topic_finds_nothing():
    vocabulary = Vocabulary(["dang", "ki", "khai", "sinh"], common=["dang", "ki"], phrases=[("khai", "sinh")])
    assert plan.build(querying.parse("đăng ký xe máy"), vocabulary) is None
    assert plan.build(querying.parse("đăng ký khai sinh"), vocabulary) is not None


def test_one_word_the_catalogue_lacks_does_not_empty_the_result():
    documents = [["dang", "ki", "tam", "tru"], ["dang", "ki", "khai", "sinh"], ["tach", "ho"]]
    vocabulary = Vocabulary({w for d in documents for w in d}, common=["dang", "ki"],
                            phrases=[("tam", "tru"), ("khai", "sinh")], documents=documents)
    for typed in ("cho tôi hỏi thủ tục đăng ký tạm trú ở phường mình", "đăng ký tạm trú ngay hôm nay"):
        built = plan.build(querying.fuzzy_budget(querying.parse(typed), vocabulary), vocabulary)
        found = scoring.evaluate(built, vocabulary.postings)
        assert found.matching[0] and found.coverage[0] == found.coverage.max()


# -- what one query may cost --------------------------------------------------------


def test_a_query_is_bounded_in_text_syllables_and_letters():
    assert len(querying.parse("a" * 10_000).text) == querying.MAX_QUERY_CHARS
    assert querying.parse("a" * 10_000).folded == ["a" * querying.MAX_SYLLABLE_CHARS]
    words = querying.parse(" ".join(f"tu{number}" for number in range(5_000)))
    assert len(words.exact) == len(words.folded) == querying.MAX_SYLLABLES
    assert querying.parse("*?~" * 3_000 + " khai~2 s?nh").folded == []  # not query syntax: no syllable in the first 300
    assert querying.clip("   " * 5_000 + "khai sinh") == "khai sinh"


def test_what_a_citizen_types_is_kept_whole():
    typed = "tôi muốn làm giấy khai sinh cho con ở phường Quang Trung thì cần những giấy tờ gì"
    assert querying.parse(typed).exact == typed.lower().split()
    assert querying.parse("dang ky khai sinh").folded == querying.parse("Đăng ký khai sinh").folded == [
        "dang", "ki", "khai", "sinh"]
    assert querying.parse("dangkykhaisinh 1.001193").folded == ["dangkykhaisinh"]


class CountingVocabulary(Vocabulary):
    """Knows a few syllables and counts the fuzzy lookups asked of it."""

    def __init__(self, words):
        super().__init__(words)
        self.asked = []

    def correction(self, folded):
        self.asked.append(folded)
        return None

    def correctable(self, folded):
        return self.correction(folded) is not None


def test_only_a_few_short_unknown_syllables_are_looked_up_fuzzily():
    vocabulary = CountingVocabulary(["khai", "sinh"])
    typed = "khai sinh " + " ".join(f"xyzw{chr(97 + n)}" for n in range(20)) + " " + "q" * 300
    parsed = querying.corrected(querying.parse(typed), vocabulary)
    assert plan.build(parsed, vocabulary) is None  # mostly unknown: no answer, after a bounded look
    fuzzy = {leaf.text for leaf, _weight in plan._ranking(parsed, vocabulary) if isinstance(leaf, scoring.Fuzzy)}
    assert set(vocabulary.asked) <= parsed.fuzzy and fuzzy == parsed.fuzzy
    assert parsed.fuzzy == {"xyzwa", "xyzwb", "xyzwc", "xyzwd"} and len(parsed.fuzzy) == querying.MAX_FUZZY_SYLLABLES
