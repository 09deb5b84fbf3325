from congdichvu.search import acronyms

CATALOGUE = [
    "dang ki ho kinh doanh",
    "giay chung nhan dang ki ho kinh doanh",
    "xac nhan tinh trang hon nhan",
    "cong nhan ho ngheo",
    "giay khai sinh",
    "trung hoc co so",
]


def _pairs():
    frequencies = {}
    for phrase in CATALOGUE:
        syllables = phrase.split()
        for pair in zip(syllables, syllables[1:]):
            frequencies[" ".join(pair)] = frequencies.get(" ".join(pair), 0) + 1
    return acronyms.Pairs.of(frequencies)


def _whole(chain):
    return any(" ".join(chain) in phrase for phrase in CATALOGUE)


def test_initials_are_read_as_the_catalogue_phrase_they_stand_for():
    pairs = _pairs()
    assert acronyms.resolve("dkhkd", pairs, _whole) == "dang ki ho kinh doanh".split()
    assert acronyms.resolve("gcndkhkd", pairs, _whole) == "giay chung nhan dang ki ho kinh doanh".split()
    assert acronyms.resolve("xntthn", pairs, _whole) == "xac nhan tinh trang hon nhan".split()
    assert acronyms.resolve("thcs", pairs, _whole) == "trung hoc co so".split()
    assert acronyms.resolve("gks", pairs, _whole) == "giay khai sinh".split()
    assert acronyms.resolve("qwrt", pairs, _whole) is None


def test_the_words_around_choose_between_phrases_of_the_same_initials():
    pairs = _pairs()
    assert acronyms.resolve("hn", pairs, _whole, before="trang") == ["hon", "nhan"]
    assert acronyms.resolve("hn", pairs, _whole, before="nhan") == ["ho", "ngheo"]


def test_only_tokens_that_are_no_syllable_are_read_as_initials():
    assert acronyms.looks_like_initials("đkhkd", "dkhkd") and acronyms.looks_like_initials("thcs", "thcs")
    assert not acronyms.looks_like_initials("hoa", "hoa") and not acronyms.looks_like_initials("tam", "tam")
    assert not acronyms.looks_like_initials("x", "x") and not acronyms.looks_like_initials("1.001193", "1.001193")
