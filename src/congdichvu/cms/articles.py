"""Pages and news: sanitised rich text, the same workflow as procedures,
scheduled publishing, comments held for moderation."""
from datetime import datetime, timedelta, timezone

import nh3
from sqlalchemy import delete, func, or_, select

from ..accounts.services import record
from ..ratelimit import RateLimit
from .models import (  # noqa: F401
    DRAFT,
    NEWS,
    PENDING,
    PUBLISHED,
    WORKING,
    Article,
    ArticleRedirect,
    ArticleRevision,
    Comment,
)
from .workflow import retire, step

#: what rich text may hold; everything else (scripts, event handlers,
#: javascript: links, styles) is removed before it is stored
TAGS = {"p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "h2", "h3", "h4", "blockquote",
        "a", "table", "thead", "tbody", "tr", "th", "td", "img"}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}, "th": {"scope"}}
#: comments one address may send in an hour (robots fill the honeypot)
COMMENTS_PER_ADDRESS = RateLimit("comment.address", 5, timedelta(hours=1))


def clean(html):
    return nh3.clean(html or "", tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer")


def _now():
    return datetime.now(timezone.utc)


#: what a revision holds besides where and from when it is shown
CONTENT = ("title", "lead", "body", "image", "image_alt", "category")


class AddressTaken(Exception):
    """Another page or article has the address a revision asks for."""


def address_taken(dbsession, slug, article=None):
    """Whether an article other than ``article`` has the address ``slug``
    (published or kept for an article not published yet)."""
    query = select(Article.id).where(Article.slug == slug)
    if article is not None and article.id is not None:
        query = query.where(Article.id != article.id)
    return dbsession.scalar(query.limit(1)) is not None


def create(dbsession, kind, slug, user):
    """A new, unpublished article keeping the address ``slug``. Two editors
    racing for one address: the second flush fails on the unique address,
    and the request, tried again, finds it taken."""
    now = _now()
    article = Article(kind=kind, slug=slug, status=DRAFT, author=user.username, created_at=now, updated_at=now)
    dbsession.add(article)
    dbsession.flush()
    return article


def working_revision(dbsession, article):
    return dbsession.scalar(
        select(ArticleRevision)
        .where(ArticleRevision.article_id == article.id, ArticleRevision.state.in_(WORKING))
        .order_by(ArticleRevision.number.desc())
        .limit(1)
    )


def numbered_revision(dbsession, article, number):
    """The revision ``number`` of ``article`` (whatever its state), or None."""
    return dbsession.scalar(select(ArticleRevision).where(
        ArticleRevision.article_id == article.id, ArticleRevision.number == number))


def _instant(text):
    """The aware instant a revision stored as ISO 8601 text, or None."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return moment if moment.utcoffset() is not None else None


def proposed(article, data):
    """(slug, publish_at) a revision's ``data`` asks for; a revision saved
    before revisions held them asks for the article's own."""
    slug = data.get("slug") or article.slug
    publish_at = _instant(data["publish_at"]) if "publish_at" in data else article.publish_at
    return slug, publish_at


def current_data(dbsession, article):
    """What an editor starts from: the working revision, else what is
    published; with the address (``slug``) and ``publish_at`` (aware or
    None) it asks for."""
    working = working_revision(dbsession, article)
    data = dict(working.data) if working is not None else dict(article.published or {})
    content = {name: data.get(name) for name in CONTENT}
    content["slug"], content["publish_at"] = proposed(article, data)
    return content


def save(dbsession, article, data, user, comment=None):
    """A new draft revision of ``article``: its content, and the address
    (``data["slug"]``) and publish time (``data["publish_at"]``, aware or
    None: as soon as approved) the public gets when it is published.

    What the public sees does not change: an editor cannot move or hide a
    published article without review. An article never published keeps the
    address its latest draft asks for, so no other one can take it."""
    publish_at = data.get("publish_at")
    stored = {name: data.get(name) for name in CONTENT}
    stored.update(body=clean(data.get("body")), slug=data["slug"],
                  publish_at=publish_at.astimezone(timezone.utc).isoformat() if publish_at else None)
    # the article's row first: two saves of one article take turns on it,
    # and the second counts its revision after the first has committed
    if article.status != PUBLISHED:
        article.slug = data["slug"]
    article.updated_at = _now()
    dbsession.flush()
    retire(dbsession, ArticleRevision, ArticleRevision.article_id == article.id, WORKING)
    number = (dbsession.scalar(select(func.max(ArticleRevision.number)).where(
        ArticleRevision.article_id == article.id)) or 0) + 1
    revision = ArticleRevision(article_id=article.id, number=number, state=DRAFT, data=stored,
                               author=user.username, created_at=_now(), comment=comment)
    dbsession.add(revision)
    dbsession.flush()
    record(dbsession, f"{article.kind}.saved", actor=user, target=article.slug, details={"revision": number})
    return revision


def submit(dbsession, article, revision, user):
    step(dbsession, revision, DRAFT, PENDING)
    record(dbsession, f"{article.kind}.submitted", actor=user, target=article.slug)


def _publish_time(article, asked, now):
    """When the public sees it: the time the revision asks for; none asked,
    as soon as it is published, but an article already out keeps its date
    (a corrected typo does not make old news new)."""
    if asked is not None:
        return asked
    if article.status == PUBLISHED and article.publish_at is not None and article.publish_at <= now:
        return article.publish_at
    return now


def _move(dbsession, article, slug):
    """Publish ``article`` at the address ``slug``; a published article's
    old address leads to the new one from now on.

    An address kept only as a redirect is free for any article to take
    (until that one is published, the redirect still leads where it did):
    published there, the article replaces the redirect, be it another
    article's or its own from before (A → B → A), so an address never leads
    away from what is published at it, or to itself. The redirect from the
    address the article leaves replaces any there (older data may hold one)."""
    dbsession.execute(delete(ArticleRedirect).where(ArticleRedirect.slug == slug))
    if slug != article.slug and article.status == PUBLISHED:
        dbsession.execute(delete(ArticleRedirect).where(ArticleRedirect.slug == article.slug))
        dbsession.add(ArticleRedirect(slug=article.slug, article_id=article.id))
    article.slug = slug


def publish(dbsession, article, revision, user):
    """Show ``revision`` to the public: its content, at its address, from
    its publish time. Raises WorkflowError unless it awaits review, and
    AddressTaken when another article has taken its address meanwhile
    (nothing changes then)."""
    slug, publish_at = proposed(article, revision.data)
    if address_taken(dbsession, slug, article):
        raise AddressTaken(slug)
    step(dbsession, revision, PENDING, PUBLISHED)
    retire(dbsession, ArticleRevision, ArticleRevision.article_id == article.id, (PUBLISHED,), keep=revision)
    now = _now()
    article.publish_at = _publish_time(article, publish_at, now)
    _move(dbsession, article, slug)
    article.published = {name: revision.data.get(name) for name in CONTENT}
    article.status = PUBLISHED
    article.updated_at = now
    dbsession.flush()
    record(dbsession, f"{article.kind}.published", actor=user, target=article.slug)


def send_back(dbsession, article, revision, user, comment):
    step(dbsession, revision, PENDING, DRAFT, comment=comment)
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


def moved(dbsession, kind, slug):
    """The visible article of ``kind`` that had the address ``slug`` before
    a revision moved it, or None."""
    return dbsession.scalar(visible(select(Article).join(ArticleRedirect, ArticleRedirect.article_id == Article.id)
                                    .where(Article.kind == kind, ArticleRedirect.slug == slug)))


class TooManyComments(Exception):
    pass


def add_comment(dbsession, article, name, email, text, address):
    """A comment held for moderation; TooManyComments past the address's
    limit (counted by one atomic upsert: comments sent at once from one
    address cannot all pass a count made before any was stored)."""
    if not COMMENTS_PER_ADDRESS.hit(dbsession, address):
        raise TooManyComments()
    comment = Comment(article_id=article.id, name=name.strip()[:100], email=email.strip()[:255],
                      text=text.strip()[:4000], state="pending", address=address, created_at=_now())
    dbsession.add(comment)
    return comment


def approved_comments(dbsession, article):
    return list(dbsession.scalars(select(Comment).where(
        Comment.article_id == article.id, Comment.state == "approved").order_by(Comment.created_at)))


def decide(dbsession, comment, approve, user):
    """Approve or reject a pending comment; WorkflowError when another
    editor has decided it first."""
    step(dbsession, comment, "pending", "approved" if approve else "rejected", decided_by=user.username)
    record(dbsession, "comment.approved" if approve else "comment.rejected", actor=user, target=str(comment.id))
