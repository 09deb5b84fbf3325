from whoosh import query as Q

from congdichvu.search import query as querying


class Vocabulary:
    """A stand-in for what an index knows."""

    def __init__(self, words, common=(), phrases=()):
        self.words, self.common_words, self.phrases = set(words), set(common), set(phrases)

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


def test_request_words_are_recognised_by_their_diacritics():
    assert querying._is_request_word("làm", "lam")
    assert querying._is_request_word("lam", "lam")
    assert not querying._is_request_word("hộ", "ho")  # "hồ" (sơ) is a request word, "hộ" is not


def test_a_code_alone_is_looked_up_as_a_code():
    built = querying.build(querying.parse("1.001193"), Vocabulary([]))
    assert built == Q.Or([Q.Term("code", "1.001193", boost=1000.0)])


def test_a_query_about_an_absent_topic_finds_nothing():
    vocabulary = Vocabulary(["dang", "ki", "khai", "sinh"], common=["dang", "ki"], phrases=[("khai", "sinh")])
    assert querying.build(querying.parse("đăng ký xe máy"), vocabulary) is None
    assert querying.build(querying.parse("đăng ký khai sinh"), vocabulary) is not None
