"""Pages and news: sanitised rich text, the same workflow as procedures,
scheduled publishing, comments held for moderation."""
from datetime import datetime, timedelta, timezone

import nh3
from sqlalchemy import func, or_, select

from ..accounts.services import record
from .models import DRAFT, HISTORIC, NEWS, PENDING, PUBLISHED, WORKING, Article, ArticleRevision, Comment  # noqa: F401
from .workflow import WorkflowError

#: what rich text may hold; everything else (scripts, event handlers,
#: javascript: links, styles) is removed before it is stored
TAGS = {"p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "h2", "h3", "h4", "blockquote",
        "a", "table", "thead", "tbody", "tr", "th", "td", "img"}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}, "th": {"scope"}}
COMMENTS_PER_ADDRESS_PER_HOUR = 5


def clean(html):
    return nh3.clean(html or "", tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer")


def _now():
    return datetime.now(timezone.utc)


def working_revision(dbsession, article):
    return dbsession.scalar(
        select(ArticleRevision)
        .where(ArticleRevision.article_id == article.id, ArticleRevision.state.in_(WORKING))
        .order_by(ArticleRevision.number.desc())
        .limit(1)
    )


def current_data(dbsession, article):
    working = working_revision(dbsession, article)
    return dict(working.data) if working is not None else dict(article.published or {})


def save(dbsession, article, data, user, comment=None):
    data = dict(data, body=clean(data.get("body")))
    for older in dbsession.scalars(
        select(ArticleRevision).where(ArticleRevision.article_id == article.id, ArticleRevision.state.in_(WORKING))
    ):
        older.state = HISTORIC
    number = (dbsession.scalar(select(func.max(ArticleRevision.number)).where(
        ArticleRevision.article_id == article.id)) or 0) + 1
    revision = ArticleRevision(article_id=article.id, number=number, state=DRAFT, data=data,
                               author=user.username, created_at=_now(), comment=comment)
    dbsession.add(revision)
    article.updated_at = _now()
    dbsession.flush()
    record(dbsession, f"{article.kind}.saved", actor=user, target=article.slug, details={"revision": number})
    return revision


def submit(dbsession, article, revision, user):
    if revision.state != DRAFT:
        raise WorkflowError(revision.state)
    revision.state = PENDING
    record(dbsession, f"{article.kind}.submitted", actor=user, target=article.slug)


def publish(dbsession, article, revision, user, publish_at=None):
    if revision.state != PENDING:
        raise WorkflowError(revision.state)
    for older in dbsession.scalars(select(ArticleRevision).where(
            ArticleRevision.article_id == article.id, ArticleRevision.state == PUBLISHED)):
        older.state = HISTORIC
    revision.state = PUBLISHED
    article.published = dict(revision.data)
    article.status = PUBLISHED
    article.publish_at = publish_at or article.publish_at or _now()
    article.updated_at = _now()
    record(dbsession, f"{article.kind}.published", actor=user, target=article.slug)


def send_back(dbsession, article, revision, user, comment):
    if revision.state != PENDING:
        raise WorkflowError(revision.state)
    revision.state, revision.comment = DRAFT, comment
    record(dbsession, f"{article.kind}.sent_back", actor=user, target=article.slug, note=comment)


def visible(query, now=None):
    """Only what the public may see: published, and due."""
    now = now or _now()
    return query.where(Article.status == PUBLISHED, or_(Article.publish_at.is_(None), Article.publish_at <= now))


def news(dbsession, limit=20):
    return list(dbsession.scalars(visible(select(Article).where(Article.kind == NEWS))
                                  .order_by(Article.publish_at.desc()).limit(limit)))


def public(dbsession, kind, slug):
    return dbsession.scalar(visible(select(Article).where(Article.kind == kind, Article.slug == slug)))


class TooManyComments(Exception):
    pass


def add_comment(dbsession, article, name, email, text, address):
    recent = dbsession.scalar(select(func.count(Comment.id)).where(
        Comment.address == address, Comment.created_at >= _now() - timedelta(hours=1)))
    if recent >= COMMENTS_PER_ADDRESS_PER_HOUR:
        raise TooManyComments()
    comment = Comment(article_id=article.id, name=name.strip()[:100], email=email.strip()[:255],
                      text=text.strip()[:4000], state="pending", address=address, created_at=_now())
    dbsession.add(comment)
    return comment


def approved_comments(dbsession, article):
    return list(dbsession.scalars(select(Comment).where(
        Comment.article_id == article.id, Comment.state == "approved").order_by(Comment.created_at)))


def decide(dbsession, comment, approve, user):
    comment.state = "approved" if approve else "rejected"
    comment.decided_by = user.username
    record(dbsession, "comment.approved" if approve else "comment.rejected", actor=user, target=str(comment.id))
