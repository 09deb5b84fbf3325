"""Editors' pages of search: what people searched for by week, and the
thesaurus, whose entries are added (from a query of the report, in one
form), previewed, changed and deleted here."""
from pyramid.httpexceptions import HTTPFound, HTTPNotFound
from pyramid.view import view_config

from ..accounts.audit import full_names
from ..forms import require_form
from ..i18n import _
from ..inputs import MAX_ID, id_or_404, parse_int
from ..security import Permissions
from ..views import flash
from . import report, thesaurus
from .models import ThesaurusEntry
from .query import clip
from .services import Vocabulary
from .services import WhooshSearchService

FORM_ID = "thesaurus_entry"
#: results a preview shows of each search
PREVIEWED = 10
#: what the week choice of the report shows and takes ("tat-ca": all weeks)
ALL_WEEKS_PARAM = "tat-ca"


@view_config(route_name="cms_search", renderer="search/admin_report.jinja2", permission=Permissions.EDIT_CATALOG)
def search_report(request):
    offered = report.weeks()
    chosen = _week_param(request.params.get("tuan"), offered)
    bounds = report.span(report.ALL_WEEKS if chosen == ALL_WEEKS_PARAM else chosen, offered)
    return {"weeks": offered, "chosen": chosen, "all_weeks": ALL_WEEKS_PARAM,
            "lists": report.report(request.dbsession, *bounds)}


def _week_param(raw, offered):
    """The week the report shows: the one asked for when offered (or all
    of them), else the current one."""
    if raw == ALL_WEEKS_PARAM or any(week.key == raw for week in offered):
        return raw
    return offered[0].key


@view_config(route_name="cms_thesaurus", renderer="search/admin_thesaurus.jinja2",
             permission=Permissions.EDIT_CATALOG)
def thesaurus_list(request):
    wanted = clip(request.params.get("tim"))
    entries = thesaurus.listed(request.dbsession, wanted)
    return {"entries": entries, "wanted": wanted,
            "names": full_names(request.dbsession, {row.updated_by for row in entries})}


def _the_entry(request):
    row = request.dbsession.get(ThesaurusEntry, id_or_404(request.matchdict["id"]))
    if row is None or row.deleted:
        raise HTTPNotFound()
    return row


@view_config(route_name="cms_thesaurus_new", renderer="search/admin_entry.jinja2",
             permission=Permissions.EDIT_CATALOG)
def entry_new(request):
    return _entry_page(request, None)


@view_config(route_name="cms_thesaurus_entry", renderer="search/admin_entry.jinja2",
             permission=Permissions.EDIT_CATALOG)
def entry_edit(request):
    return _entry_page(request, _the_entry(request))


def _entry_page(request, row):
    """The entry's form: on a GET as stored (a new one's typed side from
    ``?q=``); on a POST, previewed, or saved when the "save" button was
    pressed and nothing is wrong with it."""
    if request.method != "POST":
        return _page_values(request, row, _stored_values(request, row))
    require_form(request, FORM_ID)
    values = {name: request.POST.get(name, "") for name in ("typed", "expansions", "concept", "thu", "tuan")}
    values["active"] = row is None or "active" in request.POST
    entry = thesaurus.read_entry(values["typed"], values["expansions"], values["concept"])
    problems = thesaurus.problems(entry, _vocabulary(request).common_phrase) + [
        _("“${phrase}” is already in entry ${number}: change that entry instead, so that one phrase has one "
          "meaning.", mapping={"phrase": phrase, "number": number})
        for phrase, number in thesaurus.already_typed(request.dbsession, entry, row.id if row is not None else None)
    ]
    if "save" in request.POST and not problems:
        saved = _save(request, row, entry, values["active"])
        if saved is not None:
            return saved
        request.response.status = 409
        return _page_values(request, row, values, refused=_("Someone else changed or deleted this entry after you "
                                                            "opened it. Here it is as it is now: make your change "
                                                            "again if it is still needed."))
    if problems:
        request.response.status = 400 if "save" in request.POST else 200
        return _page_values(request, row, values, problems=problems)
    return _page_values(request, row, values, preview=_preview(request, entry, row, values["thu"]))


def _vocabulary(request):
    """What the search index knows now (its commonest words refuse an entry)."""
    return request.registry["search_index"].shared(Vocabulary)


def _stored_values(request, row):
    """The form's values on a GET: the entry as stored (a new one's typed
    side from ``?q=``), or what was typed before a session expired."""
    if row is None:
        values = {"typed": clip(request.params.get("q")), "expansions": "", "concept": "", "active": True}
    else:
        values = {"typed": ", ".join(row.typed), "expansions": "\n".join(row.expansions), "concept": row.concept,
                  "active": row.active}
    values.update(thu="", tuan="")
    kept = request.kept_input if request.method == "GET" else None
    if kept is not None:
        values.update({name: value for name, value in kept.fields if name in values and name != "active"})
    return values


def _page_values(request, row, values, problems=(), preview=None, refused=None):
    if refused is not None:  # show the entry as it now is
        request.dbsession.expire_all()
        values = dict(_stored_values(request, row), thu=values["thu"], tuan=values["tuan"])
    history = thesaurus.revisions(request.dbsession, row.id) if row is not None else []
    return {"row": row, "values": values, "problems": problems, "preview": preview, "refused": refused,
            "history": history, "names": full_names(request.dbsession, {r.author for r in history})}


def _save(request, row, entry, active):
    """Save and answer the redirect; None when the entry changed meanwhile."""
    db, user = request.dbsession, request.user
    if row is None:
        row = thesaurus.add(db, entry, user)
        flash(request, _("Added to the thesaurus: ${line}. Searches use it from now on.",
                         mapping={"line": entry.line()}))
        week = request.POST.get("tuan")
        if week:  # added from the report: back to the same week (a value the report checks again)
            return HTTPFound(location=request.route_url("cms_search", _query={"tuan": week[:20]}))
        return HTTPFound(location=request.route_url("cms_thesaurus"))
    try:
        thesaurus.change(db, row, _version(request), user, entry, active)
    except thesaurus.Conflict:
        request.tm.doom()
        return None
    flash(request, _("Saved. Searches use the entry as it is now."))
    return HTTPFound(location=request.route_url("cms_thesaurus_entry", id=row.id))


def _version(request):
    """The entry's version the form was drawn from (0 when unreadable:
    never a version, so the change is refused as a conflict)."""
    return parse_int(request.POST.get("version"), minimum=1, maximum=MAX_ID) or 0


@view_config(route_name="cms_thesaurus_delete", request_method="POST", permission=Permissions.EDIT_CATALOG)
def entry_delete(request):
    row = _the_entry(request)
    require_form(request, "thesaurus_delete")
    try:
        thesaurus.delete(request.dbsession, row, _version(request), request.user)
    except thesaurus.Conflict:
        request.tm.doom()
        flash(request, _("Not deleted: someone else changed this entry after you opened it. Look at it again."))
        return HTTPFound(location=request.route_url("cms_thesaurus"))
    flash(request, _("Deleted from the thesaurus: ${line}. Searches no longer use it.",
                     mapping={"line": thesaurus.as_entry(row).line()}))
    return HTTPFound(location=request.route_url("cms_thesaurus"))


# -- preview ------------------------------------------------------------------------


class _WithThesaurus:
    """The index manager as search sees it, but with the thesaurus
    ``table``: what a search would find were the entry saved."""

    def __init__(self, manager, table):
        self._manager, self._table = manager, table

    def thesaurus(self):
        return self._table

    def __getattr__(self, name):
        return getattr(self._manager, name)


def _preview(request, entry, row, trial):
    """{"query", "before", "after"}: what the search ``trial`` (by default
    the first typed phrase) finds with the thesaurus as it is and with
    ``entry`` saved, each SearchResults of its first PREVIEWED results;
    "new": codes found only after."""
    manager = request.registry["search_index"]
    query = clip(trial) or entry.typed[0]
    proposed = thesaurus.table_with(request.dbsession, entry, row.id if row is not None else None)

    def search(table):
        service = WhooshSearchService(_WithThesaurus(manager, table), request.dbsession)
        return service.search(query, per_page=PREVIEWED)  # not logged: an editor trying words

    before, after = search(manager.thesaurus()), search(proposed)
    shown = {result.code for result in before.results}
    return {"query": query, "before": before, "after": after,
            "new": {result.code for result in after.results} - shown}
