from congdichvu.search import synonyms


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
    assert table == {("abc",): ["một hai", "ba"]}
    assert synonyms.expansions(["ABC"], table) == [(0, 1, "một hai"), (0, 1, "ba")]
