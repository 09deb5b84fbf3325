"""Pages at desktop and phone widths: screenshots, no horizontal scrolling,
keyboard access, and zero axe-core violations of WCAG 2 A and AA."""
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
}
WIDTHS = {"desktop": 1280, "phone": 360}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _open(browser, live_server, path, width):
    browser.set_window_size(width, 900)
    browser.get(live_server + path)
    return browser


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
    browser.save_screenshot(str(ARTIFACTS / f"{page_name}-{width_name}.png"))
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
    assert first.get_attribute("href").endswith("/thu-tuc/1.001193")


def test_a_failed_sign_in_is_announced_and_accessible(browser, live_server, axe_source):
    _open(browser, live_server, "/dang-nhap", 360)
    browser.find_element("css selector", "#deform button[type=submit]").click()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 10).until(lambda driver: driver.find_elements("css selector", "[role=alert]"))
    browser.save_screenshot(str(ARTIFACTS / "login-errors-phone.png"))
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
        browser.save_screenshot(str(ARTIFACTS / f"{page_name}-{width_name}.png"))
        violations = _axe(browser, axe_source)
        summary = [{"id": v["id"], "help": v["help"], "targets": [n.get("target") for n in v["nodes"]][:5]}
                   for v in violations]
        assert summary == [], json.dumps(summary, ensure_ascii=False, indent=1)
    browser.delete_all_cookies()


def _axe_clean(browser, axe_source, name):
    browser.save_screenshot(str(ARTIFACTS / f"{name}.png"))
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
    browser.find_element("css selector", "input[type=radio][value=postal]").click()
    browser.find_element("css selector", "button[name=next]").click()
    wait.until(lambda driver: driver.find_elements("css selector", "[role=alert]"))
    _axe_clean(browser, axe_source, "submit-delivery-errors-phone")
    browser.find_element("name", "postal_address").send_keys("Số 5, đường Quang Trung, phường Phan Đình Phùng")
    browser.find_element("css selector", "button[name=next]").click()
    wait.until(lambda driver: "/xac-nhan" in driver.current_url)
    _axe_clean(browser, axe_source, "submit-review-phone")
    assert browser.page_source.count("to-khai.pdf") == 2
    browser.find_element("name", "declaration").click()
    browser.find_element("css selector", "button[name=submit]").click()
    wait.until(lambda driver: "moi=1" in driver.current_url)
    _axe_clean(browser, axe_source, "submit-receipt-phone")
    assert len(browser.find_element("css selector", ".secret").text.strip()) == 8
    _open(browser, live_server, "/ho-so-cua-toi", 360)
    _axe_clean(browser, axe_source, "my-dossiers-phone")
    browser.delete_all_cookies()
