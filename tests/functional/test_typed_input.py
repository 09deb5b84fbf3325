"""An expired session or form token never throws typed input away: the form
comes back filled, with a fresh token and a polite message, and nothing is
acted on until it is sent again."""
from sqlalchemy import select

from congdichvu.catalog.models import Procedure
from congdichvu.typed_input import TypedInput
from tests.factories import sign_in

SITE = {"Origin": "http://example.com"}
MESSAGE = "Những gì bạn đã nhập vẫn được giữ lại"


def _expire_session(testapp):
    """The session cookie is gone (the session expired); the browser's other cookies stay."""
    for cookie in list(testapp.cookiejar):
        if cookie.name == "congdichvu_session":
            testapp.cookiejar.clear(cookie.domain, cookie.path, cookie.name)


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
    _expire_session(testapp)  # the session expired while typing
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


# -- kept input belongs to whoever typed it --------------------------------------


def _sign_in_here(page, role):
    """Sign in as ``role`` on the sign-in page ``page``, in the same browser."""
    credentials = page.forms["deform"]
    credentials["login"], credentials["password"] = f"{role}.test", f"{role}-mật-khẩu-dài"
    return credentials.submit("submit", status=302).follow()


def _write_news_until_the_session_expires(testapp):
    sign_in(testapp, "editor")
    form = testapp.get("/quan-tri/bai-viet/them", params={"kind": "news"}).forms["deform"]
    form["title"], form["slug"] = "Bản thảo của biên tập viên A", "ban-thao-cua-a"
    form["body"] = "<p>Nội dung A đang viết dở</p>"
    _expire_session(testapp)
    response = form.submit("save", headers=SITE, status=302)
    assert "/dang-nhap?came_from=" in response.location
    return response.follow()


def test_kept_input_is_not_handed_to_the_next_person_who_signs_in_on_that_browser(testapp, people, dbsession):
    """Editor A's session expires while writing; reviewer B signs in on the
    same computer and is taken to the same page: B does not see A's text."""
    login = _write_news_until_the_session_expires(testapp)
    page = _sign_in_here(login, "reviewer")
    assert page.request.path == "/quan-tri/bai-viet/them"
    assert MESSAGE not in page.text and "Nội dung A đang viết dở" not in page.text
    assert page.forms["deform"]["title"].value == ""
    assert dbsession.scalar(select(TypedInput.token)) is None  # forgotten, not left waiting


def test_kept_input_comes_back_to_whoever_typed_it(testapp, people):
    login = _write_news_until_the_session_expires(testapp)
    page = _sign_in_here(login, "editor")
    assert MESSAGE in page.text
    assert page.forms["deform"]["title"].value == "Bản thảo của biên tập viên A"


def test_input_typed_before_anyone_signed_in_is_not_handed_to_who_signs_in(testapp, people, dbsession):
    """Someone at a shared computer cannot plant values in the next
    person's form: input kept without a visitor key stays with visitors
    without one."""
    form = testapp.get("/dang-ky").forms["deform"]
    form["full_name"], form["csrf_token"] = "Giá trị gài sẵn", "expired"
    form.submit("submit", headers=SITE, status=302)
    assert dbsession.scalar(select(TypedInput.owner)) is None
    login = testapp.get("/dang-nhap")
    _sign_in_here(login, "citizen")
    assert "Giá trị gài sẵn" not in testapp.get("/dang-ky").text


def test_input_typed_while_signed_out_in_another_tab_comes_back_to_its_author_only(testapp, people):
    """An editor signs out in one tab while a form waits in another, sends
    it (it goes to sign-in) and signs in again: the text is there. The
    browser's key outlives signing out; another person has another key."""
    sign_in(testapp, "editor")
    assert "editor" not in testapp.cookies["congdichvu_visitor"]  # opaque
    form = testapp.get("/quan-tri/bai-viet/them", params={"kind": "news"}).forms["deform"]
    form["title"], form["slug"], form["body"] = "Viết khi đã đăng xuất", "viet-khi-dang-xuat", "<p>Đoạn văn</p>"
    page = testapp.get("/dang-xuat")
    next(form for form in page.forms.values() if "dang-xuat" in form.action).submit()
    assert "congdichvu_visitor" in testapp.cookies
    login = form.submit("save", headers=SITE, status=302).follow()
    assert _sign_in_here(login, "editor").forms["deform"]["title"].value == "Viết khi đã đăng xuất"


def test_a_browser_signed_in_without_a_key_gets_one_with_its_next_page(testapp, people):
    """Browsers signed in before keys existed (or whose cookie was cleared)."""
    sign_in(testapp, "editor")
    key = testapp.cookies["congdichvu_visitor"]
    cookie = next(cookie for cookie in testapp.cookiejar if cookie.name == "congdichvu_visitor")
    testapp.cookiejar.clear(cookie.domain, cookie.path, cookie.name)
    assert "congdichvu_visitor" not in testapp.cookies
    testapp.get("/tai-khoan")
    assert testapp.cookies["congdichvu_visitor"] == key
    assert "Set-Cookie" not in testapp.head("/tai-khoan").headers


# -- how many forms are kept ---------------------------------------------------


def _send_stale_registration(browser, name, page=None):
    """Send the registration form with an expired token (from ``page``, else
    a fresh one: opening it gives back, and forgets, what was kept for it)."""
    form = (page or browser.get("/dang-ky")).forms["deform"]
    form["full_name"], form["csrf_token"] = name, "expired"
    form.submit("submit", headers=SITE, status=302)


def _kept_count(dbsession):
    from sqlalchemy import func

    return dbsession.scalar(select(func.count()).select_from(TypedInput))


def test_one_browser_has_at_most_30_forms_kept_an_hour_and_its_neighbours_still_can(testapp, app, people, dbsession):
    import webtest

    from congdichvu.typed_input import MAX_PER_SESSION

    page = testapp.get("/dang-ky")
    for number in range(MAX_PER_SESSION + 1):
        _send_stale_registration(testapp, f"Người gửi {number}", page)
    assert _kept_count(dbsession) == MAX_PER_SESSION
    neighbour = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))  # the same address (a NAT)
    _send_stale_registration(neighbour, "Người bên cạnh")
    assert _kept_count(dbsession) == MAX_PER_SESSION + 1


def test_an_address_has_at_most_300_forms_kept_an_hour(testapp, app, people, dbsession):
    import webtest

    from congdichvu.typed_input import MAX_PER_ADDRESS

    _send_stale_registration(testapp, "Người đầu tiên")
    first = dbsession.scalar(select(TypedInput))
    for number in range(MAX_PER_ADDRESS - 2):
        dbsession.add(TypedInput(token=f"t{number}", path="/dang-ky", fields=[["full_name", "x"]],
                                 address=first.address, created_at=first.created_at))
    dbsession.flush()

    def browser():
        return webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))

    _send_stale_registration(browser(), "Người thứ 300")
    assert _kept_count(dbsession) == MAX_PER_ADDRESS
    _send_stale_registration(browser(), "Người thứ 301")
    assert _kept_count(dbsession) == MAX_PER_ADDRESS
