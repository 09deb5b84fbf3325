"""The leaders' dashboard (/mot-cua/thong-ke) and the dossiers behind its
numbers (/mot-cua/thong-ke/ho-so), on SQLite and PostgreSQL: who sees which
agencies, the figures of a quarter worked out by hand (the API's test
fixture), the drill-down listing exactly the dossiers counted, the 400s
and 403s."""
import csv
import io
import re

import pytest

from congdichvu.accounts import services as accounts
from congdichvu.catalog.services import catalog_for
from congdichvu.stats import desk_views
from tests.factories import STAFF_AGENCY, sign_in
from tests.functional.test_statistics_api import CITY, WARD, quarter  # noqa: F401 - the fixture

PAGE, DOSSIERS = "/mot-cua/thong-ke", "/mot-cua/thong-ke/ho-so"
PASSWORD = "mật-khẩu-thống-kê-dài"
Q1 = {"agency": WARD, "from": "2018-01-01", "to": "2018-03-31"}


@pytest.fixture
def staff(dbsession, people):
    """``people`` (officer and leader of STAFF_AGENCY, a ward), an officer of WARD and a leader of the city."""
    catalog = catalog_for(dbsession)
    for name, roles, code in (("officer_w", ["officer"], WARD), ("leader_city", ["leader"], CITY)):
        people[name] = accounts.create_user(dbsession, name, PASSWORD, f"Cán bộ {name}", roles,
                                            email=f"{name}@example.invalid", agency=catalog.agency(code))
    return people


def sign_in_as(testapp, username):
    testapp.reset()
    form = testapp.get("/dang-nhap").forms["deform"]
    form["login"], form["password"] = username, PASSWORD
    assert form.submit("submit").status_int == 302


def codes_in(page):
    return sorted({a.get_text() for a in page.html.select("table.desk-table th a")})


def test_a_city_leader_sees_the_city_and_every_ward_under_it(testapp, staff, quarter):
    sign_in_as(testapp, "leader_city")
    page = testapp.get(PAGE, {"ky": "quy", "from": "2018-02-10"})
    assert "01/01/2018 – 31/03/2018" in page.text
    table = page.html.find("table", class_="stat-table")
    names = [th.get_text(strip=True) for th in table.find_all("th", scope="row")]
    agencies = {agency.code: agency.name for agency in catalog_for(testapp.extra_environ["app.dbsession"]).agencies()}
    assert agencies[CITY] == names[0] and agencies[WARD] in names and agencies[STAFF_AGENCY] in names
    # the city's total: the ward's 9 received and the city's own one
    total = page.html.find("dl", class_="stat-figures")
    received = total.find("a", href=re.compile(r"measure=received&"))
    assert received.get_text() == "10" and "include_children=true" in received["href"]
    late = total.find("a", href=re.compile(r"measure=late&"))
    assert late.get_text() == "1"
    behind = testapp.get(late["href"])
    assert codes_in(behind) == [f"{WARD}-180101-0003"]
    assert behind.html.find("a", href=f"/mot-cua/ho-so/{WARD}-180101-0003")
    everything = testapp.get(received["href"])
    assert len(set(codes_in(everything))) == 10


def test_the_desk_links_to_the_dashboard(testapp, staff):
    sign_in_as(testapp, "leader_city")
    assert testapp.get("/mot-cua").html.find("a", href=PAGE)


def test_an_officer_sees_their_own_agency_and_no_other(testapp, staff, quarter):
    sign_in_as(testapp, "officer_w")
    page = testapp.get(PAGE, {"ky": "tuy-chon", "from": "2018-01-01", "to": "2018-03-31"})
    assert page.html.find("table", class_="stat-table") is None  # one agency: no table by agency
    found = {a["href"].split("measure=")[1].split("&")[0]: a.get_text()
             for a in page.html.find("dl", class_="stat-figures").find_all("a")}
    assert (found["received"], found["new"], found["early"], found["on_time"], found["late"]) == ("9", "8", "2", "1",
                                                                                                  "1")
    assert (found["overdue"], found["awaiting_supplement"], found["refused"], found["withdrawn"]) == ("1", "1", "1",
                                                                                                     "1")
    testapp.get(PAGE, dict(Q1, agency=CITY), status=403)
    testapp.get(DOSSIERS, dict(Q1, agency=CITY, measure="new"), status=403)
    testapp.get(DOSSIERS, dict(Q1, agency=WARD, measure="new", include_children="true"))


def test_a_ward_leader_is_refused_another_ward(testapp, staff, quarter):
    sign_in(testapp, "leader")
    assert testapp.get(PAGE).status_int == 200
    testapp.get(PAGE, Q1, status=403)
    testapp.get(DOSSIERS, dict(Q1, measure="late"), status=403)


@pytest.mark.parametrize("role", ["citizen", "editor"])
def test_others_are_refused(testapp, staff, role):
    sign_in(testapp, role)
    testapp.get(PAGE, status=403)
    testapp.get(DOSSIERS, dict(Q1, measure="late"), status=403)


def test_anonymous_visitors_are_asked_to_sign_in(testapp):
    assert "/dang-nhap" in testapp.get(PAGE, status=302).location
    assert "/dang-nhap" in testapp.get(DOSSIERS, dict(Q1, measure="late"), status=302).location


@pytest.mark.parametrize("measure, expected", [
    ("late", ["0003"]), ("early", ["0001", "0011"]), ("overdue", ["0005"]), ("within_deadline", ["0004"]),
    ("awaiting_supplement", ["0006"]), ("refused", ["0007"]), ("withdrawn", ["0008"]), ("carried_over", ["0001"]),
    ("resolved", ["0001", "0002", "0003", "0011"]), ("online", ["0002", "0007", "0008", "0011"]),
])
def test_the_drill_down_lists_exactly_the_dossiers_counted(testapp, staff, quarter, measure, expected):
    sign_in_as(testapp, "officer_w")
    page = testapp.get(DOSSIERS, dict(Q1, measure=measure))
    assert codes_in(page) == sorted(f"{WARD}-180101-{number}" for number in expected)


def test_the_drill_down_pages_and_downloads(testapp, staff, quarter, monkeypatch):
    monkeypatch.setattr(desk_views, "PAGE_SIZE", 4)
    sign_in_as(testapp, "officer_w")
    seen = []
    for number in (1, 2, 3):
        page = testapp.get(DOSSIERS, dict(Q1, measure="received", trang=str(number)))
        seen += codes_in(page)
    assert len(seen) == len(set(seen)) == 9
    assert page.html.find("a", rel="prev") and not page.html.find("a", rel="next")
    download = testapp.get(DOSSIERS, dict(Q1, measure="late", **{"dinh-dang": "csv"}))
    assert download.content_type == "text/csv"
    rows = list(csv.reader(io.StringIO(download.body.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][0] == f"{WARD}-180101-0003"


@pytest.mark.parametrize("page, params, word", [
    (DOSSIERS, dict(Q1, measure="nothing"), "nothing"),
    (DOSSIERS, dict(Q1, measure="late", to="2018-02-30"), "2018-02-30"),
    (DOSSIERS, {"measure": "late", "agency": "KHONG-CO"}, "KHONG-CO"),
    (PAGE, {"ky": "tuan"}, "quý"),
    (PAGE, {"ky": "tuy-chon", "from": "2018-03-01", "to": "2018-01-01"}, "from"),
    (PAGE, {"ky": "thang", "from": "01/03/2018"}, "YYYY-MM-DD"),
    (PAGE, {"sector": "ZZ"}, "ZZ"),
])
def test_what_cannot_be_read_is_a_400_with_the_page(testapp, staff, page, params, word):
    sign_in_as(testapp, "officer_w")
    found = testapp.get(page, params, status=400, headers={"Accept-Language": "vi"})
    assert word in found.html.find(role="alert").get_text()


# -- a procedure's real performance on its public page ----------------------------

@pytest.fixture
def on_31_march(monkeypatch):
    from datetime import date

    from congdichvu.i18n import formatting

    monkeypatch.setattr(formatting, "today_local", lambda now=None: date(2018, 3, 31))


def test_the_procedure_page_shows_its_real_performance(testapp, dbsession, on_31_march):
    from tests.unit.stats.test_performance import resolved

    resolved(dbsession)
    page = testapp.get("/thu-tuc/1.001193", headers={"Accept-Language": "vi", "Cache-Control": "no-cache"})
    section = page.html.find("section", class_="performance").get_text(" ", strip=True)
    assert "Thực tế 90 ngày qua: một nửa số hồ sơ được giải quyết trong không quá 2,5 ngày làm việc" in section
    assert "90 % hồ sơ trả đúng hạn hoặc trước hạn (20 hồ sơ)" in section


def test_the_procedure_page_shows_nothing_under_the_threshold(testapp, dbsession, on_31_march):
    from tests.unit.stats.test_performance import DAYS, resolved

    resolved(dbsession, DAYS[:19])
    page = testapp.get("/thu-tuc/1.001193", headers={"Accept-Language": "vi", "Cache-Control": "no-cache"})
    section = page.html.find("section", class_="performance").get_text(" ", strip=True)
    assert "một nửa số hồ sơ" not in section and "Chưa đủ hồ sơ" in section
