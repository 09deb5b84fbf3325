from congdichvu.search import lexicon


def test_adjacent_syllables_are_a_word_by_the_dictionary():
    assert lexicon.is_word("lai", "xe") and lexicon.is_word("bao", "hiem")
    assert not lexicon.is_word("vo", "nguoi")  # "cưới vợ người Hàn Quốc": no word across


def test_a_pair_typed_with_diacritics_is_judged_by_its_spelling():
    assert not lexicon.is_word("nhan", "tai", "nhân", "tại")  # "quân nhân | tại ngũ"
    assert lexicon.is_word("nhan", "tai", "nhân", "tài") and lexicon.is_word("nhan", "tai")
