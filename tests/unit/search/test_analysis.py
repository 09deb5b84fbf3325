import unicodedata

from congdichvu.search.analysis import exact_analyzer, fold, folded_analyzer, syllables, unify_spelling


def test_decomposed_text_tokenises_like_composed():
    text = "Đăng ký khai sinh"
    decomposed = unicodedata.normalize("NFD", text)
    assert syllables(decomposed, exact_analyzer()) == syllables(text, exact_analyzer()) == ["đăng", "kí", "khai", "sinh"]


def test_no_stop_list_and_one_letter_syllables_stay():
    assert syllables("an in the ở y tế a", exact_analyzer()) == ["an", "in", "the", "ở", "y", "tế", "a"]


def test_tone_placement_is_unified():
    assert unify_spelling("hoà") == unify_spelling("hòa") == "hòa"
    assert unify_spelling("thuỷ") == unify_spelling("thủy")
    assert unify_spelling("khoẻ") == unify_spelling("khỏe")
    assert unify_spelling("quý") == "quý"  # "qu" + "y": nothing to move
    assert unify_spelling("hoàn") == "hoàn"  # closed syllable: one spelling only


def test_final_i_and_y_are_one_syllable_after_a_consonant():
    assert unify_spelling("ký") == unify_spelling("kí")
    assert unify_spelling("lý") == unify_spelling("lí")
    assert unify_spelling("mỹ") == unify_spelling("mĩ")
    assert unify_spelling("ý") == "ý"  # a lone vowel keeps its y


def test_folding_drops_every_diacritic_including_the_stroke():
    assert fold("Đăng ký QUYỀN sử dụng đất") == "dang ky quyen su dung dat"
    assert syllables("Đăng ký", folded_analyzer()) == ["dang", "ki"]


def test_codes_and_numbers_stay_whole():
    assert syllables("mã 1.001193 và 123/2015/NĐ-CP", exact_analyzer()) == ["mã", "1.001193", "và", "123", "2015", "nđ", "cp"]
