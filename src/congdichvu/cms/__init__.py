"""The editors' side: revisions and workflow of procedures, the audit log
viewer, the completeness dashboard."""


def includeme(config):
    from ..catalog import versioning
    from .models import Article, ArticleRedirect

    # the news list, the pages and the feed are cached public pages
    versioning.watch(Article, ArticleRedirect)
    config.scan(".views")
    config.scan(".article_views")
    config.scan(".submission_fields")
