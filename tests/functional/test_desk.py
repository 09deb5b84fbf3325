"""The officer's desk (/mot-cua): who sees which dossiers in which queue,
counts, filters, search, pages; and the ledger (Form 06)."""
import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from congdichvu.accounts import services
from congdichvu.catalog.models import Agency
from tests.factories import make_dossier

WARD_A, WARD_B, CITY = "H56.01.P08", "H56.01.P01", "H56.01"
PASSWORD = "mật-khẩu-bàn-một-cửa"
QUEUE_KEYS = ("moi", "dang-xu-ly", "cho-bo-sung", "cho-thanh-toan", "sap-den-han", "qua-han", "cho-tra",
              "chuyen-den", "chuyen-di", "tat-ca")


def _agency(dbsession, code):
    return dbsession.scalar(select(Agency).where(Agency.code == code))


@pytest.fixture
def staff(dbsession):
    """Officers of ward A, ward B and the city; a city leader; a citizen (username = key)."""
    made = {}
    for name, roles, code in (("officer_a", ["officer"], WARD_A), ("officer_b", ["officer"], WARD_B),
                              ("officer_city", ["officer"], CITY), ("leader_city", ["leader"], CITY),
                              ("leader_a", ["leader"], WARD_A), ("citizen", ["citizen"], None)):
        made[name] = services.create_user(dbsession, name, PASSWORD, f"Người {name}", roles,
                                          email=f"{name}@example.invalid", agency=_agency(dbsession, code) if code else None)
    return made


def sign_in_as(testapp, username):
    testapp.reset()
    form = testapp.get("/dang-nhap").forms["deform"]
    form["login"], form["password"] = username, PASSWORD
    assert form.submit("submit").status_int == 302


def _now():
    return datetime.now(timezone.utc)


@pytest.fixture
def dossiers(dbsession, staff):
    """A spread of dossiers over queues for ward A, a few for ward B and the city, one of ward A transferred
    to the city; {name: Dossier}."""
    now = _now()
    later, overdue, soon = now + timedelta(days=40), now - timedelta(days=10), now + timedelta(minutes=5)
    made = {
        "a_new": make_dossier(dbsession, WARD_A, 1, state=1, due_at=later, applicant_name="Trần Thị Bình",
                              applicant_phone="0912345678"),
        "a_processing": make_dossier(dbsession, WARD_A, 2, state=4, due_at=later, applicant_name="Nguyễn Văn An",
                                     applicant_id_number="019090123456"),
        "a_supplement": make_dossier(dbsession, WARD_A, 3, state=5, due_at=overdue, clock_stopped_at=now),
        "a_payment": make_dossier(dbsession, WARD_A, 4, state=6, due_at=later, channel="in_person"),
        "a_soon": make_dossier(dbsession, WARD_A, 5, state=2, due_at=soon),
        "a_late": make_dossier(dbsession, WARD_A, 6, state=4, due_at=overdue, applicant_phone="+84987654321"),
        "a_processed": make_dossier(dbsession, WARD_A, 7, state=9, due_at=later, finished_at=now),
        "a_returned": make_dossier(dbsession, WARD_A, 8, state=10, due_at=later, finished_at=now, returned_at=now),
        "a_transferred": make_dossier(dbsession, WARD_A, 9, state=4, handling=CITY, due_at=later,
                                      events=[("transfer", WARD_A, CITY)]),
        "b_processing": make_dossier(dbsession, WARD_B, 1, state=4, due_at=later, applicant_name="Nguyễn Văn An"),
        "b_late": make_dossier(dbsession, WARD_B, 2, state=4, due_at=overdue, applicant_phone="0912345678"),
        "city_processing": make_dossier(dbsession, CITY, 1, state=4, due_at=later, procedure_code="1.013225",
                                        procedure_name="Cấp giấy phép xây dựng", sector_code="XD",
                                        applicant_name="Nguyễn Văn An"),
        "city_sign_off": make_dossier(dbsession, CITY, 2, state=4, due_at=later,
                                      events=[("sign_off_requested", CITY, None)]),
        "city_signed": make_dossier(dbsession, CITY, 3, state=4, due_at=later,
                                    events=[("sign_off_requested", CITY, None), ("apology", CITY, None)]),
        "b_sign_off": make_dossier(dbsession, WARD_B, 3, state=4, due_at=later,
                                   events=[("sign_off_requested", WARD_B, None)]),
    }
    return made


def codes_in(page):
    """The dossier codes listed in the table of a desk page."""
    return {th.get_text(strip=True) for th in page.html.select("table.desk-table tbody th")}


def counts_in(page):
    """{queue key: count shown in the queue navigation}."""
    found = {}
    for link in page.html.select(".desk-queues a"):
        key = link["href"].split("hang=")[1].split("&")[0]
        found[key] = int(link.select_one(".desk-count").get_text(strip=True).replace(".", ""))
    return found


def total_in(page):
    status = page.html.select_one(".result-count").get_text(" ", strip=True)
    if "Không có" in status or "No dossier" in status:
        return 0
    return int(status.split()[-1].replace(".", ""))


def queue(testapp, key, **params):
    return testapp.get("/mot-cua", params=dict(params, hang=key))


def test_officer_sees_only_own_agency_in_every_queue(testapp, dossiers):
    sign_in_as(testapp, "officer_a")
    expected = {
        "moi": {"a_new"}, "dang-xu-ly": {"a_processing", "a_soon", "a_late"}, "cho-bo-sung": {"a_supplement"},
        "cho-thanh-toan": {"a_payment"}, "sap-den-han": {"a_soon"}, "qua-han": {"a_late"},
        "cho-tra": {"a_processed"}, "chuyen-den": set(), "chuyen-di": {"a_transferred"},
        "tat-ca": {name for name in dossiers if name.startswith("a_")},
    }
    foreign = {d.code for name, d in dossiers.items() if not name.startswith("a_")}
    for key, names in expected.items():
        page = queue(testapp, key)
        listed = codes_in(page)
        assert listed == {dossiers[name].code for name in names}, key
        assert not listed & foreign
        assert not any(code in page.text for code in foreign), key
    # the queues' counts are those of the lists; no sign-off queue for an officer
    page = queue(testapp, "tat-ca")
    counts = counts_in(page)
    assert set(counts) == set(QUEUE_KEYS)
    assert counts == {key: len(names) for key, names in expected.items()}
    assert page.html.select_one('.desk-queues a[aria-current="page"]')["href"].endswith("hang=tat-ca")


def test_counts_match_lists_for_each_visitor(testapp, dossiers):
    for username in ("officer_a", "officer_b", "officer_city", "leader_city"):
        sign_in_as(testapp, username)
        counts = counts_in(testapp.get("/mot-cua"))
        for key, count in counts.items():
            page = queue(testapp, key)
            assert total_in(page) == count == len(codes_in(page)), (username, key)


def test_city_officer_sees_ward_dossiers_only_when_transferred(testapp, dossiers):
    sign_in_as(testapp, "officer_city")
    everything = codes_in(queue(testapp, "tat-ca"))
    assert dossiers["a_transferred"].code in everything
    assert not {dossiers[n].code for n in ("a_processing", "b_processing", "b_late", "a_new")} & everything
    assert codes_in(queue(testapp, "chuyen-den")) == {dossiers["a_transferred"].code}
    assert codes_in(queue(testapp, "chuyen-di")) == set()
    assert dossiers["a_transferred"].code in codes_in(queue(testapp, "dang-xu-ly"))
    # the ward follows it, read-only, among those it sent
    sign_in_as(testapp, "officer_a")
    assert dossiers["a_transferred"].code not in codes_in(queue(testapp, "dang-xu-ly"))
    page = queue(testapp, "chuyen-di")
    assert codes_in(page) == {dossiers["a_transferred"].code}
    assert "H56.01" in page.html.select_one("table.desk-table tbody").get_text()
    # ward B sees none of it
    sign_in_as(testapp, "officer_b")
    assert dossiers["a_transferred"].code not in codes_in(queue(testapp, "tat-ca"))


def test_leader_sees_the_subtree_and_the_sign_off_queue(testapp, dossiers):
    sign_in_as(testapp, "leader_city")
    processing = codes_in(queue(testapp, "dang-xu-ly"))
    assert {dossiers[n].code for n in ("a_processing", "b_processing", "city_processing", "a_transferred")} \
        <= processing
    assert codes_in(queue(testapp, "cho-ky")) == {dossiers[n].code for n in ("city_sign_off", "b_sign_off")}
    # a ward's leader: the ward alone, and no sign-off pending there
    sign_in_as(testapp, "leader_a")
    assert dossiers["b_processing"].code not in codes_in(queue(testapp, "tat-ca"))
    assert dossiers["a_processing"].code in codes_in(queue(testapp, "dang-xu-ly"))
    assert codes_in(queue(testapp, "cho-ky")) == set()


def test_officer_has_no_sign_off_queue(testapp, dossiers):
    sign_in_as(testapp, "officer_city")
    page = queue(testapp, "cho-ky")
    assert "cho-ky" not in counts_in(page)
    assert page.html.select_one('.desk-queues a[aria-current="page"]')["href"].endswith("hang=moi")
    assert page.html.select_one('[role="alert"]') is not None


def test_citizen_and_anonymous_are_kept_out(testapp, dossiers):
    anonymous = testapp.get("/mot-cua", status=302)
    assert "/dang-nhap" in anonymous.location
    assert "/dang-nhap" in testapp.get("/mot-cua/so-theo-doi", status=302).location
    sign_in_as(testapp, "citizen")
    testapp.get("/mot-cua", status=403)
    testapp.get("/mot-cua/so-theo-doi?tu=01/11/2026&den=30/11/2026", status=403)


def test_rows_link_to_the_staff_page_and_say_the_deadline(testapp, dossiers):
    sign_in_as(testapp, "officer_a")
    page = queue(testapp, "qua-han")
    link = page.html.select_one("table.desk-table tbody th a")
    assert link["href"] == f"http://example.com/mot-cua/ho-so/{dossiers['a_late'].code}"
    row = page.html.select_one("table.desk-table tbody tr").get_text(" ", strip=True)
    assert "quá hạn" in row.lower() and "Đăng ký khai sinh" in row
    testapp.get(link["href"])  # the ward may read it
    testapp.get(f"/mot-cua/ho-so/{dossiers['b_late'].code}", status=404)
    table = page.html.select_one("table.desk-table")
    assert table.select_one("caption") and all(th.get("scope") == "col" for th in table.select("thead th"))


@pytest.mark.parametrize("search, names", [
    ("nguyen van an", {"a_processing"}),
    ("Nguyễn Văn", {"a_processing"}),
    ("NGUYEN  van", {"a_processing"}),
    ("binh", {"a_new"}),
    ("h56.01.p08-261130-000", {f"a_{n}" for n in ("new", "processing", "supplement", "payment", "soon", "late",
                                                  "processed", "returned", "transferred")}),
    ("H56.01.P08-261130-0006", {"a_late"}),
    ("019090123456", {"a_processing"}),
    ("0912 345 678", {"a_new"}),
    ("+84 912.345.678", {"a_new"}),
    ("0987654321", {"a_late"}),
    ("H56.01.P01-261130", set()),
    ("%", set()),
    ("_", set()),
])
def test_search(testapp, dossiers, search, names):
    sign_in_as(testapp, "officer_a")
    page = queue(testapp, "tat-ca", q=search)
    assert codes_in(page) == {dossiers[name].code for name in names}


def test_filters(testapp, dossiers):
    sign_in_as(testapp, "officer_a")
    assert codes_in(queue(testapp, "tat-ca", kenh="in_person")) == {dossiers["a_payment"].code}
    sign_in_as(testapp, "leader_city")
    assert codes_in(queue(testapp, "tat-ca", **{"thu-tuc": "1.013225"})) == {dossiers["city_processing"].code}
    assert codes_in(queue(testapp, "tat-ca", **{"linh-vuc": "XD"})) == {dossiers["city_processing"].code}
    assert len(codes_in(queue(testapp, "tat-ca", tu="30/11/2026", den="30/11/2026"))) == 15
    assert codes_in(queue(testapp, "tat-ca", tu="01/12/2026")) == set()
    assert codes_in(queue(testapp, "tat-ca", den="29/11/2026")) == set()


@pytest.mark.parametrize("params, message", [
    ({"tu": "31/02/2026"}, "31/02/2026"),
    ({"den": "2026/11/30"}, "ngày/tháng/năm"),
    ({"tu": "30/11/2026", "den": "01/11/2026"}, "sau"),
    ({"thu-tuc": "9.999999"}, "9.999999"),
    ({"linh-vuc": "<script>"}, "&lt;script&gt;"),
    ({"kenh": "fax"}, "kênh"),
    ({"hang": "khong-co"}, "danh sách"),
])
def test_bad_filter_values_give_a_message(testapp, dossiers, params, message):
    sign_in_as(testapp, "officer_a")
    page = testapp.get("/mot-cua", params=dict(params, **{"trang": "²", "sap-xep": "%00"}))
    alert = page.html.select_one('[role="alert"]')
    assert alert is not None and message.replace("&lt;", "<").replace("&gt;", ">") in alert.get_text()
    assert codes_in(page)  # the list is still there


def test_pagination(testapp, dbsession, staff):
    for number in range(1, 46):
        make_dossier(dbsession, WARD_A, number, state=4,
                     due_at=_now() + timedelta(days=30, hours=number))
    sign_in_as(testapp, "officer_a")
    first = queue(testapp, "dang-xu-ly")
    assert len(codes_in(first)) == 20 and total_in(first) == 45
    assert f"{WARD_A}-261130-0001" in codes_in(first)  # soonest deadline first
    third = queue(testapp, "dang-xu-ly", trang="3")
    assert codes_in(third) == {f"{WARD_A}-261130-{n:04d}" for n in range(41, 46)}
    assert third.html.select_one('.pagination span[aria-current="page"]').get_text() == "3"
    assert codes_in(queue(testapp, "dang-xu-ly", trang="999")) == codes_in(third)
    pages = [codes_in(queue(testapp, "dang-xu-ly", trang=str(n))) for n in (1, 2, 3)]
    assert len(set().union(*pages)) == 45
    latest = queue(testapp, "dang-xu-ly", **{"sap-xep": "nop"})
    assert len(codes_in(latest)) == 20


def test_no_query_per_row(testapp, dbsession, staff, query_counter):
    for number in range(1, 21):
        make_dossier(dbsession, WARD_A, number, state=4, events=[("transfer", WARD_A, CITY)])
    sign_in_as(testapp, "officer_a")
    query_counter.clear()
    queue(testapp, "tat-ca")
    few = len(query_counter)
    assert few <= 12, query_counter


# -- the ledger (Form 06) ------------------------------------------------------

def ledger_lines(response):
    assert response.body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.body[3:].decode("utf-8"))))


def test_ledger_csv(testapp, dossiers, dbsession):
    received = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)
    make_dossier(dbsession, WARD_A, 20, state=10, applicant_name="=HYPERLINK(\"http://x\")",
                 applicant_address="+1 phố Lương Ngọc Quyến", finished_at=received + timedelta(days=1),
                 due_at=received + timedelta(days=3), returned_at=received + timedelta(days=2))
    make_dossier(dbsession, WARD_A, 21, state=9, finished_at=received + timedelta(days=6),
                 due_at=received + timedelta(days=3))
    make_dossier(dbsession, WARD_A, 22, state=4, received_at=received - timedelta(days=40))
    sign_in_as(testapp, "officer_a")
    response = testapp.get("/mot-cua/so-theo-doi", params={"tu": "30/11/2026", "den": "30/11/2026",
                                                          "dinh-dang": "csv"})
    assert response.content_type == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert f"{WARD_A}-20261130-20261130.csv" in response.headers["Content-Disposition"]
    lines = ledger_lines(response)
    assert lines[0][0] == "STT" and len(lines[0]) == 13
    by_code = {line[1]: line for line in lines[1:]}
    # received (not new: state 1 was never received), transferred through ward A included; others' not
    assert dossiers["a_new"].code not in by_code
    assert dossiers["a_transferred"].code in by_code and dossiers["b_processing"].code not in by_code
    assert f"{WARD_A}-261130-0022" not in by_code  # received before the period
    assert by_code[dossiers["a_transferred"].code][12].endswith("UBND thành phố Thái Nguyên")
    injected = by_code[f"{WARD_A}-261130-0020"]
    assert injected[4].startswith("'=") and injected[5].startswith("'+")
    assert injected[12] == "Trước hạn" and injected[11] == "02/12/2026 09:00"
    assert by_code[f"{WARD_A}-261130-0021"][12] == "Quá hạn"
    assert [line[0] for line in lines[1:]] == [str(n) for n in range(1, len(lines))]


def test_ledger_of_the_city_has_the_transferred_dossier_only(testapp, dossiers):
    sign_in_as(testapp, "officer_city")
    lines = ledger_lines(testapp.get("/mot-cua/so-theo-doi", params={"tu": "01/11/2026", "den": "30/11/2026",
                                                                    "dinh-dang": "csv"}))
    codes = {line[1] for line in lines[1:]}
    assert dossiers["a_transferred"].code in codes and dossiers["city_processing"].code in codes
    assert not {dossiers[n].code for n in ("a_processing", "b_processing")} & codes


@pytest.mark.parametrize("params, message", [
    ({"tu": "01/01/2025", "den": "30/11/2026"}, "366"),
    ({"tu": "30/11/2026", "den": "01/11/2026"}, "sau"),
    ({"tu": "31/02/2026", "den": "01/03/2026"}, "31/02/2026"),
    ({"tu": "hôm qua", "den": "01/03/2026"}, "ngày/tháng/năm"),
    ({"tu": "01/03/2026"}, "cả hai"),
    ({"tu": "01/03/2026", "den": "02/03/2026", "dinh-dang": "pdf"}, "định dạng"),
])
def test_ledger_refuses_bad_periods(testapp, staff, params, message):
    sign_in_as(testapp, "officer_a")
    page = testapp.get("/mot-cua/so-theo-doi", params=params)
    assert page.content_type == "text/html"
    assert message in page.html.select_one('[role="alert"]').get_text()


def test_ledger_form(testapp, staff):
    sign_in_as(testapp, "officer_a")
    page = testapp.get("/mot-cua/so-theo-doi")
    assert page.html.select_one('[role="alert"]') is None
    assert page.html.select_one('select[name="dinh-dang"] option[value="csv"]') is not None
    assert page.html.select_one('select[name="dinh-dang"] option[value="xlsx"]') is not None


def test_ledger_as_a_workbook(testapp, dossiers):
    from openpyxl import load_workbook

    sign_in_as(testapp, "officer_a")
    response = testapp.get("/mot-cua/so-theo-doi", params={"tu": "01/11/2026", "den": "30/11/2026"})
    assert response.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.body)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert dossiers["a_transferred"].code in values and "SỔ THEO DÕI HỒ SƠ" in " ".join(map(str, values)).upper()
