"""The Vietnamese analyzer.

This module is imported by name when an index is opened (Whoosh pickles the
schema, analyzers included), so its classes must stay importable here.

Vietnamese is written in syllables separated by spaces; what breaks search
is not word boundaries but the many ways one syllable is typed:

* decomposed Unicode from phone keyboards (Whoosh's ``\\w`` tokenizer would
  cut "Đăng" into "Đa" + "ng"), so text is NFC-normalised before tokenising;
* two conventions of tone placement ("hòa"/"hoà", "thủy"/"thuỷ"), tone
  marks typed on the wrong vowel ("ngừơi", "tóan") and two conventions of
  final i/y ("kí"/"ký", "lí"/"lý", "mĩ"/"mỹ"), unified to one spelling;
* a tone left out where one is needed ("chứng thưc"): the query side looks
  such a non-syllable up folded (``query_spelling``);
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
_STOP_TONES = frozenset(("\u0301", "\u0323"))  # sắc, nặng
_VOWELS = frozenset("aăâeêioôơuưy")
_MARKED = frozenset("ăâêôơư")  # vowels with a diacritic of their own
# consonant onsets after which a lone final "y" is the same syllable as "i"
_I_Y_ONSET = re.compile(r"^(b|c|ch|d|đ|g|gh|h|k|kh|l|m|n|ng|ngh|nh|p|ph|r|s|t|th|tr|v|x)y$")
# "kr" only for Central Highlands place names ("Krông Búk")
_ONSETS = frozenset(
    "b c ch d đ g gh gi h k kh kr l m n ng ngh nh p ph qu r s t th tr v x".split() + [""]
)
# stop finals, which take sắc or nặng only
_STOP_FINALS = frozenset(("c", "ch", "k", "p", "t"))
# Every rhyme (vowels + final consonant) written after an onset, the "u" of
# "qu" and the "i" of "gi" excluded ("quyết" is qu + yêt, "giữa" gi + ưa),
# including the few of loan words ("xoong", "soóc") and the "ăk"/"uk" of
# Central Highlands place names ("Đắk Lắk", "Krông Búk").
_RHYMES = frozenset(
    """
    a ai ao au ay ac ach am an ang anh ap at
    ă ăc ăk ăm ăn ăng ăp ăt
    âc âm ân âng âp ât âu ây
    e ec em en eng eo ep et
    ê êch êm ên êng ênh êp êt êu
    i ia ich im in inh ip it iu
    iêc iêm iên iêng iêp iêt iêu
    o oc oi om on ong op ot
    oa oac oach oai oam oan oang oanh oap oat oay
    oăc oăm oăn oăng oăt oe oen oeo oet ooc oong
    ô ôc ôi ôm ôn ông ôp ôt
    ơ ơi ơm ơn ơp ơt
    u ua uc ui uk um un ung up ut
    uân uâng uât uây uê uênh uêch uơ uy uya uych uyên uyêt uynh uyt uyu
    uôc uôi uôm uôn uông uôt
    ư ưa ưc ưi ưm ưn ưng ưt ưu
    ươc ươi ươm ươn ương ươp ươt ươu
    y yêm yên yêng yêt yêu
    """.split()
)
_LETTER_RUN = re.compile(r"[^\W\d_]+")
# a horn typed on one vowel of "ươ" only ("nưoc", "nuớc" for "nước")
_HALF_HORNS = (("ưo", "ươ"), ("uơ", "ươ"))


def nfc(text):
    return unicodedata.normalize("NFC", text)


def _split_tone(syllable):
    """(syllable without its tone mark, the tone mark or ""); a second tone
    mark, typed by mistake, is dropped."""
    decomposed = unicodedata.normalize("NFD", syllable)
    tone = next((mark for mark in decomposed if mark in TONES), "")
    bare = nfc("".join(mark for mark in decomposed if mark not in TONES))
    return bare, tone


def _with_tone(letter, tone):
    return nfc(letter + tone) if tone else letter


def _parts(bare):
    """(onset, vowels, final) of a toneless syllable: "quyêt" → ("qu", "yê",
    "t"), "giưa" → ("gi", "ưa", ""), "gin" → ("g", "i", "n"). The vowels are
    the first run of vowels; whatever follows it is the final."""
    start = next((i for i, letter in enumerate(bare) if letter in _VOWELS), len(bare))
    if bare[:2] in ("qu", "gi") and start == 1 and any(letter in _VOWELS for letter in bare[2:]):
        start = 2  # the "u" of "qu" and the "i" of "gi" belong to the onset
    end = start
    while end < len(bare) and bare[end] in _VOWELS:
        end += 1
    return bare[:start], bare[start:end], bare[end:]


def _tone_position(vowels, final):
    """Index in ``vowels`` of the vowel that carries the tone, in the classic
    orthography: a vowel with a diacritic of its own ("ơ" of "ươ"); else the
    last vowel before a final consonant ("hoàn", "huỳnh"); else the middle of
    three ("hoài", "khuỷu") or the first of two ("hòa", "thủy", "mía")."""
    if "ươ" in vowels:
        return vowels.index("ươ") + 1
    marked = next((i for i, letter in enumerate(vowels) if letter in _MARKED), None)
    if marked is not None:
        return marked
    if final:
        return len(vowels) - 1
    return 1 if len(vowels) >= 3 else 0


def _place_tone(bare, tone):
    onset, vowels, final = _parts(bare)
    if not tone or not vowels:
        return bare
    at = _tone_position(vowels, final)
    return onset + vowels[:at] + _with_tone(vowels[at], tone) + vowels[at + 1 :] + final


def _unify_letters(letters):
    bare, tone = _split_tone(letters)
    if not any(letter in _VOWELS for letter in bare):
        return letters  # "nđ", "tp": an abbreviation, not a syllable
    if _I_Y_ONSET.match(bare):
        bare = bare[:-1] + "i"
    return _place_tone(bare, tone)


@lru_cache(maxsize=65536)  # a language has few thousand syllables
def unify_spelling(syllable):
    """One spelling for the variants of a lowercase NFC syllable: the tone
    mark goes where the classic orthography puts it, whichever vowel it was
    typed on ("hoà" → "hòa", "thuỷ" → "thủy", "ngừơi" → "người", "tóan" →
    "toán", "qúyết" → "quyết", "giâý" → "giấy"), and a lone final "y" after a
    consonant becomes "i" ("ký" → "kí", "mỹ" → "mĩ"). Diacritics other than
    tones are kept as typed; a word without a vowel is returned unchanged. A
    token with digits or dots ("tp.thái") is unified letter run by run."""
    if syllable.isalpha():
        return _unify_letters(syllable)
    return _LETTER_RUN.sub(lambda run: _unify_letters(run.group()), syllable)


def is_valid_syllable(syllable):
    """Whether a lowercase NFC syllable in ``unify_spelling`` form is a possible
    Vietnamese spelling: a known onset, a known rhyme, and no tone other than
    sắc or nặng before a stop final (c, ch, k, p, t). Numbers, codes and words
    that are not Vietnamese are simply not valid syllables."""
    bare, tone = _split_tone(syllable)
    onset, vowels, final = _parts(bare)
    if onset not in _ONSETS or vowels + final not in _RHYMES:
        return False
    return final not in _STOP_FINALS or tone in _STOP_TONES


def _is_judged(syllable):
    """Whether ``query_spelling`` judges a typed word: letters only, at least
    one vowel and one letter outside ASCII. Numbers, codes and ASCII words are
    words to look up as they are, not syllables to repair."""
    return syllable.isalpha() and not syllable.isascii() and any(letter in _VOWELS for letter in fold(syllable))


# Telex, the commonest way to type Vietnamese on a keyboard, writes marks
# as letters ("dd" đ, "aa" â, "aw" ă, "ow" ơ, "uw" ư; a final s f r x j for
# sắc huyền hỏi ngã nặng). Without the input method switched on, or with
# it failing on one key, they stay in the text: "dang kys", "ddawng".
_TELEX_LETTERS = (("dd", "đ"), ("aa", "â"), ("aw", "ă"), ("ee", "ê"), ("oo", "ô"), ("ow", "ơ"), ("uw", "ư"))
_TELEX_TONES = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323"}


def telex(syllable):
    """The syllable a leftover Telex spelling stands for ("kys" → "kí",
    "ddawng" → "đăng", "tamj" → "tạm"), or None when the letters are no
    Telex for a valid syllable (or need no reading: "tam" is a syllable)."""
    if not syllable.isascii() or not syllable.isalpha() or is_valid_syllable(syllable):
        return None
    letters, tone = syllable, ""
    if letters[-1] in _TELEX_TONES and len(letters) > 1:
        letters, tone = letters[:-1], _TELEX_TONES[letters[-1]]
    for typed, letter in _TELEX_LETTERS:
        letters = letters.replace(typed, letter)
    letters = letters.replace("w", "ư")  # "w" alone is ư
    read = unify_spelling(_place_tone(letters, tone))
    return read if read != syllable and is_valid_syllable(read) else None


@lru_cache(maxsize=65536)
def query_spelling(syllable):
    """What the query side looks up in the exact fields for a typed lowercase
    NFC syllable (the folded fields take ``fold`` of it, which is always
    ``fold(unify_spelling(syllable))``):

    0. an ASCII word that is Telex for a syllable: that syllable ("kys" → "kí");
    1. a number, a code or an ASCII word: its ``unify_spelling`` ("ky" → "ki");
    2. a valid syllable once its tone is put in place: that spelling
       ("ngừơi" → "người", "tóan" → "toán");
    3. else, when a horn was typed on one vowel of "ươ" only, that spelling
       made whole if it is valid ("nưóc", "nuớc" → "nước");
    4. else the folded spelling: a tone left out ("thưc" for "thực": a stop
       final takes sắc or nặng, so "thưc" is no syllable) or put where no
       tone can go ("thừc") leaves too little to guess which syllable was
       meant, so only the folded field, which holds "thuc" for "thực" and
       "thức" alike, should match it.
    """
    unified = unify_spelling(syllable)
    read = telex(syllable)
    if read:
        return read
    if not _is_judged(syllable) or is_valid_syllable(unified):
        return unified
    bare, tone = _split_tone(unified)
    for half, whole in _HALF_HORNS:
        if half in bare:
            repaired = _place_tone(bare.replace(half, whole), tone)
            if is_valid_syllable(repaired):
                return repaired
    return fold(unified)


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


class QuerySpellingFilter(Filter):
    """Applies ``query_spelling`` to every token: typed words only."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = query_spelling(token.text)
            yield token


# Syllables, numbers and codes like "1.001193" or "123/2015/NĐ-CP" parts.
TOKEN_PATTERN = r"\w+(\.?\w+)*"


def exact_analyzer():
    """Diacritics kept: the field that rewards typing them."""
    return NormalizingTokenizer(TOKEN_PATTERN) | LowercaseFilter() | SpellingFilter()


def query_analyzer():
    """What a query looks up in the exact fields: ``exact_analyzer`` with
    misspelled syllables repaired or, failing that, folded. The folded
    fields need no query twin: ``folded_analyzer`` gives the same terms."""
    return NormalizingTokenizer(TOKEN_PATTERN) | LowercaseFilter() | QuerySpellingFilter()


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
