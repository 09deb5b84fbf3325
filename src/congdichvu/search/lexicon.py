"""Which adjacent syllables make a Vietnamese word ("lái xe", "bảo hiểm").

Vietnamese words are mostly two syllables written apart, so a query's
words are not its syllables. Knowing them tells a topic the catalogue
lacks ("đổi giấy phép lái xe": "lái xe" is a word no procedure uses) from
syllables that merely stand side by side ("cưới vợ người Hàn Quốc": "vợ
người" is no word). The word list is the Viet74K dictionary shipped with
underthesea, the maintained Vietnamese NLP toolkit (Apache-2.0).
"""
from functools import lru_cache
from importlib import resources

from .analysis import fold, unify_spelling


@lru_cache(maxsize=1)
def pairs():
    """The folded two-syllable words of the dictionary ({"lai xe", ...},
    about 45,000 strings)."""
    text = (resources.files("underthesea.corpus") / "data" / "Viet74K.txt").read_text(encoding="utf-8")
    found = set()
    for line in text.splitlines():
        syllables = line.strip().lower().split()
        if len(syllables) == 2:
            found.add(" ".join(fold(unify_spelling(s)) for s in syllables))
    return frozenset(found)


def is_word(first, second):
    """Whether two folded syllables side by side are a dictionary word."""
    return f"{first} {second}" in pairs()
