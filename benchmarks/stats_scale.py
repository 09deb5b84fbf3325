"""Statistics at 100,000 and 1,000,000 dossiers from a generated base.

    python benchmarks/stats_scale.py BASE_DATABASE [--targets 100000,1000000] [--year 2025] [--runs 7]

BASE_DATABASE names a PostgreSQL database (on the server of
CONGDICHVU_DATABASE_URL) that ``stats_speed.py`` or ``congdichvu-dossiers
generate`` filled with generated dossiers over ``--year``. Each target size
is made by copying those dossiers in SQL until there are enough
(stats_speed.replicate: new ids and codes, the same days, agencies and
summary rows; the daily counts computed again from the rows) — when generating a million through the domain code would take
longer than the machine has — and the same requests are timed on the base
and on each copy. Writes benchmarks/results/stats_scale.json.
"""
import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from stats_speed import DEFAULT_SERVER, measure, replicate  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base")
    parser.add_argument("--targets", default="100000,1000000")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    from sqlalchemy.engine import make_url

    server = os.environ.get("CONGDICHVU_DATABASE_URL", DEFAULT_SERVER)
    base = make_url(server).set(database=args.base).render_as_string(hide_password=False)
    data_dir = Path(tempfile.mkdtemp(prefix="congdichvu-stats-"))
    found = measure(base, args.year, args.runs, data_dir)
    results = {"base": found}
    print(json.dumps({"base": found}, indent=2), flush=True)
    generated = found["dossiers"]
    for target in (int(part) for part in args.targets.split(",")):
        url, seconds = replicate(base, generated, target, server)
        entry = {"generated": generated, "copied": target - generated, "copy_seconds": round(seconds, 1)}
        entry.update(measure(url, args.year, args.runs, data_dir))
        results[str(target)] = entry
        print(json.dumps({target: entry}, indent=2), flush=True)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "stats_scale.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
