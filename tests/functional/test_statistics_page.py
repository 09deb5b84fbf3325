"""The public statistics page /thong-ke and its files: the figures of the
quarter worked out by hand in test_statistics_api (its dossiers, reused),
the wards' ranking, the charts with their tables, CSV and XLSX, and the
400s (never a 500)."""
import csv
import io
import re
from datetime import date
from unittest import mock

import pytest
from openpyxl import load_workbook

from tests.functional.test_statistics_api import CITY, WARD, at, dossier, quarter, received  # noqa: F401

Q1 = {"from": "2018-01-01", "to": "2018-03-31"}
#: two more wards: Chùa Hang resolves two early, Cam Giá one on time (both 100 %: more resolved first)
CHUA_HANG, CAM_GIA = "H56.01.P02", "H56.01.P01"


@pytest.fixture(autouse=True)
def computed(testapp):
    """Every page here computed for its test: the session's app keeps a
    page cache, and another module may have left /thong-ke in it (a test
    here changes the date or the dossiers the page shows)."""
    testapp.extra_environ["HTTP_CACHE_CONTROL"] = "no-cache"


@pytest.fixture
def wards(dbsession, quarter):  # noqa: F811
    dossier(dbsession, 21, at(5, 3), agency=CHUA_HANG, steps=received(at(5, 3)) + [(at(6, 3), "processed", 4, 9)])
    dossier(dbsession, 22, at(5, 3), agency=CHUA_HANG, steps=received(at(5, 3)) + [(at(7, 3), "processed", 4, 9)])
    dossier(dbsession, 23, at(5, 3), agency=CAM_GIA, steps=received(at(5, 3)) + [(at(12, 3, 10), "processed", 4, 9)])


def text(response):
    """The page's text without tags or repeated spaces."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))


def test_the_page_answers_with_no_dossier(testapp):
    with mock.patch("congdichvu.stats.views.today_local", return_value=date(2018, 5, 10)):
        page = testapp.get("/thong-ke")
    assert page.status_int == 200
    # the default: the city and its children, this quarter up to today
    assert page.html.select_one("#s-agency option[selected]")["value"] == "H56.01"
    assert page.html.select_one("#s-from")["value"] == "2018-04-01"
    assert page.html.select_one("#s-to")["value"] == "2018-05-10"
    assert "Chưa có hồ sơ" in page.text  # the charts say there is nothing
    assert len(page.html.select("#t-ranking tbody tr")) == 32
    assert page.text.count("chưa có hồ sơ giải quyết") >= 32


def test_the_main_menu_links_to_the_page(testapp):
    home = testapp.get("/")
    assert home.html.select_one('.main-nav a[href="/thong-ke"]').get_text(strip=True) == "Thống kê"


def test_the_city_with_its_wards(testapp, wards):
    page = testapp.get("/thong-ke", dict(Q1, agency=CITY))
    words = text(page)
    assert "UBND thành phố Thái Nguyên, từ 01/01/2018 đến 31/03/2018" in words
    # the ward's quarter (test_statistics_api), the city's own dossier and the two other wards
    assert "Đã tiếp nhận: 13" in words and "Trước hạn: 5" in words and "Đúng hạn: 2" in words
    rates = {dt.get_text(strip=True): dd.get_text(strip=True)
             for dt, dd in zip(page.html.select(".stats-rates dt"), page.html.select(".stats-rates dd"))}
    assert rates["Tỷ lệ đúng hạn"] == "87,5 %"  # 7 of 8
    assert rates["Tỷ lệ trực tuyến"] == "33,3 %"  # 4 of 12 new
    ward = next(row for row in page.html.select("#t-wards tbody tr") if "Phan Đình Phùng" in row.th.text)
    cells = {cell["data-label"]: cell.get_text(strip=True) for cell in ward.select("td")}
    assert cells["Đã tiếp nhận"] == "9" and cells["Tỷ lệ đúng hạn"] == "75 %"
    own = page.html.select("#t-departments tbody tr")[0]
    assert "UBND thành phố Thái Nguyên" in own.th.text and "hồ sơ của chính cơ quan" in own.th.text


def test_the_ranking_order(testapp, wards):
    page = testapp.get("/thong-ke", dict(Q1, agency=CITY))
    rows = page.html.select("#t-ranking tbody tr")
    names = [row.th.get_text(strip=True) for row in rows]
    assert names[:3] == ["UBND phường Chùa Hang", "UBND phường Cam Giá", "UBND phường Phan Đình Phùng"]
    assert [row.td.get_text(strip=True) for row in rows[:4]] == ["1", "2", "3", "–"]
    assert all("chưa có hồ sơ giải quyết" in row.get_text() for row in rows[3:])
    assert len(rows) == 32


def test_every_chart_is_an_accessible_svg_with_its_table(testapp, wards):
    page = testapp.get("/thong-ke", dict(Q1, agency=CITY))
    figures = page.html.select("figure.chart")
    assert len(figures) == 3
    for figure in figures:
        svg = figure.find("svg")
        assert svg["role"] == "img"
        labelled = svg["aria-labelledby"].split()
        assert all(svg.find(id=name) is not None for name in labelled)
        assert svg.find("script") is None and "viewbox" in {name.lower() for name in svg.attrs}
    resolved = figures[0]
    assert resolved.find("svg").find("title").get_text() == "Hồ sơ đã giải quyết, theo thời hạn"
    cells = [td.get_text(strip=True) for td in resolved.select("table tbody td")]
    assert cells == ["5", "62,5 %", "2", "25 %", "1", "12,5 %"]
    assert "<script" not in page.text


def test_a_ward_alone(testapp, quarter):  # noqa: F811
    page = testapp.get("/thong-ke", dict(Q1, agency=WARD))
    assert "Đã tiếp nhận: 9" in text(page)
    assert [row.th.get_text(strip=True) for row in page.html.select("#t-ranking tbody tr")] == \
        ["UBND phường Phan Đình Phùng"]
    assert page.html.select_one("#t-departments") is None


def test_the_quick_periods_keep_the_agency(testapp):
    with mock.patch("congdichvu.stats.views.today_local", return_value=date(2018, 5, 10)):
        page = testapp.get("/thong-ke", {"agency": WARD})
    links = {a.get_text(strip=True): a["href"] for a in page.html.select(".quick-periods a")}
    assert "from=2018-01-01&to=2018-03-31" in links["Quý trước"] and f"agency={WARD}" in links["Quý trước"]
    assert "from=2018-05-01&to=2018-05-10" in links["Tháng này"]
    assert "from=2018-01-01&to=2018-05-10" in links["Năm nay"]
    assert page.html.select_one('.quick-periods a[aria-current]').get_text(strip=True) == "Quý này"


def test_the_wards_as_csv(testapp, wards):
    response = testapp.get("/thong-ke/tai-xuong.csv", dict(Q1, agency=CITY, bang="phuong-xa"))
    assert response.content_type == "text/csv"
    assert 'filename="thong-ke-H56.01-20180101-20180331-phuong-xa.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.body.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Mã cơ quan", "Cơ quan", "Kỳ trước chuyển sang", "Mới tiếp nhận"]
    assert len(rows) == 33
    ward = next(row for row in rows if row[0] == WARD)
    assert dict(zip(rows[0], ward))["Tỷ lệ đúng hạn (%)"] == "75.0"
    assert dict(zip(rows[0], ward))["Đã tiếp nhận"] == "9"


def test_the_ranking_as_xlsx(testapp, wards):
    response = testapp.get("/thong-ke/tai-xuong.xlsx", dict(Q1, agency=CITY, bang="xep-hang"))
    assert response.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "xep-hang.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.body)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][0] == "UBND thành phố Thái Nguyên" and values[2][0] == "Từ ngày 01/01/2018 đến ngày 31/03/2018"
    assert values[4][:3] == ("Thứ hạng", "Mã cơ quan", "Cơ quan")
    assert [row[:2] for row in values[5:8]] == [(1, CHUA_HANG), (2, CAM_GIA), (3, WARD)]
    assert values[8][0] == "chưa có hồ sơ giải quyết"


def test_every_table_downloads_in_both_formats(testapp, wards):
    for table in ("tong-hop", "phuong-xa", "phong-ban", "xep-hang"):
        for fmt in ("csv", "xlsx"):
            response = testapp.get(f"/thong-ke/tai-xuong.{fmt}", dict(Q1, agency=CITY, bang=table))
            assert response.status_int == 200 and len(response.body) > 100
    page = testapp.get("/thong-ke", dict(Q1, agency=CITY))
    assert len(page.html.select(".downloads a")) == 8


def test_an_unknown_format_or_table_is_not_found(testapp):
    testapp.get("/thong-ke/tai-xuong.pdf", status=404)
    testapp.get("/thong-ke/tai-xuong.csv", {"bang": "khac"}, status=404)


@pytest.mark.parametrize("params, words", [
    ({"from": "2018-02-30"}, "2018-02-30"),
    ({"from": "31/03/2018"}, "YYYY-MM-DD"),
    ({"from": "2018-03-01", "to": "2018-01-01"}, "không được trước"),
    ({"agency": "KHONG-CO"}, "KHONG-CO"),
])
def test_what_is_wrong_is_a_400_page_in_vietnamese(testapp, params, words):
    page = testapp.get("/thong-ke", params, status=400)
    assert words in page.html.select_one("#stats-error").get_text()
    assert page.html.select_one("form.stats-filters") is not None
    download = testapp.get("/thong-ke/tai-xuong.csv", params, status=400)
    assert download.content_type == "text/html"


@pytest.mark.parametrize("query", [
    "from=" + "9" * 5000,
    "agency=" + "H" * 5000,
    "agency=%00%01H56.01&from=2018%0D%0A-01-01",
    "agency=H56.01&agency=KHONG&from=2018-01-01&from=2018-02-01&to=2018-03-31&to=x",
    "from=2018-01-01&to=2018-01-01&sector=%27%3B--&procedure=%3Cscript%3E",
    "bang=%3Cscript%3E&from=%E2%80%AE",
])
def test_hostile_parameters_never_make_a_500(testapp, query):
    for path in ("/thong-ke", "/thong-ke/tai-xuong.csv", "/thong-ke/tai-xuong.xlsx"):
        response = testapp.get(f"{path}?{query}", expect_errors=True)
        assert response.status_int in (200, 400, 404), (path, query, response.status)
        assert "<script>" not in response.text if response.content_type == "text/html" else True


def test_the_decision_766_indicators_are_shown(testapp, wards):
    page = testapp.get("/thong-ke", dict(Q1, agency=CITY))
    assert page.html.select_one("#h-766") is not None
    section = page.html.select_one("section.indicators")
    assert len(section.select("h3")) == 5  # the five groups
    assert len(section.select("tbody tr")) > 5
    on_time = next(row for row in section.select("tbody tr") if "766" in row.get_text())
    assert "766/QĐ-TTg" in on_time.get_text()  # each component names the decision's item it follows
    assert "Cổng không có dữ liệu" in section.get_text() or "không có" in section.get_text()
