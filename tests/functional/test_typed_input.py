"""An expired session or form token never throws typed input away: the form
comes back filled, with a fresh token and a polite message, and nothing is
acted on until it is sent again."""
from sqlalchemy import select

from congdichvu.catalog.models import Procedure
from congdichvu.typed_input import TypedInput
from tests.factories import sign_in

SITE = {"Origin": "http://example.com"}
MESSAGE = "Những gì bạn đã nhập vẫn được giữ lại"


def _start_draft(testapp, code="1.001193"):
    page = testapp.get(f"/thu-tuc/{code}/nop-truc-tuyen")
    return page.forms["start"].submit().follow()


def test_a_stale_token_on_the_sign_in_form_keeps_the_login_but_never_the_password(testapp, people):
    form = testapp.get("/dang-nhap").forms["deform"]
    form["login"], form["password"] = "citizen.test", "citizen-mật-khẩu-dài"
    form["csrf_token"] = "expired"
    response = form.submit("submit", headers=SITE, status=302)
    assert response.location == "http://example.com/dang-nhap"
    page = response.follow()
    assert MESSAGE in page.text
    refilled = page.forms["deform"]
    assert refilled["login"].value == "citizen.test"
    assert refilled["password"].value == ""
    assert refilled["csrf_token"].value not in ("", "expired")
    assert testapp.get("/tai-khoan").status_int == 302  # nothing was acted on: not signed in
    assert MESSAGE not in testapp.get("/dang-nhap").text  # shown once


def test_a_session_that_ends_during_a_step_keeps_the_answers_through_signing_in(testapp, people, dbsession):
    sign_in(testapp, "citizen")
    step = _start_draft(testapp)
    form = step.forms["step"]
    form["full_name"] = "Nguyễn Thị Bình"
    form["address"] = "Số 7, ngõ 12, tổ 5, đường Lương Ngọc Quyến"
    form["birth_date"] = "15/08/1990"
    testapp.reset()  # the session cookie is gone: the session expired while typing
    response = form.submit("next", headers=SITE, status=302)
    assert "/dang-nhap?came_from=" in response.location
    login = response.follow()
    assert "Phiên làm việc của bạn đã kết thúc" in login.text
    credentials = login.forms["deform"]
    credentials["login"], credentials["password"] = "citizen.test", "citizen-mật-khẩu-dài"
    back = credentials.submit("submit").follow()
    assert back.request.path == step.request.path
    assert MESSAGE in back.text
    refilled = back.forms["step"]
    assert refilled["full_name"].value == "Nguyễn Thị Bình"
    assert refilled["address"].value == "Số 7, ngõ 12, tổ 5, đường Lương Ngọc Quyến"
    assert refilled["birth_date"].value == "15/08/1990"
    assert dbsession.scalar(select(TypedInput.token)) is None  # read once, then forgotten


def test_a_stale_token_while_signed_in_returns_to_the_long_form_filled(testapp, people):
    sign_in(testapp, "editor")
    form = testapp.get("/quan-tri/thu-tuc/1.001193/sua").forms["deform"]
    form["requirements"] = "Một đoạn dài biên tập viên đã gõ suốt nửa giờ. " * 40
    form["csrf_token"] = "from-another-tab"
    response = form.submit("save", headers=SITE, status=302)
    assert response.location == "http://example.com/quan-tri/thu-tuc/1.001193/sua"
    page = response.follow()
    assert MESSAGE in page.text
    assert page.forms["deform"]["requirements"].value.startswith("Một đoạn dài biên tập viên đã gõ")


def test_a_form_posted_from_another_site_is_not_kept(testapp, people, dbsession):
    form = testapp.get("/dang-nhap").forms["deform"]
    form["login"], form["csrf_token"] = "planted-by-evil", "forged"
    form.submit("submit", headers={"Origin": "https://evil.example"}, status=302)
    page = testapp.get("/dang-nhap")
    assert page.forms["deform"]["login"].value == ""
    assert dbsession.scalar(select(TypedInput.token)) is None


def test_an_action_form_goes_back_to_the_page_it_was_on(testapp, people, dbsession):
    sign_in(testapp, "reviewer")
    procedure = dbsession.scalar(select(Procedure).where(Procedure.code == "1.001193"))
    response = testapp.post(f"/quan-tri/thu-tuc/{procedure.code}/trang-thai", {"action": "archive", "csrf_token": "x"},
                            headers={"Referer": f"http://example.com/quan-tri/thu-tuc/{procedure.code}/lich-su"},
                            status=302)
    assert response.location == f"http://example.com/quan-tri/thu-tuc/{procedure.code}/lich-su"
    assert procedure.status == "published"
