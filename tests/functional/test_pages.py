"""The public disclosure pages, walked as a citizen would."""
import pytest
from sqlalchemy import select

from congdichvu.catalog import exchange
from congdichvu.catalog.models import Agency, FormTemplate, Paper, Procedure
from tests.factories import document, procedure_entry, sign_in
from tests.functional.layout import assert_tables_stack, plain_title


def test_home_page_shows_the_portal_sectors_levels_and_agencies(testapp):
    page = testapp.get("/")
    assert '<html lang="vi">' in page.text
    assert "Cổng Dịch vụ công thành phố Thái Nguyên" in page.text
    assert page.html.find("form", attrs={"role": "search"}) is not None
    sectors = page.html.select(".sector-grid a")
    assert len(sectors) == 20
    assert "Hộ tịch" in sectors[0].text and "thủ tục" in sectors[0].text
    assert "Cấp xã" in page.text and "Cấp huyện" in page.text and "Cấp tỉnh" in page.text
    assert "Mức độ 4" in page.text
    assert page.html.find("a", href="/co-quan/H56.01.P01") is not None  # a ward
    assert page.html.find(id="main") is not None and page.html.find("a", class_="skip-link") is not None


def test_home_counts_add_up_to_the_catalogue(testapp):
    page = testapp.get("/")
    big = page.html.select_one(".big-number").text.strip()
    assert big == "89"


def test_procedure_page_discloses_everything(testapp):
    page = testapp.get("/thu-tuc/1.001193")
    text = page.text
    assert "<h1>Đăng ký khai sinh</h1>" in text
    assert "1.001193" in text and "Hộ tịch" in text and "Cấp xã" in text
    # applicants, steps, one row per channel
    assert "Cha, mẹ, ông, bà" in text
    assert len(page.html.select("ol.procedure-steps li")) == 5
    channel_rows = page.html.select("table.channels tbody tr")
    assert [row.th.text for row in channel_rows] == ["Trực tiếp", "Trực tuyến", "Qua dịch vụ bưu chính công ích"]
    assert "Trong ngày làm việc" in text
    assert "Miễn phí" in text  # amount 0
    # papers, with case groups
    assert "Tờ khai đăng ký khai sinh" in text
    assert "Trường hợp: Trẻ em bị bỏ rơi" in text
    assert "Bản chính" in text and "Bản sao" in text
    # result, legal bases, badge, button, last updated
    assert "Giấy khai sinh (bản chính)" in text
    assert "60/2014/QH13" in text and "20/11/2014" in text
    assert "Mức độ 4" in text
    assert page.html.find("a", string="Nộp hồ sơ trực tuyến") is not None
    assert "Cập nhật lần cuối" in text


def test_a_paper_only_shown_says_so_and_the_others_do_not(testapp):
    rows = testapp.get("/thu-tuc/1.001193").html.select("table.papers tbody tr")
    shown = {row.td.contents[0].split("(")[0].strip(): row.select("td")[-1].text.strip() for row in rows}
    assert shown["Giấy tờ tùy thân của người đi đăng ký khai sinh"] == "Chỉ xuất trình, không nộp"
    assert shown["Tờ khai đăng ký khai sinh"] == "Có" and shown["Giấy chứng sinh"] == "Có"


def test_fees_are_formatted_as_dong(testapp):
    page = testapp.get("/thu-tuc/2.000806")
    assert "1.000.000 ₫" in page.text
    assert "mỗi hồ sơ" in page.text


def test_explicit_agencies_show_address_phone_and_hours(testapp):
    page = testapp.get("/thu-tuc/2.000806")
    cards = page.html.select(".agency-card")
    assert [card.h3.text.strip() for card in cards] == ["UBND thành phố Thái Nguyên", "Phòng Tư pháp thành phố Thái Nguyên"]
    assert "Địa chỉ" in cards[0].text and "Điện thoại" in cards[0].text and "Giờ làm việc" in cards[0].text


def test_commune_procedures_list_every_ward_and_commune(testapp):
    page = testapp.get("/thu-tuc/1.001193")
    details = page.html.select_one("details.all-agencies")
    assert "(32)" in details.summary.text
    assert len(details.select(".agency-card")) == 32


def test_blank_form_links_only_when_the_file_exists(testapp, dbsession):
    page = testapp.get("/thu-tuc/1.001193")
    link = page.html.find("a", href="/bieu-mau/to-khai-dang-ky-khai-sinh.docx")
    assert link is not None
    download = testapp.get(link["href"])
    assert download.content_type.endswith("wordprocessingml.document")
    assert download.body.startswith(b"PK")
    assert "attachment" in download.headers["Content-Disposition"]

    # a paper naming a template that was never stored: a name, no link
    paper = dbsession.scalar(select(Paper).where(Paper.template == "to-khai-dang-ky-khai-tu.docx"))
    paper.template = "khong-co-tep-nay.docx"
    dbsession.flush()
    page = testapp.get(f"/thu-tuc/{paper.procedure.code}")
    assert "khong-co-tep-nay.docx" in page.text
    assert page.html.find("a", href="/bieu-mau/khong-co-tep-nay.docx") is None
    testapp.get("/bieu-mau/khong-co-tep-nay.docx", status=404)


def test_a_registered_form_whose_file_vanished_is_not_served(testapp, dbsession):
    template = dbsession.scalar(select(FormTemplate).where(FormTemplate.filename == "to-khai-dang-ky-ket-hon.docx"))
    template.filename = "da-mat-tep.docx"
    dbsession.flush()
    testapp.get("/bieu-mau/da-mat-tep.docx", status=404)


def test_no_online_button_below_level_three(testapp, dbsession, people):
    procedure = dbsession.scalar(select(Procedure).where(Procedure.online_level == 2))
    page = testapp.get(f"/thu-tuc/{procedure.code}")
    assert page.html.find("a", string="Nộp hồ sơ trực tuyến") is None
    sign_in(testapp, "citizen")
    testapp.get(f"/thu-tuc/{procedure.code}/nop-truc-tuyen", status=404)


def test_online_button_asks_to_sign_in_and_comes_back(testapp, people):
    redirect = testapp.get("/thu-tuc/1.001193").click(description="Nộp hồ sơ trực tuyến")
    assert redirect.status_int == 302
    login = redirect.follow()
    assert "Đăng ký" in login.text  # a link to register for those without an account
    form = login.forms["deform"]
    form["login"], form["password"] = "citizen.test", "citizen-mật-khẩu-dài"
    back = form.submit("submit")
    assert back.location.endswith("/thu-tuc/1.001193/nop-truc-tuyen")
    start = back.follow()
    assert "Bắt đầu nộp hồ sơ mới" in start.text and "Tờ khai đăng ký khai sinh" in start.text


def test_unknown_procedure_is_a_vietnamese_404(testapp):
    page = testapp.get("/thu-tuc/9.999999", status=404)
    assert "Không tìm thấy trang" in page.text
    assert '<html lang="vi">' in page.text
    testapp.get("/khong-co-trang-nay", status=404)


def test_agency_pages_list_the_procedures_they_handle(testapp):
    ward = testapp.get("/co-quan/H56.01.P05")
    assert "UBND phường Gia Sàng" in ward.text
    assert "Đăng ký khai sinh" in ward.text  # a commune procedure with no explicit agencies
    police = testapp.get("/co-quan/H56.01.CA", params={"per_page": 100})
    names = [a.text for a in police.html.select(".procedure-name")]
    assert len(names) == 8
    assert "Đăng ký khai sinh" not in names
    testapp.get("/co-quan/KHONG-CO", status=404)


def test_every_agency_has_a_page(testapp, dbsession):
    codes = dbsession.scalars(select(Agency.code)).all()
    assert len(codes) == 48
    agencies_page = testapp.get("/co-quan")
    for code in codes:
        assert agencies_page.html.find("a", href=f"/co-quan/{code}") is not None
    for code in codes[:5] + codes[-3:]:
        testapp.get(f"/co-quan/{code}")


def test_sector_page_lists_its_procedures(testapp):
    page = testapp.get("/linh-vuc/HT", params={"per_page": 100})
    assert "Lĩnh vực: Hộ tịch" in page.text
    names = [a.text for a in page.html.select(".procedure-name")]
    assert "Đăng ký khai sinh" in names
    testapp.get("/linh-vuc/XYZ", status=404)
    assert testapp.get("/linh-vuc").html.find("a", href="/linh-vuc/HT")


def test_the_page_is_printable(testapp):
    page = testapp.get("/thu-tuc/1.001193")
    assert page.html.find("link", media="print") is not None


def test_home_page_gives_the_one_stop_phone_and_the_data_note(testapp):
    page = testapp.get("/")
    assert "Cần hỗ trợ? Gọi Bộ phận tiếp nhận và trả kết quả của UBND thành phố Thái Nguyên" in page.text
    assert page.html.find("a", href="tel:02083855515") is not None
    assert "Dữ liệu minh họa (demo)" in page.text


def test_the_demo_note_is_vietnamese_on_the_vietnamese_page(testapp):
    import re

    from tests.factories import demo_document

    note = demo_document()["note"]
    # every sentence of the note the home page shows is Vietnamese (has a letter only Vietnamese uses)
    sentences = [s for s in re.split(r"(?<=[.;])\s+", note) if s]
    assert sentences and all(re.search("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", s.lower())
                             for s in sentences), sentences
    assert note in testapp.get("/").text


def test_responses_carry_security_headers(testapp):
    for _ in range(3):  # also when served from the page cache
        response = testapp.get("/thu-tuc/1.001193")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_home_page_title_is_plain_text_and_the_note_is_in_the_page(testapp):
    page = testapp.get("/")
    assert plain_title(page) == "Trang chủ – Cổng Dịch vụ công thành phố Thái Nguyên"
    notes = page.html.select("aside.catalogue-note")
    assert len(notes) == 1 and notes[0].find_parent("main") is not None


@pytest.mark.parametrize("path", ["/thu-tuc/1.001193", "/thu-tuc", "/tim-kiem?q=khai+sinh", "/co-quan", "/tin-tuc",
                                  "/dang-nhap", "/tra-cuu-ho-so"])
def test_page_titles_are_plain_text(testapp, path):
    assert plain_title(testapp.get(path)).endswith(" – Cổng Dịch vụ công thành phố Thái Nguyên")


@pytest.mark.parametrize("code", ["1.001193", "2.000806"])
def test_procedure_tables_label_every_cell_for_phones(testapp, code):
    page = testapp.get(f"/thu-tuc/{code}")
    assert_tables_stack(page)
    assert {" ".join(table["class"]) for table in page.html.select("main table")} >= {
        "stacked channels", "stacked papers", "stacked legal"}


def test_procedure_steps_are_numbered_once(testapp):
    page = testapp.get("/thu-tuc/1.001193")
    steps = page.html.select_one("#steps-h").find_next("ol")
    assert steps["class"] == ["procedure-steps"]  # numbered by the list, nothing else
    assert steps.find_parent(class_="step-indicator") is None



def test_steps_written_with_their_own_numbers_are_not_numbered_again(testapp, dbsession):
    steps = ["Bước 1: Nộp hồ sơ tại Bộ phận một cửa", "Bước 2: Nhận kết quả"]
    exchange.import_catalog(dbsession, document(procedures=[procedure_entry(steps=steps)]))
    page = testapp.get("/thu-tuc/1.999001")
    ol = page.html.select_one("#steps-h").find_next("ol")
    assert ol["class"] == ["procedure-steps", "numbered-in-text"]
    assert [li.text for li in ol.find_all("li")] == steps  # the text as disclosed, its numbers shown alone
