"""Test setup: the repository on the path, and the slowest claim tests' runs in a second process.

A test marked `@pytest.mark.background(compute=f)` gets `f()` from the
`background` fixture. When such tests are collected beside others, every `f` is started
at collection in one worker process, the marked tests are moved to the end, and the other tests
run meanwhile: the suite keeps two cores busy. Alone (`-k`, one file of marked tests) a test
computes its value in its own process, the same value: a run depends on its seeds alone.
"""
import multiprocessing
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import figures  # noqa: E402,F401  first: it pins BLAS to one thread before numpy loads (two
#                 threads per process, spinning beside the worker, made the suite 1.5x slower)

_PENDING = {}       # compute function → its AsyncResult in the worker


def pytest_configure(config):
    config.addinivalue_line("markers", "background(compute): the test's run, computed in a second process")


def pytest_collection_modifyitems(config, items):
    marked = [item for item in items if item.get_closest_marker("background")]
    if not marked or len(marked) == len(items):
        return
    worker = multiprocessing.Pool(1)
    config.add_cleanup(worker.terminate)                # a failed or interrupted run waits for nothing
    for item in marked:
        compute = item.get_closest_marker("background").kwargs["compute"]
        if compute not in _PENDING:
            _PENDING[compute] = worker.apply_async(compute)
    items[:] = [item for item in items if item not in marked] + marked


@pytest.fixture
def background(request):
    """The value of the test's `background` marker's function, from the worker if it ran there."""
    compute = request.node.get_closest_marker("background").kwargs["compute"]
    return _PENDING[compute].get() if compute in _PENDING else compute()
