"""Pages and news: sanitised, reviewed, scheduled; comments moderated."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from congdichvu.cms.models import Article, ArticleRevision, Comment
from tests.factories import sign_in

HOSTILE = ('<p onclick="steal()">Giờ làm việc</p><script>alert(1)</script>'
           '<a href="javascript:alert(2)">bấm</a><img src="x" onerror="alert(3)" alt="ảnh"><style>p{}</style>')


def _write(testapp, kind, slug, title, body=HOSTILE, button="submit_for_review", **extra):
    form = testapp.get("/quan-tri/bai-viet/them", params={"kind": kind}).forms["deform"]
    form["title"], form["slug"], form["body"] = title, slug, body
    for name, value in extra.items():
        form[name] = value
    return form.submit(button)


def _publish(testapp, edit_url):
    sign_in(testapp, "reviewer")
    page = testapp.get(edit_url)
    publish = next(f for f in page.forms.values() if "action" in f.fields and f["action"].value == "publish")
    publish.submit()
    testapp.reset()


def test_a_page_is_private_until_published_and_hostile_html_is_removed(testapp, people):
    sign_in(testapp, "editor")
    saved = _write(testapp, "page", "gioi-thieu-mot-cua", "Giới thiệu Bộ phận một cửa")
    edit_url = saved.location.split("?")[0].replace("http://example.com", "")
    testapp.reset()
    testapp.get("/trang/gioi-thieu-mot-cua", status=404)
    _publish(testapp, edit_url)
    page = testapp.get("/trang/gioi-thieu-mot-cua")
    body = page.html.select_one(".article-body")
    assert "Giờ làm việc" in body.text
    html = str(body)
    assert "<script" not in html and "onclick" not in html and "onerror" not in html
    assert "javascript:" not in html and "<style" not in html


def test_the_form_calls_a_page_title_a_title(testapp, people):
    sign_in(testapp, "editor")
    form_page = testapp.get("/quan-tri/bai-viet/them", params={"kind": "news"})
    field = form_page.forms["deform"]["title"]
    assert form_page.html.find("label", attrs={"for": field.id}).text.strip().startswith("Tiêu đề")
    assert "Trích yếu" not in form_page.text  # the title of a legal document, not of a page


def test_an_image_needs_its_description(testapp, people):
    sign_in(testapp, "editor")
    page = _write(testapp, "news", "tin-co-anh", "Tin có ảnh", body="<p>Nội dung</p>", image="/static/img/emblem.svg")
    assert page.status_int == 200
    assert "Hãy mô tả hình ảnh" in page.text


def test_scheduled_news_appears_on_its_date(testapp, people):
    sign_in(testapp, "editor")
    tomorrow = (datetime.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    saved = _write(testapp, "news", "tin-ngay-mai", "Thông báo lịch nghỉ Tết", body="<p>Nghỉ Tết</p>",
                   publish_at=tomorrow)
    _publish(testapp, saved.location.split("?")[0].replace("http://example.com", ""))
    testapp.get("/tin-tuc/tin-ngay-mai", status=404)
    assert "Thông báo lịch nghỉ Tết" not in testapp.get("/tin-tuc").text


def test_a_scheduled_item_in_the_feed_was_updated_no_earlier_than_it_was_published(testapp, people, dbsession):
    """Written at 10:06, scheduled for 10:08: for a reader of the feed it
    changed when it appeared, not two minutes before."""
    import re

    sign_in(testapp, "editor")
    _publish(testapp, _edit_url(_write(testapp, "news", "tin-hen-truoc", "Tin hẹn trước", body="<p>x</p>")))
    article = dbsession.scalar(select(Article).where(Article.slug == "tin-hen-truoc"))
    now = datetime.now(timezone.utc).replace(microsecond=0)
    article.updated_at, article.publish_at = now - timedelta(minutes=3), now - timedelta(minutes=1)
    dbsession.flush()
    feed = testapp.get("/tin-tuc/atom.xml").text
    entry = feed[feed.index("<entry>"):]
    published = re.search(r"<published>(.*?)</published>", entry).group(1)
    assert re.search(r"<updated>(.*?)</updated>", entry).group(1) == published
    assert re.search(r"<updated>(.*?)</updated>", feed).group(1) == published  # the feed's own: its latest change


def test_news_list_feed_and_moderated_comments(testapp, people, dbsession):
    sign_in(testapp, "editor")
    saved = _write(testapp, "news", "cai-cach-thu-tuc", "Cải cách thủ tục hành chính năm 2026",
                   body="<p>Nội dung tin</p>", lead="Tóm tắt", category="Cải cách hành chính")
    _publish(testapp, saved.location.split("?")[0].replace("http://example.com", ""))
    listing = testapp.get("/tin-tuc")
    assert "Cải cách thủ tục hành chính năm 2026" in listing.text
    feed = testapp.get("/tin-tuc/atom.xml")
    assert feed.content_type == "application/atom+xml" and "cai-cach-thu-tuc" in feed.text
    article = testapp.get("/tin-tuc/cai-cach-thu-tuc")
    # the author by name, never by the login they sign in with
    assert "Người editor" in article.html.select_one(".meta").text and "<name>Người editor</name>" in feed.text
    assert "editor.test" not in article.text and "editor.test" not in feed.text
    form = article.forms["deform"]
    form["name"], form["email"], form["text"] = "Lê Văn Cường", "cuong@example.invalid", "<b>Rất</b> hữu ích <script>x()</script>"
    thanks = form.submit("submit")
    assert "sau khi biên tập viên" in thanks.text
    assert "Rất" not in testapp.get("/tin-tuc/cai-cach-thu-tuc").html.select_one(".comments").text.split("Ý kiến")[1][:40]
    # a robot fills the hidden field: thanked, nothing kept
    form = testapp.get("/tin-tuc/cai-cach-thu-tuc").forms["deform"]
    form["name"], form["email"], form["text"], form["website"] = "Bot", "bot@example.invalid", "mua ngay đi nào", "http://spam"
    form.submit("submit")
    assert dbsession.scalars(select(Comment.name)).all() == ["Lê Văn Cường"]
    sign_in(testapp, "editor")
    queue = testapp.get("/quan-tri/y-kien")
    approve = next(f for f in queue.forms.values() if "decision" in f.fields and f["decision"].value == "approve")
    approve.submit()
    testapp.reset()
    shown = testapp.get("/tin-tuc/cai-cach-thu-tuc")
    assert "Lê Văn Cường" in shown.text
    assert "<script>x()</script>" not in shown.text  # shown as text, escaped


def test_comments_are_rate_limited(testapp, people, dbsession):
    sign_in(testapp, "editor")
    saved = _write(testapp, "news", "tin-binh-luan", "Tin để bình luận", body="<p>x</p>")
    _publish(testapp, saved.location.split("?")[0].replace("http://example.com", ""))
    for number in range(6):
        form = testapp.get("/tin-tuc/tin-binh-luan").forms["deform"]
        form["name"], form["email"], form["text"] = f"Người {number}", "a@example.invalid", "Ý kiến đóng góp"
        response = form.submit("submit", expect_errors=True)
    assert response.status_int == 429 and "nhiều ý kiến" in response.text


def test_a_publish_time_typed_in_local_time_is_kept_and_shown_as_typed(testapp, people, dbsession):
    sign_in(testapp, "editor")
    # the city's wall clock (here as a datetime-local field sends it): 08:00 in Thái Nguyên is 01:00 UTC
    saved = _write(testapp, "news", "lich-tiep-dan", "Lịch tiếp công dân tháng 3", body="<p>Lịch</p>",
                   publish_at="2026-03-02T08:00")
    edit_url = saved.location.split("?")[0].replace("http://example.com", "")
    _publish(testapp, edit_url)
    dbsession.flush()
    dbsession.expire_all()  # read back from the database, not from the session's memory
    article = dbsession.scalar(select(Article).where(Article.slug == "lich-tiep-dan"))
    assert article.publish_at == datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
    page = testapp.get("/tin-tuc/lich-tiep-dan")
    assert "02/03/2026 08:00" in page.html.select_one(".meta").text
    assert page.html.select_one(".meta time")["datetime"] == "2026-03-02T08:00:00+07:00"
    feed = testapp.get("/tin-tuc/atom.xml").text
    assert "<published>2026-03-02T08:00:00+07:00</published>" in feed
    sign_in(testapp, "editor")
    assert testapp.get(edit_url).forms["deform"]["publish_at"].value == "02/03/2026 08:00"  # as Vietnamese write it


def test_a_news_article_does_not_jump_to_its_comment_form(testapp, people):
    """No field is autofocused: a phone would open the article scrolled down
    to the comment form (the browser suite checks the page opens at its top)."""
    sign_in(testapp, "editor")
    saved = _write(testapp, "news", "tin-dai", "Thông báo lịch tiếp công dân", body="<p>Nội dung</p>" * 30)
    _publish(testapp, saved.location.split("?")[0].replace("http://example.com", ""))
    article = testapp.get("/tin-tuc/tin-dai")
    assert article.forms["deform"]["name"]  # the comment form is there
    assert article.html.find(autofocus=True) is None


def _edit_url(response):
    return response.location.split("?")[0].replace("http://example.com", "")


def _save_draft(testapp, edit_url, button="save", **changes):
    form = testapp.get(edit_url).forms["deform"]
    for name, value in changes.items():
        form[name] = value
    return form.submit(button)


def test_an_editor_cannot_move_or_hide_a_published_article_without_review(testapp, people, dbsession):
    """The break-test's finding: a draft with a new address and a publish
    time in 2099 took the article down at once (old and new address 404,
    gone from /tin-tuc). Both now wait in the revision for a reviewer."""
    sign_in(testapp, "editor")
    saved = _write(testapp, "news", "lich-cat-dien", "Lịch cắt điện tháng 4", body="<p>Lịch cắt điện</p>",
                   publish_at="2026-03-02T08:00")
    edit_url = _edit_url(saved)
    _publish(testapp, edit_url)
    sign_in(testapp, "editor")
    assert _save_draft(testapp, edit_url, slug="da-chuyen-di", publish_at="2099-01-01T00:00").status_int == 302
    testapp.reset()
    page = testapp.get("/tin-tuc/lich-cat-dien")
    assert "Lịch cắt điện" in page.text and "02/03/2026 08:00" in page.html.select_one(".meta").text
    testapp.get("/tin-tuc/da-chuyen-di", status=404)
    assert "Lịch cắt điện tháng 4" in testapp.get("/tin-tuc").text
    dbsession.expire_all()
    article = dbsession.scalar(select(Article).where(Article.slug == "lich-cat-dien"))
    assert article.publish_at == datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
    # the editor and the reviewer see what the draft asks for, and what publishing would change
    sign_in(testapp, "reviewer")
    page = testapp.get(edit_url)
    assert page.forms["deform"]["slug"].value == "da-chuyen-di"
    assert page.forms["deform"]["publish_at"].value == "01/01/2099 00:00"
    notes = " ".join(note.text for note in page.html.select("p.note"))
    assert "lich-cat-dien" in notes and "da-chuyen-di" in notes and "01/01/2099 00:00" in notes


def test_publishing_applies_the_address_and_time_and_the_old_address_leads_to_the_new(testapp, people, dbsession):
    sign_in(testapp, "editor")
    edit_url = _edit_url(_write(testapp, "page", "gio-lam-viec", "Giờ làm việc", body="<p>Từ 7 giờ</p>"))
    _publish(testapp, edit_url)
    sign_in(testapp, "editor")
    _save_draft(testapp, edit_url, "submit_for_review", slug="gio-tiep-dan", title="Giờ tiếp dân",
                publish_at="2026-01-15T09:30")
    _publish(testapp, edit_url)
    page = testapp.get("/trang/gio-tiep-dan")
    assert "Giờ tiếp dân" in page.text
    moved = testapp.get("/trang/gio-lam-viec", status=301)
    assert moved.location == "http://example.com/trang/gio-tiep-dan"
    testapp.get("/tin-tuc/gio-lam-viec", status=404)  # a page's old address is no news address
    dbsession.expire_all()
    article = dbsession.scalar(select(Article).where(Article.slug == "gio-tiep-dan"))
    assert article.publish_at == datetime(2026, 1, 15, 2, 30, tzinfo=timezone.utc)
    # scheduled in the future by a published revision: hidden until then, as a reviewer decided
    sign_in(testapp, "editor")
    _save_draft(testapp, edit_url, "submit_for_review", publish_at="2099-01-01T00:00")
    _publish(testapp, edit_url)
    testapp.get("/trang/gio-tiep-dan", status=404)
    testapp.get("/trang/gio-lam-viec", status=404)  # nothing visible to lead to either


def test_an_old_address_taken_by_another_article_is_that_article_s(testapp, people):
    sign_in(testapp, "editor")
    first = _edit_url(_write(testapp, "news", "tin-cu", "Tin cũ", body="<p>Cũ</p>"))
    _publish(testapp, first)
    sign_in(testapp, "editor")
    _save_draft(testapp, first, "submit_for_review", slug="tin-cu-da-sua")
    _publish(testapp, first)
    assert testapp.get("/tin-tuc/tin-cu", status=301).location.endswith("/tin-tuc/tin-cu-da-sua")
    sign_in(testapp, "editor")
    second = _edit_url(_write(testapp, "news", "tin-cu", "Tin mới ở địa chỉ cũ", body="<p>Mới</p>"))
    _publish(testapp, second)
    assert "Tin mới ở địa chỉ cũ" in testapp.get("/tin-tuc/tin-cu").text


def test_an_address_taken_before_publishing_is_said_and_nothing_changes(testapp, people, dbsession):
    sign_in(testapp, "editor")
    first = _edit_url(_write(testapp, "page", "trang-mot", "Trang một", body="<p>Một</p>"))
    _publish(testapp, first)
    sign_in(testapp, "editor")
    _save_draft(testapp, first, "submit_for_review", slug="trang-hai", title="Trang một, sửa")
    # meanwhile another page takes the address: saving it is refused with a field error...
    refused = _write(testapp, "page", "trang-mot", "Trang khác", body="<p>Khác</p>")
    assert refused.status_int == 200
    assert "đã có trang hoặc bài viết" in refused.html.select_one("p[id^=error-]").text.lower()
    second = _edit_url(_write(testapp, "page", "trang-hai", "Trang hai", body="<p>Hai</p>"))
    _publish(testapp, second)
    # ...and publishing the first one's move says why it cannot
    sign_in(testapp, "reviewer")
    page = testapp.get(first)
    publish = next(f for f in page.forms.values() if "action" in f.fields and f["action"].value == "publish")
    answer = publish.submit().follow()
    assert "Chưa xuất bản" in answer.html.select_one("[role=alert]").text
    testapp.reset()
    assert "Trang một" in testapp.get("/trang/trang-mot").text and "sửa" not in testapp.get("/trang/trang-mot").text
    assert "Trang hai" in testapp.get("/trang/trang-hai").text


def test_a_revision_saved_before_revisions_held_the_address_keeps_the_article_s(testapp, people, dbsession):
    from congdichvu.cms import articles
    from congdichvu.cms.models import ArticleRevision

    sign_in(testapp, "editor")
    edit_url = _edit_url(_write(testapp, "news", "tin-truoc-day", "Tin trước đây", body="<p>x</p>",
                                publish_at="2026-02-01T10:00"))
    _publish(testapp, edit_url)
    article = dbsession.scalar(select(Article).where(Article.slug == "tin-truoc-day"))
    old = ArticleRevision(article_id=article.id, number=99, state="pending", author="editor.test",
                          data={"title": "Tin trước đây, sửa", "lead": None, "body": "<p>y</p>", "image": None,
                                "image_alt": None, "category": None},
                          created_at=datetime.now(timezone.utc))
    dbsession.add(old)
    dbsession.flush()
    assert articles.current_data(dbsession, article)["slug"] == "tin-truoc-day"
    articles.publish(dbsession, article, old, people["reviewer"])
    assert article.slug == "tin-truoc-day"
    assert article.publish_at == datetime(2026, 2, 1, 3, 0, tzinfo=timezone.utc)
    assert article.published["title"] == "Tin trước đây, sửa"


@pytest.mark.parametrize("typed,message", [
    ("1999-12-31T23:59", "từ năm 2000 đến năm 2100"), ("31/12/1999 23:59", "từ năm 2000 đến năm 2100"),
    ("2101-01-01T00:00", "từ năm 2000 đến năm 2100"),
    # years no date typed on a form may have, and a time with an offset: not a wall clock
    ("0001-01-01T00:00", "ví dụ 31/12/2026 08:00"), ("9999-12-31T20:00:00+00:00", "ví dụ 31/12/2026 08:00"),
])
def test_a_publish_time_out_of_range_is_a_field_error(testapp, people, dbsession, typed, message):
    sign_in(testapp, "editor")
    page = _write(testapp, "news", "tin-ngoai-khoang", "Tin ngoài khoảng", body="<p>x</p>", publish_at=typed)
    assert page.status_int == 200
    error = page.html.select_one("p[id^=error-]").text
    assert message in error
    assert dbsession.scalar(select(Article).where(Article.slug == "tin-ngoai-khoang")) is None


@pytest.mark.parametrize("typed", ["30/11/2026 09:30", "30-11-2026 9h30", "2026-11-30T09:30", "30.11.2026 09:30"])
def test_a_publish_time_is_typed_as_vietnamese_write_it_in_the_citys_time(testapp, people, dbsession, typed):
    sign_in(testapp, "editor")
    saved = _write(testapp, "news", "tin-hen-gio", "Tin hẹn giờ", body="<p>x</p>", publish_at=typed)
    assert saved.status_int == 302
    page = testapp.get(_edit_url(saved))
    assert page.forms["deform"]["publish_at"].value == "30/11/2026 09:30"
    revision = dbsession.scalar(select(ArticleRevision).join(Article, Article.id == ArticleRevision.article_id)
                                .where(Article.slug == "tin-hen-gio"))
    assert revision.data["publish_at"] == "2026-11-30T02:30:00+00:00"  # stored UTC


@pytest.mark.parametrize("typed,message", [
    ("31/11/2026 09:30", "Ngày 31/11/2026 không có trên lịch"),
    ("30/11/2026", "Nhập theo dạng ngày/tháng/năm giờ:phút, ví dụ 31/12/2026 08:00"),
    ("ngày mai 9 giờ", "Nhập theo dạng ngày/tháng/năm giờ:phút, ví dụ 31/12/2026 08:00"),
])
def test_a_publish_time_that_cannot_be_read_says_why(testapp, people, dbsession, typed, message):
    sign_in(testapp, "editor")
    page = _write(testapp, "news", "tin-sai-gio", "Tin sai giờ", body="<p>x</p>", publish_at=typed)
    assert page.status_int == 200
    assert message in page.html.select_one("p[id^=error-]").text
    assert page.forms["deform"]["publish_at"].value == typed  # what was typed stays, to be mended


def test_an_out_of_range_time_from_older_data_does_not_break_the_edit_page(testapp, people, dbsession):
    sign_in(testapp, "editor")
    edit_url = _edit_url(_write(testapp, "news", "tin-nam-9999", "Tin năm 9999", body="<p>x</p>"))
    _publish(testapp, edit_url)
    article = dbsession.scalar(select(Article).where(Article.slug == "tin-nam-9999"))
    article.publish_at = datetime(9999, 12, 31, 20, 0, tzinfo=timezone.utc)  # as the old code saved it
    dbsession.flush()
    sign_in(testapp, "editor")
    page = testapp.get(edit_url)
    assert page.forms["deform"]["publish_at"].value == ""  # no wall clock to show: set it again
    assert _save_draft(testapp, edit_url, "submit_for_review").status_int == 302
    assert testapp.get(edit_url).status_int == 200
    _publish(testapp, edit_url)  # left empty: shown as soon as published
    assert "Tin năm 9999" in testapp.get("/tin-tuc/tin-nam-9999").text


# -- a review step that comes second ------------------------------------------------

TAKEN = "Đã có người khác làm bước này hoặc thay đổi nội dung này trước bạn"


def _review_form(page, action):
    return next(f for f in page.forms.values() if "action" in f.fields and f["action"].value == action)


def _another_browser(testapp, role):
    import webtest

    browser = webtest.TestApp(testapp.app, extra_environ=testapp.extra_environ)
    sign_in(browser, role)
    return browser


def _events(dbsession, action):
    from congdichvu.accounts.models import AuditEvent

    return dbsession.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_a_reviewer_publishes_the_revision_shown_never_one_saved_meanwhile(testapp, people, dbsession):
    """The reviewer read revision 1; the editor then saved and sent revision
    2: publishing from the page showing 1 must not publish 2 unread."""
    sign_in(testapp, "editor")
    edit_url = _edit_url(_write(testapp, "page", "thu-tuc-moi", "Thủ tục mới", body="<p>Đã duyệt</p>"))
    reviewer = _another_browser(testapp, "reviewer")
    page = reviewer.get(edit_url)
    publish, send_back = _review_form(page, "publish"), _review_form(page, "send_back")
    _save_draft(testapp, edit_url, "submit_for_review", body="<p>Chưa ai đọc</p>")
    assert TAKEN in publish.submit(status=409).html.select_one("[role=alert]").text
    testapp.reset()
    testapp.get("/trang/thu-tuc-moi", status=404)
    send_back["comment"] = "Thiếu giờ làm việc"
    refused = send_back.submit(status=409)
    assert "Thiếu giờ làm việc" in refused.html.select_one("blockquote.unsaved").text
    # the page now shows revision 2, which can be published once read
    assert _review_form(reviewer.get(edit_url), "publish").submit().status_int == 302
    assert "Chưa ai đọc" in testapp.get("/trang/thu-tuc-moi").text


def test_a_publish_sent_twice_publishes_once(testapp, people, dbsession):
    sign_in(testapp, "editor")
    edit_url = _edit_url(_write(testapp, "news", "tin-bam-hai-lan", "Tin bấm hai lần", body="<p>x</p>"))
    sign_in(testapp, "reviewer")
    publish = _review_form(testapp.get(edit_url), "publish")
    assert publish.submit().status_int == 302
    publish.submit(status=409)
    assert len(_events(dbsession, "news.published")) == 1


def test_a_comment_decided_by_two_editors_is_decided_once(testapp, people, dbsession):
    sign_in(testapp, "editor")
    _publish(testapp, _edit_url(_write(testapp, "news", "tin-y-kien", "Tin có ý kiến", body="<p>x</p>")))
    form = testapp.get("/tin-tuc/tin-y-kien").forms["deform"]
    form["name"], form["email"], form["text"] = "Trần Thị Bình", "binh@example.invalid", "Cảm ơn thông tin"
    form.submit("submit")
    sign_in(testapp, "editor")
    other = _another_browser(testapp, "editor")
    approve = _review_form_decision(testapp.get("/quan-tri/y-kien"), "approve")
    reject = _review_form_decision(other.get("/quan-tri/y-kien"), "reject")
    assert approve.submit().status_int == 302
    assert TAKEN in reject.submit(status=409).text
    assert dbsession.scalars(select(Comment.state)).all() == ["approved"]
    assert len(_events(dbsession, "comment.approved")) == 1 and not _events(dbsession, "comment.rejected")


def _review_form_decision(page, decision):
    return next(f for f in page.forms.values() if "decision" in f.fields and f["decision"].value == decision)


# -- old addresses --------------------------------------------------------------------


def _move(testapp, edit_url, slug):
    sign_in(testapp, "editor")
    assert _save_draft(testapp, edit_url, "submit_for_review", slug=slug).status_int == 302
    _publish(testapp, edit_url)


def _redirects(dbsession):
    from congdichvu.cms.models import ArticleRedirect

    dbsession.expire_all()
    return {row.slug: dbsession.get(Article, row.article_id).slug for row in dbsession.scalars(select(ArticleRedirect))}


def test_an_article_moved_away_and_back_never_leads_to_itself(testapp, people, dbsession):
    sign_in(testapp, "editor")
    edit_url = _edit_url(_write(testapp, "page", "dia-chi-a", "Trang đi và về", body="<p>x</p>"))
    _publish(testapp, edit_url)
    _move(testapp, edit_url, "dia-chi-b")
    assert testapp.get("/trang/dia-chi-a", status=301).location.endswith("/trang/dia-chi-b")
    _move(testapp, edit_url, "dia-chi-a")
    assert "Trang đi và về" in testapp.get("/trang/dia-chi-a").text
    assert testapp.get("/trang/dia-chi-b", status=301).location.endswith("/trang/dia-chi-a")
    _move(testapp, edit_url, "dia-chi-b")
    assert "Trang đi và về" in testapp.get("/trang/dia-chi-b").text
    assert testapp.get("/trang/dia-chi-a", status=301).location.endswith("/trang/dia-chi-b")
    assert _redirects(dbsession) == {"dia-chi-a": "dia-chi-b"}


def test_a_new_article_takes_an_address_that_is_only_a_redirect_and_can_move_on(testapp, people, dbsession):
    sign_in(testapp, "editor")
    first = _edit_url(_write(testapp, "news", "tin-goc", "Tin gốc", body="<p>Gốc</p>"))
    _publish(testapp, first)
    _move(testapp, first, "tin-goc-da-doi")
    sign_in(testapp, "editor")
    second = _edit_url(_write(testapp, "news", "tin-goc", "Tin mới ở địa chỉ cũ", body="<p>Mới</p>"))
    testapp.reset()  # until the new one is published, the old address still leads to the first
    assert testapp.get("/tin-tuc/tin-goc", status=301).location.endswith("/tin-tuc/tin-goc-da-doi")
    _publish(testapp, second)
    assert "Tin mới ở địa chỉ cũ" in testapp.get("/tin-tuc/tin-goc").text
    # the address is the second's now: when it moves on, its old address leads to it
    _move(testapp, second, "tin-moi-da-doi")
    assert testapp.get("/tin-tuc/tin-goc", status=301).location.endswith("/tin-tuc/tin-moi-da-doi")
    assert "Tin gốc" in testapp.get("/tin-tuc/tin-goc-da-doi").text
    # and the first may take its old address back
    _move(testapp, first, "tin-goc")
    assert "Tin gốc" in testapp.get("/tin-tuc/tin-goc").text
    redirects = _redirects(dbsession)
    assert redirects == {"tin-goc-da-doi": "tin-goc"} and all(slug != target for slug, target in redirects.items())
