"""Statistics (thống kê): on-time rules (ontime), each dossier's summary
row kept with its events (summary), the figures per agency and period
aggregated in SQL (figures), the Decision 766 indicators (indicators),
the public page, the leaders' dashboard and the API."""


def includeme(config):
    config.scan(".api")
    config.scan(".desk_views")
    config.scan(".views")
