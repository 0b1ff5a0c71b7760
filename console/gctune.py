"""Garbage-collector tuning around bulk loads (a 20,000-object list, its rows and table).

A bulk load allocates hundreds of thousands of long-lived objects (JSON dicts, rows,
tuples); with the default thresholds that triggers many full collections that walk
all of them, on whatever thread happens to allocate (the UI's too). ``bulk_load()``
raises the generation-0 threshold for the duration of the load (nested and
thread-safe: the last one out restores the previous thresholds), then ``gc.freeze()``s
what survived, so later collections never walk the loaded data again. Objects that die
later are still freed by reference counting; only cycles among frozen objects would
wait, and the rows are acyclic (frozen dataclasses, tuples, strings).

``settle()`` freezes what start-up built, once the console has settled (``SETTLE_AFTER``
seconds after the start-up quiet time: the tabs mounted, the SDKs imported, the backends
connected). Before it, every full collection walked those ~200,000 objects (modules,
classes, SDK models, widgets): ~130 ms with the GIL held, a frozen UI about twice a
minute while a log flood allocates. After it, a full collection walks only what came
later (2-4 ms in the same flood, measured).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

BULK_THRESHOLD = 100_000  # gen-0 allocations between collections while a load runs
SETTLE_AFTER = (5.0, 30.0)  # seconds after the start-up quiet time: settle() (a slow connect: the second)

_lock = threading.Lock()
_depth = 0
_saved: tuple[int, int, int] | None = None


@contextmanager
def bulk_load(freeze: bool = True) -> Iterator[None]:
    """Run a bulk load with fewer collections; freeze the survivors afterwards."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(max(BULK_THRESHOLD, _saved[0]), *_saved[1:])
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
        if freeze:
            gc.freeze()


def settle() -> int:
    """Collect, then freeze every object alive now; returns how many are frozen in all.
    Start-up's objects live as long as the console does. The first call's collection
    walks them once more (what a full collection would soon have done anyway); nothing
    that is garbage now is frozen with them."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def loading() -> bool:
    """True while a bulk load runs (tests read it)."""
    return _depth > 0
