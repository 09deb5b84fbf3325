from zope.interface import Interface


class ICatalogService(Interface):
    """Read access to the published catalogue, for this and other subsystems."""

    def procedure(code):
        """The procedure with everything a disclosure shows, or None."""

    def procedures(codes=None):
        """Procedures (all, or those with these codes) with everything a
        disclosure shows, in catalogue order."""

    def procedures_in_batches(size):
        """Every procedure, as ``procedures()`` gives them, read ``size``
        at a time: for walking the whole catalogue without holding it."""

    def browse(filters, sort="name", page=1, per_page=20, full=False):
        """A Page of procedures matching ``filters`` (sector and agency
        objects, level and online_level values, a name fragment under "name")
        sorted by ``sort`` ("name" or "code"); ``full`` loads everything the
        exchange format holds."""

    def procedure_names():
        """[(code, name)] of the procedures in force, by name: the choices
        of a filter (no relations loaded)."""

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

    def procedures_handled_by(agency):
        """[(code, name)] of the procedures in force that ``agency``
        implements (the rule of ``handling_agencies`` seen from the
        agency), by name: what its desk may receive."""

    def note():
        """The catalogue's own note (e.g. that demo data are illustrative)."""

    def export():
        """The whole catalogue in the exchange format."""
