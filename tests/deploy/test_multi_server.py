"""README's "Production", run: two app servers (separate processes, one
PostgreSQL database, one data directory) behind nginx running
deploy/nginx/congdichvu.conf. What one server does, the other and the
proxy show; what is personal never comes from the proxy's cache; an app
server killed mid-load loses no dossier and has no POST replayed.

The module's servers are shared by its tests, in order: the last one kills
server A.
"""
import re
import threading
import time
import uuid
from urllib.parse import quote

import pytest
import webtest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from tests.deploy.servers import upstream_attempts, wait_for

PROCEDURE = "1.001193"  # Đăng ký khai sinh: online level 4, papers 1 and 2 required
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
#: the demo accounts' passwords (congdichvu-user demo)
DEMO_PASSWORD = "{}-demo-2026"


def sign_in(browser, login, password=None):
    form = browser.get("/dang-nhap").forms["deform"]
    form["login"], form["password"] = login, password or DEMO_PASSWORD.format(login)
    assert form.submit("submit").status_int == 302, f"{login} could not sign in"
    return browser


def action_form(page, action):
    return next(form for form in page.forms.values() if "action" in form.fields and form["action"].value == action)


def cache_status(response):
    return response.headers.get("X-Cache-Status", "")


def max_age(response):
    found = re.search(r"max-age=(\d+)", response.headers.get("Cache-Control", ""))
    return int(found.group(1)) if found else 0


# -- an online dossier, step by step -------------------------------------------


def choose_delivery(form, value):
    """Deform names its radio buttons itself; find them by their choices."""
    name = next(name for name, fields in form.fields.items()
                if name != "agency" and any(value in [option[0] for option in getattr(field, "options", None) or []]
                                            for field in fields))
    form[name] = value


def submit_dossier(browser, papers=((0, "to-khai.pdf", PDF), (1, "giay-chung-sinh.png", PNG)), record=None,
                   client=None):
    """Walk the online submission of PROCEDURE with ``browser`` (signed in as
    a citizen); the final answer (302 to the dossier on success). Every
    request's (method, status) is appended to ``record``, the final POST's
    as "SUBMIT"; a 5xx raises webtest.AppError. ``client.sending`` names
    the method of the request under way (None between requests)."""
    record = record if record is not None else []

    def call(method, request):
        if client is not None:
            client.sending = method
        try:
            response = request()
        except webtest.AppError as error:
            found = re.search(r"Bad response: (\d{3})", str(error))
            record.append((method, int(found.group(1)) if found else 0))
            raise
        finally:
            if client is not None:
                client.sending = None
        record.append((method, response.status_int))
        return response

    start = call("GET", lambda: browser.get(f"/thu-tuc/{PROCEDURE}/nop-truc-tuyen"))
    step = call("POST", lambda: start.forms["start"].submit())
    applicant = call("GET", lambda: browser.get(step.location)).forms["step"]
    for name, value in {"birth_date": "1990-05-17", "id_number": "019090001234", "ward": "H56.01.P05",
                        "address": "Số 12, tổ 3, đường Hoàng Văn Thụ"}.items():
        applicant[name] = value
    if not applicant["phone"].value:  # the demo citizen's account has none
        applicant["phone"] = "0912345678"
    applied = call("POST", lambda: applicant.submit("next"))
    form = call("GET", lambda: browser.get(applied.location)).forms["papers"]
    fields = [("csrf_token", form["csrf_token"].value), ("__formid__", form["__formid__"].value), ("next", "next")]
    fields += [(f"paper-{index}", webtest.Upload(name, content, "application/octet-stream"))
               for index, name, content in papers]
    uploaded = call("POST", lambda: browser.post(form.action, params=fields, content_type="multipart/form-data"))
    assert uploaded.status_int == 302, uploaded.text[:500]
    delivery = call("GET", lambda: browser.get(uploaded.location)).forms["step"]
    choose_delivery(delivery, "counter")
    chosen = call("POST", lambda: delivery.submit("next"))
    review = call("GET", lambda: browser.get(chosen.location)).forms["step"]
    review["declaration"] = True
    return call("SUBMIT", lambda: review.submit("submit"))


def dossier_code(answer):
    """The code of the dossier a successful submission leads to, or None."""
    found = re.search(r"/ho-so-cua-toi/([^/?]+)", answer.location or "") if answer.status_int == 302 else None
    return found.group(1) if found and found.group(1) != "nhap" else None


# -- a: a change through A, seen through B and the proxy ------------------------


def test_a_procedure_published_through_a_is_served_and_found_through_b_and_the_proxy(cluster):
    code, word = "1.000656", f"Kỳ Lân {uuid.uuid4().hex[:4]}"
    name = f"Đăng ký khai tử {word}"
    anonymous = cluster.browse()
    before = anonymous.get(f"/thu-tuc/{code}")  # kept by the proxy (if public) and by B's page cache
    cluster.browse(cluster.b).get(f"/thu-tuc/{code}")
    assert name not in before.text

    editor = sign_in(cluster.browse(cluster.a), "editor")
    form = editor.get(f"/quan-tri/thu-tuc/{code}/sua").forms["deform"]
    form.set("name", name, index=0)
    assert form.submit("submit_for_review").status_int == 302
    reviewer = sign_in(cluster.browse(cluster.a), "reviewer")
    published = action_form(reviewer.get(f"/quan-tri/thu-tuc/{code}/lich-su"), "publish").submit()
    assert published.status_int == 302
    changed = time.monotonic()

    on_b = cluster.browse(cluster.b)
    wait_for(lambda: name in on_b.get(f"/thu-tuc/{code}").text, 10, "B's page showing the published name")
    wait_for(lambda: code in [found["code"] for found in
                              on_b.get("/api/v1/search", params={"q": word}).json["results"]][:1],
             10, "B's search finding the new name first")
    # the proxy may keep the old page for its max-age (CONGDICHVU_HTTP_MAX_AGE), no longer
    kept = max_age(before) if "public" in before.headers.get("Cache-Control", "") else 0
    assert kept <= 10, before.headers
    wait_for(lambda: name in anonymous.get(f"/thu-tuc/{code}").text, kept + 10,
             "the proxy serving the published name", interval=0.25)
    print(f"published on A; on B and through the proxy within {time.monotonic() - changed:.1f} s")


# -- b: a file uploaded through A, downloaded through B --------------------------


def test_a_paper_uploaded_through_a_is_downloaded_through_b(cluster):
    marker = uuid.uuid4().hex.encode()
    pdf = PDF + b"%" + marker + b"\n"
    on_a = sign_in(cluster.browse(cluster.a), "citizen")
    answer = submit_dossier(on_a, papers=((0, "to-khai.pdf", pdf), (1, "giay-chung-sinh.png", PNG)))
    code = dossier_code(answer)
    assert code, answer
    on_b = cluster.browse(cluster.b)
    for name, value in on_a.cookies.items():
        on_b.set_cookie(name, value)
    page = on_b.get(f"/ho-so-cua-toi/{quote(code)}")
    link = page.html.find("a", string=re.compile("to-khai.pdf"))
    assert link is not None, page.text[:2000]
    download = on_b.get(link["href"])
    assert download.body == pdf and download.content_type == "application/pdf"


# -- c: the proxy's cache and what is personal -------------------------------------


def test_signed_in_pages_never_come_from_the_proxy_cache(cluster):
    engine = create_engine(cluster.database_url)
    try:
        second = new_citizens(engine, 1, full_name="Trần Thị Bình")[0]
    finally:
        engine.dispose()
    first = sign_in(cluster.browse(), "citizen")
    other = sign_in(cluster.browse(), second, CITIZEN_PASSWORD)
    anonymous = cluster.browse()
    for path in (f"/thu-tuc/{PROCEDURE}", "/", "/ho-so-cua-toi"):
        anonymous.get(path, status="*")  # whatever the proxy may keep of it for anonymous visitors
        for _ in range(3):
            for browser, own, theirs in ((first, "Nguyễn Văn An", "Trần Thị Bình"),
                                         (other, "Trần Thị Bình", "Nguyễn Văn An")):
                page = browser.get(path)
                assert cache_status(page) == "BYPASS", (path, page.headers)
                assert own in page.text and theirs not in page.text, path
    personal = first.get("/ho-so-cua-toi")
    assert "no-store" in personal.headers.get("Cache-Control", "")


def test_anonymous_public_pages_are_kept_by_the_proxy_and_revalidated(cluster):
    anonymous = cluster.browse()
    path = "/thu-tuc/1.000894"
    first = anonymous.get(path)
    if "public" not in first.headers.get("Cache-Control", ""):
        pytest.skip(f"the portal does not mark {path} Cache-Control: public (got "
                    f"{first.headers.get('Cache-Control')!r}): the proxy keeps nothing")
    assert cache_status(first) in ("MISS", "EXPIRED", "REVALIDATED", "HIT")
    second = anonymous.get(path)
    assert cache_status(second) == "HIT" and second.body == first.body
    assert anonymous.get(path, headers={"Cookie": "_LOCALE_=en"}).body != first.body  # keyed on the language
    seconds = max_age(second)
    if seconds > 30:
        pytest.skip(f"{path} is kept for {seconds} s: too long to wait for its revalidation here")
    revalidated = wait_for(lambda: (lambda page: page if cache_status(page) in ("REVALIDATED", "EXPIRED") else None)(
        anonymous.get(path)), seconds + 10, "the proxy asking the portal again", interval=0.25)
    # the portal answered the proxy's If-None-Match with 304: the page is the same
    assert cache_status(revalidated) == "REVALIDATED" and revalidated.body == first.body
    assert any(" 304 " in line or "ustatus=304" in line for line in cluster.nginx.log_lines())


# -- d: an app server killed mid-load ---------------------------------------------

CITIZEN_PASSWORD = "mật-khẩu-dài-lắm-2026"


def new_citizens(engine, count, full_name="Nguyễn Văn Bốn"):
    """``count`` verified citizens' usernames (committed)."""
    from congdichvu.accounts import services as accounts
    from congdichvu.accounts.passwords import hash_password

    names = [f"dan-{uuid.uuid4().hex[:8]}" for _ in range(count)]
    password_hash = hash_password(CITIZEN_PASSWORD)
    with Session(engine) as session:
        for name in names:
            accounts.create_user(session, name, None, full_name, ["citizen"], email=f"{name}@example.invalid",
                                 phone=f"09{uuid.uuid4().int % 10**8:08d}", verified=True,
                                 password_hash=password_hash)
        session.commit()
    return names


class Client(threading.Thread):
    """A citizen submitting dossiers through the proxy until told to stop."""

    def __init__(self, cluster, username, stop, quota):
        super().__init__(daemon=True)
        self.cluster, self.username, self.stop, self.quota = cluster, username, stop, quota
        self.succeeded, self.unknown, self.requests, self.errors = [], 0, [], []
        self.sending = None

    def run(self):
        try:
            browser = sign_in(self.cluster.browse(), self.username, CITIZEN_PASSWORD)
        except Exception as error:  # noqa: BLE001 - reported by the test
            self.errors.append(f"sign-in: {error!r}")
            return
        while not self.stop.is_set() and len(self.succeeded) < self.quota:
            try:
                answer = submit_dossier(browser, record=self.requests, client=self)
            except webtest.AppError:  # a 5xx, recorded: this dossier is given up, the next one begun
                if self.requests[-1][0] == "SUBMIT":
                    self.unknown += 1  # may or may not have been saved: never more than once
                continue
            except Exception as error:  # noqa: BLE001 - reported by the test
                self.errors.append(repr(error))
                return
            code = dossier_code(answer)
            if code is None:
                self.errors.append(f"submission answered {answer.status}: {answer.location}")
                return
            self.succeeded.append(code)


def test_killing_an_app_server_mid_load_loses_no_dossier_and_replays_no_post(cluster):
    engine = create_engine(cluster.database_url)
    try:
        usernames = new_citizens(engine, 4)
        stop = threading.Event()
        clients = [Client(cluster, name, stop, quota=6) for name in usernames]
        [client.start() for client in clients]
        done = lambda: sum(len(client.succeeded) for client in clients)  # noqa: E731
        wait_for(lambda: done() >= 4 or not any(c.is_alive() for c in clients), 60, "four dossiers submitted",
                 interval=0.05)
        # the kill comes while most clients are sending a form (one of them, likely, to A)
        wait_for(lambda: sum(client.sending in ("POST", "SUBMIT") for client in clients) >= 3
                 or not any(c.is_alive() for c in clients), 30, "clients sending forms", interval=0.002)
        cluster.a.kill()
        killed_at = done()
        deadline = time.monotonic() + 60
        for client in clients:
            client.join(max(1, deadline - time.monotonic()))
        stop.set()
        for client in clients:
            client.join(10)
        assert not [client.errors for client in clients if client.errors]
        assert done() > killed_at, "no dossier was submitted after server A was killed"

        # every GET succeeded, through whichever server was left (a 5xx raised above is a POST)
        failed_gets = [(method, status) for client in clients for method, status in client.requests
                       if method == "GET" and status >= 500]
        assert not failed_gets
        cut = [(method, status) for client in clients for method, status in client.requests if status >= 500]
        # every dossier answered with success is there exactly once; none beyond what may have been saved
        from congdichvu.accounts.models import User
        from congdichvu.eservices.models import Dossier, DossierDraft

        with Session(engine) as session:
            for client in clients:
                for code in client.succeeded:
                    assert session.scalar(select(func.count(Dossier.id)).where(Dossier.code == code)) == 1, code
                user_id = session.scalar(select(User.id).where(User.username == client.username))
                saved = session.scalar(select(func.count(Dossier.id)).where(Dossier.applicant_id == user_id))
                assert len(client.succeeded) <= saved <= len(client.succeeded) + client.unknown, client.username
            twice = session.execute(select(DossierDraft.dossier_id).where(DossierDraft.dossier_id.is_not(None))
                                    .group_by(DossierDraft.dossier_id).having(func.count() > 1)).all()
            assert not twice
    finally:
        stop.set()
        engine.dispose()

    # no POST that an app server had received was sent again to another
    attempts = [upstream_attempts(line) for line in cluster.nginx.log_lines()]
    replayed = [entry for entry in attempts if entry and entry[0] == "POST" and len(entry[3]) > 1
                and any(sent not in ("0", "-") for _address, sent in entry[3][:-1])]
    assert not replayed, replayed
    passed_on = [entry for entry in attempts if entry and len(entry[3]) > 1]
    # and GETs still succeed, from B alone
    anonymous = cluster.browse()
    for path in ("/", f"/thu-tuc/{PROCEDURE}", "/api/v1/procedures", "/tim-kiem?q=khai+sinh"):
        assert anonymous.get(path).status_int == 200
    after = [upstream_attempts(line) for line in cluster.nginx.log_lines()[-4:]]
    assert all(entry[3] and entry[3][-1][0] == cluster.b.address for entry in after if entry and entry[3])
    print(f"{done()} dossiers ({killed_at} before the kill), "
          f"{len(cut)} POSTs cut by the kill ({sum(client.unknown for client in clients)} submits), "
          f"{len(passed_on)} requests passed on to B")
