"""What several benchmarks share: percentiles, the judged queries, the CPU
and memory a process used, and a fresh PostgreSQL database per run.

The server helpers (settings, waitress in a subprocess, waiting for it) are
in page_throughput.py, where the first benchmark to serve the app put them.
"""
import json
import unicodedata
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

DEFAULT_POSTGRESQL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def percentile(values, p):
    """The ``p``-th percentile (0-100) of ``values``, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def latencies(milliseconds):
    """{p50_ms, p95_ms, p99_ms, mean_ms} of a list of durations in ms."""
    return {"p50_ms": percentile(milliseconds, 50), "p95_ms": percentile(milliseconds, 95),
            "p99_ms": percentile(milliseconds, 99), "mean_ms": sum(milliseconds) / len(milliseconds)}


def judged_queries(count=None):
    """The queries of tests/search/judgments.json and judgments-kinds.json
    (long questions, abbreviations, misplaced tones too) as typed, "nfd:"
    ones decomposed; cycled to ``count`` when given."""
    judged = []
    for name in ("judgments.json", "judgments-kinds.json"):
        judged += json.loads((ROOT / "tests" / "search" / name).read_text(encoding="utf-8"))["queries"]
    texts = []
    for item in judged:
        text = item["query"]
        texts.append(unicodedata.normalize("NFD", text[4:]) if text.startswith("nfd:") else text)
    if count is None:
        return texts
    return [texts[i % len(texts)] for i in range(count)]


def cpu_seconds():
    """CPU time of this process and its finished subprocesses (a parallel
    index build's): on a shared machine, what the work cost whatever the load."""
    import resource

    return sum(resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))


def peak_mb():
    """The largest resident size of this process or any finished subprocess, in MB."""
    import resource

    return max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024


def memory_mb(pid="self"):
    """A running process's memory in MB (Linux /proc): ``rss`` and its peak
    ``hwm`` from status; ``pss`` (shared pages divided among their users)
    and ``uss`` (pages only it uses) from smaps_rollup when the kernel has it."""
    figures = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            figures[{"VmRSS": "rss", "VmHWM": "hwm"}[name]] = int(value.split()[0]) / 1024
    try:
        rollup = {}
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            name, _, value = line.partition(":")
            rollup[name] = int(value.split()[0])
        figures["pss"] = rollup["Pss"] / 1024
        figures["uss"] = (rollup["Private_Clean"] + rollup["Private_Dirty"]) / 1024
    except (OSError, KeyError, ValueError):
        pass
    return figures


class Database:
    """A fresh database per measurement: SQLite under the data directory
    (``url`` returns None: development.ini's URL follows
    CONGDICHVU_DATA_DIR), or a new PostgreSQL database on ``server``,
    dropped by ``drop``."""

    def __init__(self, server=None):
        self.server, self.name = server, None

    @property
    def backend(self):
        return "PostgreSQL" if self.server else "SQLite"

    def url(self):
        if not self.server:
            return None
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        self.name = f"congdichvu_bench_{uuid.uuid4().hex[:12]}"
        admin = create_engine(self.server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.name}" ENCODING \'UTF8\' TEMPLATE template0'))
        admin.dispose()
        return make_url(self.server).set(database=self.name).render_as_string(hide_password=False)

    def drop(self):
        if not self.name:
            return
        from sqlalchemy import create_engine, text

        admin = create_engine(self.server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        admin.dispose()
        self.name = None
