"""congdichvu-catalog: import and export the procedure catalogue.

    congdichvu-catalog import development.ini catalog.json
    congdichvu-catalog export development.ini catalog.json
    congdichvu-catalog load-demo development.ini        # only into an empty database
    congdichvu-catalog add-forms development.ini DIR    # blank forms named by papers

Import validates the whole file first and writes nothing if anything is
wrong, listing every problem with its JSON path.
"""
import argparse
import gc
import json
import sys
from contextlib import contextmanager
from pathlib import Path

from pyramid.i18n import make_localizer
from sqlalchemy import func, select

from ..catalog import exchange, forms
from ..catalog.models import Procedure
from ..i18n import DEFAULT_LOCALE, _
from . import console_env, utf8_stdout

DEMO_CATALOG = Path(__file__).resolve().parent.parent / "data" / "demo-catalog.json"
DEMO_FORMS = DEMO_CATALOG.parent / "forms"
#: questions some demo procedures ask when submitted online (the CMS edits them)
DEMO_QUESTIONS = DEMO_CATALOG.parent / "demo-questions.json"


def _localizer(settings):
    return make_localizer(DEFAULT_LOCALE, [settings["congdichvu.locales_dir"]])


def _report_problems(localizer, problems, out):
    print(localizer.translate(_("The catalogue was not imported; nothing was changed. Problems found: ${count}",
                                mapping={"count": len(problems)})), file=out)
    for problem in problems:
        print(f"  {problem.path}: {localizer.translate(problem.message)}", file=out)


KINDS = {"agencies": _("Agencies"), "sectors": _("Sectors"), "procedures": _("Procedures")}


def _report(localizer, report, out):
    for kind, label in KINDS.items():
        print(
            localizer.translate(
                _(
                    "${kind}: ${created} created, ${updated} updated, ${unchanged} unchanged",
                    mapping={
                        "kind": localizer.translate(label),
                        "created": report.created[kind],
                        "updated": report.updated[kind],
                        "unchanged": report.unchanged[kind],
                    },
                )
            ),
            file=out,
        )


@contextmanager
def _cycle_collection_paused():
    """Python's cycle collector off for a bulk load: importing thousands of
    procedures makes some 30 objects each, all alive until the commit, and
    the collector would walk them again and again to free nothing (a fifth
    of the import's database time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_file(env, path, out=None, err=None):
    """Import one file inside the request's transaction; 0 on success."""
    out, err = out or sys.stdout, err or sys.stderr
    request = env["request"]
    localizer = _localizer(env["registry"].settings)
    try:
        with request.tm:
            document = exchange.read_file(path)
            with _cycle_collection_paused():  # on again for the commit and the index build
                report = exchange.import_catalog(request.dbsession, document)
    except exchange.CatalogInvalid as invalid:
        _report_problems(localizer, invalid.problems, err)
        return 1
    _report(localizer, report, out)
    return 0


def export_file(env, path, out=None):
    out = out or sys.stdout
    request = env["request"]
    with request.tm:
        text = exchange.dumps(exchange.export_catalog(request.dbsession))
    if str(path) == "-":
        out.write(text)
    else:
        Path(path).write_text(text, encoding="utf-8")
    return 0


def load_demo(env, out=None, err=None):
    """The demo catalogue and its blank forms, only into an empty database."""
    out, err = out or sys.stdout, err or sys.stderr
    request = env["request"]
    with request.tm:
        count = request.dbsession.scalar(select(func.count(Procedure.id)))
    localizer = _localizer(env["registry"].settings)
    if count:
        print(localizer.translate(_("The database already holds ${count} procedures; the demo catalogue was not loaded.",
                                    mapping={"count": count})), file=out)
        return 0
    status = import_file(env, DEMO_CATALOG, out, err)
    if status == 0 and DEMO_FORMS.is_dir():
        status = add_forms(env, DEMO_FORMS, out, err)
    if status == 0:
        _add_demo_questions(request)
    return status


def _add_demo_questions(request):
    from datetime import datetime, timezone

    from ..eservices.models import SubmissionForm

    with request.tm:
        for code, fields in json.loads(DEMO_QUESTIONS.read_text(encoding="utf-8")).items():
            if request.dbsession.get(SubmissionForm, code) is None:
                request.dbsession.add(SubmissionForm(procedure_code=code, fields=fields, updated_by="demo",
                                                     updated_at=datetime.now(timezone.utc)))


def add_forms(env, directory, out=None, err=None):
    out, err = out or sys.stdout, err or sys.stderr
    request = env["request"]
    localizer = _localizer(env["registry"].settings)
    with request.tm:
        added, refused = forms.add_directory(request.dbsession, env["registry"].settings, Path(directory))
    for name in added:
        print(localizer.translate(_("Blank form added: ${name}", mapping={"name": name})), file=out)
    for name, reason in refused:
        print(f"{name}: {localizer.translate(reason)}", file=err)
    return 1 if refused else 0


def main(argv=None):
    utf8_stdout()
    parser = argparse.ArgumentParser(prog="congdichvu-catalog", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="action", required=True)
    for name, help_text in (("import", "import a catalogue file"), ("export", "export the catalogue ('-' for stdout)")):
        command = sub.add_parser(name, help=help_text)
        command.add_argument("config_uri")
        command.add_argument("file")
    demo = sub.add_parser("load-demo", help="load the demo catalogue into an empty database")
    demo.add_argument("config_uri")
    add = sub.add_parser("add-forms", help="store the blank-form files of a directory")
    add.add_argument("config_uri")
    add.add_argument("directory")
    args = parser.parse_args(argv)

    env = console_env(args.config_uri)
    try:
        if args.action == "import":
            return import_file(env, args.file)
        if args.action == "export":
            return export_file(env, args.file)
        if args.action == "load-demo":
            return load_demo(env)
        return add_forms(env, args.directory)
    finally:
        env["closer"]()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
