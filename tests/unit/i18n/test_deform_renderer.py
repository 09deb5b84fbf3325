"""Deform's templates compile once, under a lock, even when many threads
render a form for the first time at once (CPython 3.11's ast.parse is not
safe to run from two threads: python/cpython#106905)."""
import threading

import colander
import deform

from congdichvu.i18n import CompilingOnceRenderer


def test_many_threads_render_a_new_form_at_once():
    renderer = CompilingOnceRenderer([deform.template.default_dir])

    class Schema(colander.Schema):
        name = colander.SchemaNode(colander.String())
        when = colander.SchemaNode(colander.Date())

    barrier, failures, pages = threading.Barrier(8), [], []

    def render():
        barrier.wait(timeout=30)
        try:
            pages.append(deform.Form(Schema(), renderer=renderer).render())
        except Exception as error:  # noqa: BLE001 - what the test looks for
            failures.append(repr(error))

    threads = [threading.Thread(target=render) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == [] and len(pages) == 8
