"""Search quality on the judged queries in tests/search/judgments*.json.

    python benchmarks/search_quality.py [--details] [--catalog FILE] [--judgments FILE ...]

Loads the catalogue (the demo one by default) into a fresh SQLite database,
builds the index, runs every judged query and prints MRR@10 and recall@10
per kind of query and overall, for the portal's search and, beside it, for
a plain baseline: SQLite FTS5 with the unicode61 tokenizer and
remove_diacritics 2, the query's words OR-ed, ranked by bm25().
It also prints, per kind and overall, the share of answerable queries
(some relevant procedure) that got no result at all, and lists the
no-answer queries that wrongly found something. The numbers go to
benchmarks/results/search_quality.json as well.

--judgments may be given several times; by default both
tests/search/judgments.json and tests/search/judgments-kinds.json (the
issue 13 kinds) are read. --details also lists every query that missed.

A query written "nfd:..." is sent in decomposed Unicode. For a query with
no relevant procedure (no answer), both measures are 1 when nothing is
returned and 0 otherwise.
"""
import argparse
import json
import sqlite3
import statistics
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
JUDGMENTS = [ROOT / "tests" / "search" / "judgments.json", ROOT / "tests" / "search" / "judgments-kinds.json"]
DEMO = ROOT / "src" / "congdichvu" / "data" / "demo-catalog.json"
K = 10


def query_text(raw):
    if raw.startswith("nfd:"):
        return unicodedata.normalize("NFD", raw[4:])
    return raw


def measures(ranked, relevant, total):
    if not relevant:
        return (1.0, 1.0) if total == 0 else (0.0, 0.0)
    top = ranked[:K]
    reciprocal = next((1.0 / rank for rank, code in enumerate(top, 1) if code in relevant), 0.0)
    recall = len(set(top) & set(relevant)) / len(relevant)
    return reciprocal, recall


def portal_search(catalog_path):
    """A function query -> (codes best first, total) over a fresh portal."""
    import transaction
    from page_throughput import prepare_settings_and_import

    from congdichvu.config import configure
    from congdichvu.models import get_tm_session
    from congdichvu.search.services import WhooshSearchService

    settings = prepare_settings_and_import(catalog_path)
    app_config = configure(settings)
    registry = app_config.registry
    app_config.make_wsgi_app()  # runs the startup actions: builds the index
    manager = registry["search_index"]
    manager.ensure()

    def run(text):
        manager_tm = transaction.TransactionManager(explicit=True)
        with manager_tm:
            session = get_tm_session(registry["dbsession_factory"], manager_tm)
            results = WhooshSearchService(manager, session).search(text, per_page=K, log=False)
            return [result.code for result in results.results], results.total

    return run


def baseline_search(catalog_path):
    """SQLite FTS5, unicode61 remove_diacritics 2, words OR-ed, bm25()."""
    document = json.loads(Path(catalog_path).read_text(encoding="utf-8"))
    sectors = {sector["code"]: sector["name"] for sector in document["sectors"]}
    database = sqlite3.connect(":memory:")
    database.execute(
        "CREATE VIRTUAL TABLE p USING fts5(code UNINDEXED, name, keywords, result, papers, sector, body,"
        " tokenize = 'unicode61 remove_diacritics 2')"
    )
    for procedure in document["procedures"]:
        database.execute(
            "INSERT INTO p VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                procedure["code"],
                procedure["name"],
                " ".join(procedure.get("keywords", [])),
                procedure["result"],
                " ".join(paper["name"] for paper in procedure["papers"]),
                sectors[procedure["sector"]],
                " ".join(procedure.get("steps", []) + [procedure.get("requirements", "")]
                         + [b["number"] + " " + b["title"] for b in procedure["legal_bases"]]),
            ),
        )

    def run(text):
        words = [word for word in "".join(c if c.isalnum() else " " for c in text).split() if word]
        if not words:
            return [], 0
        match = " OR ".join('"%s"' % word.replace('"', "") for word in words)
        rows = database.execute(
            "SELECT code FROM p WHERE p MATCH ? ORDER BY bm25(p, 0, 6, 3, 2, 1.2, 1.5, 0.3)", (match,)
        ).fetchall()
        return [row[0] for row in rows], len(rows)

    return run


def evaluate(run, judged, details=False, label=""):
    """Run every judged query: ({kind: [(rr, recall, total, answerable)]}, [wrong no-answer lines])."""
    by_kind = defaultdict(list)
    wrong_answers = []
    for item in judged:
        ranked, total = run(query_text(item["query"]))
        reciprocal, recall = measures(ranked, item["relevant"], total)
        by_kind[item["kind"]].append((reciprocal, recall, total, bool(item["relevant"])))
        if not item["relevant"] and total:
            wrong_answers.append(f"  [{label}] {item['kind']:<17} {item['query']!r}: total={total} top={ranked[:3]}")
        if details and reciprocal < 1.0:
            print(f"  [{label}] {item['kind']:<17} {item['query']!r}: rr={reciprocal:.2f} total={total} top={ranked[:3]}")
    return by_kind, wrong_answers


def summary(by_kind):
    """Per kind and "overall": (MRR, recall, n, zero-result share of answerable queries or None,
    median count of results of the answerable queries or None)."""
    rows = {}
    everything = [row for rows_of_kind in by_kind.values() for row in rows_of_kind]
    for kind, runs in list(by_kind.items()) + [("overall", everything)]:
        answerable = [total for _, _, total, has_answer in runs if has_answer]
        # A kind made only of no-answer queries has no zero-result share: None, printed "-".
        zero = sum(1 for total in answerable if total == 0) / len(answerable) if answerable else None
        rows[kind] = (
            sum(r for r, _, _, _ in runs) / len(runs),
            sum(c for _, c, _, _ in runs) / len(runs),
            len(runs),
            zero,
            statistics.median(answerable) if answerable else None,
        )
    return rows


def share(value):
    return "-" if value is None else f"{value:.3f}"


def count(value):
    return "-" if value is None else f"{value:g}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", default=str(DEMO))
    parser.add_argument("--judgments", action="append", help="a judgments file; may be repeated (default: both)")
    parser.add_argument("--details", action="store_true", help="list the queries that missed")
    args = parser.parse_args(argv)
    judged = [
        item
        for path in args.judgments or JUDGMENTS
        for item in json.loads(Path(path).read_text(encoding="utf-8"))["queries"]
    ]

    portal, portal_wrong = evaluate(portal_search(args.catalog), judged, args.details, "portal")
    baseline, baseline_wrong = evaluate(baseline_search(args.catalog), judged, args.details, "fts5")
    portal, baseline = summary(portal), summary(baseline)

    print(f"\n{len(judged)} judged queries; MRR@{K}, recall@{K}, zero = share of answerable queries with no result,"
          " found = median count of results of answerable queries")
    print(f"{'kind':<17} {'n':>3}  {'portal MRR':>10} {'recall':>7} {'zero':>6} {'found':>6}"
          f"   {'FTS5 MRR':>9} {'recall':>7} {'zero':>6} {'found':>6}")
    for kind in list(portal):
        p, b = portal[kind], baseline[kind]
        print(f"{kind:<17} {p[2]:>3}  {p[0]:>10.3f} {p[1]:>7.3f} {share(p[3]):>6} {count(p[4]):>6}"
              f"   {b[0]:>9.3f} {b[1]:>7.3f} {share(b[3]):>6} {count(b[4]):>6}")
    print("\nno-answer queries that found something:")
    print("\n".join(portal_wrong + baseline_wrong) or "  none")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    columns = ("mrr", "recall", "n", "zero_result_share", "median_results")
    (out / "search_quality.json").write_text(
        json.dumps(
            {name: {kind: dict(zip(columns, row)) for kind, row in rows.items()}
             for name, rows in (("portal", portal), ("fts5_baseline", baseline))},
            indent=2,
        ),
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
