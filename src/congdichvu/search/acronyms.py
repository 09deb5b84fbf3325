"""Abbreviations read from the catalogue's own words.

People write the initials of official phrases: "ĐKHKD" (đăng ký hộ kinh
doanh), "GKS" (giấy khai sinh), "XNTTHN" (xác nhận tình trạng hôn nhân),
"THCS", "DNTN". The thesaurus lists the usual ones; any other is read here
from the phrases the catalogue itself uses, so a city whose catalogue says
"giấy chứng nhận đăng ký hộ kinh doanh" understands "GCNĐKHKD" without an
editor. A phrase is a chain of syllable pairs the procedures' names,
keywords, results or papers hold side by side, and it must stand whole in
one procedure. Where initials fit several phrases, the one that continues
the words typed around it wins ("tình trạng HN" → "hôn nhân"), then the
one more procedures use.
"""
from dataclasses import dataclass

from .analysis import fold, is_valid_syllable

#: initials read as an abbreviation: enough to mean something, few enough
#: to stay a cheap search (each letter one more step along pairs)
MIN_LETTERS, MAX_LETTERS = 2, 10
#: chains kept at each step, the most used first
BEAM = 40
LETTERS = frozenset("abcdefghiklmnopqrstuvxyđ")
VOWELS = frozenset("aeiouy")


def looks_like_initials(exact, folded):
    """Whether a typed token may be initials: letters only, MIN_LETTERS to
    MAX_LETTERS of them, and no Vietnamese syllable ("hkd", "thcs", "đk",
    but not "hoa" or "tam")."""
    if not (MIN_LETTERS <= len(folded) <= MAX_LETTERS) or not set(exact) <= LETTERS:
        return False
    return not is_valid_syllable(exact) and not (len(folded) <= 3 and set(folded) & VOWELS)


@dataclass
class Pairs:
    """The folded syllable pairs of the catalogue's primary fields: for
    each first syllable, by the initial of the second, the second
    syllables with how many procedures use the pair, most used first
    ({"dang": {"k": [("ki", 52)]}}), and the pairs by their two initials."""

    following: dict
    by_initials: dict

    @classmethod
    def of(cls, pair_frequencies):
        """From {"dang ki": procedures using it, ...}."""
        following, by_initials = {}, {}
        for pair, frequency in pair_frequencies.items():
            first, _space, second = pair.partition(" ")
            if not (first[:1].isalpha() and second[:1].isalpha()):
                continue
            following.setdefault(first, {}).setdefault(second[0], []).append((second, frequency))
            by_initials.setdefault((first[0], second[0]), []).append(((first, second), frequency))
        for table in [by_initials, *following.values()]:
            for found in table.values():
                found.sort(key=lambda item: -item[1])
        return cls(following, by_initials)

    def continuing(self, syllable, initial):
        """[(next syllable, frequency)] after ``syllable``, starting with ``initial``."""
        return self.following.get(syllable, {}).get(initial, ())


def candidates(folded, pairs):
    """[(phrase syllables, weakest pair's frequency)] whose initials are
    the letters of ``folded``, the likeliest first, at most BEAM."""
    letters = list(fold(folded))
    first = pairs.by_initials.get((letters[0], letters[1]), ())
    chains = [(list(pair), frequency) for pair, frequency in first[:BEAM]]
    for letter in letters[2:]:
        longer = [
            (chain + [syllable], min(weakest, frequency))
            for chain, weakest in chains
            for syllable, frequency in pairs.continuing(chain[-1], letter)
        ]
        chains = sorted(longer, key=lambda item: -item[1])[:BEAM]
    return chains


def resolve(folded, pairs, stands_whole, before=None, after=None):
    """The phrase (folded syllables) that the initials ``folded`` stand for,
    or None. ``stands_whole(syllables)`` tells whether one procedure holds
    the phrase; ``before`` and ``after`` are the query's neighbouring folded
    syllables, and ``pairs`` also knows whether they continue a phrase."""

    def fits_context(chain):
        fits = 0
        if before and any(s == chain[0] for s, _f in pairs.continuing(before, chain[0][:1])):
            fits += 1
        if after and any(s == after for s, _f in pairs.continuing(chain[-1], after[:1])):
            fits += 1
        return fits

    found = [(chain, weakest) for chain, weakest in candidates(folded, pairs) if stands_whole(chain)]
    if not found:
        return None
    chain, _weakest = max(found, key=lambda item: (fits_context(item[0]), item[1]))
    return chain
