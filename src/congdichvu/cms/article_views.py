"""Pages and news: editing (staff), reading and commenting (public)."""
import deform
from pyramid.httpexceptions import HTTPBadRequest, HTTPFound, HTTPMovedPermanently, HTTPNotFound
from pyramid.renderers import render_to_response
from pyramid.view import view_config
from sqlalchemy import select

from ..accounts.audit import full_names
from ..forms import make_form, parse_controls, require_form
from ..i18n import _
from ..i18n.formatting import format_datetime, from_local, to_local
from ..inputs import MAX_ID, id_or_404, parse_int
from ..pagecache import mark_cacheable
from ..security import Permissions, client_address
from . import articles
from .models import NEWS, PAGE, PUBLISHED, Article, ArticleRevision, Comment
from .schemas import ArticleSchema, CommentSchema, as_form_values, field_failure
from .workflow import MAX_NOTE, NOTE_TOO_LONG, TAKEN, WorkflowError, note


@view_config(route_name="cms_articles", renderer="cms/articles.jinja2", permission=Permissions.EDIT_CATALOG)
def article_list(request):
    items = list(request.dbsession.scalars(select(Article).order_by(Article.kind, Article.updated_at.desc())))
    working = {r.article_id: r for r in request.dbsession.scalars(
        select(ArticleRevision).where(ArticleRevision.state.in_(("draft", "pending"))))}
    return {"articles": items, "working": working}


def _wall_clock(moment):
    """The city's wall clock of ``moment`` for the form's datetime-local
    field, or None when there is none to show (older data may hold an
    instant, such as 9999-12-31 20:00 UTC, whose local time is past the
    year 9999: the field is then left empty to be set again)."""
    if moment is None:
        return None
    try:
        return to_local(moment).replace(tzinfo=None)
    except OverflowError:
        return None


def _to_appstruct(data):
    return as_form_values(dict(data, publish_at=_wall_clock(data.get("publish_at")), comment=None))


def _the_article(request):
    article = request.dbsession.get(Article, id_or_404(request.matchdict["id"]))
    if article is None:
        raise HTTPNotFound()
    return article


def _review_notes(article, data):
    """What publishing the working revision would change besides its
    content, said for the reviewer: the address, the publish time."""
    if article is None or article.status != PUBLISHED:
        return []
    notes = []
    if data["slug"] != article.slug:
        notes.append(_("When published, the address changes from ${old} to ${new}; the old address will lead to "
                       "the new one.", mapping={"old": article.slug, "new": data["slug"]}))
    if data["publish_at"] is not None and data["publish_at"] != article.publish_at:
        # the revision's own time passed the form's range check: it can be shown
        notes.append(_("When published, it is shown from ${time}.",
                       mapping={"time": format_datetime(data["publish_at"])}))
    return notes


@view_config(route_name="cms_article_edit", renderer="cms/article_edit.jinja2", permission=Permissions.EDIT_CATALOG)
@view_config(route_name="cms_article_new", renderer="cms/article_edit.jinja2", permission=Permissions.EDIT_CATALOG)
def article_edit(request):
    db = request.dbsession
    article = _the_article(request) if request.matched_route.name == "cms_article_edit" else None
    kind = article.kind if article else request.params.get("kind", PAGE)
    if kind not in (PAGE, NEWS):
        raise HTTPBadRequest()
    form = _article_form(request)
    page = {"article": article, "kind": kind}
    if request.method == "POST":
        try:
            data = form.validate_pstruct(parse_controls(request.POST.items()))
        except deform.ValidationFailure as failure:
            return dict(page, form=failure.render())
        if articles.address_taken(db, data["slug"], article):
            return dict(page, form=field_failure(form, "slug", _("Another page or article already has this address.")))
        if article is None:
            article = articles.create(db, kind, data["slug"], request.user)
        publish_at = from_local(data["publish_at"]) if data["publish_at"] is not None else None
        revision = articles.save(db, article, dict(data, publish_at=publish_at), request.user, data["comment"])
        if "submit_for_review" in request.POST:
            articles.submit(db, article, revision, request.user)
        return HTTPFound(location=request.route_url("cms_article_edit", id=article.id, _query={"saved": revision.number}))
    return _edit_page(request, form, article, kind)


def _edit_page(request, form, article, kind, refused=None, unsaved_comment=None):
    """The edit page's values, the form showing what an editor starts
    from; ``refused``: why a review step was not taken (said, with the
    comment it carried)."""
    db = request.dbsession
    data = articles.current_data(db, article) if article else {}
    return {"article": article, "kind": kind, "form": form.render(_to_appstruct(data)),
            "working": articles.working_revision(db, article) if article else None,
            "notes": _review_notes(article, data), "may_publish": request.may(Permissions.PUBLISH_CATALOG),
            "refused": refused, "unsaved_comment": unsaved_comment}


def _article_form(request):
    return make_form(ArticleSchema(), request, buttons=(deform.Button("save", _("Save as draft")),
                                                        deform.Button("submit_for_review", _("Save and send for review"))))


@view_config(route_name="cms_article_action", request_method="POST", permission=Permissions.PUBLISH_CATALOG)
def article_action(request):
    """Publish or send back the revision the reviewer was shown (its
    number is in the form): never a newer one saved meanwhile."""
    db = request.dbsession
    article = _the_article(request)
    require_form(request, "article_action")
    number = parse_int(request.POST.get("revision"), minimum=1, maximum=MAX_ID)
    revision = articles.numbered_revision(db, article, number) if number is not None else None
    action = request.POST.get("action")
    comment = note(request.POST.get("comment"))
    if revision is None or action not in ("publish", "send_back") or action == "send_back" and not comment:
        raise HTTPBadRequest()
    if comment and len(comment) > MAX_NOTE:
        return _refused(request, article, NOTE_TOO_LONG, comment, 400)
    try:
        if action == "publish":
            articles.publish(db, article, revision, request.user)
        else:
            articles.send_back(db, article, revision, request.user, comment)
    except WorkflowError:
        return _refused(request, article, TAKEN, comment, 409)
    except articles.AddressTaken:
        return HTTPFound(location=request.route_url("cms_article_edit", id=article.id, _query={"error": "address"}))
    return HTTPFound(location=request.route_url("cms_article_edit", id=article.id, _query={"done": action}))


def _refused(request, article, message, comment, status):
    """The edit page as it now stands, saying why the review step was not
    taken, with the comment it carried; nothing of the request is kept."""
    request.tm.doom()
    request.dbsession.expire_all()  # show the article as another request may have left it
    values = _edit_page(request, _article_form(request), article, article.kind, message, comment)
    response = render_to_response("cms/article_edit.jinja2", values, request=request)
    response.status = status
    return response


@view_config(route_name="cms_comments", renderer="cms/comments.jinja2", permission=Permissions.EDIT_CATALOG)
def comments(request):
    db = request.dbsession
    if request.method == "POST":
        require_form(request, "comment_decision")
        number = parse_int(request.POST.get("comment"), minimum=1, maximum=MAX_ID)
        comment = db.get(Comment, number) if number is not None else None
        if comment is None or request.POST.get("decision") not in ("approve", "reject"):
            raise HTTPBadRequest()
        try:
            articles.decide(db, comment, request.POST["decision"] == "approve", request.user)
        except WorkflowError:
            request.tm.doom()
            request.response.status = 409
            return _moderation_queue(db, refused=TAKEN)
        return HTTPFound(location=request.route_url("cms_comments"))
    return _moderation_queue(db)


def _moderation_queue(db, refused=None):
    pending = list(db.scalars(select(Comment).where(Comment.state == "pending").order_by(Comment.created_at)))
    titles = {a.id: (a.published or {}).get("title", a.slug) for a in db.scalars(select(Article))}
    return {"comments": pending, "titles": titles, "refused": refused}


# -- public ------------------------------------------------------------------------

#: seconds an article written ahead may appear after its time (a change by
#: an editor is a new content version, seen at once; an article's own page
#: holds the comment form, so it is never shared)
ARTICLE_MAX_AGE = 60


@view_config(route_name="page", renderer="cms/page.jinja2", permission=Permissions.VIEW_PUBLIC)
def page(request):
    mark_cacheable(request, max_age=ARTICLE_MAX_AGE)
    article = _public(request, PAGE, "page")
    return {"article": article, "content": article.published}


def _public(request, kind, route):
    """The visible article at the requested address; an address it had
    before a revision moved it leads to the one it has now (301)."""
    slug = request.matchdict["slug"]
    article = articles.public(request.dbsession, kind, slug)
    if article is not None:
        return article
    moved = articles.moved(request.dbsession, kind, slug)
    if moved is not None:
        raise HTTPMovedPermanently(location=request.route_url(route, slug=moved.slug))
    raise HTTPNotFound()


@view_config(route_name="news", renderer="cms/news.jinja2", permission=Permissions.VIEW_PUBLIC)
def news(request):
    mark_cacheable(request, max_age=ARTICLE_MAX_AGE)
    return {"items": articles.news(request.dbsession, limit=50)}


@view_config(route_name="news_article", renderer="cms/news_article.jinja2", permission=Permissions.VIEW_PUBLIC)
def news_article(request):
    db = request.dbsession
    article = _public(request, NEWS, "news_article")
    form = make_form(CommentSchema(), request, buttons=(deform.Button("submit", _("Send")),))
    message = None
    if request.method == "POST":
        try:
            data = form.validate(request.POST.items())
        except deform.ValidationFailure as failure:
            return _article_page(db, article, failure.render(), None)
        if data["website"]:  # only robots fill the hidden field: accept silently, keep nothing
            message = _("Thank you. Your comment will appear once an editor has read it.")
        else:
            try:
                articles.add_comment(db, article, data["name"], data["email"], data["text"], client_address(request))
                message = _("Thank you. Your comment will appear once an editor has read it.")
            except articles.TooManyComments:
                request.response.status = 429
                message = _("You have sent many comments in a short time. Please try again later.")
        return _article_page(db, article, None, message)
    return _article_page(db, article, form.render(), None)


def _article_page(db, article, form, message):
    return {"article": article, "content": article.published, "comments": articles.approved_comments(db, article),
            "form": form, "message": message, "authors": full_names(db, [article.author])}


@view_config(route_name="news_feed", renderer="cms/atom.xml.jinja2", permission=Permissions.VIEW_PUBLIC)
def news_feed(request):
    mark_cacheable(request, max_age=ARTICLE_MAX_AGE)
    request.response.content_type = "application/atom+xml"
    items = articles.news(request.dbsession, limit=20)
    # an item written ahead and published later was last changed, for a
    # reader, when it appeared: Atom's <updated> is never before <published>
    updated = {item.id: max(filter(None, (item.updated_at, item.publish_at))) for item in items}
    # people are named by their full names, never by the login they sign in with
    return {"items": items, "updated": updated, "feed_updated": max(updated.values(), default=None),
            "authors": full_names(request.dbsession, {item.author for item in items})}
