"""The regression net for "no request, however malformed, gets a 500".

Every route in ``routes.py`` is walked, anonymously and signed in, with
hostile values in each path placeholder, the query string, the form body,
cookies and headers. A route added later is walked too: the routes are read
from the running application, not listed here. Any 5xx fails the test with
the requests that produced it.
"""
from datetime import datetime, timezone
from urllib.parse import quote, urlencode

import pytest
import webob
import webtest
from pyramid.interfaces import IRoutesMapper

from congdichvu.calendar.service import WorkingCalendar
from congdichvu.catalog.interfaces import ICatalogService
from congdichvu.eservices import flow, services
from congdichvu.onestop import actions
from tests.factories import make_dossier, sign_in

#: raw path segments (already percent-encoded as they travel)
HOSTILE_SEGMENTS = [
    "%ff%fe",  # not UTF-8
    "99999999999999999999999",  # beyond a 64-bit column
    "2147483648",  # beyond a 32-bit id column (PostgreSQL INTEGER)
    "-1",
    "%C2%B2",  # "²": str.isdigit() is true, int() fails
    "%D9%A3",  # an Arabic-Indic digit: int() accepts it
    "%00",
    "%0d%0aSet-Cookie:x=1",
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "d%CC%A3a%CC%86ng-ky%CC%81",  # decomposed Vietnamese (NFD)
    "x" * 600,
]

HOSTILE_QUERIES = [
    "q=%92",
    "q=%ff%fe&page=99999999999999999999999&per_page=%C2%B2",
    "page=-1&per_page=0&sort=%00&sector=%ff",
    "came_from=/%0d%0aSet-Cookie:x=1&next=/%C4%91%C4%83ng-k%C3%BD",
    "came_from=//evil.example&next=https://evil.example",
    "_LOCALE_=%ff&online_level=%D9%A3&level=%00",
    "a=99999999999999999999999&b=%C2%B2&id=-5",
    "q=" + "a" * 3000,
    "format=opensearch&q=%E2%80%AE",
]

#: form fields read by one view or another, with values that broke them
HOSTILE_FIELDS = {
    "id": "99999999999999999999999",
    "comment": "%C2%B2",
    "remove": "99999999999999999999999:abc",
    "revision": "%D9%A3",
    "action": "publish",
    "decision": "approve",
    "kind": "off",
    "day": "31/02/2019",
    "note": "x\x00y",
    "code": "%ff",
    "secret": "\x00",
    "login": "admin\r\nX: y",
    "password": "x" * 5000,
    "came_from": "/\r\nSet-Cookie: x=1",
    "reason": "d\u0323a\u0306ng ky\u0301 " * 5,
    "target": "../../../x.pdf",
    "a": "1", "b": "99999999999999999999999",
    "declaration": "true",
    "next": "next",
}

BAD_BODIES = [
    ("multipart/form-data", b"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--\r\n"),  # no boundary
    ("application/x-www-form-urlencoded; charset=utf-16", "a=b&c=d".encode("utf-16")),
    ("application/x-www-form-urlencoded; charset=x-unknown", b"a=b"),
    ("application/x-www-form-urlencoded", b"csrf_token=%ff&q=%92%93"),
    ("multipart/form-data; boundary=xx",
     b"--xx\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\n\xff\xfe\r\n--xx--\r\n"),
    ("multipart/form-data; boundary=xx", b"--xx\r\nContent-Disposition: form-data\r\n\r\ntruncated"),
    ("application/json", b"{\"a\": "),
]

#: headers WebOb or the portal parse: addresses it cannot split, dates past
#: the year 9999 or with absurd offsets, an empty range, garbled lists
HOSTILE_HEADERS = [
    {"Referer": "http://["}, {"Origin": "http://[::1"}, {"Referer": "http://localhost:6543]/"},
    {"Origin": "http://localhost:99999"},
    {"If-Modified-Since": "Fri, 01 Jan 99999 00:00:00 GMT"},
    {"If-Unmodified-Since": "Fri, 01 Jan 2020 00:00:00 +99999999999999"},
    {"If-Range": "Fri, 01 Jan 99999 00:00:00 GMT", "Range": "bytes=0-10"},
    {"Range": "bytes=-0"}, {"Range": "bytes=99999999999999999999999-"},
    {"If-None-Match": "\"\x7f", "If-Match": "*, ,"},
    {"Accept-Language": "vi;q=abc,,;,en;q=99999999999999999999"}, {"Accept": "*/*;q=x;;"},
    {"Accept-Encoding": ";;q=-1"}, {"Cache-Control": "max-age=99999999999999999999999"},
    {"Date": "Fri, 01 Jan 99999 00:00:00 GMT"},
]

BAD_COOKIES = ["congdichvu_session=\xff\xfe", "_LOCALE_=\xe9; congdichvu_session=!!!", "a=\x00b"]

@pytest.fixture
def real_values(dbsession, people):
    """Real codes and tokens, so hostile values also reach deep code paths."""
    catalog_code = "1.004873"
    citizen = people["citizen"]
    from congdichvu.catalog.models import Procedure
    from sqlalchemy import select

    procedure = dbsession.scalar(select(Procedure).where(Procedure.code == catalog_code))
    draft = flow.new_draft(dbsession, citizen, procedure)
    dossier, _secret = services.create_dossier(
        dbsession, procedure, "H56.01.P05", citizen, {"applicant": {}}, WorkingCalendar(), "online", "s",
        now=datetime(2026, 11, 2, 3, 0, tzinfo=timezone.utc))
    # one the desk has received, so its staff page offers every processing action's form
    at_work, _secret = services.create_dossier(
        dbsession, procedure, "H56.01.P05", citizen, {"applicant": {}}, WorkingCalendar(), "online", "s",
        now=datetime(2026, 11, 2, 3, 0, tzinfo=timezone.utc))
    actions.receive(dbsession, at_work, actions.Actor(people["officer"], "H56.01.P05", WorkingCalendar(),
                                                      datetime(2026, 11, 2, 4, 0, tzinfo=timezone.utc)))
    # one whose result was returned, so its rating form is there to fill
    returned = make_dossier(dbsession, "H56.01.P05", 9001, state=10, applicant_id=citizen.id)
    dbsession.flush()
    return {
        "code": [catalog_code, "HT", "H56.01", dossier.code, at_work.code, returned.code],
        "action": list(actions.ACTIONS),
        "token": [draft.token],
        "step": ["nguoi-nop", "giay-to", "xac-nhan"],
        "id": ["1"],
        "slug": ["gioi-thieu"],
        "filename": ["to-khai-dang-ky-khai-sinh.docx"],
    }


def _routes(app):
    return [route for route in app.registry.getUtility(IRoutesMapper).get_routes()
            if not route.name.startswith("__static")]


def _placeholders(pattern):
    import re

    return re.findall(r"\{(\w+)(?::[^}]*)?\}", pattern)


def _fill(pattern, values):
    import re

    return re.sub(r"\{(\w+)(?::[^}]*)?\}", lambda m: values[m.group(1)], pattern)


def _paths(route, real):
    """(paths with real values, paths with one hostile value in one
    placeholder each) of the route."""
    names = _placeholders(route.pattern)
    if not names:
        return [route.pattern], []
    base = {name: quote(real.get(name, ["x"])[0], safe="") for name in names}
    real_paths = [_fill(route.pattern, base)]
    real_paths.extend(_fill(route.pattern, dict(base, **{name: quote(value, safe="")}))
                      for name in names for value in real.get(name, [])[1:])
    hostile = [_fill(route.pattern, dict(base, **{name: value})) for name in names for value in HOSTILE_SEGMENTS]
    return real_paths, hostile


def _csrf(testapp):
    import re

    page = testapp.get("/tai-khoan/mat-khau" if "congdichvu_session" in testapp.cookies else "/dang-nhap")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


class Client:
    """Sends raw requests as ``testapp``'s signed-in (or anonymous)
    browser: WebTest's own client cannot even build some of them (its
    cookie jar decodes the path)."""

    def __init__(self, testapp):
        self.app, self.environ = testapp.app, dict(testapp.extra_environ)
        self.cookie = "; ".join(f"{name}={value}" for name, value in testapp.cookies.items())
        self.token = _csrf(testapp)
        self.failures = []

    def send(self, method, path, body=None, content_type=None, note="", headers=None):
        request = webob.Request.blank(path, environ=dict(self.environ), method=method)
        if self.cookie:
            request.environ["HTTP_COOKIE"] = self.cookie
        for name, value in (headers or {}).items():
            request.environ["HTTP_" + name.upper().replace("-", "_")] = value
            note = f"{note} {name}: {value!r}"
        if body is not None:
            request.environ["CONTENT_TYPE"] = content_type
            request.body = body
        try:
            response = request.get_response(self.app)
        except Exception as error:  # escaped the app: the server would answer its own 500
            self.failures.append(f"{type(error).__name__} {method} {path} {note}".strip())
            return None
        if response.status_int >= 500:
            self.failures.append(f"{response.status_int} {method} {path} {note}".strip())
        return response

    def form(self, fields):
        return urlencode(fields).encode(), "application/x-www-form-urlencoded"

    def multipart(self, fields):
        content_type, body = webtest.TestApp(self.app).encode_multipart(
            list(fields.items()), [("file", "../../x.pdf", b"%PDF-1.4 x")])
        return body, content_type

    def as_files(self, fields):
        """Every field sent as a file part, where views read text."""
        content_type, body = webtest.TestApp(self.app).encode_multipart(
            [], [(name, "t.txt", value.encode("utf-8", "surrogatepass")) for name, value in fields.items()])
        return body, content_type


def _walk(client, app, real):
    fields = dict(HOSTILE_FIELDS, csrf_token=client.token)
    # signing out last, so the rest is walked signed in
    for route in sorted(_routes(app), key=lambda route: route.name == "logout"):
        real_paths, hostile_paths = _paths(route, real)
        real_path = real_paths[0]
        for path in hostile_paths + real_paths[1:]:
            client.send("GET", path)
            client.send("POST", path, *client.form(fields))
        client.send("GET", real_path)
        client.send("POST", real_path, *client.form(fields))
        client.send("POST", real_path, *client.multipart(fields), note="multipart")
        client.send("POST", real_path, *client.as_files(fields), note="fields as files")
        client.send("POST", real_path, *client.form({"csrf_token": "forged"}), note="bad csrf")
        for query in HOSTILE_QUERIES:
            client.send("GET", f"{real_path}?{query}")
        for content_type, body in BAD_BODIES:
            client.send("POST", real_path, body, content_type, note=content_type)
        for method in ("PUT", "DELETE", "OPTIONS", "HEAD", "PATCH", "PROPFIND"):
            client.send(method, real_path)
        for headers in HOSTILE_HEADERS:
            client.send("GET", real_path, headers=headers)
            client.send("POST", real_path, *client.form(fields), headers=headers)
            client.send("POST", real_path, *client.form({"csrf_token": "forged"}), note="bad csrf", headers=headers)


# an administrator holds every permission; a citizen owns the drafts and dossiers; the officer and
# the leader work at the dossiers' agency
@pytest.mark.parametrize("role", [None, "citizen", "admin", "officer", "leader"])
def test_no_route_answers_a_server_error(testapp, app, people, real_values, role):
    if role is not None:
        sign_in(testapp, role)
    client = Client(testapp)
    _walk(client, app, real_values)
    assert not client.failures, "\n".join(client.failures[:80])


@pytest.mark.parametrize("headers", HOSTILE_HEADERS)
def test_files_answer_headers_they_cannot_read_as_if_absent(testapp, headers):
    """A file response (static, blank form) evaluates preconditions and
    ranges after the view has returned, where no error view can help."""
    plain = testapp.get("/static/css/site.css")
    response = testapp.get("/static/css/site.css", headers=headers, status="*")
    assert response.status_int in (200, 206, 304, 416)
    if response.status_int == 200:
        assert response.body == plain.body


def test_other_methods_are_not_allowed_in_vietnamese(testapp):
    for method in ("PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND"):
        response = testapp.request("/thu-tuc", method=method, status=405)
        assert response.headers["Allow"] == "GET, HEAD, POST"
        assert "trình duyệt" in response.text
    for method in ("DELETE", "POST"):  # the API only reads
        response = testapp.request("/api/v1/procedures", method=method, status=405)
        assert response.json["error"] and response.headers["Allow"] == "GET, HEAD"


def test_a_head_request_starts_no_session(testapp):
    assert "Set-Cookie" not in testapp.head("/dang-nhap").headers
    assert "Set-Cookie" in testapp.get("/dang-nhap").headers  # the GET of the same page does


@pytest.mark.parametrize("cookie", BAD_COOKIES)
def test_unreadable_cookies_are_ignored(testapp, cookie):
    response = testapp.get("/", headers={"Cookie": cookie}, status="*", expect_errors=True)
    assert response.status_int == 200


@pytest.mark.parametrize("path", ["/tim-kiem?q=%92", "/thu-tuc/Raumh%F6he", "/thu-tuc?page=%ff"])
def test_bytes_that_are_not_utf8_get_the_vietnamese_error_page(testapp, path):
    response = testapp.get(path, status=400)
    assert response.content_type == "text/html"
    assert "Không đọc được yêu cầu" in response.text or "không đọc được" in response.text.lower()


def test_the_api_answers_unreadable_bytes_in_json(testapp):
    response = testapp.get("/api/v1/procedures/%ff%fe", status=400)
    assert response.content_type == "application/json"
    assert response.json["error"]


@pytest.mark.parametrize("content_type,body", BAD_BODIES[:5])
def test_unreadable_form_bodies_get_400(testapp, content_type, body):
    testapp.lint = False
    response = testapp.post("/dang-nhap", body, headers={"Content-Type": content_type}, status="*")
    assert response.status_int == 400


def test_decomposed_text_reaches_views_composed(testapp):
    import unicodedata

    typed = unicodedata.normalize("NFD", "đăng ký khai sinh")
    response = testapp.get("/tim-kiem", {"q": typed})
    assert unicodedata.normalize("NFC", typed) in response.text
    assert typed not in response.text


#: what a fuzzer types into every box of every form
TYPED = ["x" * 3000, "99999999999999999999999", "²", "a\x00b", "d\u0323a\u0306ng ky\u0301", "", "-1", "1.5e308",
         "<script>alert(1)</script>", "../../../x.pdf"]


def _boxes(form):
    """The form's text boxes: (name, index among the fields of that name)."""
    boxes = []
    for name, fields in form.fields.items():
        if not name or name.startswith("__") or name in ("csrf_token", "_charset_"):
            continue
        for index, field in enumerate(fields):
            kind = getattr(field, "attrs", {}).get("type", "text")
            if field.tag == "textarea" or (field.tag == "input" and kind in ("text", "email", "tel", "search", "hidden",
                                                                              "number", "date", "password")):
                boxes.append((name, index))
    return boxes


#: typed into one box at a time, the rest of the form left as the page gave it
#: (an edit page's values are valid), so the value reaches validation and storage
ONE_BOX = ["x" * 3000, "99999999999999999999999"]


def _forms(testapp, app, real_values):
    seen = set()
    for route in _routes(app):
        if route.name in ("logout", "locale"):
            continue
        for path in _paths(route, real_values)[0]:
            page = testapp.get(path, status="*", expect_errors=True)
            if page.status_int != 200 or "html" not in page.content_type:
                continue
            for form in page.forms.values():
                if id(form) in seen or "dang-xuat" in (form.action or "") or form.method.lower() != "post":
                    continue
                seen.add(id(form))
                yield route, form


@pytest.mark.parametrize("role", ["admin", "citizen", "officer", "leader"])
def test_every_form_filled_with_hostile_values(testapp, app, people, real_values, role):
    """Each form the portal shows: every box filled with what breaks
    validation or the database (too long for a column, beyond 64 bits,
    NUL), then each box alone."""
    sign_in(testapp, role)
    failures = []

    def submit(route, form, note):
        response = form.submit(status="*", expect_errors=True)
        if response.status_int >= 500:
            failures.append(f"{response.status_int} {route.name} {form.action} {note}")

    forms = list(_forms(testapp, app, real_values))
    if role == "officer":  # the staff page of a dossier at work offers its processing actions
        assert {"hand_over", "request_supplement", "refuse", "processed"} <= {
            (form.action or "").rsplit("/", 1)[-1] for _route, form in forms if "/xu-ly/" in (form.action or "")}
    for route, form in forms:
        boxes = _boxes(form)
        original = {box: form.get(box[0], index=box[1]).value for box in boxes}
        for value in TYPED:
            for name, index in boxes:
                form.get(name, index=index).force_value(value)
            submit(route, form, repr(value[:20]))
        for name, index in boxes:
            for value in ONE_BOX:
                for (other, other_index), kept in original.items():
                    form.get(other, index=other_index).force_value(kept)
                form.get(name, index=index).force_value(value)
                submit(route, form, f"{name}={value[:20]!r}")
    assert not failures, "\n".join(failures[:60])


@pytest.mark.parametrize("number", ["%C2%B2", "99999999999999999999999", "2147483648", "-1", "0", "%D9%A3"])
def test_a_path_id_that_is_not_a_row_id_is_not_found(testapp, people, real_values, number):
    sign_in(testapp, "admin")
    testapp.get(f"/quan-tri/bai-viet/{number}/sua", status=404)
    dossier = real_values["code"][3]
    testapp.get(f"/ho-so-cua-toi/{dossier}/tep/{number}", status=404)


def test_numbers_a_form_cannot_hold_get_a_field_error(testapp, people):
    sign_in(testapp, "editor")
    form = testapp.get("/quan-tri/thu-tuc/1.001193/sua").forms["deform"]
    amounts = [name for name in form.fields if name == "amount"]
    assert amounts
    for value in ("99999999999999999999999", "²", "-5"):
        form.get("amount", index=0).force_value(value)
        page = form.submit("save", status=200)
        assert "Nhập một số nguyên" in page.text
    form.get("amount", index=0).force_value("1.500.000")  # as Vietnamese write it
    assert form.submit("save").status_int == 302


@pytest.mark.parametrize("path", ["/", "/dang-nhap", "/tra-cuu-ho-so", "/dang-ky", "/tim-kiem"])
def test_a_file_where_a_form_sends_text_is_a_bad_request(testapp, path):
    body = (b'--b\r\nContent-Disposition: form-data; name="csrf_token"; filename="t.txt"\r\n\r\nx\r\n'
            b'--b\r\nContent-Disposition: form-data; name="q"; filename="q.txt"\r\n\r\nx\r\n--b--\r\n')
    response = testapp.post(path, body, headers={"Content-Type": "multipart/form-data; boundary=b"}, status=400)
    assert response.content_type == ("application/json" if path.startswith("/api/") else "text/html")


def test_every_file_input_of_the_portal_is_a_known_upload_field():
    """A file input added to a template must be registered in ingress.UPLOAD_FIELDS,
    or every upload through it would be refused."""
    import re

    from congdichvu.ingress import UPLOAD_FIELDS
    from tests.conftest import ROOT

    names = set()
    for template in (ROOT / "templates").rglob("*.jinja2"):
        for tag in re.findall(r"<input[^>]*type=\"file\"[^>]*>", template.read_text(encoding="utf-8")):
            name = re.search(r'name="([^"]+)"', tag).group(1)
            names.add(re.sub(r"\{\{.*?\}\}", "7", name))
    assert names and all(UPLOAD_FIELDS.fullmatch(name) for name in names), names


def test_a_body_larger_than_any_form_is_refused_in_vietnamese(app_settings):
    from congdichvu.config import configure
    from congdichvu.ingress import request_limit

    settings = dict(app_settings, **{"congdichvu.upload_max_dossier_mb": "0.01"})
    small = configure(settings).make_wsgi_app()
    try:
        limit = request_limit(small.registry.settings)
        client = webtest.TestApp(small, extra_environ={"HTTP_HOST": "example.com"})
        response = client.post("/dang-nhap", b"x" * (limit + 1),
                               headers={"Content-Type": "application/x-www-form-urlencoded"}, status=413)
        assert "lớn hơn" in response.text
    finally:
        small.registry["dbengine"].dispose()


def test_a_form_with_more_parts_than_any_form_is_refused_before_parsing(testapp):
    boundary = "b"
    many_files = "".join(f'--b\r\nContent-Disposition: form-data; name="file"; filename="f{i}.pdf"\r\n\r\n'
                         f'{"x" * 1100}\r\n' for i in range(400)) + "--b--\r\n"
    response = testapp.post("/dang-nhap", many_files.encode(), status=413,
                            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert "nhiều hơn" in response.text
    many_fields = "&".join("a=" for _ in range(5000)).encode()
    testapp.post("/dang-nhap", many_fields, status=413, headers={"Content-Type": "application/x-www-form-urlencoded"})


def test_a_post_without_a_content_type_is_read_and_checked_as_a_form(testapp):
    """WebOb reads a POST that names no Content-Type as a urlencoded form:
    the ingress checks and composes it like one."""
    import re

    page = testapp.get("/dang-nhap")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    cookie = "; ".join(f"{name}={value}" for name, value in testapp.cookies.items())

    def post(body):
        request = webob.Request.blank("/dang-nhap", environ=dict(testapp.extra_environ), method="POST")
        request.environ["HTTP_COOKIE"] = cookie
        request.body = body
        request.environ.pop("CONTENT_TYPE", None)
        return request.get_response(testapp.app)

    assert post(b"login=a%FFb").status_int == 400
    answer = post(f"csrf_token={token}&__formid__=deform&login=Nguye%CC%82%CC%83n%00%01&password=x&came_from=%2F"
                  f"&submit=submit".encode())
    assert answer.status_int == 200
    assert "\x00" not in answer.text and "Nguyễn" in answer.text  # composed, without control characters


def test_kept_input_that_does_not_nest_is_ignored(testapp):
    form = testapp.get("/dang-ky").forms["deform"]
    fields = [(name, field.value or "") for name, items in form.fields.items() for field in items
              if name not in ("csrf_token", "submit")]
    fields += [("csrf_token", "expired"), ("full_name", "Lê Văn Bảy"), ("__end__", "x:mapping")]
    testapp.post("/dang-ky", fields, headers={"Origin": "http://example.com"}, status=302)
    assert testapp.get("/dang-ky").status_int == 200


# -- a POST that does not carry its form ------------------------------------------


def _snapshot(dbsession):
    """Every row of every table, to compare before and after."""
    from sqlalchemy import select

    from congdichvu.models.meta import Base

    dbsession.flush()
    dbsession.expire_all()
    return {table.name: sorted(repr(tuple(row)) for row in dbsession.execute(select(table)))
            for table in Base.metadata.sorted_tables}


@pytest.mark.parametrize("role", ["admin", "citizen"])
def test_a_post_of_nothing_but_a_valid_token_changes_nothing_anywhere(testapp, app, dbsession, people, real_values,
                                                                     role):
    """A POST without its form's fields (a body cut short, a stray script)
    was read as a form sent empty: to the questions editor it deleted every
    question of the procedure, to "delete draft" it deleted the draft. Every
    route, sent nothing but a valid token, now leaves every row as it was."""
    from congdichvu.eservices.models import SubmissionForm

    questions = dbsession.get(SubmissionForm, real_values["code"][0])
    assert questions is not None and questions.fields  # something to lose
    sign_in(testapp, role)
    token = _csrf(testapp)
    before = _snapshot(dbsession)
    answers = {}
    # signing out is a form without fields: it is its button, and it saves nothing
    for route in (route for route in _routes(app) if route.name != "logout"):
        for path in _paths(route, real_values)[0]:
            answers[path] = testapp.post(path, {"csrf_token": token}, status="*", expect_errors=True).status_int
    after = _snapshot(dbsession)
    assert {name: rows for name, rows in after.items() if rows != before[name]} == {}
    assert all(status < 500 for status in answers.values()), answers
    # the forms that lost something: refused as not being the form (the others' pages are the role's to see)
    forms = {"admin": ["/quan-tri/thu-tuc/1.004873/cau-hoi-nop-truc-tuyen", "/quan-tri/thu-tuc/1.004873/sua"],
             "citizen": [f"/ho-so-cua-toi/nhap/{real_values['token'][0]}/xoa", "/thu-tuc/1.004873/nop-truc-tuyen"]}
    assert {path: answers[path] for path in forms[role]} == {path: 400 for path in forms[role]}
    refused = testapp.post(forms[role][0], {"csrf_token": token}, status=400)
    assert "không phải là biểu mẫu của trang này" in refused.text


def test_the_questions_are_kept_when_their_list_is_missing_from_the_post(testapp, dbsession, people):
    """The break-test's finding: the form's own fields and button, but not
    the list of questions (its markers), deleted them all."""
    from congdichvu.eservices.models import SubmissionForm

    sign_in(testapp, "editor")
    url = "/quan-tri/thu-tuc/1.004873/cau-hoi-nop-truc-tuyen"
    before = list(dbsession.get(SubmissionForm, "1.004873").fields)
    token = testapp.get(url).forms["deform"]["csrf_token"].value
    response = testapp.post(url, {"csrf_token": token, "__formid__": "deform", "save": "save"}, status=302)
    assert response.location == f"http://example.com{url}"
    page = response.follow()
    assert "Biểu mẫu gửi đến không đầy đủ nên chưa có gì được lưu" in page.text
    dbsession.expire_all()
    assert dbsession.get(SubmissionForm, "1.004873").fields == before
    assert len(page.forms["deform"].fields.get("label", [])) == len(before) + 1  # shown as saved (and one blank)


def test_a_form_drawn_before_a_field_was_added_comes_back_with_what_was_typed(testapp, people):
    """A page opened before a text box was added to its form (a new
    question, a new version of the portal) sends the form without it: it is
    not read as that box left empty; the form comes back filled."""
    page = testapp.get("/dang-nhap")
    form = page.forms["deform"]
    fields = [(name, field.value or "") for name, items in form.fields.items() for field in items
              if name not in ("came_from", "submit")]
    fields = [(name, "citizen.test" if name == "login" else value) for name, value in fields]
    response = testapp.post("/dang-nhap", fields + [("submit", "submit")], headers={"Origin": "http://example.com"},
                            status=302)
    again = response.follow()
    assert "Biểu mẫu đã thay đổi từ khi bạn mở trang" in again.text
    assert again.forms["deform"]["login"].value == "citizen.test"
    assert testapp.get("/tai-khoan").status_int == 302  # not signed in: nothing was acted on


BROKEN_MARKERS = [
    [("__start__", "nocolon")],
    [("__start__", "a:wat")],
    [("__end__", "")],
    [("__start__", "x:sequence")],  # opened, never closed
]


@pytest.mark.parametrize("path", ["/quan-tri/thu-tuc/1.004873/sua", "/quan-tri/thu-tuc/1.004873/cau-hoi-nop-truc-tuyen",
                                  "/quan-tri/bai-viet/them"])
def test_deform_markers_that_do_not_nest_are_a_bad_request_on_every_cms_form(testapp, dbsession, people, path):
    """The CMS views that read a Deform form's structure themselves go
    through forms.parse_controls: markers that do not nest are a form that
    did not arrive whole (400), never a 500, and nothing is saved."""
    sign_in(testapp, "admin")
    form = next(form for form in testapp.get(path).forms.values() if form.method.lower() == "post"
                and "__formid__" in form.fields)
    fields = form.submit_fields()
    before = _snapshot(dbsession)
    for broken in BROKEN_MARKERS:
        response = testapp.post(path, fields + broken, status="*", expect_errors=True)
        assert response.status_int == 400, (broken, response.status)
    assert _snapshot(dbsession) == before
    # a third cut out of the middle may still nest (whole items gone: an
    # editor may remove items); whatever it is, it is no server error
    middle = len(fields) // 3
    assert testapp.post(path, fields[:middle] + fields[2 * middle:], status="*", expect_errors=True).status_int < 500


def test_the_api_speaks_to_programs(testapp):
    """Under /api/ the errors address a program's author, not a person at a form."""
    refused = testapp.post("/api/v1/procedures", status=405)
    assert refused.json["error"] == "API chỉ để đọc dữ liệu: địa chỉ này chỉ nhận yêu cầu GET và HEAD."
    assert refused.headers["Allow"] == "GET, HEAD"
    large = testapp.request("/api/v1/procedures", method="GET", body=b"x" * 3_000_000,
                            content_type="application/x-www-form-urlencoded", expect_errors=True)
    assert large.status_int == 413 and "chuỗi truy vấn" in large.json["error"]
