"""The Vietnamese analyzer.

This module is imported by name when an index is opened (Whoosh pickles the
schema, analyzers included), so its classes must stay importable here.

Vietnamese is written in syllables separated by spaces; what breaks search
is not word boundaries but the many ways one syllable is typed:

* decomposed Unicode from phone keyboards (Whoosh's ``\\w`` tokenizer would
  cut "Đăng" into "Đa" + "ng"), so text is NFC-normalised before tokenising;
* two conventions of tone placement ("hòa"/"hoà", "thủy"/"thuỷ") and of
  final i/y ("kí"/"ký", "lí"/"lý", "mĩ"/"mỹ"), unified to one spelling;
* no diacritics at all ("dang ky khai sinh"): a second, accent-folded field
  (đ → d too) matches them, while the exact field, boosted, keeps "bản"
  ranking "bản sao" above "ban" and "bán".

There is no stop list: English lists delete real syllables ("an", "in"),
and every Vietnamese syllable can carry meaning; one-letter syllables stay.
"""
import re
import unicodedata
from functools import lru_cache

from whoosh.analysis import CharsetFilter, Filter, LowercaseFilter, RegexTokenizer, ShingleFilter
from whoosh.support.charset import accent_map

TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền, sắc, ngã, hỏi, nặng
# consonant onsets after which a lone final "y" is the same syllable as "i"
_I_Y_ONSET = re.compile(r"^(b|c|ch|d|đ|g|gh|h|k|kh|l|m|n|ng|ngh|nh|p|ph|r|s|t|th|tr|v|x)y$")
# open syllables ending in these glides take the tone on their first vowel
# in the classic spelling ("hòa", "khỏe", "thủy") and on the second in the
# newer one ("hoà", "khoẻ", "thuỷ"); "quy" is not one of them
_GLIDE_ENDINGS = ("oa", "oe", "uy")


def nfc(text):
    return unicodedata.normalize("NFC", text)


def _split_tone(syllable):
    """(syllable without its tone mark, the tone mark or "")."""
    decomposed = unicodedata.normalize("NFD", syllable)
    tone = next((mark for mark in decomposed if mark in TONES), "")
    bare = nfc("".join(mark for mark in decomposed if mark not in TONES))
    return bare, tone


def _with_tone(letter, tone):
    return nfc(letter + tone) if tone else letter


@lru_cache(maxsize=65536)  # a language has few thousand syllables
def unify_spelling(syllable):
    """One spelling for the variants of a lowercase NFC syllable:
    "hoà" → "hòa", "thuỷ" → "thủy", "ký" → "kí", "mỹ" → "mĩ"."""
    bare, tone = _split_tone(syllable)
    if _I_Y_ONSET.match(bare):
        return bare[:-1] + _with_tone("i", tone)
    if tone and bare.endswith(_GLIDE_ENDINGS) and not bare.endswith("quy"):
        return bare[:-2] + _with_tone(bare[-2], tone) + bare[-1]
    return syllable


def fold(text):
    """Lowercase without diacritics, đ → d: what people type when in a hurry."""
    return nfc(text).lower().translate(accent_map)


class NormalizingTokenizer(RegexTokenizer):
    """Splits NFC-normalised text, so decomposed input tokenises like composed."""

    def __call__(self, value, **kwargs):
        return super().__call__(nfc(value), **kwargs)


class SpellingFilter(Filter):
    """Applies ``unify_spelling`` to every token."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = unify_spelling(token.text)
            yield token


# Syllables, numbers and codes like "1.001193" or "123/2015/NĐ-CP" parts.
TOKEN_PATTERN = r"\w+(\.?\w+)*"


def exact_analyzer():
    """Diacritics kept: the field that rewards typing them."""
    return NormalizingTokenizer(TOKEN_PATTERN) | LowercaseFilter() | SpellingFilter()


def folded_analyzer():
    """Diacritics folded: the field that forgives leaving them out."""
    return exact_analyzer() | CharsetFilter(accent_map)


def pairs_analyzer():
    """Adjacent folded syllables as one token ("khai sinh"): Vietnamese
    words are mostly two syllables, and a pair is a plain term to look up,
    far cheaper than a positional phrase."""
    return folded_analyzer() | ShingleFilter(2, " ")


def syllables(text, analyzer):
    return [token.text for token in analyzer(text)]
