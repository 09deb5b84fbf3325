"""Search quality on the judged queries in tests/search/judgments.json.

    python benchmarks/search_quality.py [--details] [--catalog FILE] [--judgments FILE]

Loads the catalogue (the demo one by default) into a fresh SQLite database,
builds the index, runs every judged query and prints MRR@10 and recall@10
per kind of query and overall, for the portal's search and, beside it, for
a plain baseline: SQLite FTS5 with the unicode61 tokenizer and
remove_diacritics 2, the query's words OR-ed, ranked by bm25().

A query written "nfd:..." is sent in decomposed Unicode. For a query with
no relevant procedure (no answer), both measures are 1 when nothing is
returned and 0 otherwise.
"""
import argparse
import json
import sqlite3
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
JUDGMENTS = ROOT / "tests" / "search" / "judgments.json"
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
    by_kind = defaultdict(list)
    for item in judged:
        ranked, total = run(query_text(item["query"]))
        reciprocal, recall = measures(ranked, item["relevant"], total)
        by_kind[item["kind"]].append((reciprocal, recall))
        if details and reciprocal < 1.0:
            print(f"  [{label}] {item['kind']:<13} {item['query']!r}: rr={reciprocal:.2f} total={total} top={ranked[:3]}")
    return by_kind


def summary(by_kind):
    rows = {}
    everything = [pair for pairs in by_kind.values() for pair in pairs]
    for kind, pairs in list(by_kind.items()) + [("overall", everything)]:
        rows[kind] = (
            sum(r for r, _ in pairs) / len(pairs),
            sum(c for _, c in pairs) / len(pairs),
            len(pairs),
        )
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", default=str(DEMO))
    parser.add_argument("--judgments", default=str(JUDGMENTS))
    parser.add_argument("--details", action="store_true", help="list the queries that missed")
    args = parser.parse_args(argv)
    judged = json.loads(Path(args.judgments).read_text(encoding="utf-8"))["queries"]

    portal = summary(evaluate(portal_search(args.catalog), judged, args.details, "portal"))
    baseline = summary(evaluate(baseline_search(args.catalog), judged, args.details, "fts5"))

    print(f"\n{len(judged)} judged queries; MRR@{K} and recall@{K}")
    print(f"{'kind':<14} {'n':>3}  {'portal MRR':>10} {'recall':>7}   {'FTS5 MRR':>9} {'recall':>7}")
    for kind in list(portal):
        p, b = portal[kind], baseline[kind]
        print(f"{kind:<14} {p[2]:>3}  {p[0]:>10.3f} {p[1]:>7.3f}   {b[0]:>9.3f} {b[1]:>7.3f}")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "search_quality.json").write_text(
        json.dumps({"portal": portal, "fts5_baseline": baseline}, indent=2), encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
