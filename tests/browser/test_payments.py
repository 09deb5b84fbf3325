"""Paying a dossier's fees in a real browser at phone width: the payment
step, the sandbox gateway, the return page (before and after the IPN) and
"Hồ sơ của tôi", each axe-clean and without sideways scrolling."""
import time

import pytest

from tests.browser.test_accessibility import _axe_clean, _open, _screenshot, _sign_in

pytestmark = pytest.mark.browser


def _fits(browser):
    inner = browser.execute_script("return window.innerWidth")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= inner


def test_a_citizen_pays_a_dossier_on_a_phone(browser, live_server, axe_source):
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 20)
    _sign_in(browser, live_server, "citizen")
    _open(browser, live_server, "/ho-so-cua-toi", 360)
    buttons = browser.find_elements("css selector", "a.button[href$='/thanh-toan']")
    assert buttons, "the demo citizen has dossiers waiting for payment"
    buttons[0].click()
    wait.until(lambda driver: driver.current_url.endswith("/thanh-toan"))
    _screenshot(browser, "pay-phone")
    _axe_clean(browser, axe_source, "pay-phone")
    _fits(browser)
    browser.find_element("css selector", "main form button.primary").click()
    wait.until(lambda driver: "/sandbox/vnpay/pay" in driver.current_url)
    browser.find_element("css selector", "button[value=paid]").click()
    wait.until(lambda driver: "/payments/vnpay/return" in driver.current_url)
    _screenshot(browser, "pay-return-phone")
    _axe_clean(browser, axe_source, "pay-return-phone")
    _fits(browser)
    for _ in range(20):  # the sandbox's IPN reaches the portal from another thread
        if "đã được thanh toán" in browser.page_source:
            break
        time.sleep(0.5)
        browser.refresh()
    assert "đã được thanh toán" in browser.page_source
    _axe_clean(browser, axe_source, "pay-return-paid-phone")
    assert browser.find_elements("css selector", "a.button[href*='/tep/']")  # the e-receipt
    browser.delete_all_cookies()
