"""Editors edit, reviewers publish; the public sees only what is published."""
import pytest
from sqlalchemy import select

from congdichvu.catalog import exchange
from tests.factories import HOSTILE_ZIPS, ROLES, sign_in
from tests.functional.layout import assert_tables_stack


def action_form(page, action):
    """The form of ``page`` that performs workflow ``action``."""
    return next(form for form in page.forms.values() if "action" in form.fields and form["action"].value == action)


def _edit(testapp, code, changes, button="save"):
    form = testapp.get(f"/quan-tri/thu-tuc/{code}/sua").forms["deform"]
    for name, value in changes.items():
        form.set(name, value, index=0)  # names repeat in nested items: the procedure's own come first
    return form.submit(button)


def test_an_edit_is_a_draft_until_a_reviewer_publishes_it(testapp, people):
    sign_in(testapp, "editor")
    saved = _edit(testapp, "1.001193", {"name": "Đăng ký khai sinh (sửa đổi)", "comment": "Sửa tên"})
    history = saved.follow()
    assert "Bản nháp" in history.text and "Sửa tên" in history.text
    assert "<h1>Đăng ký khai sinh</h1>" in testapp.get("/thu-tuc/1.001193").text  # the public still sees the old one
    history.forms[1].submit()  # send for review
    history = testapp.get("/quan-tri/thu-tuc/1.001193/lich-su")
    assert "Chờ duyệt" in history.text and "Xuất bản" not in history.text  # an editor cannot publish
    testapp.post("/quan-tri/thu-tuc/1.001193/trang-thai",
                 {"csrf_token": history.forms[0]["csrf_token"].value, "__formid__": "procedure_action",
                  "action": "publish", "revision": "1"}, status=403)
    sign_in(testapp, "reviewer")
    history = testapp.get("/quan-tri/thu-tuc/1.001193/lich-su")
    publish = action_form(history, "publish")
    publish.submit().follow()
    testapp.reset()
    assert "<h1>Đăng ký khai sinh (sửa đổi)</h1>" in testapp.get("/thu-tuc/1.001193").text
    assert testapp.get("/api/v1/procedures/1.001193").json["name"] == "Đăng ký khai sinh (sửa đổi)"


def test_a_reviewer_sends_back_with_a_comment(testapp, people):
    sign_in(testapp, "editor")
    _edit(testapp, "1.000894", {"name": "Đăng ký kết hôn mới"}, button="submit_for_review")
    sign_in(testapp, "reviewer")
    history = testapp.get("/quan-tri/thu-tuc/1.000894/lich-su")
    send_back = action_form(history, "send_back")
    assert "Hãy nêu" in send_back.submit().follow().text  # a comment is required
    send_back["comment"] = "Thiếu căn cứ pháp lý mới"
    page = send_back.submit().follow()
    assert "Bản nháp" in page.text and "Thiếu căn cứ pháp lý mới" in page.text


def test_history_diff_and_restore(testapp, people):
    sign_in(testapp, "editor")
    _edit(testapp, "1.000656", {"name": "Khai tử, lần một"})
    _edit(testapp, "1.000656", {"name": "Khai tử, lần hai", "result": "Trích lục khai tử (bản chính và bản sao)"})
    diff = testapp.get("/quan-tri/thu-tuc/1.000656/so-sanh", params={"a": 1, "b": 2})
    assert "Khai tử, lần một" in diff.text and "Khai tử, lần hai" in diff.text and "Kết quả thực hiện" in diff.text
    history = testapp.get("/quan-tri/thu-tuc/1.000656/lich-su")
    restore = action_form(history, "restore")
    restore.submit()
    edit = testapp.get("/quan-tri/thu-tuc/1.000656/sua").forms["deform"]
    assert edit.get("name", index=0).value == "Khai tử, lần một"


def test_a_new_procedure_stays_private_until_published(testapp, people):
    sign_in(testapp, "editor")
    form = testapp.get("/quan-tri/thu-tuc/them").forms["deform"]
    for name, value in (("code", "1.999777"), ("name", "Thủ tục mới hoàn toàn"), ("sector", "HT"),
                        ("level", "commune"), ("result", "Giấy xác nhận")):
        form.set(name, value, index=0)
    form.set("channel", "in_person", index=0)
    form.set("time_value", "5", index=0)
    saved = form.submit("submit_for_review")
    assert saved.status_int == 302, saved.text[:2000]
    testapp.reset()
    testapp.get("/thu-tuc/1.999777", status=404)
    assert "1.999777" not in testapp.get("/api/v1/procedures", params={"per_page": 100}).text
    sign_in(testapp, "reviewer")
    history = testapp.get("/quan-tri/thu-tuc/1.999777/lich-su")
    action_form(history, "publish").submit()
    testapp.reset()
    assert "Thủ tục mới hoàn toàn" in testapp.get("/thu-tuc/1.999777").text


def new_procedure_form(browser, code, name):
    """The "new procedure" form filled with the least a procedure needs."""
    form = browser.get("/quan-tri/thu-tuc/them").forms["deform"]
    for field, value in (("code", code), ("name", name), ("sector", "HT"), ("level", "commune"),
                         ("result", "Giấy xác nhận")):
        form.set(field, value, index=0)
    form.set("channel", "in_person", index=0)
    form.set("time_value", "5", index=0)
    return form


def _new_procedure(testapp, code, name, button="save"):
    return new_procedure_form(testapp, code, name).submit(button)


def _states(dbsession, code):
    from congdichvu.cms import workflow

    dbsession.expire_all()
    return [(revision.number, revision.state, revision.name) for revision in workflow.revisions(dbsession, code)]


@pytest.mark.parametrize("kind", ["published", "archived", "only in revisions"])
def test_a_new_procedure_with_an_existing_code_is_refused_on_its_code(testapp, people, dbsession, kind):
    """The break-test's finding: "New procedure" with an existing code
    silently replaced that procedure's draft (another editor's working
    revision became history)."""
    code = {"published": "1.001193", "archived": "2.000806", "only in revisions": "1.999555"}[kind]
    if kind == "archived":
        sign_in(testapp, "reviewer")
        archive = action_form(testapp.get(f"/quan-tri/thu-tuc/{code}/lich-su"), "archive")
        archive["comment"] = "Hết hiệu lực"
        archive.submit()
    sign_in(testapp, "editor")
    if kind == "only in revisions":
        assert _new_procedure(testapp, code, "Thủ tục của người khác").status_int == 302
    else:  # another editor's working revision
        _edit(testapp, code, {"comment": "Bản nháp của người khác"})
    before = _states(dbsession, code)
    existing_name = before[0][2]
    page = _new_procedure(testapp, code, "Thủ tục trùng mã", button="submit_for_review")
    assert page.status_int == 200
    error = page.html.select_one("p[id^=error-]").text
    assert "Mã thủ tục này đã có" in error and existing_name in error
    link = page.html.select_one("[role=alert] a")
    assert link["href"] == f"http://example.com/quan-tri/thu-tuc/{code}/sua"
    assert page.forms["deform"].get("name", index=0).value == "Thủ tục trùng mã"  # nothing typed is lost
    assert _states(dbsession, code) == before  # nothing replaced, nobody's draft made history
    assert testapp.get(link["href"]).forms["deform"].get("name", index=0).value == existing_name


def test_form_errors_are_vietnamese_and_nothing_is_saved(testapp, people, dbsession):
    sign_in(testapp, "editor")
    page = _edit(testapp, "1.001193", {"name": "", "code": "sai"})
    assert page.status_int == 200
    assert "Bắt buộc" in page.text and "1.001193" in page.text
    assert "Mã thủ tục có dạng 1.001193" in page.text or "không được đổi" in page.text


def test_archiving_withdraws_a_procedure_from_the_public(testapp, people):
    sign_in(testapp, "reviewer")
    history = testapp.get("/quan-tri/thu-tuc/2.000806/lich-su")
    archive = action_form(history, "archive")
    archive["comment"] = "Hết hiệu lực"
    archive.submit()
    testapp.reset()
    testapp.get("/thu-tuc/2.000806", status=404)
    testapp.get("/api/v1/procedures/2.000806", status=404)
    assert testapp.get("/api/v1/procedures").json["total"] == 88


@pytest.mark.parametrize("path, allowed", [
    ("/quan-tri", {"editor", "reviewer", "admin"}),
    ("/quan-tri/thu-tuc", {"editor", "reviewer", "admin"}),
    ("/quan-tri/thu-tuc/them", {"editor", "reviewer", "admin"}),
    ("/quan-tri/thu-tuc/1.001193/sua", {"editor", "reviewer", "admin"}),
    ("/quan-tri/thu-tuc/1.001193/lich-su", {"editor", "reviewer", "admin"}),
    ("/quan-tri/thu-tuc/1.001193/so-sanh?a=1&b=1", {"editor", "reviewer", "admin"}),
    ("/quan-tri/bieu-mau", {"editor", "reviewer", "admin"}),
    ("/quan-tri/bai-viet", {"editor", "reviewer", "admin"}),
    ("/quan-tri/bai-viet/them?kind=news", {"editor", "reviewer", "admin"}),
    ("/quan-tri/y-kien", {"editor", "reviewer", "admin"}),
    ("/quan-tri/nhat-ky", {"admin"}),
    ("/tai-khoan", set(ROLES)),
])
def test_permission_matrix(testapp, people, path, allowed):
    testapp.reset()
    anonymous = testapp.get(path, expect_errors=True)
    assert anonymous.status_int == 302 and "/dang-nhap" in anonymous.location
    for role in ROLES:
        sign_in(testapp, role)
        expected = {200, 404} if role in allowed else {403}  # 404: the diff of revisions that do not exist yet
        response = testapp.get(path, expect_errors=True)
        assert response.status_int in expected, (path, role)
        assert response.headers["Cache-Control"] == "private, no-store", (path, role)  # staff pages are never cached


def _rows(page):
    return [[cell.text.strip() for cell in row.select("th, td")] for row in page.html.select("main table tbody tr")]


def test_the_audit_log_shows_changes_and_logins(testapp, people):
    sign_in(testapp, "editor")
    _edit(testapp, "1.001193", {"name": "Đăng ký khai sinh (thử)"})
    sign_in(testapp, "admin")
    log = testapp.get("/quan-tri/nhat-ky", params={"actor": "editor.test"})
    rows = _rows(log)
    # who by full name (the login beside it, for the filter), what in words, details labelled
    assert [row[1:4] for row in rows] == [["Người editor (editor.test)", "Lưu thủ tục", "1.001193"],
                                          ["Người editor (editor.test)", "Đăng nhập", "editor.test"]]
    assert rows[0][5] == "phiên bản: 1"
    assert "admin.test" not in log.html.select_one("tbody").text
    # the action filter offers the actions by name and filters by code
    options = {option["value"]: option.text for option in log.html.select("#a-action option")}
    assert options["procedure.saved"] == "Lưu thủ tục"
    only_saves = _rows(testapp.get("/quan-tri/nhat-ky", params={"action": "procedure.saved"}))
    assert {row[2] for row in only_saves} == {"Lưu thủ tục"}


def test_an_action_without_a_label_shows_its_code(testapp, people, dbsession):
    from congdichvu.accounts.services import record

    record(dbsession, "something.new", target="x", details={"colour": "xanh"})
    sign_in(testapp, "admin")
    rows = _rows(testapp.get("/quan-tri/nhat-ky", params={"action": "something.new"}))
    assert rows == [[rows[0][0], "Chưa đăng nhập", "something.new", "x", "", "colour: xanh"]]


def test_history_names_people_and_the_diff_names_fields_as_the_form_does(testapp, people):
    sign_in(testapp, "editor")
    _edit(testapp, "1.001193", {"name": "Khai sinh, lần một"})
    form = testapp.get("/quan-tri/thu-tuc/1.001193/sua").forms["deform"]
    form.set("amount", "5000", index=0)
    form.set("required", False, index=1)
    form.set("time_unit", "day", index=0)
    form.submit("save")
    history = testapp.get("/quan-tri/thu-tuc/1.001193/lich-su")
    assert [row[2] for row in _rows(history)] == ["Người editor", "Người editor"]
    assert history.html.select_one("main tbody td span[title]")["title"] == "editor.test"
    changes = {row[0]: row[1:] for row in _rows(testapp.get("/quan-tri/thu-tuc/1.001193/so-sanh",
                                                               params={"a": 1, "b": 2}))}
    assert changes == {
        "Cách thức thực hiện 1 › Khoản phí, lệ phí 1 › Mức thu (đồng)": ["0", "5000"],
        "Cách thức thực hiện 1 › Đơn vị": ["ngày làm việc", "ngày"],
        "Giấy tờ 2 › Bắt buộc": ["Có", "Không"],
    }


@pytest.fixture
def gaps_of_every_kind(dbsession):
    """Procedures each missing one kind of item, beside the demo's: {code: its gaps}."""
    from datetime import datetime, timedelta, timezone

    from congdichvu.catalog import exchange
    from congdichvu.catalog.models import Procedure
    from tests.factories import document, procedure_entry

    entries = {"1.999001": procedure_entry(code="1.999001"), "1.999002": procedure_entry(code="1.999002", papers=[]),
               "1.999004": procedure_entry(code="1.999004", legal_bases=[]),
               "1.999005": procedure_entry(code="1.999005"), "1.999006": procedure_entry(code="1.999006")}
    entries["1.999003"] = procedure_entry(code="1.999003")
    entries["1.999003"]["channels"][0]["fees"] = []
    exchange.import_catalog(dbsession, document(procedures=entries.values()))
    procedures = {p.code: p for p in dbsession.scalars(select(Procedure).where(Procedure.code.in_(entries)))}
    procedures["1.999005"].channels = []  # no channel: neither a processing time nor a fee
    procedures["1.999006"].updated_at = datetime.now(timezone.utc) - timedelta(days=400)
    dbsession.flush()
    return {"1.999001": [], "1.999002": ["papers"], "1.999003": ["fees"], "1.999004": ["legal_basis"],
            "1.999005": ["fees", "time"], "1.999006": ["stale"]}


def test_the_dashboard_and_the_home_page_agree_on_completeness(testapp, people, dbsession, gaps_of_every_kind):
    from congdichvu.cms.completeness import disclosed_share, report

    numbers = report(dbsession)
    found = {procedure.code: gaps for procedure, gaps in numbers["incomplete"]}
    assert {code: found.get(code, []) for code in gaps_of_every_kind} == gaps_of_every_kind
    assert numbers["complete"] == numbers["total"] - len(numbers["incomplete"]) and numbers["total"] == 95
    assert disclosed_share(dbsession) == numbers["share"] == round(100 * numbers["complete"] / 95)
    assert f"{numbers['share']} %" in testapp.get("/").text
    sign_in(testapp, "editor")
    dashboard = testapp.get("/quan-tri")
    assert f"{numbers['share']} %" in dashboard.text
    item = next(li.text for li in dashboard.html.select("main li") if "1.999005" in li.text)
    assert "chưa có phí, lệ phí" in item and "chưa có thời hạn giải quyết" in item


def _docx_bytes():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_editors_upload_blank_forms_checked_by_content(testapp, people, dbsession):
    from webtest import Upload

    sign_in(testapp, "editor")
    page = testapp.get("/quan-tri/bieu-mau")
    assert "to-khai-dang-ky-giam-ho.docx" in page.text and "còn thiếu" in page.text
    form = page.forms[1]
    form["file"] = Upload("Tờ khai đăng ký giám hộ.docx", _docx_bytes())
    form["target"] = "to-khai-dang-ky-giam-ho.docx"
    stored = form.submit()
    assert "Đã lưu: to-khai-dang-ky-giam-ho.docx" in stored.text
    # served once committed: test_cms_races.test_an_uploaded_blank_form_is_served_once_committed
    # a program dressed as a PDF is refused, with the reason
    form = testapp.get("/quan-tri/bieu-mau").forms[1]
    form["file"] = Upload("mau-don.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    refused = form.submit()
    assert "Tệp không phải tệp PDF, Word, Excel hoặc OpenDocument." in refused.text
    testapp.get("/bieu-mau/mau-don.pdf", status=404)


def test_a_hostile_zip_is_refused_as_a_blank_form(testapp, people, app):
    """The break-test's zip bomb, encrypted entry and compression method 97
    (a 500 or hundreds of MB of memory before) are simply not a known type."""
    from pathlib import Path

    from webtest import Upload

    forms_dir = Path(app.registry.settings["congdichvu.data_dir"]) / "forms"
    sign_in(testapp, "editor")
    for name, build in sorted(HOSTILE_ZIPS.items()):
        form = testapp.get("/quan-tri/bieu-mau").forms[1]
        form["file"] = Upload(name, build())
        refused = form.submit()
        assert refused.status_int == 200
        assert "Tệp không phải tệp PDF, Word, Excel hoặc OpenDocument." in refused.text, name
        testapp.get(f"/bieu-mau/{name}", status=404)
        assert not list(forms_dir.rglob(name)) and not list(forms_dir.glob(".upload-*"))


def test_a_blank_form_name_with_folders_is_refused_when_the_procedure_is_saved(testapp, people, dbsession):
    from congdichvu.cms import workflow

    sign_in(testapp, "editor")
    before = len(workflow.revisions(dbsession, "1.001193"))
    page = _edit(testapp, "1.001193", {"template": "../../../x.pdf"}, button="submit_for_review")
    assert page.status_int == 200
    error = page.html.select_one("p[id^=error-]").text
    assert "Tên tệp chỉ được gồm chữ cái không dấu" in error and "không kèm thư mục" in error
    assert page.forms["deform"].get("template", index=0).value == "../../../x.pdf"  # kept, to be corrected
    assert len(workflow.revisions(dbsession, "1.001193")) == before
    # past the form, the workflow refuses it too, at the field's JSON path
    document = dict(workflow.current_document(dbsession, "1.001193"))
    document["papers"] = [dict(document["papers"][0], template="..\\..\\x.pdf")]
    with pytest.raises(exchange.CatalogInvalid) as caught:
        workflow.save(dbsession, document, people["editor"])
    assert [problem.path for problem in caught.value.problems] == ["$.procedures[0].papers[0].template"]


def _tree(directory):
    return sorted(str(path.relative_to(directory)) for path in directory.rglob("*"))


def test_an_unsafe_name_from_older_data_writes_nothing_anywhere(testapp, people, dbsession, app):
    from pathlib import Path

    from congdichvu.catalog.models import Paper, Procedure

    procedure = dbsession.scalar(select(Procedure).where(Procedure.code == "1.001193"))
    dbsession.add(Paper(procedure=procedure, position=99, name="Tờ khai cũ", originals=1, copies=0, required=False,
                        template="../../../x.pdf"))  # as if saved before names were checked
    dbsession.flush()
    data_dir = Path(app.registry.settings["congdichvu.data_dir"])
    forms_before = _tree(data_dir / "forms")
    sign_in(testapp, "editor")
    page = testapp.get("/quan-tri/bieu-mau")
    assert "../../../x.pdf" not in page.text  # never offered as a target
    csrf_token = page.forms[1]["csrf_token"].value
    testapp.post("/quan-tri/bieu-mau", {"csrf_token": csrf_token, "target": "../../../x.pdf"},
                 upload_files=[("file", "x.pdf", b"%PDF-1.7\n" + b"x" * 100)], status=400)
    assert _tree(data_dir / "forms") == forms_before  # no temporary folder left either
    # where the name led before (data/forms/<temporary>/../../../x.pdf), and anywhere in the data directory
    assert not (data_dir.parent / "x.pdf").exists() and not list(data_dir.rglob("x.pdf"))
    testapp.get("/bieu-mau/x.pdf", status=404)


def test_safe_file_names():
    from congdichvu.cms.uploads import safe_name

    assert safe_name("Tờ khai đăng ký (mẫu).DOCX") == "to-khai-dang-ky-mau.docx"
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("") == "bieu-mau"


def test_empty_fields_stay_empty_through_a_save(testapp, people, dbsession):
    from congdichvu.cms import workflow

    sign_in(testapp, "editor")
    form = testapp.get("/quan-tri/thu-tuc/1.001193/sua").forms["deform"]
    assert form.get("requirements", index=0).value == ""  # not the text "None"
    form.submit("save")
    document = workflow.current_document(dbsession, "1.001193")
    assert "requirements" not in document and "None" not in str(document)


def test_editors_mark_the_papers_only_shown(testapp, people, dbsession):
    from congdichvu.cms import workflow

    sign_in(testapp, "editor")
    form = testapp.get("/quan-tri/thu-tuc/1.001193/sua").forms["deform"]
    # six papers and the blank item; the demo's identity paper is only shown
    assert [box.checked for box in form.fields["presented_only"]] == [False] * 5 + [True, False]
    form.set("presented_only", True, index=1)
    form.set("presented_only", False, index=5)
    assert form.submit("save").status_int == 302
    papers = workflow.current_document(dbsession, "1.001193")["papers"]
    assert [paper.get("presented_only") for paper in papers] == [None, True, None, None, None, None]  # false: absent
    again = testapp.get("/quan-tri/thu-tuc/1.001193/sua").forms["deform"]
    assert [box.checked for box in again.fields["presented_only"]] == [False, True] + [False] * 5


def test_search_never_finds_a_draft(testapp, people):
    sign_in(testapp, "editor")
    _edit(testapp, "1.001193", {"name": "Đăng ký khai sinh phiên bản nháp bí mật"}, button="submit_for_review")
    testapp.reset()
    assert testapp.get("/api/v1/search", params={"q": "phiên bản nháp bí mật"}).json["total"] == 0


def test_an_administrator_declares_a_swapped_day(testapp, people, dbsession):
    from datetime import date

    from congdichvu.calendar.models import CalendarOverride

    sign_in(testapp, "editor")
    testapp.get("/quan-tri/lich", status=403)
    sign_in(testapp, "admin")
    page = testapp.get("/quan-tri/lich")
    assert "Quốc khánh" in page.text or "ngày nghỉ" in page.text
    form = page.forms[1]
    form["day"], form["kind"], form["note"] = "2027-04-24", "working", "Làm bù cho ngày nghỉ 03/05/2027"
    form.submit().follow()
    assert dbsession.scalar(select(CalendarOverride.kind).where(CalendarOverride.day == date(2027, 4, 24))) == "working"
    form = testapp.get("/quan-tri/lich").forms[1]
    form["day"], form["note"] = "không phải ngày", "x"
    assert "Nhập ngày theo dạng ngày/tháng/năm" in form.submit().text
    form["day"] = "29/02/2027"  # written right, but not a day of 2027
    answer = form.submit().text
    assert "Ngày 29/02/2027 không có trên lịch" in answer and "Nhập ngày theo dạng" not in answer


def test_staff_tables_label_every_cell_for_phones(testapp, people):
    sign_in(testapp, "editor")
    _edit(testapp, "1.000656", {"name": "Khai tử, lần một"})
    _edit(testapp, "1.000656", {"name": "Khai tử, lần hai"})
    for path in ("/quan-tri/thu-tuc", "/quan-tri/thu-tuc/1.000656/lich-su", "/quan-tri/thu-tuc/1.000656/so-sanh?a=1&b=2"):
        assert_tables_stack(testapp.get(path))
    sign_in(testapp, "admin")
    assert_tables_stack(testapp.get("/quan-tri/nhat-ky"))


def test_the_coming_year_says_why_each_day_is_unusual(testapp, people):
    from datetime import timedelta

    from congdichvu.i18n.formatting import today_local

    sign_in(testapp, "admin")
    saturday = today_local() + timedelta(days=(5 - today_local().weekday()) % 7 + 7)
    form = testapp.get("/quan-tri/lich").forms[1]
    form["day"], form["kind"], form["note"] = saturday.isoformat(), "working", "Làm bù theo quyết định số 9"
    page = form.submit().follow()
    coming = " ".join(page.html.find("h2", string="Trong năm tới").find_next("ul").get_text(" ").split())
    # a 366-day window always holds a 1 January; the library names it, in Vietnamese
    assert "01/01/" in coming and "ngày nghỉ — Tết Dương lịch" in coming
    assert f"{saturday:%d/%m/%Y}: ngày làm việc — Làm bù theo quyết định số 9" in coming


# -- a step that comes second -------------------------------------------------------


def _another_browser(testapp, role):
    """A second person at work on the same portal (and test transaction)."""
    import webtest

    browser = webtest.TestApp(testapp.app, extra_environ=testapp.extra_environ)
    sign_in(browser, role)
    return browser


def _events(dbsession, action, target):
    from congdichvu.accounts.models import AuditEvent

    return dbsession.scalars(select(AuditEvent).where(AuditEvent.action == action, AuditEvent.target == target)).all()


TAKEN = "Đã có người khác làm bước này hoặc thay đổi nội dung này trước bạn"


def test_a_workflow_step_sent_twice_is_taken_once_and_the_second_is_told(testapp, people, dbsession):
    """A double click, or a second reviewer on a page opened before: the
    step is taken once; the second request changes nothing, says why and
    gives back the comment it carried."""
    code = "1.000894"
    sign_in(testapp, "editor")
    _edit(testapp, code, {"name": "Đăng ký kết hôn (sửa)"}, button="submit_for_review")
    sign_in(testapp, "reviewer")
    history = testapp.get(f"/quan-tri/thu-tuc/{code}/lich-su")
    publish, send_back = action_form(history, "publish"), action_form(history, "send_back")
    assert publish.submit().status_int == 302
    again = publish.submit(status=409)
    assert TAKEN in again.html.select_one("[role=alert]").text
    send_back["comment"] = "Thiếu căn cứ pháp lý mới"
    late = send_back.submit(status=409)
    assert TAKEN in late.text and "Thiếu căn cứ pháp lý mới" in late.html.select_one("blockquote.unsaved").text
    assert len(_events(dbsession, "procedure.published", code)) == 1
    assert not _events(dbsession, "procedure.sent_back", code)
    assert "Đăng ký kết hôn (sửa)" in testapp.get(f"/thu-tuc/{code}").text
    archive = action_form(testapp.get(f"/quan-tri/thu-tuc/{code}/lich-su"), "archive")
    archive["comment"] = "Hết hiệu lực"
    assert archive.submit().status_int == 302
    assert "Hết hiệu lực" in archive.submit(status=409).html.select_one("blockquote.unsaved").text
    assert len(_events(dbsession, "procedure.archived", code)) == 1


def test_a_revision_changed_since_its_page_was_shown_is_not_published(testapp, people, dbsession):
    code = "1.001193"
    sign_in(testapp, "editor")
    _edit(testapp, code, {"name": "Đăng ký khai sinh (bản một)"}, button="submit_for_review")
    reviewer = _another_browser(testapp, "reviewer")
    publish = action_form(reviewer.get(f"/quan-tri/thu-tuc/{code}/lich-su"), "publish")
    # meanwhile the editor saves another draft: the one the reviewer read is history now
    _edit(testapp, code, {"name": "Đăng ký khai sinh (bản hai, chưa xem)"})
    assert TAKEN in publish.submit(status=409).text
    assert "<h1>Đăng ký khai sinh</h1>" in reviewer.get(f"/thu-tuc/{code}").text
    assert not _events(dbsession, "procedure.published", code)


def test_a_restore_sent_twice_makes_one_draft(testapp, people, dbsession):
    from congdichvu.cms.models import ProcedureRevision

    code = "1.000656"
    sign_in(testapp, "editor")
    _edit(testapp, code, {"name": "Khai tử, lần một"})
    _edit(testapp, code, {"name": "Khai tử, lần hai"})
    restore = action_form(testapp.get(f"/quan-tri/thu-tuc/{code}/lich-su"), "restore")
    assert restore.submit().status_int == 302
    assert TAKEN in restore.submit(status=409).text
    numbers = dbsession.scalars(select(ProcedureRevision.number).where(ProcedureRevision.procedure_code == code)).all()
    assert sorted(numbers) == [1, 2, 3]


def test_a_processing_time_in_half_days_is_kept_as_typed(testapp, people, dbsession):
    """"0,5 ngày làm việc" in a catalogue: kept, shown and counted as half a
    day (see calendar.service), never rounded to a whole number."""
    from datetime import datetime

    from congdichvu.calendar.service import WorkingCalendar
    from congdichvu.catalog.models import Channel, Procedure
    from congdichvu.i18n.formatting import TIMEZONE

    code = "1.004194"
    sign_in(testapp, "editor")
    _edit(testapp, code, {"time_value": "0,5", "time_unit": "working_day"}, button="submit_for_review")
    assert testapp.get(f"/quan-tri/thu-tuc/{code}/sua").forms["deform"].get("time_value", index=0).value == "0,5"
    sign_in(testapp, "reviewer")
    action_form(testapp.get(f"/quan-tri/thu-tuc/{code}/lich-su"), "publish").submit()
    testapp.reset()
    assert "0,5 ngày làm việc" in testapp.get(f"/thu-tuc/{code}").text
    channel = dbsession.scalars(select(Channel).join(Procedure).where(Procedure.code == code)).first()
    assert (channel.duration_value, channel.duration_unit) == (0.5, "working_day")
    received = datetime(2026, 10, 19, 9, tzinfo=TIMEZONE)  # a Monday morning: due 4 working hours into Tuesday
    assert WorkingCalendar().appointment(received, channel.duration_value, channel.duration_unit) == \
        datetime(2026, 10, 20, 11, tzinfo=TIMEZONE)


@pytest.mark.parametrize("typed", ["-1", "10001", "NaN", "Infinity", "1e400", "½"])
def test_a_processing_time_out_of_range_is_a_field_error(testapp, people, typed):
    sign_in(testapp, "editor")
    page = _edit(testapp, "1.004194", {"time_value": typed})
    assert page.status_int == 200 and page.html.select_one("p[id^=error-]") is not None


def test_a_comment_too_long_for_a_step_is_refused_and_shown_back_whole(testapp, people, dbsession):
    code = "1.000894"
    sign_in(testapp, "editor")
    _edit(testapp, code, {"name": "Đăng ký kết hôn (sửa)"}, button="submit_for_review")
    sign_in(testapp, "reviewer")
    send_back = action_form(testapp.get(f"/quan-tri/thu-tuc/{code}/lich-su"), "send_back")
    long_note = "Cần bổ sung căn cứ pháp lý. " * 200 + "Hết."
    send_back["comment"] = long_note
    page = send_back.submit(status=400)
    assert "dài hơn 4.000 ký tự" in page.html.select_one("[role=alert]").text
    assert page.html.select_one("blockquote.unsaved").text == long_note.strip()
    assert not _events(dbsession, "procedure.sent_back", code)
    send_back["comment"] = long_note[:3000]
    assert send_back.submit().status_int == 302
    assert _events(dbsession, "procedure.sent_back", code)[0].note == long_note[:3000].strip()


def test_a_calendar_day_removed_twice_is_removed_once_and_a_long_reason_is_kept(testapp, people, dbsession):
    sign_in(testapp, "admin")
    form = testapp.get("/quan-tri/lich").forms[1]
    form["day"], form["kind"], form["note"] = "24/04/2027", "working", "Làm bù " + "theo quyết định " * 20
    refused = form.submit()
    assert "dài hơn 255 ký tự" in refused.text
    assert refused.html.select_one("#c-note")["value"] == "Làm bù " + "theo quyết định " * 20  # kept as typed
    form["note"] = "Làm bù cho ngày nghỉ 03/05/2027"
    remove = next(f for f in form.submit().follow().forms.values() if "remove" in f.fields)
    assert remove.submit().status_int == 302
    again = remove.submit(status=409)
    assert "Đã có người khác xoá ngày này trước bạn" in again.html.select_one("[role=alert]").text
    assert len(_events(dbsession, "calendar.removed", "2027-04-24")) == 1
