"""Which adjacent syllables make a Vietnamese word ("lái xe", "bảo hiểm").

Vietnamese words are mostly two syllables written apart, so a query's
words are not its syllables. Knowing them tells a topic the catalogue
lacks ("đổi giấy phép lái xe": "lái xe" is a word no procedure uses) from
syllables that merely stand side by side ("cưới vợ người Hàn Quốc": "vợ
người" is no word). The word list is the Viet74K dictionary shipped with
underthesea, the maintained Vietnamese NLP toolkit (Apache-2.0).
"""
from functools import lru_cache
import importlib.util
from pathlib import Path

from .analysis import fold, nfc, unify_spelling


def _dictionary_file():
    """Viet74K.txt in the installed underthesea, found without importing
    the toolkit (its import loads hundreds of modules a web process does
    not need)."""
    spec = importlib.util.find_spec("underthesea")
    return Path(spec.origin).parent / "corpus" / "data" / "Viet74K.txt"


@lru_cache(maxsize=1)
def pairs():
    """The two-syllable words of the dictionary, as spelled (in
    unify_spelling form: {"lái xe", ...}) and folded ({"lai xe", ...}),
    some 40,000 strings each."""
    text = _dictionary_file().read_text(encoding="utf-8")
    spelled = set()
    for line in text.splitlines():
        syllables = line.strip().lower().split()
        if len(syllables) == 2:
            spelled.add(" ".join(unify_spelling(nfc(s)) for s in syllables))
    return frozenset(spelled), frozenset(fold(word) for word in spelled)


def is_word(first, second, first_typed=None, second_typed=None):
    """Whether two syllables side by side are a dictionary word: by their
    spelling when either was typed with diacritics (``*_typed``, in
    unify_spelling form: "nhân tại" is none, though "nhân tài" is), else
    folded."""
    spelled, folded = pairs()
    if first_typed is not None and (first_typed != first or second_typed != second):
        return f"{first_typed} {second_typed}" in spelled
    return f"{first} {second}" in folded
