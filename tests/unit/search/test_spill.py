"""Whoosh's posting pool spills its runs a chunk at a time (search.spill)."""
import pickle
import random

import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import PostingPool

from congdichvu.search import index as _installs_the_patch  # noqa: F401
from congdichvu.search import spill


def _postings(count, seed=7):
    """``count`` postings as Whoosh's writer adds them, (field, term,
    document, weight, value), in no order; no two of one term and document."""
    generator = random.Random(seed)
    return [
        ("name_f", f"t{generator.randrange(5000)}".encode(), docnum, 1.0,
         None if generator.random() < 0.5 else b"\x01\x02")
        for docnum in generator.sample(range(count * 10), count)
    ]


def _key(item):
    return item[:3]


@pytest.fixture
def pool_of(tmp_path):
    def pool_of(limit_bytes):
        pool = PostingPool(FileStorage(str(tmp_path)), segment=None)
        pool.limit = limit_bytes
        return pool

    return pool_of


def test_the_pool_writes_its_runs_as_chunks(pool_of):
    pool = pool_of(limit_bytes=10**9)
    items = sorted(_postings(spill.RUN_CHUNK * 2 + 5), key=_key)
    path, f = pool._new_run()
    pool._write_run(f, iter(items))  # a generator, as when runs are merged
    raw = pool.tempstore.open_file(path).raw_file()
    pickles = []
    try:
        while True:
            pickles.append(pickle.load(raw))
    except EOFError:
        pass
    assert [len(chunk) for chunk in pickles] == [spill.RUN_CHUNK, spill.RUN_CHUNK, 5]
    assert list(pool._read_run(path)) == items
    assert not pool.tempstore.file_exists(path)  # read once, removed, as Whoosh's own


def test_a_run_written_one_posting_at_a_time_still_reads(pool_of):
    pool = pool_of(limit_bytes=10**9)
    items = sorted(_postings(300), key=_key)
    path, f = pool._new_run()
    for item in items:
        pickle.dump(item, f, 2)
    f.close()
    assert list(pool._read_run(path)) == items


@pytest.mark.parametrize("maxfiles", [128, 2])  # 2: runs are merged into runs first (reduce_to)
def test_a_spilled_pool_gives_what_sorting_in_memory_gives(pool_of, maxfiles):
    items = _postings(30_000)
    pool = pool_of(limit_bytes=200_000)  # about 1,500 postings a run
    for item in items:
        pool.add(item)
    assert len(pool.runs) > 10
    assert list(pool.items(maxfiles=maxfiles)) == sorted(items, key=_key)
