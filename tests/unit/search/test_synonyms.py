import json
from functools import lru_cache
from pathlib import Path

from congdichvu.search import query as querying
from congdichvu.search import synonyms
from congdichvu.search.analysis import folded_analyzer, syllables

DEMO = Path(synonyms.__file__).parents[1] / "data" / "demo-catalog.json"
#: concepts the demo catalogue has procedures for: their expansions must be
#: written in words the demo's procedures use
DEMO_CONCEPTS = {
    "Mất, thất lạc giấy tờ", "Hết hạn", "Hư hỏng", "Sai thông tin, sửa lại", "Đổi tên, đổi họ",
    "Khai sinh", "Khai tử", "Kết hôn", "Xác nhận tình trạng hôn nhân", "Nhận cha, mẹ, con", "Nuôi con nuôi",
    "Thay đổi, cải chính, bổ sung hộ tịch", "Yếu tố nước ngoài", "Chứng thực bản sao", "Chứng thực chữ ký",
    "Hợp đồng, giao dịch", "Di chúc, thừa kế", "Thường trú (hộ khẩu)", "Tạm trú, lưu trú, tạm vắng",
    "Giấy chứng nhận quyền sử dụng đất (sổ đỏ, sổ hồng)", "Cấp giấy chứng nhận lần đầu",
    "Sang tên, chuyển nhượng", "Tặng cho", "Chuyển mục đích sử dụng đất", "Tranh chấp đất đai",
    "Xây nhà, giấy phép xây dựng", "Đăng ký hộ kinh doanh", "Tạm ngừng, tiếp tục kinh doanh",
    "Chấm dứt hoạt động, giải thể", "Thành lập doanh nghiệp", "Tuyển sinh, nhập học",
    "Trợ cấp, bảo trợ xã hội", "Mai táng phí", "Người khuyết tật", "Hộ nghèo, cận nghèo",
    "Karaoke, vũ trường", "Trò chơi điện tử, internet", "Lễ hội, gia đình văn hóa", "Rượu, thuốc lá",
    "Tín ngưỡng", "Khen thưởng", "Lý lịch tư pháp", "Hòa giải ở cơ sở",
}


@lru_cache(maxsize=1)
def shipped():
    return synonyms.entries(synonyms.SYNONYMS_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def demo_syllables():
    """Every folded syllable of the demo catalogue's text."""
    found = set()

    def walk(value):
        if isinstance(value, str):
            found.update(syllables(value, folded_analyzer()))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(DEMO.read_text(encoding="utf-8")))
    return found


def expanded(text):
    return {expansion for _start, _length, expansion in synonyms.expansions(text.split())}


# -- the format ----------------------------------------------------------------


def test_abbreviations_expand_whatever_the_case_and_diacritics():
    for typed in (["GPXD"], ["gpxd"]):
        assert synonyms.expansions(typed) == [(0, 1, "giấy phép xây dựng")]
    assert (0, 1, "quyền sử dụng đất") in synonyms.expansions(["QSDD"])
    assert (0, 1, "quyền sử dụng đất") in synonyms.expansions(["qsdđ"])


def test_colloquial_phrases_expand_with_their_span():
    found = synonyms.expansions(["làm", "sổ", "đỏ", "lần", "đầu"])
    assert (1, 2, "giấy chứng nhận quyền sử dụng đất") in found


def test_the_table_is_a_plain_file_editors_can_extend(tmp_path):
    table = synonyms.parse("# comment\nabc = một hai | ba\n\nxyz=\n")
    assert table == {("abc",): {("abc",): ["một hai", "ba"]}}
    assert synonyms.expansions(["ABC"], table) == [(0, 1, "một hai"), (0, 1, "ba")]


def test_both_spellings_of_i_and_y_meet():
    # the analyzer writes "ly", "ty", "sỹ" as "li", "ti", "sĩ"; the table too
    table = synonyms.parse("ly dị = ly hôn\ncông ty = doanh nghiệp\n")
    for typed in ("ly dị", "li dị", "LY DI"):
        assert expanded_with(typed, table) == {"ly hôn"}
    assert querying.parse("thành lập công ty", table).expansions == [(2, 2, "doanh nghiệp")]
    assert querying.parse("cong ty", table).expansions == [(0, 2, "doanh nghiệp")]


def expanded_with(text, table):
    return {expansion for _start, _length, expansion in synonyms.expansions(text.split(), table)}


# -- the shipped thesaurus -------------------------------------------------------


def test_the_shipped_thesaurus_parses_every_line():
    text = synonyms.SYNONYMS_FILE.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.split("#", 1)[0].strip()]
    assert all(synonyms.parse_line(line) for line in lines), [l for l in lines if not synonyms.parse_line(l)]
    assert len(shipped()) == len(lines)
    assert all(entry.concept for entry in shipped())


def test_the_shipped_thesaurus_is_a_real_one():
    typed = {synonyms.key(t) for entry in shipped() for t in entry.typed}
    concepts = {entry.concept for entry in shipped()}
    assert len(typed) >= 300 and len(shipped()) >= 200 and len(concepts) >= 80


def test_no_typed_side_is_refused():
    refused = [(t, synonyms.refusal(t)) for entry in shipped() for t in entry.typed if synonyms.refusal(t)]
    assert refused == []


def test_no_single_syllable_reads_as_a_request_word_once_folded():
    # matching drops diacritics: "đẻ" would fire on every "để"
    single = [t for entry in shipped() for t in entry.typed if len(synonyms.key(t)) == 1]
    assert [t for t in single if synonyms.key(t)[0] in synonyms.STOP_LIKE_FOLDED] == []


def test_no_typed_side_is_its_own_expansion():
    same = [
        (typed, expansion)
        for entry in shipped() for typed in entry.typed for expansion in entry.expansions
        if synonyms.key(typed) == tuple(syllables(expansion, folded_analyzer()))
    ]
    assert same == []


def test_expansions_of_concepts_the_demo_covers_use_its_words(capsys):
    known = demo_syllables()

    def in_demo(expansion):
        return all(syllable in known for syllable in syllables(expansion, folded_analyzer()))

    every = [(entry.concept, e) for entry in shipped() for e in entry.expansions]
    covered = [(concept, e) for concept, e in every if concept in DEMO_CONCEPTS]
    assert {concept for concept, _e in covered} == DEMO_CONCEPTS  # no heading renamed away
    share = sum(in_demo(e) for _concept, e in covered) / len(covered)
    with capsys.disabled():
        overall = sum(in_demo(e) for _concept, e in every) / len(every)
        print(f"\nthesaurus: expansions in the demo catalogue's words: {share:.0%} of the {len(covered)} "
              f"of concepts it covers, {overall:.0%} of all {len(every)}")
    assert share >= 0.95


# -- concepts --------------------------------------------------------------------


def test_life_events_reach_the_procedure_names():
    assert "khai tử" in expanded("làm giấy chứng tử cho mẹ")
    assert "khai tử" in expanded("mẹ mất")
    assert "khai tử" not in expanded("bị mất giấy tờ") and "cấp lại" in expanded("bị mất giấy tờ")
    assert "kết hôn" in expanded("cưới vợ")
    assert "khai sinh" in expanded("vợ mới sinh em bé")
    assert "tạm ngừng kinh doanh" in expanded("tạm nghỉ bán hàng")
    assert "nuôi con nuôi" in expanded("xin con nuôi")
    assert "gia hạn" in expanded("giấy phép hết hạn")
    assert "yếu tố nước ngoài" in expanded("kết hôn với người Hàn Quốc")
    assert "tiểu học" in expanded("học cấp 1") and "trung học cơ sở" in expanded("chuyển trường cho con học cấp 2")
    assert "mầm non" in expanded("xin vào nhà trẻ")


def test_abbreviations_reach_the_procedure_names():
    found = expanded("cấp lại GCN ĐKHKD")
    assert {"giấy chứng nhận", "đăng ký hộ kinh doanh"} <= found
    assert expanded("dkhkd") == expanded("ĐKHKD")
    assert "xác nhận tình trạng hôn nhân" in expanded("giấy xác nhận tình trạng hn")
    assert "trung học phổ thông" in expanded("THPT")
    assert "lý lịch tư pháp" in expanded("lí lịch") and "lý lịch tư pháp" in expanded("ly lich")


def test_ambiguous_words_alone_expand_nothing():
    # "hn" is also Hà Nội, "ct" also công ty, "để" types like "đẻ", "cuối" like "cưới"
    for text in ("hn", "ct", "để", "cuối năm", "mất", "cấp 1", "hồng", "định", "đến", "chưa"):
        assert expanded(text) == set(), text


def test_typed_sides_meet_queries_with_the_diacritics_both_have():
    table = synonyms.parse("sổ đỏ = giấy chứng nhận quyền sử dụng đất\nly dị = ly hôn\n")
    assert synonyms.expansions(["hồ", "sơ", "đỏ"], table) == []  # "sơ" is not "sổ"
    assert synonyms.expansions(["so", "do"], table) == [(0, 2, "giấy chứng nhận quyền sử dụng đất")]
    assert synonyms.expansions(["sổ", "đỏ"], table) == [(0, 2, "giấy chứng nhận quyền sử dụng đất")]


def test_sides_that_would_fire_on_nearly_every_query_are_refused():
    for typed in ("thủ tục", "thủ-tục.", "câp", "cáp", "sổ", "lại", "người", "giấy tờ", "cấp 1", "bao lâu", "a", "",
                  "dangky", "thutuc", "baolau"):
        assert synonyms.refusal(typed), typed
    for typed in ("sổ đỏ", "lên cấp 2", "bị mất", "làm lại", "chứng tử", "gks", "bida", "canada"):
        assert synonyms.refusal(typed) is None, typed
    assert synonyms.refusal("chứng nhận", common=lambda spelled: spelled == ("chứng", "nhận")) == "stop_like"
