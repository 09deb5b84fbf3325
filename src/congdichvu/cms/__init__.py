"""The editors' side: revisions and workflow of procedures, the audit log
viewer, the completeness dashboard."""


def includeme(config):
    config.scan(".views")
    config.scan(".article_views")
    config.scan(".submission_fields")
