"""The fees of an online dossier, walked through the submission flow: the
review shows what will be paid and when, and the dossier keeps the same."""
from congdichvu.eservices.submission_views import postal_fee
from congdichvu.i18n.formatting import format_money
from tests.functional.layout import assert_tables_stack
from tests.functional.test_submission import (  # noqa: F401 - ``portal`` is a fixture
    choose_delivery, citizen, fill_applicant, latest_dossier, portal, start,
)
from tests.functional.test_submission_answers import _papers

COPIES = "2.000635"  # Cấp bản sao trích lục hộ tịch: level 4, 8.000 ₫ per copy, a demo question counts the copies


def _to_delivery(browser, code, answers=None):
    page = fill_applicant(start(browser, code)).follow()
    if answers is not None:  # the procedure's own questions
        form = page.forms["step"]
        for name, value in answers.items():
            form[name] = value
        page = form.submit("next").follow()
    return _papers(page).follow()


def _to_review(browser, code, delivery, answers=None):
    form = _to_delivery(browser, code, answers).forms["step"]
    choose_delivery(form, delivery)
    if delivery == "postal":
        form["postal_address"] = "Số 5, đường Quang Trung, phường Phan Đình Phùng"
    return form.submit("next").follow()


def _fee_rows(review):
    table = review.html.select_one("section[aria-labelledby=review-fees] table")
    return [[cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])] for row in table.tbody.select("tr")]


def _submit(review):
    form = review.forms["step"]
    form["declaration"] = True
    done = form.submit("submit")
    assert done.status_int == 302, done.text[-2000:]
    return done.follow()


def test_three_copies_by_post_are_quoted_on_the_review_and_kept_in_the_dossier(portal):
    browser = citizen(portal)
    postage = postal_fee(portal.registry.settings)
    delivery = _to_delivery(browser, COPIES, {"so_ban_sao": "3"})
    assert "thanh toán trực tuyến cùng phí, lệ phí" in delivery.text  # level 4: the postage is paid online too
    form = delivery.forms["step"]
    choose_delivery(form, "postal")
    form["postal_address"] = "Số 5, đường Quang Trung, phường Phan Đình Phùng"
    review = form.submit("next").follow()
    assert "Phí, lệ phí" in review.text
    assert _fee_rows(review) == [
        ["Phí cấp bản sao trích lục hộ tịch", "8.000 ₫", "3", "24.000 ₫"],
        ["Cước dịch vụ bưu chính trả kết quả", format_money(postage), "1", format_money(postage)],
        ["Tổng cộng", "", "", format_money(24000 + postage)],
    ]
    assert "thanh toán các khoản phí, lệ phí này trực tuyến" in review.text
    assert_tables_stack(review)
    _submit(review)
    fees = latest_dossier(portal, browser).data["fees"]
    assert fees["total"] == 24000 + postage
    assert [(line["name"], line["count"], line["amount"]) for line in fees["lines"]] == [
        ("Phí cấp bản sao trích lục hộ tịch", 3, 24000), ("Cước dịch vụ bưu chính trả kết quả", 1, postage)]


def test_a_count_of_copies_must_be_a_whole_number_from_1_to_1000(portal):
    browser = citizen(portal)
    details = fill_applicant(start(browser, COPIES)).follow()
    for wrong in ("0", "2,5", "1001"):
        form = details.forms["step"]
        form["so_ban_sao"] = wrong
        refused = form.submit("next")
        assert refused.status_int == 200 and "Nhập một số nguyên từ 1 đến 1.000." in refused.text
    for wrong in ("abc", "１０"):  # not a number at all: said in words about copies, not money
        form = details.forms["step"]
        form["so_ban_sao"] = wrong
        assert "Nhập số bản hoặc số trang bằng chữ số, ví dụ 3." in form.submit("next").text


def test_a_procedure_without_fees_says_so(portal):
    browser = citizen(portal)
    review = _to_review(browser, "1.001193", "counter")  # Đăng ký khai sinh: free
    assert review.html.select_one("section[aria-labelledby=review-fees] table") is None
    assert "Thủ tục này không phải nộp phí, lệ phí." in review.text
    _submit(review)
    assert latest_dossier(portal, browser).data["fees"] == {"lines": [], "total": 0}


def test_at_level_three_the_fees_are_paid_with_the_result(portal):
    browser = citizen(portal)
    delivery = _to_delivery(browser, "1.005461")  # Đăng ký lại khai tử: level 3, 5.000 ₫
    assert "trả khi nhận kết quả" in delivery.text  # level 3: the postage is paid on delivery
    form = delivery.forms["step"]
    choose_delivery(form, "counter")
    review = form.submit("next").follow()
    assert _fee_rows(review)[-1] == ["Tổng cộng", "", "", "5.000 ₫"]
    assert "nộp tại Bộ phận tiếp nhận và trả kết quả khi nhận kết quả" in review.text
    by_post = _to_review(citizen(portal), "1.005461", "postal")
    assert "khi nhận kết quả qua bưu chính" in by_post.text


def _ask(editor, code, questions):
    """The editor's form of ``code`` with ``questions`` ({field: value}) set from the first, saved."""
    form = editor.get(f"/quan-tri/thu-tuc/{code}/cau-hoi-nop-truc-tuyen").forms["deform"]
    for index, question in enumerate(questions):
        for name, value in question.items():
            form.set(name, value, index=index)
    return form.submit("save")


def test_an_editor_marks_the_question_that_counts_pages(portal):
    code = "2.000942"  # Cấp bản sao có chứng thực từ bản chính hợp đồng: level 3, 2.000 ₫ per page
    editor = citizen(portal, role="editor")
    page = editor.get(f"/quan-tri/thu-tuc/{code}/cau-hoi-nop-truc-tuyen")
    assert "Dùng để tính phí, lệ phí" in page.text and "Số trang" in page.text
    refused = _ask(editor, code, [{"label": "Số trang", "kind": "text", "required": True, "counts": "page"}])
    assert refused.status_int == 200
    assert "Chỉ câu hỏi trả lời bằng số mới dùng được để tính số bản sao hoặc số trang." in refused.text
    pages = {"label": "Số trang của hợp đồng", "kind": "number", "required": True, "counts": "page"}
    saved = _ask(editor, code, [pages])
    assert saved.status_int == 302
    assert saved.follow().forms["deform"].get("counts", index=0).value == "page"
    # a second question (the blank one the saved form ends with) cannot count pages too
    refused = _ask(editor, code, [{}, {"label": "Số trang khác", "kind": "number", "counts": "page"}])
    assert "Đã có câu hỏi khác dùng để tính số này; chỉ một câu hỏi được dùng." in refused.text
    assert "None" not in refused.html.select_one("form").get_text()
    browser = citizen(portal)
    review = _to_review(browser, code, "counter", {"so_trang_cua_hop_dong": "12"})
    assert _fee_rows(review)[0][1:] == ["2.000 ₫", "12", "24.000 ₫"]
    _submit(review)
    assert latest_dossier(portal, browser).data["fees"]["total"] == 24000


def test_a_level_4_dossier_is_paid_online_then_waits_for_reception(portal, monkeypatch):
    """Submit → the payment page (with the lookup secret) → the sandbox
    gateway → its IPN → paid, the e-receipt downloadable, the dossier new
    again for the desk to receive; the postal fee and the copies are in the amount."""
    from urllib.parse import urlsplit

    from congdichvu.payments.sandbox import RecordingCourier

    courier = RecordingCourier()
    monkeypatch.setattr(portal.registry["vnpay_sandbox"], "courier", courier)
    browser = citizen(portal)
    postage = postal_fee(portal.registry.settings)
    delivery = _to_delivery(browser, COPIES, {"so_ban_sao": "2"})
    form = delivery.forms["step"]
    choose_delivery(form, "postal")
    form["postal_address"] = "Số 5, đường Quang Trung, phường Phan Đình Phùng"
    pay = _submit(form.submit("next").follow())
    assert "/thanh-toan" in pay.request.path and len(pay.html.select_one(".secret").text.strip()) == 8
    assert format_money(16000 + postage) in pay.text
    dossier = latest_dossier(portal, browser)
    assert dossier.state == 6 and dossier.postal_fee == postage
    assert "Chờ thanh toán" in browser.get("/ho-so-cua-toi").text
    bank = browser.get(pay.forms[1].submit(status=303).location)
    decision = bank.forms["sandbox_pay"]
    back = decision.submit("decision", value="paid", status=302)
    [(ipn_url, _delay)] = courier.sent
    ipn = urlsplit(ipn_url)
    assert browser.get(f"{ipn.path}?{ipn.query}").json["RspCode"] == "00"
    back_to = urlsplit(back.location)
    shown = browser.get(f"{back_to.path}?{back_to.query}")
    assert "đã được thanh toán" in shown.text
    receipt = shown.click(description="Tải biên lai điện tử")
    assert receipt.content_type == "application/pdf" and receipt.body.startswith(b"%PDF")
    dossier = latest_dossier(portal, browser)
    assert dossier.state == 1 and [e.action for e in dossier.events][-2:] == ["await_payment", "paid"]
