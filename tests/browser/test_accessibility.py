"""Pages at desktop and phone widths: screenshots, no horizontal scrolling,
keyboard access, and zero axe-core violations of WCAG 2 A and AA."""
import base64
import json

import pytest

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

PAGES = {
    "home": "/",
    "browse": "/thu-tuc?level=commune",
    "procedure": "/thu-tuc/1.001193",
    "procedure-district": "/thu-tuc/2.000806",
    "agency": "/co-quan/H56.01.P05",
    "agencies": "/co-quan",
    "not-found": "/thu-tuc/0.000000",
    "search": "/tim-kiem?q=dang+ky+khia+sinh",
    "search-empty": "/tim-kiem?q=xin+visa+du+lich",
    "login": "/dang-nhap",
    "dossier-lookup": "/tra-cuu-ho-so",
    "news": "/tin-tuc",
    "api-docs": "/api/v1/docs",
}
WIDTHS = {"desktop": 1280, "phone": 360}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _open(browser, live_server, path, width):
    browser.set_window_size(width, 900)
    browser.get(live_server + path)
    return browser


def _screenshot(browser, name):
    """The whole page, not only the window, so what a phone user scrolls to
    (tables, forms at the bottom) can be looked at in the artifacts."""
    size = browser.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = browser.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
    (ARTIFACTS / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))


def _axe(browser, axe_source):
    browser.execute_script(axe_source)
    return browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(result => done(result.violations)).catch(error => done([{id: 'axe-error', help: String(error), nodes: []}]));",
        AXE_TAGS,
    )


@pytest.mark.parametrize("width_name", WIDTHS)
@pytest.mark.parametrize("page_name", PAGES)
def test_page_has_no_accessibility_violations(browser, live_server, axe_source, page_name, width_name):
    _open(browser, live_server, PAGES[page_name], WIDTHS[width_name])
    _screenshot(browser, f"{page_name}-{width_name}")
    violations = _axe(browser, axe_source)
    summary = [
        {"id": v["id"], "help": v["help"], "targets": [n.get("target") for n in v["nodes"]][:5]} for v in violations
    ]
    assert summary == [], json.dumps(summary, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("page_name", PAGES)
def test_no_horizontal_scrolling_on_a_360px_phone(browser, live_server, page_name):
    _open(browser, live_server, PAGES[page_name], 360)
    inner = browser.execute_script("return window.innerWidth")
    scroll = browser.execute_script("return document.documentElement.scrollWidth")
    assert inner <= 360
    assert scroll <= inner, f"page is {scroll}px wide on a {inner}px screen"


def test_keyboard_users_can_skip_to_the_content(browser, live_server):
    from selenium.webdriver.common.keys import Keys

    _open(browser, live_server, "/thu-tuc/1.001193", 1280)
    body = browser.find_element("tag name", "body")
    body.send_keys(Keys.TAB)
    active = browser.switch_to.active_element
    assert active.get_attribute("class") == "skip-link"
    assert active.text == "Bỏ qua, đến nội dung chính"
    active.send_keys(Keys.ENTER)
    assert browser.execute_script("return document.activeElement.id") == "main"


def test_the_filter_form_works_in_the_browser(browser, live_server):
    from selenium.webdriver.support.ui import Select, WebDriverWait

    _open(browser, live_server, "/thu-tuc", 360)
    Select(browser.find_element("id", "f-level")).select_by_value("province")
    browser.find_element("css selector", "#filters button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda driver: "level=province" in driver.current_url)
    assert len(browser.find_elements("css selector", ".procedure-name")) == 5


def test_search_works_from_the_home_page(browser, live_server):
    from selenium.webdriver.support.ui import WebDriverWait

    _open(browser, live_server, "/", 360)
    box = browser.find_element("id", "home-q")
    box.send_keys("dang ky khai sinh")
    box.submit()
    WebDriverWait(browser, 10).until(lambda driver: "/tim-kiem" in driver.current_url)
    first = browser.find_element("css selector", ".procedure-name")
    first.click()  # through the link that counts what was opened, to the procedure's own page
    WebDriverWait(browser, 10).until(lambda driver: driver.current_url.endswith("/thu-tuc/1.001193"))


def test_a_failed_sign_in_is_announced_and_accessible(browser, live_server, axe_source):
    _open(browser, live_server, "/dang-nhap", 360)
    browser.find_element("css selector", "#deform button[type=submit]").click()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 10).until(lambda driver: driver.find_elements("css selector", "[role=alert]"))
    _screenshot(browser, "login-errors-phone")
    assert "Bắt buộc" in browser.find_element("tag name", "main").text
    assert _axe(browser, axe_source) == []


STAFF_PAGES = {
    "cms-dashboard": "/quan-tri",
    "cms-procedures": "/quan-tri/thu-tuc",
    "cms-edit": "/quan-tri/thu-tuc/1.001193/sua",
    "cms-history": "/quan-tri/thu-tuc/1.001193/lich-su",
    "cms-new-article": "/quan-tri/bai-viet/them?kind=news",
    "account": "/tai-khoan",
}


def _sign_in(browser, live_server, username):
    browser.delete_all_cookies()
    _open(browser, live_server, "/dang-nhap", 1280)
    browser.find_element("name", "login").send_keys(username)
    browser.find_element("name", "password").send_keys(f"{username}-demo-2026")
    browser.find_element("css selector", "#deform button[type=submit]").click()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 10).until(lambda driver: "/dang-nhap" not in driver.current_url)


@pytest.mark.parametrize("page_name", STAFF_PAGES)
def test_staff_pages_have_no_accessibility_violations(browser, live_server, axe_source, page_name):
    _sign_in(browser, live_server, "editor")
    for width_name, width in WIDTHS.items():
        _open(browser, live_server, STAFF_PAGES[page_name], width)
        _screenshot(browser, f"{page_name}-{width_name}")
        violations = _axe(browser, axe_source)
        summary = [{"id": v["id"], "help": v["help"], "targets": [n.get("target") for n in v["nodes"]][:5]}
                   for v in violations]
        assert summary == [], json.dumps(summary, ensure_ascii=False, indent=1)
    browser.delete_all_cookies()


def _axe_clean(browser, axe_source, name):
    _screenshot(browser, name)
    violations = _axe(browser, axe_source)
    summary = [{"id": v["id"], "help": v["help"], "targets": [n.get("target") for n in v["nodes"]][:5]}
               for v in violations]
    assert summary == [], name + ": " + json.dumps(summary, ensure_ascii=False, indent=1)


def test_a_citizen_submits_a_dossier_in_the_browser(browser, live_server, axe_source, tmp_path):
    """The whole flow at phone width, with JavaScript on (the upload goes
    through the progress script), checking every step with axe."""
    from selenium.webdriver.support.ui import Select, WebDriverWait

    wait = WebDriverWait(browser, 20)
    _sign_in(browser, live_server, "citizen")
    _open(browser, live_server, "/thu-tuc/1.001193/nop-truc-tuyen", 360)
    _axe_clean(browser, axe_source, "submit-start-phone")
    browser.find_element("css selector", "#start button").click()
    wait.until(lambda driver: "/nguoi-nop" in driver.current_url)
    browser.find_element("css selector", "button[name=next]").click()
    wait.until(lambda driver: driver.find_elements("css selector", "[role=alert]"))
    _axe_clean(browser, axe_source, "submit-applicant-errors-phone")

    def field(name):
        return browser.find_element("name", name)

    browser.execute_script("arguments[0].value = '1990-05-17'", field("birth_date"))
    for name, value in (("id_number", "019090001234"), ("phone", "0912345678"),
                        ("address", "Số 12, tổ 3, đường Hoàng Văn Thụ")):
        field(name).clear()
        field(name).send_keys(value)
    Select(field("ward")).select_by_value("H56.01.P05")
    browser.find_element("css selector", "button[name=next]").click()
    wait.until(lambda driver: "/giay-to" in driver.current_url)
    _axe_clean(browser, axe_source, "submit-papers-phone")
    paper = tmp_path / "to-khai.pdf"
    paper.write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert not browser.find_elements("id", "paper-5")  # the identity paper is only shown at the office
    for index in (0, 1):
        browser.find_element("id", f"paper-{index}").send_keys(str(paper))
    browser.find_element("css selector", "button[name=next]").click()
    wait.until(lambda driver: "/nhan-ket-qua" in driver.current_url)
    _axe_clean(browser, axe_source, "submit-delivery-phone")
    assert len(browser.find_elements("css selector", "main input[type=radio]")) == 3
    assert browser.execute_script(_CONTROL_PROBLEMS) == []
    browser.find_element("css selector", "input[type=radio][value=postal]").click()
    browser.find_element("css selector", "button[name=next]").click()
    wait.until(lambda driver: driver.find_elements("css selector", "[role=alert]"))
    _axe_clean(browser, axe_source, "submit-delivery-errors-phone")
    browser.find_element("name", "postal_address").send_keys("Số 5, đường Quang Trung, phường Phan Đình Phùng")
    browser.find_element("css selector", "button[name=next]").click()
    wait.until(lambda driver: "/xac-nhan" in driver.current_url)
    _axe_clean(browser, axe_source, "submit-review-phone")
    assert browser.page_source.count("to-khai.pdf") == 2  # papers 1 and 2; the identity paper is only shown
    assert browser.execute_script(_CONTROL_PROBLEMS) == []  # the declaration
    browser.find_element("name", "declaration").click()
    browser.find_element("css selector", "button[name=submit]").click()
    wait.until(lambda driver: "moi=1" in driver.current_url)
    _axe_clean(browser, axe_source, "submit-receipt-phone")
    assert len(browser.find_element("css selector", ".secret").text.strip()) == 8
    _open(browser, live_server, "/ho-so-cua-toi", 360)
    _axe_clean(browser, axe_source, "my-dossiers-phone")
    browser.delete_all_cookies()


# --- what a new user meets on a phone (issue 9, section 6) ---------------------------------------

def _webtest(live_app, username=None):
    """A WebTest client of the live app, signed in as a demo account."""
    import webtest

    client = webtest.TestApp(live_app, extra_environ={"HTTP_HOST": f"127.0.0.1:{live_app.port}"})
    if username:
        form = client.get("/dang-nhap").forms["deform"]
        form["login"], form["password"] = username, f"{username}-demo-2026"
        assert form.submit("submit").status_int == 302
    return client


@pytest.fixture(scope="module")
def citizen_dossiers(live_app):
    """The demo citizen has a draft and a submitted dossier, made through the
    submission flow, so "Hồ sơ của tôi" has rows to lay out."""
    from tests.functional.test_submission import REQUIRED, choose_delivery, fill_applicant, start, upload

    client = _webtest(live_app, "citizen")
    start(client)  # left as a draft
    papers = fill_applicant(start(client), phone="0912345678").follow()
    delivery = upload(papers, REQUIRED).follow().forms["step"]
    choose_delivery(delivery, "counter")
    review = delivery.submit("next").follow().forms["step"]
    review["declaration"] = True
    assert "moi=1" in review.submit("submit").location
    mine = client.get("/ho-so-cua-toi")
    assert mine.html.select(".procedure-list li") and mine.html.select("table tbody tr")


@pytest.fixture(scope="module")
def news_article(live_app):
    """A published news article long enough that its comment form is far
    below the first screen of a phone."""
    editor = _webtest(live_app, "editor")
    form = editor.get("/quan-tri/bai-viet/them", params={"kind": "news"}).forms["deform"]
    form["title"], form["slug"] = "Thông báo lịch tiếp công dân", "lich-tiep-cong-dan"
    form["body"] = "".join(f"<p>Đoạn {n}: Bộ phận một cửa tiếp công dân từ thứ Hai đến sáng thứ Bảy, "
                           "trừ ngày lễ, Tết theo quy định.</p>" for n in range(1, 31))
    edit_url = form.submit("submit_for_review").location.split("?")[0].replace("http://example.com", "")
    reviewer = _webtest(live_app, "reviewer")
    publish = next(f for f in reviewer.get(edit_url).forms.values()
                   if "action" in f.fields and f["action"].value == "publish")
    publish.submit()
    return "/tin-tuc/lich-tiep-cong-dan"


#: Problems that cut a page off on a phone: the page wider than the window,
#: or a table neither fully visible nor inside a scroll container a keyboard
#: can reach (focusable, a named region).
_LAYOUT_PROBLEMS = """
const problems = [];
const width = window.innerWidth;
if (document.documentElement.scrollWidth > width) {
  problems.push(`page is ${document.documentElement.scrollWidth}px wide on a ${width}px screen`);
}
function scroller(element) {
  for (let node = element.parentElement; node && node !== document.body; node = node.parentElement) {
    const overflow = getComputedStyle(node).overflowX;
    if ((overflow === 'auto' || overflow === 'scroll') && node.scrollWidth > node.clientWidth) return node;
  }
  return null;
}
// the visible width: without the vertical scroll bar
const visible = document.documentElement.clientWidth;
for (const [index, table] of Array.from(document.querySelectorAll('main table')).entries()) {
  const box = table.getBoundingClientRect();
  const cells = Array.from(table.querySelectorAll('tbody th, tbody td')).filter(cell => cell.getClientRects().length);
  const cut = cells.filter(cell => cell.getBoundingClientRect().right > visible + 0.5 || cell.scrollWidth > cell.clientWidth + 1);
  if (box.left >= 0 && box.right <= visible + 0.5 && !cut.length) continue;
  const container = scroller(table);
  if (!container) { problems.push(`table ${index} is cut off (${Math.round(box.right)}px, ${cut.length} cells)`); continue; }
  const named = container.getAttribute('aria-label') || container.getAttribute('aria-labelledby');
  if (container.tabIndex < 0 || container.getAttribute('role') !== 'region' || !named) {
    problems.push(`table ${index} scrolls in a container a keyboard cannot reach or that has no name`);
  }
}
return problems;
"""

PHONE_PAGES = {
    "procedure": "/thu-tuc/1.001193",
    "procedure-district": "/thu-tuc/2.000806",
    "my-dossiers": "/ho-so-cua-toi",
}


@pytest.mark.parametrize("page_name", PHONE_PAGES)
def test_tables_are_readable_on_a_360px_phone(browser, live_server, axe_source, citizen_dossiers, page_name):
    if page_name == "my-dossiers":
        _sign_in(browser, live_server, "citizen")
    else:
        browser.delete_all_cookies()
    _open(browser, live_server, PHONE_PAGES[page_name], 360)
    assert browser.execute_script("return window.innerWidth") <= 360
    assert browser.find_elements("css selector", "main table tbody tr")
    _axe_clean(browser, axe_source, f"{page_name}-tables-phone")
    assert browser.execute_script(_LAYOUT_PROBLEMS) == []
    # each cell names its column, as a screen reader hears it from the table's headings
    labels = browser.execute_script(
        "return Array.from(document.querySelectorAll('main table td[data-label]')).filter(td => td.offsetParent)"
        ".map(td => getComputedStyle(td, '::before').content)")
    assert labels and all(label not in ("none", "normal", "") for label in labels)
    _open(browser, live_server, PHONE_PAGES[page_name], 1280)
    _axe_clean(browser, axe_source, f"{page_name}-tables-desktop")
    assert browser.execute_script(_LAYOUT_PROBLEMS) == []
    browser.delete_all_cookies()


def test_procedure_steps_are_a_plain_numbered_list(browser, live_server):
    browser.delete_all_cookies()
    _open(browser, live_server, "/thu-tuc/1.001193", 360)
    styles = browser.execute_script(
        "return Array.from(document.querySelectorAll('main section ol li')).filter(li => li.closest('section')"
        ".querySelector('#steps-h')).map(li => [getComputedStyle(li).borderTopWidth, getComputedStyle(li).borderRadius,"
        " getComputedStyle(li, '::before').content, getComputedStyle(li.parentElement).listStyleType])")
    assert len(styles) == 5
    for border, radius, before, marker in styles:
        assert (border, radius, before, marker) == ("0px", "0px", "none", "decimal")


def test_the_home_page_title_is_plain_text(browser, live_server):
    browser.delete_all_cookies()
    _open(browser, live_server, "/", 360)
    assert browser.title == "Trang chủ – Cổng Dịch vụ công thành phố Thái Nguyên"
    assert browser.find_element("css selector", "main aside.catalogue-note").is_displayed()


def test_a_news_article_opens_at_its_top(browser, live_server, news_article):
    browser.delete_all_cookies()
    _open(browser, live_server, news_article, 360)
    _screenshot(browser, "news-article-phone")
    assert browser.execute_script("return document.readyState") == "complete"
    assert browser.execute_script("return window.scrollY") == 0
    assert browser.execute_script("return document.activeElement === document.body")
    assert browser.find_element("css selector", ".comments form")  # the form is there, below


#: Tick boxes and radio buttons beside their labels: the label starts to the
#: right of the box on the same line, the box is at least 24 px and the row
#: (box and label, both tick it) at least 44 px high.
_CONTROL_PROBLEMS = """
const problems = [];
for (const input of document.querySelectorAll('main input[type=checkbox], main input[type=radio]')) {
  if (!input.getClientRects().length || input.closest('.honeypot')) continue;
  const box = input.getBoundingClientRect();
  const label = input.labels && input.labels[0];
  if (!label) { problems.push(`${input.id}: no label`); continue; }
  const text = label.getBoundingClientRect();
  if (text.left < box.right || text.top > box.bottom || text.bottom < box.top) {
    problems.push(`${input.id}: label not beside the box`);
  }
  if (box.width < 24 || box.height < 24) problems.push(`${input.id}: box ${box.width}x${box.height}px`);
  if (Math.max(box.bottom, text.bottom) - Math.min(box.top, text.top) < 44) problems.push(`${input.id}: row under 44px`);
}
return problems;
"""


def test_tick_boxes_sit_beside_their_labels_in_the_procedure_form(browser, live_server):
    """The agencies and the papers' "required" boxes; the submission flow's
    radio buttons and declaration are checked in the flow's test above."""
    _sign_in(browser, live_server, "editor")
    _open(browser, live_server, "/quan-tri/thu-tuc/1.001193/sua", 360)
    assert len(browser.find_elements("css selector", "main input[type=checkbox]")) > 30  # agencies, papers
    assert browser.execute_script(_CONTROL_PROBLEMS) == []
    browser.delete_all_cookies()


#: the one-stop desk as a ward's officer sees it (the demo dossiers of Phường Phan Đình Phùng)
DESK_PAGES = {
    "desk": "/mot-cua",
    "desk-overdue": "/mot-cua?hang=qua-han",
    "desk-intake": "/mot-cua/tiep-nhan",
    "desk-intake-form": "/mot-cua/tiep-nhan/1.001193",
    "desk-ledger": "/mot-cua/so-theo-doi",
}


def _first_dossier(browser, live_server, queue):
    """The staff page of the first dossier of ``queue`` on the desk."""
    _open(browser, live_server, f"/mot-cua?hang={queue}", 1280)
    return browser.find_element("css selector", "table.desk-table tbody th a").get_attribute("href")


@pytest.mark.parametrize("page_name", DESK_PAGES)
def test_desk_pages_are_accessible_and_fit_a_phone(browser, live_server, axe_source, page_name):
    _sign_in(browser, live_server, "officer.pdp")
    for width_name, width in WIDTHS.items():
        _open(browser, live_server, DESK_PAGES[page_name], width)
        _axe_clean(browser, axe_source, f"{page_name}-{width_name}")
        scroll = browser.execute_script("return document.documentElement.scrollWidth")
        assert scroll <= browser.execute_script("return window.innerWidth"), f"{page_name} at {width}px"
    browser.delete_all_cookies()


@pytest.mark.parametrize("queue", ["dang-xu-ly", "cho-bo-sung", "cho-tra"])
def test_a_staff_dossier_page_is_accessible_and_fits_a_phone(browser, live_server, axe_source, queue):
    _sign_in(browser, live_server, "officer.pdp")
    address = _first_dossier(browser, live_server, queue)
    for width_name, width in WIDTHS.items():
        browser.set_window_size(width, 900)
        browser.get(address)
        _axe_clean(browser, axe_source, f"desk-dossier-{queue}-{width_name}")
        scroll = browser.execute_script("return document.documentElement.scrollWidth")
        assert scroll <= browser.execute_script("return window.innerWidth"), f"{queue} at {width}px"
    browser.delete_all_cookies()


def test_an_officer_receives_an_online_dossier_and_the_citizen_sees_the_receipt(browser, live_server, axe_source):
    """At phone width: the ward's officer opens the new online dossiers,
    receives the citizen's, and the citizen finds Form 01 on their page."""
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 20)
    _sign_in(browser, live_server, "officer.pdp")
    _open(browser, live_server, "/mot-cua?hang=moi&q=Nguy%E1%BB%85n+V%C4%83n+An", 360)
    _axe_clean(browser, axe_source, "desk-new-phone")
    link = browser.find_element("css selector", "table.desk-table tbody th a")
    code = link.text
    link.click()
    wait.until(lambda driver: f"/mot-cua/ho-so/{code}" in driver.current_url)
    browser.find_element("css selector", "form#receive button[type=submit]").click()
    wait.until(lambda driver: driver.find_elements("css selector", ".flash"))
    _axe_clean(browser, axe_source, "desk-received-phone")
    assert "Đang giải quyết" in browser.find_element("tag name", "main").text

    _sign_in(browser, live_server, "citizen")
    _open(browser, live_server, f"/ho-so-cua-toi/{code}", 360)
    _axe_clean(browser, axe_source, "citizen-received-phone")
    main = browser.find_element("tag name", "main").text
    assert "Bộ phận một cửa đã tiếp nhận hồ sơ" in main
    receipt = browser.find_element("css selector", "section.receipt a.button").get_attribute("href")
    assert "/tep/" in receipt
    browser.delete_all_cookies()


def test_a_citizen_rates_the_service_on_a_phone(browser, live_server, axe_source):
    """The demo citizen's returned dossier (onestop.demo) rated at 360 px:
    the form, its errors and the thanks on the dossier's page, each with
    axe; the three choices beside their labels, nothing wider than the
    screen."""
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 20)
    _sign_in(browser, live_server, "citizen")
    _open(browser, live_server, "/ho-so-cua-toi", 360)
    rate = browser.find_element("css selector", "main a.button[href$='/danh-gia']").get_attribute("href")
    browser.get(rate)
    _axe_clean(browser, axe_source, "rate-phone")
    assert browser.execute_script(_LAYOUT_PROBLEMS) == []
    assert browser.execute_script(_CONTROL_PROBLEMS) == []
    assert len(browser.find_elements("css selector", "#rate fieldset input[type=radio]")) == 3
    browser.find_element("css selector", "#rate button[type=submit]").click()  # no choice made
    wait.until(lambda driver: driver.find_elements("css selector", "[role=alert]"))
    _axe_clean(browser, axe_source, "rate-errors-phone")
    assert browser.execute_script(_LAYOUT_PROBLEMS) == []
    browser.find_element("css selector", "label[for=rate-level-very_satisfied]").click()
    browser.find_element("id", "rate-comment").send_keys("Cán bộ hướng dẫn tận tình, trả kết quả đúng hẹn.")
    browser.find_element("css selector", "#rate button[type=submit]").click()
    wait.until(lambda driver: "/danh-gia" not in driver.current_url and driver.find_elements("id", "rating-h"))
    _axe_clean(browser, axe_source, "rated-phone")
    assert "Rất hài lòng" in browser.find_element("id", "rating").text
    browser.delete_all_cookies()
