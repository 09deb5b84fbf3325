"""stats.charts: valid SVG with nothing that runs or loads, labels escaped,
role img labelled by its title and description, stable ids, the palette's
contrast, Vietnamese numbers."""
import re
import xml.etree.ElementTree as ET

import pytest

from congdichvu.stats import charts

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert(1)</script> & "Phường" \'8\' <a href="javascript:x">'


def _charts(label=HOSTILE):
    return [
        charts.bar_chart("c-bar", "Tiêu đề", "Mô tả", [(label, 3, charts.EARLY), ("Đúng hạn", 5, charts.ON_TIME),
                                                        ("Quá hạn", 1, charts.LATE)], "Không có"),
        charts.donut_chart("c-donut", "Tiêu đề", "Mô tả", [(label, 3), ("Bưu chính", 0), ("Trực tuyến", 4)],
                           "Không có"),
        charts.ranking_chart("c-rank", "Tiêu đề", "Mô tả", [(label, 0.954), ("Phường 2", 0.5), ("Xã 3", None)],
                             "Không có"),
    ]


def _all(root):
    return list(root.iter())


@pytest.mark.parametrize("chart", _charts(), ids=lambda chart: chart.id)
def test_a_chart_is_valid_svg_that_runs_and_loads_nothing(chart):
    root = ET.fromstring(str(chart.svg))
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") and root.get("width") is None and root.get("height") is None
    tags = {element.tag.removeprefix(SVG) for element in _all(root)}
    assert not tags & {"script", "foreignObject", "iframe", "image", "a", "use"}
    for element in _all(root):
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), name
            assert not name.endswith("href") or value.startswith("#")
    text = str(chart.svg)
    assert "<script" not in text.lower() and "<!--" not in text


@pytest.mark.parametrize("chart", _charts(), ids=lambda chart: chart.id)
def test_a_chart_is_an_image_named_by_its_title_and_description(chart):
    root = ET.fromstring(str(chart.svg))
    assert root.get("role") == "img" and root.get("id") == chart.id
    title, desc = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title and root.find(f"{SVG}title").text == "Tiêu đề"
    assert root.find(f"{SVG}desc").get("id") == desc and root.find(f"{SVG}desc").text == "Mô tả"
    # pygal's random id is replaced: the same chart twice is the same text
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", str(chart.svg))


def test_the_same_numbers_draw_the_same_chart():
    assert [chart.svg for chart in _charts()] == [chart.svg for chart in _charts()]


@pytest.mark.parametrize("index", range(3))
def test_labels_are_text_escaped_never_markup(index):
    chart = _charts()[index]
    text = str(chart.svg)
    assert "<script>" not in text and "<a " not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in text
    found = [element.text for element in _all(ET.fromstring(text)) if element.text and "alert(1)" in element.text]
    assert found and all(HOSTILE in line for line in found)


def test_a_chart_id_must_be_an_identifier():
    with pytest.raises(ValueError):
        charts.bar_chart('x" onload="alert(1)', "t", "d", [("a", 1, charts.EARLY)], "n")


def test_nothing_to_draw_says_so():
    for chart in (charts.bar_chart("e1", "t", "d", [("a", 0, charts.EARLY)], "Chưa có hồ sơ"),
                  charts.donut_chart("e2", "t", "d", [("a", 0)], "Chưa có hồ sơ"),
                  charts.ranking_chart("e3", "t", "d", [("a", None)], "Chưa có hồ sơ")):
        assert "Chưa có hồ sơ" in str(chart.svg)
        assert ET.fromstring(str(chart.svg)).get("role") == "img"


def test_rates_and_counts_are_written_the_vietnamese_way():
    assert charts.format_rate(0.954) == "95,4 %"
    assert charts.format_rate(0.75) == "75 %"
    assert charts.format_rate(0) == "0 %"
    assert charts.format_count(1234) == "1.234"
    rank = str(charts.ranking_chart("r", "t", "d", [("a", 0.954)], "n").svg)
    assert "95,4 %" in rank


def test_the_palette_passes_wcag_aa_on_white():
    assert round(charts.contrast("#000000"), 1) == 21.0 and charts.contrast("#ffffff") == 1.0
    for colour in (*charts.PALETTE, charts.EARLY, charts.ON_TIME, charts.LATE):
        assert charts.contrast(colour) >= 4.5, colour  # 3:1 needed for shapes; 4.5:1 lets text use them
    for colour in (charts.INK, charts.MUTED):
        assert charts.contrast(colour) >= 4.5
    assert "opacity:1" in str(_charts()[0].svg).replace(" ", "") or 'opacity="1"' in str(_charts()[0].svg)
