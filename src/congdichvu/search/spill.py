"""Whoosh's postings, spilled to disk a chunk at a time.

A full build keeps each writer process's postings in memory up to
``limitmb`` (index.WRITER_MEMORY_MB), then writes them, sorted, to a run
file and merges the runs at the end. Whoosh (whoosh-reloaded 2.7.5,
``externalsort.SortingPool``) pickles each posting by itself, one call per
posting each way: 13 s of CPU a million postings on this project's
machine, against 1.5 s for lists of 10,000. 16,000 procedures are 12.5
million postings, most of them spilled: a full build on two processes cost
31 ms of CPU a procedure there, 28 at 8,000 and 19 at 2,000, which stays
in memory (benchmarks/catalog_scale.py). In chunks it costs 17, 15 and 17.

``install`` makes Whoosh's posting pool write and read its runs as pickled
lists of ``RUN_CHUNK`` postings. A run is a temporary file of one build,
written and read by the same pool class; one written the old way (one
posting per pickle) still reads. The postings, their order and their merge
are Whoosh's own.
"""
import pickle
from itertools import islice

from whoosh import writing

#: postings per pickled list (under 1 MB of a run file)
RUN_CHUNK = 10_000


def _write_run(pool, f, items):
    """``SortingPool._write_run``: ``items`` (a sorted list or the merge
    of runs, a generator) into the open run file ``f``, which it closes."""
    items = iter(items)
    try:
        while chunk := list(islice(items, RUN_CHUNK)):
            pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
    finally:
        f.close()


def _read_run(pool, path):
    """``SortingPool._read_run``: the postings of the run file ``path`` in
    order, removing the file once read (as Whoosh's does). A posting is a
    tuple, a chunk a list: a run written by an unpatched pool (a writer
    process started by spawning rather than forking) reads as well."""
    f = pool._open_run(path)
    try:
        while True:
            try:
                chunk = pickle.load(f)
            except EOFError:
                return
            if isinstance(chunk, list):
                yield from chunk
            else:
                yield chunk
    finally:
        f.close()
        pool._remove_run(path)


def install():
    """Make Whoosh's posting pool (``writing.PostingPool``, the only pool
    its writers use, in this process and in the processes a parallel build
    forks) spill in chunks. Idempotent."""
    writing.PostingPool._write_run = _write_run
    writing.PostingPool._read_run = _read_run
