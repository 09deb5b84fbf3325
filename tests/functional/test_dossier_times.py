"""One dossier shows the same times everywhere: its receipt page, "Hồ sơ
của tôi", "Tra cứu hồ sơ", the PDF receipt and the mail, on SQLite and
PostgreSQL, read back from a committed database (the times were once stored
as local wall clocks on SQLite and shown 7 hours late)."""
import email
import re
import unicodedata
from datetime import datetime, timedelta, timezone
from email import policy
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from congdichvu.accounts.models import User
from congdichvu.eservices import flow
from congdichvu.eservices.models import Dossier
from tests.functional.test_submission import citizen, portal, run, to_review  # noqa: F401 (portal: a fixture)

DATETIME = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}")
# Form 01 writes times as Circular 01/2018/TT-VPCP does: "06 giờ 30 phút, ngày 06 tháng 03 năm 2026"
WRITTEN = re.compile(r"(\d{2}) giờ (\d{2}) phút, ngày (\d{2}) tháng (\d{2}) năm (\d{4})")
UTC_PLUS_7 = timezone(timedelta(hours=7))

# Đăng ký khai sinh (1.001193) online: a same-day procedure (0 working days,
# 15:00 cut-off); office sessions 07:00–11:30 and 13:30–17:00, Asia/Ho_Chi_Minh
# (UTC+7). Worked out by hand, not by the calendar.
CASES = {
    "inside office hours": (datetime(2026, 3, 3, 2, 15, tzinfo=timezone.utc),  # Tuesday 09:15
                            "03/03/2026 09:15", "03/03/2026 09:15", "03/03/2026 17:00", "260303"),
    "after the same-day cut-off": (datetime(2026, 3, 3, 8, 30, tzinfo=timezone.utc),  # Tuesday 15:30
                                   "03/03/2026 15:30", "03/03/2026 15:30", "04/03/2026 17:00", "260303"),
    "friday evening: monday's first session": (datetime(2026, 3, 6, 11, 40, tzinfo=timezone.utc),  # Friday 18:40
                                               "06/03/2026 18:40", "09/03/2026 07:00", "09/03/2026 17:00", "260309"),
    "before dawn, still the day before in UTC": (datetime(2026, 3, 5, 23, 30, tzinfo=timezone.utc),  # Friday 06:30
                                                 "06/03/2026 06:30", "06/03/2026 07:00", "06/03/2026 17:00", "260306"),
}


def _instant(shown):
    """"09/03/2026 07:00" (Asia/Ho_Chi_Minh, UTC+7) → the aware UTC instant."""
    return datetime.strptime(shown, "%d/%m/%Y %H:%M").replace(tzinfo=UTC_PLUS_7).astimezone(timezone.utc)


def _times(text):
    return DATETIME.findall(unicodedata.normalize("NFC", text))


def _pdf_text(pdf):
    """The PDF's text, its written-out times turned into "06/03/2026 06:30"."""
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    return WRITTEN.sub(r"\3/\4/\5 \1:\2", " ".join(unicodedata.normalize("NFC", text).split()))


def _main(page):
    return page.html.select_one("main").get_text(" ")


def _submit_at(portal, browser, monkeypatch, now):
    monkeypatch.setattr(flow, "now_utc", lambda: now)
    form = to_review(browser).forms["step"]
    form["declaration"] = True
    return form.submit("submit").follow()


def _stored(portal, browser):
    def read(db):
        dossier = db.scalar(select(Dossier).join(User, User.id == Dossier.applicant_id)
                            .where(User.username == browser.username).order_by(Dossier.id.desc()).limit(1))
        receipt = next(f for f in dossier.files if f.kind == "receipt")
        return dossier.code, dossier.submitted_at, dossier.received_at, dossier.appointment_at, receipt.id
    return run(portal, read)


def _mail_about(portal, code):
    folder = Path(portal.registry.settings["congdichvu.data_dir"]) / "mail"
    for path in sorted(folder.glob("*"), key=lambda p: p.stat().st_mtime, reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        body = message.get_body(("plain",)).get_content()
        if code in body:
            return body
    raise AssertionError(f"no mail about {code}")


@pytest.mark.parametrize("case", CASES)
def test_a_dossier_shows_the_same_times_everywhere(portal, monkeypatch, case):
    now, submitted, received, due, day = CASES[case]
    browser = citizen(portal)
    receipt_page = _submit_at(portal, browser, monkeypatch, now)
    code, submitted_at, received_at, appointment_at, receipt_id = _stored(portal, browser)

    lookup_form = browser.get("/tra-cuu-ho-so").forms["lookup"]
    lookup_form["code"], lookup_form["secret"] = code, receipt_page.html.select_one(".secret").text.strip()
    pdf = browser.get(f"/ho-so-cua-toi/{code}/tep/{receipt_id}").body
    shown = {
        # not received by an officer yet: the page gives the submission and the expected result
        "receipt page": (_main(receipt_page), {submitted, due}),
        "receipt page, later": (_main(browser.get(f"/ho-so-cua-toi/{code}")), {submitted, due}),
        "Hồ sơ của tôi": (_main(browser.get("/ho-so-cua-toi")), {submitted, due}),
        "Tra cứu hồ sơ": (_main(lookup_form.submit()), {due}),
        "PDF receipt": (_pdf_text(pdf), {submitted, due}),
        "mail": (_mail_about(portal, code), {due}),
    }
    # (the lookup page and the mail may say "submitted" or "received": either must be the true time)
    for where, (text, expected) in shown.items():
        times = set(_times(text))
        # each place shows what it must, and no other time (a shifted one would show here)
        assert expected <= times <= {submitted, received, due}, (where, times)
    # the history's machine-readable times are the same instants, with their offset
    for page in (receipt_page, lookup_form.submit()):
        stamps = [tag["datetime"] for tag in page.html.select("main time[datetime]")]
        assert stamps and all(datetime.fromisoformat(stamp) == now and stamp.endswith("+07:00") for stamp in stamps)

    # stored: the instants themselves, aware UTC; the code carries the local day of reception
    assert (submitted_at, received_at, appointment_at) == (now, _instant(received), _instant(due))
    assert all(value.tzinfo is timezone.utc for value in (submitted_at, received_at, appointment_at))
    assert code.split("-")[1] == day
