"""How the sandbox delivers its server-to-server report (the IPN): a
courier with ``send(url, delay_seconds)``, the URL being the merchant's
IPN address with the signed result as its query.

``HTTPCourier`` (the default) calls it as VNPay does — an HTTP GET from
outside the customer's browser, after ``delay_seconds``, again when the
network fails or the merchant answers ``RspCode`` 99 — in a daemon thread,
so the customer's redirect never waits for it. Tests put a
``RecordingCourier`` in its place (``registry["vnpay_sandbox"].courier``).
"""
import json
import logging
import threading
import time
import urllib.error
import urllib.request

from .. import vnpay

log = logging.getLogger(__name__)


class HTTPCourier:
    """Calls the IPN URL; ``retries`` more tries, ``retry_wait`` seconds
    apart, when the call fails or is answered 99; ``timeout`` seconds a call."""

    def __init__(self, *, timeout=10.0, retries=3, retry_wait=5.0):
        self.timeout, self.retries, self.retry_wait = timeout, retries, retry_wait
        # no proxy from the environment: the IPN address is the portal's own, on this machine
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def send(self, url, delay_seconds=0):
        """Deliver in the background; returns the (started, daemon) thread."""
        thread = threading.Thread(target=self.deliver, args=(url, delay_seconds), name="vnpay-sandbox-ipn",
                                  daemon=True)
        thread.start()
        return thread

    def deliver(self, url, delay_seconds=0):
        """Call ``url`` until the merchant answers something other than 99
        or the tries run out; returns the last answer (a dict) or None."""
        if delay_seconds:
            time.sleep(delay_seconds)
        answer = None
        for attempt in range(1 + self.retries):
            if attempt:
                time.sleep(self.retry_wait)
            answer = self.call(url)
            log.info("sandbox IPN %s (try %d): %s", url.partition("?")[0], attempt + 1, answer)
            if answer is not None and answer.get("RspCode") != vnpay.UNKNOWN_ERROR:
                return answer
        log.warning("sandbox IPN not confirmed after %d tries: %s", 1 + self.retries, answer)
        return answer

    def call(self, url):
        """One GET of ``url``: the merchant's JSON answer, or None when the
        call or its answer failed (a network error, not JSON)."""
        try:
            with self.opener.open(url, timeout=self.timeout) as response:
                answer = json.loads(response.read(100_000).decode("utf-8"))
        except (OSError, urllib.error.URLError, ValueError) as failure:
            log.warning("sandbox IPN call failed: %s", failure)
            return None
        return answer if isinstance(answer, dict) else None


class RecordingCourier:
    """Delivers nothing: ``sent`` lists ``(url, delay_seconds)`` (tests)."""

    def __init__(self):
        self.sent = []

    def send(self, url, delay_seconds=0):
        self.sent.append((url, delay_seconds))
