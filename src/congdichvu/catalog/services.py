"""Queries over the catalogue, behind ICatalogService."""
from dataclasses import dataclass
from math import ceil

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import selectinload
from zope.interface import implementer

from . import exchange
from .interfaces import ICatalogService
from .models import PUBLISHED, Agency, Procedure, Sector, procedure_agency

#: what the public sees: procedures in force, not the withdrawn ones
IN_FORCE = Procedure.status == PUBLISHED

SORT_COLUMNS = {
    "name": (Procedure.name_sort, Procedure.code),
    "code": (Procedure.code,),
}
MAX_PER_PAGE = 100


def handled_by(agencies):
    """SQL condition on ``Procedure``: one of ``agencies`` implements it,
    being listed for it, or the procedure lists no agency and is of that
    agency's level. False for no agencies."""
    agencies = list(agencies)
    if not agencies:
        return false()
    listed = select(procedure_agency.c.procedure_id).where(
        procedure_agency.c.agency_id.in_([agency.id for agency in agencies]))
    unlisted = ~select(procedure_agency.c.procedure_id).where(procedure_agency.c.procedure_id == Procedure.id).exists()
    return or_(Procedure.id.in_(listed), unlisted & Procedure.level.in_(sorted({agency.level for agency in agencies})))


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self):
        return max(1, ceil(self.total / self.per_page))

    @property
    def first_index(self):
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self):
        return min(self.page * self.per_page, self.total)


@implementer(ICatalogService)
class CatalogService:
    def __init__(self, dbsession):
        self.db = dbsession
        self._by_level = None

    def procedures(self, codes=None):
        query = (
            select(Procedure)
            .where(IN_FORCE)
            .options(*exchange.procedure_loader_options())
            .order_by(Procedure.position)
        )
        if codes is not None:
            query = query.where(Procedure.code.in_(list(codes)))
        return list(self.db.scalars(query))

    def procedures_in_batches(self, size):
        codes = self.db.scalars(select(Procedure.code).where(IN_FORCE).order_by(Procedure.position)).all()
        for start in range(0, len(codes), size):
            yield from self.procedures(codes[start:start + size])

    def procedure(self, code, include_archived=False):
        query = select(Procedure).where(Procedure.code == code).options(*exchange.procedure_loader_options())
        return self.db.scalar(query if include_archived else query.where(IN_FORCE))

    def _handled_by(self, agency):
        return handled_by([agency])

    def _conditions(self, filters):
        conditions = [IN_FORCE]
        if filters.get("sector") is not None:
            conditions.append(Procedure.sector_id == filters["sector"].id)
        if filters.get("agency") is not None:
            conditions.append(self._handled_by(filters["agency"]))
        if filters.get("level"):
            conditions.append(Procedure.level == filters["level"])
        if "online_level" in filters:
            conditions.append(Procedure.online_level.is_(None) if filters["online_level"] is None
                              else Procedure.online_level == filters["online_level"])
        if filters.get("name"):
            # case and diacritics folded on both sides: "dang ky" finds "Đăng ký"
            conditions.append(Procedure.name_folded.contains(exchange.folded_name(filters["name"]), autoescape=True))
        return conditions

    def browse(self, filters, sort="name", page=1, per_page=20, full=False):
        conditions = self._conditions(filters)
        total = self.db.scalar(select(func.count(Procedure.id)).where(*conditions))
        per_page = max(1, min(per_page, MAX_PER_PAGE))
        items = list(
            self.db.scalars(
                select(Procedure)
                .where(*conditions)
                .options(*(exchange.procedure_loader_options() if full else (selectinload(Procedure.sector),)))
                .order_by(*SORT_COLUMNS[sort])
                .offset((page - 1) * per_page)
                .limit(per_page)
            )
        )
        return Page(items=items, total=total, page=page, per_page=per_page)

    def procedure_names(self):
        query = select(Procedure.code, Procedure.name).where(IN_FORCE).order_by(Procedure.name_sort, Procedure.code)
        return [(code, name) for code, name in self.db.execute(query)]

    def sectors_with_counts(self):
        count = func.count(Procedure.id)
        rows = self.db.execute(
            select(Sector, count)
            .outerjoin(Procedure, (Procedure.sector_id == Sector.id) & IN_FORCE)
            .group_by(Sector.id)
            .order_by(Sector.position, Sector.id)
        )
        return [(sector, n) for sector, n in rows]

    def counts_by(self, attribute):
        column = {"level": Procedure.level, "online_level": Procedure.online_level}[attribute]
        return dict(self.db.execute(select(column, func.count(Procedure.id)).where(IN_FORCE).group_by(column)).all())

    def agencies(self):
        return list(self.db.scalars(select(Agency).order_by(Agency.position, Agency.id)))

    def agency(self, code):
        return self.db.scalar(select(Agency).where(Agency.code == code))

    def sector(self, code):
        return self.db.scalar(select(Sector).where(Sector.code == code))

    def handling_agencies(self, procedure):
        if procedure.agencies:
            return list(procedure.agencies)
        if self._by_level is None:  # one query, however many procedures ask
            self._by_level = {}
            for agency in self.agencies():
                self._by_level.setdefault(agency.level, []).append(agency)
        return list(self._by_level.get(procedure.level, ()))

    def procedures_handled_by(self, agency):
        query = (select(Procedure.code, Procedure.name).where(IN_FORCE, self._handled_by(agency))
                 .order_by(Procedure.name_sort, Procedure.code))
        return [(code, name) for code, name in self.db.execute(query)]

    def note(self):
        return exchange.get_info(self.db, "note")

    def export(self):
        return exchange.export_catalog(self.db)



def catalog_for(dbsession):
    """The catalogue service over ``dbsession`` (for work outside requests)."""
    return CatalogService(dbsession)


def catalog_service_factory(context, request):
    return catalog_for(request.dbsession)


def agency_subtree(dbsession, agency_id):
    """The codes of agency ``agency_id`` and of every agency under it, as a
    tuple (empty when there is no such agency). The tree is small (a
    province has a few hundred agencies): read whole, walked here."""
    rows = dbsession.execute(select(Agency.id, Agency.code, Agency.parent_id)).all()
    children = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    found = [row for row in rows if row.id == agency_id]
    codes, seen = [], set()
    while found:
        row = found.pop()
        if row.id in seen:  # a loop in bad data must not hang a request
            continue
        seen.add(row.id)
        codes.append(row.code)
        found.extend(children.get(row.id, ()))
    return tuple(codes)
