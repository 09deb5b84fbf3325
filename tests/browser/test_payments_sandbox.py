"""The sandbox gateway's pages in a real browser: accessible and fitting a
360 px phone, and its form leads back to the merchant without JavaScript."""
import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from congdichvu.payments import SANDBOX_PAY_PATH, vnpay
from tests.browser.test_accessibility import _axe, _open, _screenshot

pytestmark = pytest.mark.browser


def _pay_path(live_app, **changes):
    settings = live_app.registry.settings
    now = datetime.now(timezone.utc)
    params = vnpay.pay_params(tmn_code=settings["congdichvu.vnpay.tmn_code"], txn_ref=uuid.uuid4().hex[:16],
                              amount=1_525_000, info="Lệ phí hồ sơ H56.01.P05-261201-0001 và phí bưu chính",
                              locale="vn", return_url=settings["congdichvu.public_url"] + "/payments/vnpay/return",
                              ip_address="127.0.0.1", created=now, expires=now + timedelta(minutes=15))
    params.update(changes)
    return vnpay.signed_url(SANDBOX_PAY_PATH, params, settings["congdichvu.vnpay.hash_secret"])


@pytest.mark.parametrize("page_name", ["pay", "refused"])
@pytest.mark.parametrize("width", [360, 1280])
def test_the_sandbox_pages_are_accessible_and_fit_a_phone(browser, live_app, live_server, axe_source, page_name,
                                                         width):
    path = _pay_path(live_app) if page_name == "pay" else _pay_path(live_app, vnp_Version="9.9")
    _open(browser, live_server, path, width)
    _screenshot(browser, f"sandbox-{page_name}-{width}")
    assert "Cổng thanh toán thử nghiệm" in browser.page_source
    violations = [{"id": v["id"], "targets": [n.get("target") for n in v["nodes"]][:5]}
                  for v in _axe(browser, axe_source)]
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
    inner = browser.execute_script("return window.innerWidth")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= inner


def test_a_button_sends_the_browser_back_to_the_merchant(browser, live_app, live_server, monkeypatch):
    from congdichvu.payments.sandbox import RecordingCourier

    monkeypatch.setattr(live_app.registry["vnpay_sandbox"], "courier", RecordingCourier())
    _open(browser, live_server, _pay_path(live_app), 360)
    browser.find_element("css selector", "label[for=ipn-drop]").click()
    from selenium.webdriver.support.ui import WebDriverWait

    browser.find_element("css selector", "button[value=cancel]").click()
    WebDriverWait(browser, 20).until(lambda driver: "/payments/vnpay/return?" in driver.current_url)
    assert browser.current_url.startswith(live_server + "/payments/vnpay/return?")
    result = dict(pair.split("=", 1) for pair in browser.current_url.split("?", 1)[1].split("&"))
    assert result["vnp_ResponseCode"] == "24" and live_app.registry["vnpay_sandbox"].courier.sent == []
