"""Amounts in words as receipts and invoices write them (i18n.words)."""
from decimal import Decimal

import pytest

from congdichvu.i18n.words import amount_in_words


@pytest.mark.parametrize("amount, words", [
    # digits, and zero
    (0, "Không đồng"), (1, "Một đồng"), (4, "Bốn đồng"), (5, "Năm đồng"), (7, "Bảy đồng"), (9, "Chín đồng"),
    # tens 1: "mười", "mười một", "mười bốn", "mười lăm"
    (10, "Mười đồng"), (11, "Mười một đồng"), (14, "Mười bốn đồng"), (15, "Mười lăm đồng"), (19, "Mười chín đồng"),
    # tens ≥ 2: "mươi", "mốt", "tư", "lăm"
    (20, "Hai mươi đồng"), (21, "Hai mươi mốt đồng"), (24, "Hai mươi tư đồng"), (25, "Hai mươi lăm đồng"),
    (50, "Năm mươi đồng"), (55, "Năm mươi lăm đồng"), (91, "Chín mươi mốt đồng"), (94, "Chín mươi tư đồng"),
    (99, "Chín mươi chín đồng"),
    # hundreds: "linh" before a unit after a zero tens, and only there
    (100, "Một trăm đồng"), (101, "Một trăm linh một đồng"), (104, "Một trăm linh bốn đồng"),
    (105, "Một trăm linh năm đồng"), (110, "Một trăm mười đồng"), (111, "Một trăm mười một đồng"),
    (115, "Một trăm mười lăm đồng"), (121, "Một trăm hai mươi mốt đồng"), (344, "Ba trăm bốn mươi tư đồng"),
    (999, "Chín trăm chín mươi chín đồng"),
    # thousands: the leading group reads as it is, inner groups say their hundreds
    (1000, "Một nghìn đồng"), (1001, "Một nghìn không trăm linh một đồng"),
    (1005, "Một nghìn không trăm linh năm đồng"), (1010, "Một nghìn không trăm mười đồng"),
    (1015, "Một nghìn không trăm mười lăm đồng"), (1021, "Một nghìn không trăm hai mươi mốt đồng"),
    (1100, "Một nghìn một trăm đồng"), (1500, "Một nghìn năm trăm đồng"),
    (21000, "Hai mươi mốt nghìn đồng"), (25000, "Hai mươi lăm nghìn đồng"), (105000, "Một trăm linh năm nghìn đồng"),
    (150000, "Một trăm năm mươi nghìn đồng"), (344000, "Ba trăm bốn mươi tư nghìn đồng"),
    # millions: an all-zero group is left out with its scale word
    (1_000_000, "Một triệu đồng"), (1_000_005, "Một triệu không trăm linh năm đồng"),
    (1_001_000, "Một triệu không trăm linh một nghìn đồng"),
    (1_500_000, "Một triệu năm trăm nghìn đồng"), (2_050_000, "Hai triệu không trăm năm mươi nghìn đồng"),
    (12_345_678, "Mười hai triệu ba trăm bốn mươi lăm nghìn sáu trăm bảy mươi tám đồng"),
    (400_036_105, "Bốn trăm triệu không trăm ba mươi sáu nghìn một trăm linh năm đồng"),
    (700_000_231, "Bảy trăm triệu hai trăm ba mươi mốt đồng"),
    # tỷ, and the count of tỷ read as a number of its own
    (1_000_000_000, "Một tỷ đồng"), (1_000_000_005, "Một tỷ không trăm linh năm đồng"),
    (2_500_000_000, "Hai tỷ năm trăm triệu đồng"), (10_000_000_000, "Mười tỷ đồng"),
    (1_000_000_000_000, "Một nghìn tỷ đồng"), (1_500_000_000_000, "Một nghìn năm trăm tỷ đồng"),
    (1_005_000_000_000, "Một nghìn không trăm linh năm tỷ đồng"),
    (2_000_000_001_001, "Hai nghìn tỷ không trăm linh một nghìn không trăm linh một đồng"),
    (1_000_000_000_000_000, "Một triệu tỷ đồng"), (1_000_000_000_000_000_000, "Một tỷ tỷ đồng"),
])
def test_amounts_are_written_as_receipts_write_them(amount, words):
    assert amount_in_words(amount) == words


def test_the_largest_amount_below_a_thousand_tỷ_says_every_group():
    assert amount_in_words(999_999_999_999) == (
        "Chín trăm chín mươi chín tỷ chín trăm chín mươi chín triệu chín trăm chín mươi chín nghìn "
        "chín trăm chín mươi chín đồng")


@pytest.mark.parametrize("amount", [1.0, 1500.0, Decimal("1500"), "1500", None, True, False])
def test_anything_but_whole_đồng_as_an_int_is_refused(amount):
    with pytest.raises(TypeError):
        amount_in_words(amount)


@pytest.mark.parametrize("amount", [-1, -1500])
def test_a_negative_amount_is_refused(amount):
    with pytest.raises(ValueError):
        amount_in_words(amount)


def test_every_amount_has_its_own_clean_words():
    seen = {}
    for amount in range(0, 200_000, 7):
        words = amount_in_words(amount)
        assert words and words == words.strip() and "  " not in words, amount
        assert words[0].isupper() and words.endswith(" đồng"), amount
        assert words not in seen, (amount, seen.get(words))
        seen[words] = amount
