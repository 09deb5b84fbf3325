"""Which syllables of a citizen's question ask rather than name.

"cho tôi hỏi thủ tục đăng ký tạm trú ở phường mình", "mẹ tôi già rồi có
được nhận trợ cấp hằng tháng không": the procedure is named by "đăng ký
tạm trú" and "trợ cấp hằng tháng"; the rest asks (request words), says who
for ("cho mẹ", "mẹ tôi") or where ("ở phường"), or when ("năm nay"). Such
syllables still count in the ranking, a quarter as much, but a procedure
need not hold them, and a question is not unanswerable for them.

A syllable typed with diacritics is compared with them; typed without, only
with the folded forms that are no other word ("toi" is "tôi", but "ba" may
be "bà", "bá" or "bả").
"""
from functools import lru_cache

from .analysis import fold

#: words of requests, questions and their grammar
REQUEST_WORDS = frozenset(
    (
        "làm xin cho tôi em mình muốn cần phải thế nào như ở đâu bao nhiêu cách để và của "
        "thì là gì được có không ạ hỏi thủ tục hồ sơ giúp với về việc mã đã bị "
        "những nào ơi nhé nhỉ nha rồi nữa luôn vậy nhờ xem ai "
        "trong nên rằng nhưng mà hay hoặc thôi chưa lâu sắp nay hiện giờ bây hôm "
        "mang theo gần mấy vài đứa đi ra vào lên xuống đến tới trên dưới cạnh"
    ).split()
)
#: typed without diacritics: those of them that cannot be another word
REQUEST_WORDS_FOLDED = frozenset(
    {"lam", "xin", "cho", "toi", "muon", "can", "phai", "nao", "nhu", "dau", "nhieu", "cach", "cua", "thi",
     "giup", "viec", "nhung", "gi", "roi", "nua", "luon", "em", "minh", "duoc", "khong", "voi", "ve", "nhe",
     "nhi", "trong", "nen", "rang", "hay", "hoac", "lau", "sap", "nay", "gio", "mang", "theo", "gan",
     "may", "vai", "dua", "di", "ra", "len", "xuong", "den", "toi", "tren", "duoi"}
)
#: "sao" asks only after these ("làm sao", "vì sao"); else it is "bản sao"
ASKING_SAO = frozenset({"làm", "vì", "thì", "thế"})
ASKING_SAO_FOLDED = frozenset({"lam", "vi", "thi", "the"})
#: after these, a quantity asked ("mấy ngày", "bao lâu", "bao nhiêu tiền")
HOW_MUCH = frozenset({"mấy", "vài", "bao", "nhiêu"})
HOW_MUCH_FOLDED = frozenset({"may", "vai", "nhieu"})  # "bao" unaccented is also "bảo" (đảm)
#: what a question of time or money opens with, before "bao" or "mấy"
COSTS = frozenset({"mất", "hết", "tốn"})
COSTS_FOLDED = frozenset({"mat", "het", "ton"})
#: what a question asks about before "gì" ("cần giấy tờ gì", "hồ sơ gì")
ASKED_ABOUT = frozenset({"giấy", "tờ", "hồ", "sơ", "thủ", "tục", "điều", "kiện"})
ASKED_ABOUT_FOLDED = frozenset({"giay", "to", "ho", "so", "thu", "tuc", "dieu", "kien"})
#: a request's person: "cho mẹ", "mẹ tôi", "con trai"
KIN = frozenset("mẹ bố ba má cha con cháu vợ chồng ông bà anh chị em bé cụ nhà".split())
KIN_FOLDED = frozenset({"me", "bo", "chong", "chau", "vo", "be", "cu", "nha", "con", "em", "anh"})
KIN_DETAIL = frozenset("trai gái út cả nhỏ lớn già".split())
PRONOUNS = frozenset("tôi em mình anh chị".split())
#: a request's place, after "ở" or "tại": "ở phường", "tại xã"
PLACES = frozenset("phường xã quận huyện tỉnh thị trấn thành phố nhà quê đâu".split())
#: syllables of a place's name after its kind ("phường Quang Trung")
PLACE_NAME_SYLLABLES = 2
PLACES_FOLDED = frozenset({"phuong", "quan", "huyen", "tinh", "que", "nha", "dau"})


def _is(exact, folded, words, folded_words, unaccented):
    """Whether a syllable is one of ``words``: as typed ("con", "mẹ"), or,
    in a query typed without any diacritics (``unaccented``), one of
    ``folded_words`` ("me" for "mẹ"). In a query typed with them, "di" is
    "di" (chúc), not "đi"."""
    return folded in folded_words if unaccented else exact in words


@lru_cache(maxsize=4096)
def filler(exact, folded):
    """(bool, ...) per syllable of a query given as tuples of its exact and
    folded syllables: True where it asks rather than names."""
    n = len(exact)
    unaccented = exact == folded
    request = [_is(e, f, REQUEST_WORDS, REQUEST_WORDS_FOLDED, unaccented) for e, f in zip(exact, folded)]
    kin = [_is(e, f, KIN, KIN_FOLDED, unaccented) for e, f in zip(exact, folded)]
    place = [_is(e, f, PLACES, PLACES_FOLDED, unaccented) for e, f in zip(exact, folded)]
    marked = list(request)
    for i in range(n):
        if i > 0 and _is(exact[i - 1], folded[i - 1], HOW_MUCH, HOW_MUCH_FOLDED, unaccented):
            # "mấy tháng", "bao lâu", "bao nhiêu tiền"
            marked[i] = True
        if (i + 1 < n and _is(exact[i], folded[i], COSTS, COSTS_FOLDED, unaccented)
                and folded[i + 1] in ("bao", "may")):  # "mất bao lâu", "hết bao nhiêu tiền", "tốn mấy ngày"
            marked[i] = marked[i + 1] = True
        after_for = i > 0 and _is(exact[i - 1], folded[i - 1], {"cho", "của", "với"}, {"cho", "cua", "voi"}, unaccented)
        after_at = i > 0 and _is(exact[i - 1], folded[i - 1], {"ở", "tại"}, {"o", "tai"}, unaccented)
        before_pronoun = i + 1 < n and _is(exact[i + 1], folded[i + 1], PRONOUNS, {"toi", "em", "minh"}, unaccented)
        # "bố mẹ em", "nhà em": a chain of kin before a pronoun
        chain_to_pronoun = kin[i] and any(
            _is(exact[j], folded[j], PRONOUNS, {"toi", "em", "minh"}, unaccented)
            for j in range(i + 1, min(n, i + 3)) if all(kin[k] for k in range(i + 1, j))
        )
        if kin[i] and (after_for or before_pronoun or chain_to_pronoun):
            marked[i] = True
            if i + 1 < n and exact[i + 1] in KIN_DETAIL:  # "cho con trai"
                marked[i + 1] = True
        if place[i] and after_at:
            marked[i] = True
            # the place's name: "ở phường Quang Trung", "tại xã Tân Cương"
            for j in range(i + 1, min(n, i + 1 + PLACE_NAME_SYLLABLES)):
                if request[j]:
                    break
                marked[j] = True
        if exact[i] == "sao" and i > 0 and _is(exact[i - 1], folded[i - 1], ASKING_SAO, ASKING_SAO_FOLDED, unaccented):
            marked[i] = True
        if _is(exact[i], folded[i], {"gì"}, {"gi"}, unaccented):  # "cần những giấy tờ gì": the papers asked about
            for j in range(max(0, i - 2), i):
                if _is(exact[j], folded[j], ASKED_ABOUT, ASKED_ABOUT_FOLDED, unaccented):
                    marked[j] = True
    return tuple(marked)


def of(parsed):
    """The filler mask of a ParsedQuery (see ``filler``)."""
    return filler(tuple(parsed.exact), tuple(fold(f) for f in parsed.folded))
