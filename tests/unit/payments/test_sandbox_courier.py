"""The IPN courier: a GET from a background thread, again on a network
error or RspCode 99, as VNPay retries (a local HTTP server plays the merchant)."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from congdichvu.payments.sandbox.courier import HTTPCourier, RecordingCourier


@pytest.fixture
def merchant():
    """A merchant's IPN address answering the codes in ``answers`` in turn
    (``"boom"``: not JSON); ``calls`` lists the paths it was called with."""
    calls, answers = [], []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server's name
            calls.append(self.path)
            code = answers.pop(0) if answers else "00"
            body = b"boom" if code == "boom" else json.dumps({"RspCode": code, "Message": "x"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield type("Merchant", (), {"url": f"http://127.0.0.1:{server.server_port}/payments/vnpay/ipn?vnp_TxnRef=A",
                                "calls": calls, "answers": answers})
    server.shutdown()
    server.server_close()


def test_a_confirmed_ipn_is_sent_once(merchant):
    courier = HTTPCourier(retry_wait=0)
    assert courier.deliver(merchant.url) == {"RspCode": "00", "Message": "x"}
    assert merchant.calls == ["/payments/vnpay/ipn?vnp_TxnRef=A"]


def test_99_or_an_unreadable_answer_is_retried(merchant):
    merchant.answers.extend(["99", "boom"])
    assert HTTPCourier(retry_wait=0).deliver(merchant.url)["RspCode"] == "00"
    assert len(merchant.calls) == 3


def test_other_answers_are_final(merchant):
    merchant.answers.extend(["02"])
    assert HTTPCourier(retry_wait=0).deliver(merchant.url)["RspCode"] == "02"
    assert len(merchant.calls) == 1


def test_at_most_three_retries(merchant):
    merchant.answers.extend(["99"] * 10)
    assert HTTPCourier(retry_wait=0).deliver(merchant.url)["RspCode"] == "99"
    assert len(merchant.calls) == 4


def test_a_network_error_is_retried_then_given_up():
    courier = HTTPCourier(retry_wait=0, timeout=1)
    assert courier.deliver("http://127.0.0.1:9/payments/vnpay/ipn") is None  # the discard port: refused


def test_send_delivers_in_a_background_thread_after_the_delay(merchant):
    thread = HTTPCourier(retry_wait=0).send(merchant.url, 0.2)
    assert thread.daemon and merchant.calls == []
    thread.join(5)
    assert merchant.calls == ["/payments/vnpay/ipn?vnp_TxnRef=A"]


def test_the_recording_courier_only_records():
    courier = RecordingCourier()
    courier.send("http://example.com/payments/vnpay/ipn?x=1", 20)
    assert courier.sent == [("http://example.com/payments/vnpay/ipn?x=1", 20)]
