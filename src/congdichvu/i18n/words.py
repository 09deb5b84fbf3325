"""Amounts of money in Vietnamese words, as receipts and invoices write
them under the figures: "Số tiền bằng chữ: Một nghìn không trăm linh năm
đồng".

The rules of that writing, as accounting practice follows them:

- digits: không, một, hai, ba, bốn, năm, sáu, bảy, tám, chín;
- tens: "mười" for 1, "<digit> mươi" for 2-9; a unit after them is "mốt"
  for 1 after a tens of 2 or more (hai mươi mốt, but mười một), "lăm" for 5
  after any tens (mười lăm, hai mươi lăm) and "tư" for 4 after a tens of 2
  or more (hai mươi tư, but mười bốn);
- a group of three digits after the first always says its hundreds, even
  "không trăm", and a zero tens before a unit is "linh" (1005: "một nghìn
  không trăm linh năm"; 1001000: "một triệu không trăm linh một nghìn"); the
  leading group reads as the number it is (21: "hai mươi mốt"); an all-zero
  group is left out with its scale word (1000005: "một triệu không trăm
  linh năm");
- the scale words are nghìn, triệu, tỷ; above a tỷ the count of tỷ is read
  as a number of its own: "một nghìn tỷ", "một nghìn năm trăm tỷ", "một
  triệu tỷ", "một tỷ tỷ".

"tư" or "bốn": both are correct Vietnamese; the units digit 4 after
"mươi" is written "tư" on financial documents (hai mươi tư, ba trăm bốn
mươi tư nghìn), while "mười tư" and "linh tư" are colloquial, so those stay
"mười bốn" and "linh bốn". One fixed choice keeps one amount one text.

Not num2words: its Vietnamese (0.5.14) drops "không trăm" in inner groups
("một nghìn lẻ năm" for 1005, "một triệu một nghìn" for 1001000), writes
"lẻ" for "linh" and "một nghìn tỷ năm trăm tỷ" for 1.500 tỷ, which is not how
receipts and invoices write amounts.
"""
DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
#: the scale word of each group of three digits below a tỷ, lowest first
SCALES = ("", "nghìn", "triệu")
BILLION = 10**9
CURRENCY = "đồng"


def _tens_and_units(tens, units, *, after_hundreds):
    """Words of the last two digits of a group ([] for 00); "linh" for a
    zero tens before a unit only where hundreds were said."""
    if tens == 0:
        if units == 0:
            return []
        return ["linh", DIGITS[units]] if after_hundreds else [DIGITS[units]]
    words = ["mười"] if tens == 1 else [DIGITS[tens], "mươi"]
    if units == 1 and tens >= 2:
        words.append("mốt")
    elif units == 5:
        words.append("lăm")
    elif units == 4 and tens >= 2:
        words.append("tư")
    elif units:
        words.append(DIGITS[units])
    return words


def _group(value, *, leading):
    """Words of a group of three digits (1-999); an inner (not
    ``leading``) group always says its hundreds, "không trăm" included."""
    hundreds, rest = divmod(value, 100)
    said = not leading or hundreds > 0
    words = [DIGITS[hundreds], "trăm"] if said else []
    return words + _tens_and_units(*divmod(rest, 10), after_hundreds=said)


def _below_billion(value, *, leading):
    """Words of 0 ≤ ``value`` < 10⁹; ``leading``: nothing is said before it."""
    words = []
    for power in (2, 1, 0):
        group = value // 1000**power % 1000
        if group:
            words += _group(group, leading=leading and not words)
            words += [SCALES[power]] if SCALES[power] else []
    return words


def _words(value):
    """Words of ``value`` > 0: the count of tỷ read as a number of its own,
    then the rest below a tỷ, whose groups are then all inner ones."""
    billions, rest = divmod(value, BILLION)
    words = _words(billions) + ["tỷ"] if billions else []
    return words + _below_billion(rest, leading=not words)


def amount_in_words(amount: int) -> str:
    """``amount`` whole đồng in Vietnamese words, as written on receipts
    and invoices: capitalised, ending in " đồng".

    1500 → "Một nghìn năm trăm đồng"; 0 → "Không đồng"; 1005 → "Một nghìn
    không trăm linh năm đồng"; 24 → "Hai mươi tư đồng";
    1_500_000_000_000 → "Một nghìn năm trăm tỷ đồng".

    Raises TypeError for anything but an ``int`` (a ``bool``, ``float`` or
    ``Decimal`` included: amounts are whole đồng, and rounding is the
    caller's decision), ValueError for a negative amount.
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"an amount in words takes whole đồng as an int, not {amount!r}")
    if amount < 0:
        raise ValueError(f"an amount in words cannot be negative: {amount}")
    words = _words(amount) if amount else [DIGITS[0]]
    text = " ".join(words + [CURRENCY])
    return text[:1].upper() + text[1:]
