"""Browsing by sector, agency, level and online level; paging and sorting."""
import pytest

from congdichvu.i18n.formatting import vietnamese_sort_key


def _names(page):
    return [a.text for a in page.html.select(".procedure-name")]


def _codes(page):
    return [a["href"].rsplit("/", 1)[1] for a in page.html.select(".procedure-name")]


def test_browse_lists_twenty_per_page_sorted_by_vietnamese_name(testapp):
    page = testapp.get("/thu-tuc")
    names = _names(page)
    assert len(names) == 20
    assert names == sorted(names, key=vietnamese_sort_key)
    assert "Hiển thị 1–20 trong số 89 thủ tục" in page.text


def test_names_run_in_order_across_pages(testapp):
    names = []
    for number in range(1, 6):
        names += _names(testapp.get("/thu-tuc", params={"page": number}))
    assert len(names) == 89
    assert names == sorted(names, key=vietnamese_sort_key)


def test_sort_by_code(testapp):
    codes = _codes(testapp.get("/thu-tuc", params={"sort": "code"}))
    assert codes == sorted(codes)


@pytest.mark.parametrize("filters, expected", [
    ({"level": "commune"}, 39),
    ({"level": "district"}, 45),
    ({"level": "province"}, 5),
    ({"online_level": "4"}, 14),
    ({"online_level": "3"}, 59),
    ({"sector": "HT", "level": "commune"}, None),
])
def test_filters_narrow_the_list(testapp, filters, expected):
    page = testapp.get("/thu-tuc", params=dict(filters, per_page=100))
    count = len(_names(page))
    if expected is not None:
        assert count == expected
    else:
        assert 0 < count < 89


def test_agency_filter_includes_procedures_of_its_level(testapp):
    page = testapp.get("/thu-tuc", params={"agency": "H56.01.X03", "per_page": 100})
    assert len(_names(page)) == 39  # every commune procedure


def test_name_filter_ignores_case_and_diacritics(testapp):
    for query in ("khai sinh", "KHAI SINH", "khai sinh"):
        assert "Đăng ký khai sinh" in _names(testapp.get("/thu-tuc", params={"q": query}))
    assert "Đăng ký khai sinh" in _names(testapp.get("/thu-tuc", params={"q": "dang ky khai sinh"}))
    assert "Đăng ký khai sinh" in _names(testapp.get("/thu-tuc", params={"q": "  ĐĂNG   KÝ  khai  "}))
    # LIKE's wildcards are plain characters here
    assert _names(testapp.get("/thu-tuc", params={"q": "%"})) == []
    assert _names(testapp.get("/thu-tuc", params={"q": "d_ng"})) == []


@pytest.mark.parametrize("params", [
    {"page": "-1"},
    {"page": "abc"},
    {"page": str(10**9)},
    {"page": "10**9"},
    {"page": "0"},
    {"page": "1e3"},
    {"sort": "drop table"},
    {"per_page": "-4"},
    {"per_page": "100000"},
    {"level": "village"},
    {"sector": "NOPE"},
    {"online_level": "9"},
    {"q": "x" * 5000},
])
def test_bad_parameters_never_break_the_page(testapp, params):
    page = testapp.get("/thu-tuc", params=params)
    assert page.status_int == 200
    assert page.html.select(".result-count")


def test_a_page_past_the_end_shows_the_last_page(testapp):
    page = testapp.get("/thu-tuc", params={"page": 99})
    assert "Hiển thị 81–89 trong số 89 thủ tục" in page.text


def test_pagination_links_keep_the_filters(testapp):
    page = testapp.get("/thu-tuc", params={"level": "district"})
    next_link = page.html.find("a", rel="next")
    assert "level=district" in next_link["href"] and "page=2" in next_link["href"]
    second = testapp.get(next_link["href"])
    assert "Hiển thị 21–40 trong số 45 thủ tục" in second.text


def test_the_filter_form_works_without_javascript(testapp):
    form = testapp.get("/thu-tuc").forms["filters"]
    form["level"] = "province"
    result = form.submit()
    assert len(_names(result)) == 5
