"""A browser holds the session cookie only while its session holds something
(a signed-in user, a notice not yet shown, kept typed input): forms' CSRF
tokens have their own cookie, so an anonymous visitor who opened a form
is still served public pages from the caches (congdichvu.sessions)."""
import re

from tests.factories import sign_in

SESSION, CSRF = "congdichvu_session", "congdichvu_csrf"
PUBLIC = "/thu-tuc/1.001193"
SITE = {"Origin": "http://example.com"}


def _session_cookies(response):
    return [value for name, value in response.headerlist
            if name.lower() == "set-cookie" and value.startswith(SESSION + "=")]


def _deletes_the_session(response):
    """Whether ``response`` deletes the session cookie, and sets it no other way."""
    cookies = _session_cookies(response)
    return len(cookies) == 1 and cookies[0].startswith(SESSION + "=;") and "Max-Age=0" in cookies[0]


def _is_public(testapp, path=PUBLIC):
    testapp.get(path)  # the first answer teaches the process that the path is public
    page = testapp.get(path)
    return page.headers["Cache-Control"].startswith("public, max-age=") and "ETag" in page.headers


def _token(page):
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def _clear(testapp, name):
    for cookie in list(testapp.cookiejar):
        if cookie.name == name:
            testapp.cookiejar.clear(cookie.domain, cookie.path, cookie.name)


def test_opening_forms_starts_no_session_and_public_pages_stay_public(testapp):
    for path in ("/dang-nhap", "/tra-cuu-ho-so"):
        page = testapp.get(path)
        assert not _session_cookies(page)
        assert page.headers["Cache-Control"] == "private, no-store"  # it carries the visitor's token
    assert SESSION not in testapp.cookies and CSRF in testapp.cookies
    again = testapp.get("/dang-nhap")  # the token from the cookie, no cookie set: still nobody else's
    assert "Set-Cookie" not in again.headers and again.headers["Cache-Control"] == "private, no-store"
    assert _token(again) == testapp.cookies[CSRF]
    assert _is_public(testapp)


def test_after_signing_out_public_pages_are_public_again(testapp, people):
    sign_in(testapp, "citizen")
    assert SESSION in testapp.cookies
    assert testapp.get(PUBLIC).headers["Cache-Control"] == "private, no-store"
    page = testapp.get("/dang-xuat")
    out = next(form for form in page.forms.values() if "dang-xuat" in form.action).submit(status=302)
    assert _deletes_the_session(out)
    assert SESSION not in testapp.cookies
    assert _is_public(testapp)
    assert "Đăng nhập" in out.follow().text


def test_a_signed_in_visitor_gets_nothing_public(testapp, people):
    sign_in(testapp, "citizen")
    for path in (PUBLIC, "/", "/linh-vuc", PUBLIC):
        page = testapp.get(path)
        assert page.headers["Cache-Control"] == "private, no-store", path
        assert "ETag" not in page.headers
    assert SESSION in testapp.cookies


def test_a_pending_notice_keeps_the_cookie_until_it_is_shown(testapp, people, dbsession):
    """A notice left in a session that ended meanwhile is still shown, once;
    then the session holds nothing and its cookie goes."""
    sign_in(testapp, "citizen")
    testapp.get("/thu-tuc/1.001193/nop-truc-tuyen").forms["start"].submit().follow()
    mine = testapp.get("/ho-so-cua-toi")
    deleted = mine.forms[next(key for key in mine.forms if "xoa" in mine.forms[key].action)].submit(status=302)
    people["citizen"].session_generation += 1  # signed out on another device meanwhile
    dbsession.flush()
    to_login = deleted.follow(status=302)  # the list needs signing in now
    assert SESSION in testapp.cookies and not _deletes_the_session(to_login)
    login = to_login.follow()
    assert "Đã xóa bản nháp" in login.html.select_one(".flash").text
    assert _deletes_the_session(login)
    assert "Đã xóa bản nháp" not in testapp.get("/dang-nhap").text
    assert _is_public(testapp)


def test_kept_input_keeps_the_cookie_until_it_is_given_back(testapp, people):
    form = testapp.get("/dang-ky").forms["deform"]
    form["full_name"], form["csrf_token"] = "Trần Thị Cúc", "expired"
    sent = form.submit("submit", headers=SITE, status=302)
    assert SESSION in testapp.cookies and _session_cookies(sent)
    page = sent.follow()
    assert page.forms["deform"]["full_name"].value == "Trần Thị Cúc"
    assert _deletes_the_session(page)
    assert _is_public(testapp)


def test_a_session_with_nothing_in_it_is_deleted_not_renewed(testapp, app, people):
    sign_in(testapp, "citizen")
    copied = testapp.cookies[SESSION]
    testapp.reset()
    testapp.set_cookie(SESSION, "not-a-session")
    assert _deletes_the_session(testapp.get("/dang-nhap"))
    testapp.set_cookie(SESSION, copied)
    people["citizen"].session_generation += 1  # that session was ended
    assert _deletes_the_session(testapp.get("/"))
    assert SESSION not in testapp.cookies


# -- the CSRF token in its own cookie ---------------------------------------------


def _sign_in_form(testapp):
    form = testapp.get("/dang-nhap").forms["deform"]
    form["login"], form["password"] = "citizen.test", "citizen-mật-khẩu-dài"
    return form


def _signed_in(testapp):
    return testapp.get("/tai-khoan", expect_errors=True).status_int == 200


def test_a_form_without_the_token_cookie_is_refused(testapp, people):
    form = _sign_in_form(testapp)
    _clear(testapp, CSRF)
    refused = form.submit("submit", headers=SITE, status=302)
    assert refused.location == "http://example.com/dang-nhap"
    assert not _signed_in(testapp)


def test_a_forged_token_is_refused(testapp, people):
    form = _sign_in_form(testapp)
    testapp.set_cookie(CSRF, "forged")
    form["csrf_token"] = "forged-too"
    form.submit("submit", headers=SITE, status=302)
    assert not _signed_in(testapp)


def test_the_token_changes_at_signing_in_and_out(testapp, people):
    form = _sign_in_form(testapp)
    before = testapp.cookies[CSRF]
    form.submit("submit", status=302)
    page = testapp.get("/tai-khoan")
    after = _token(page)
    assert after != before and testapp.cookies[CSRF] == after
    # a token fixed before signing in (planted by someone else) does not sign the person out
    testapp.post("/dang-xuat", {"csrf_token": before}, status=200)
    assert _signed_in(testapp)
    testapp.post("/dang-xuat", {"csrf_token": after}, status=302)
    assert not _signed_in(testapp)
    assert testapp.cookies[CSRF] not in (before, after)
