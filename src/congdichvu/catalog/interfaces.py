from zope.interface import Interface


class ICatalogService(Interface):
    """Read access to the published catalogue, for this and other subsystems."""

    def procedure(code):
        """The procedure with everything a disclosure shows, or None."""

    def browse(filters, sort="name", page=1, per_page=20):
        """A Page of procedures matching ``filters`` (sector, agency, level,
        online_level codes) sorted by ``sort`` ("name" or "code")."""

    def sectors_with_counts():
        """[(Sector, number of procedures)] in catalogue order."""

    def counts_by(attribute):
        """{value: number of procedures} for "level" or "online_level"."""

    def agencies():
        """Every agency, parents before children, in catalogue order."""

    def agency(code):
        """The agency with this code, or None."""

    def sector(code):
        """The sector with this code, or None."""

    def handling_agencies(procedure):
        """The agencies that implement ``procedure``: its own list, or every
        agency of its level when the list is empty."""

    def export():
        """The whole catalogue in the exchange format."""
