"""Work whose many new objects die together, done with Python's cyclic garbage collector paused.

A collection in the middle of such work (a worker's batch, a checkpoint's records, thousands of
manifests, a large JSON document) finds its objects alive and ages them, and enough aged objects
set off a full collection, which walks every object the process holds (0.1-0.5 s in a worker
holding a fleet's state). Paused, they die by reference count at the end; a cycle made inside is
collected after it, at the next allocation.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector paused inside (left as it was if already paused, as when nested)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
