from zope.interface import Interface


class ISearchService(Interface):
    """Finding procedures; the Whoosh backend is one implementation."""

    def search(text, filters=None, page=1, per_page=10, log=None):
        """A SearchResults for ``text`` narrowed by ``filters`` (codes for
        "sector", "level", "agency", "online_level"), best first. ``log``:
        the searcher's address, to record a first page's query in the query
        log under (None: not recorded)."""

    def suggest(prefix, limit=8):
        """Up to ``limit`` procedures whose name matches what is typed so far:
        [{"code", "name"}]."""

    def popular_queries(limit=20, since=None, zero_results=False):
        """[(query, times)] most frequent first: all, or those that found nothing."""
