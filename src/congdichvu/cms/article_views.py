"""Pages and news: editing (staff), reading and commenting (public)."""
from datetime import datetime, timezone

import deform
import peppercorn
from pyramid.httpexceptions import HTTPBadRequest, HTTPFound, HTTPNotFound
from pyramid.view import view_config
from sqlalchemy import select

from ..accounts.audit import full_names
from ..forms import make_form
from ..i18n import _
from ..i18n.formatting import from_local, to_local
from ..inputs import MAX_ID, id_or_404, parse_int
from ..security import Permissions, client_address
from . import articles
from .models import NEWS, PAGE, Article, ArticleRevision, Comment
from .schemas import ArticleSchema, CommentSchema, as_form_values
from .workflow import WorkflowError

FIELDS = ("title", "lead", "body", "image", "image_alt", "category")


@view_config(route_name="cms_articles", renderer="cms/articles.jinja2", permission=Permissions.EDIT_CATALOG)
def article_list(request):
    items = list(request.dbsession.scalars(select(Article).order_by(Article.kind, Article.updated_at.desc())))
    working = {r.article_id: r for r in request.dbsession.scalars(
        select(ArticleRevision).where(ArticleRevision.state.in_(("draft", "pending"))))}
    return {"articles": items, "working": working}


def _to_appstruct(article, data):
    # the form's datetime-local field shows and takes the city's wall clock
    publish_at = to_local(article.publish_at).replace(tzinfo=None) if article and article.publish_at else None
    return as_form_values(dict({name: data.get(name) for name in FIELDS}, slug=article.slug if article else None,
                                publish_at=publish_at, comment=None))


@view_config(route_name="cms_article_edit", renderer="cms/article_edit.jinja2", permission=Permissions.EDIT_CATALOG)
@view_config(route_name="cms_article_new", renderer="cms/article_edit.jinja2", permission=Permissions.EDIT_CATALOG)
def article_edit(request):
    db = request.dbsession
    article = None
    if request.matched_route.name == "cms_article_edit":
        article = db.get(Article, id_or_404(request.matchdict["id"]))
        if article is None:
            raise HTTPNotFound()
    kind = article.kind if article else request.params.get("kind", PAGE)
    if kind not in (PAGE, NEWS):
        raise HTTPBadRequest()
    form = make_form(ArticleSchema(), request, buttons=(deform.Button("save", _("Save as draft")),
                                                        deform.Button("submit_for_review", _("Save and send for review"))))
    if request.method == "POST":
        try:
            data = form.validate_pstruct(peppercorn.parse(request.POST.items()))
        except deform.ValidationFailure as failure:
            return {"form": failure.render(), "article": article, "kind": kind}
        clash = db.scalar(select(Article).where(Article.slug == data["slug"]))
        if clash is not None and clash is not article:
            form["slug"].error = None
            return {"form": form.render(data), "article": article, "kind": kind,
                    "problem": _("Another page or article already has this address.")}
        now = datetime.now(timezone.utc)
        if article is None:
            article = Article(kind=kind, slug=data["slug"], status="draft", author=request.user.username,
                              created_at=now, updated_at=now)
            db.add(article)
            db.flush()
        article.slug = data["slug"]
        if data["publish_at"] is not None:
            article.publish_at = from_local(data["publish_at"])
        revision = articles.save(db, article, {name: data.get(name) for name in FIELDS}, request.user, data["comment"])
        if "submit_for_review" in request.POST:
            articles.submit(db, article, revision, request.user)
        return HTTPFound(location=request.route_url("cms_article_edit", id=article.id, _query={"saved": revision.number}))
    data = articles.current_data(db, article) if article else {}
    return {"form": form.render(_to_appstruct(article, data)), "article": article, "kind": kind,
            "working": articles.working_revision(db, article) if article else None,
            "may_publish": request.may(Permissions.PUBLISH_CATALOG)}


@view_config(route_name="cms_article_action", request_method="POST", permission=Permissions.PUBLISH_CATALOG)
def article_action(request):
    db = request.dbsession
    article = db.get(Article, id_or_404(request.matchdict["id"]))
    revision = articles.working_revision(db, article) if article else None
    if revision is None:
        raise HTTPNotFound()
    action = request.POST.get("action")
    try:
        if action == "publish":
            articles.publish(db, article, revision, request.user)
        elif action == "send_back" and (request.POST.get("comment") or "").strip():
            articles.send_back(db, article, revision, request.user, request.POST["comment"].strip()[:2000])
        else:
            raise HTTPBadRequest()
    except WorkflowError:
        raise HTTPBadRequest() from None
    return HTTPFound(location=request.route_url("cms_article_edit", id=article.id, _query={"done": action}))


@view_config(route_name="cms_comments", renderer="cms/comments.jinja2", permission=Permissions.EDIT_CATALOG)
def comments(request):
    db = request.dbsession
    if request.method == "POST":
        number = parse_int(request.POST.get("comment"), minimum=1, maximum=MAX_ID)
        comment = db.get(Comment, number) if number is not None else None
        if comment is None or request.POST.get("decision") not in ("approve", "reject"):
            raise HTTPBadRequest()
        articles.decide(db, comment, request.POST["decision"] == "approve", request.user)
        return HTTPFound(location=request.route_url("cms_comments"))
    pending = list(db.scalars(select(Comment).where(Comment.state == "pending").order_by(Comment.created_at)))
    titles = {a.id: (a.published or {}).get("title", a.slug) for a in db.scalars(select(Article))}
    return {"comments": pending, "titles": titles}


# -- public ------------------------------------------------------------------------


@view_config(route_name="page", renderer="cms/page.jinja2", permission=Permissions.VIEW_PUBLIC)
def page(request):
    article = articles.public(request.dbsession, PAGE, request.matchdict["slug"])
    if article is None:
        raise HTTPNotFound()
    return {"article": article, "content": article.published}


@view_config(route_name="news", renderer="cms/news.jinja2", permission=Permissions.VIEW_PUBLIC)
def news(request):
    return {"items": articles.news(request.dbsession, limit=50)}


@view_config(route_name="news_article", renderer="cms/news_article.jinja2", permission=Permissions.VIEW_PUBLIC)
def news_article(request):
    db = request.dbsession
    article = articles.public(db, NEWS, request.matchdict["slug"])
    if article is None:
        raise HTTPNotFound()
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
    request.response.content_type = "application/atom+xml"
    items = articles.news(request.dbsession, limit=20)
    # people are named by their full names, never by the login they sign in with
    return {"items": items, "authors": full_names(request.dbsession, {item.author for item in items})}
