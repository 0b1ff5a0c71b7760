"""console.gctune: fewer collections during a bulk load, thresholds restored, survivors frozen."""

from __future__ import annotations

import gc
import threading

from console import gctune


def test_bulk_load_raises_thresholds_nests_and_restores():
    before = gc.get_threshold()
    with gctune.bulk_load():
        assert gctune.loading() and gc.get_threshold()[0] >= gctune.BULK_THRESHOLD
        with gctune.bulk_load(freeze=False):  # nested (another watch thread listing at the same time)
            assert gc.get_threshold()[0] >= gctune.BULK_THRESHOLD
        assert gc.get_threshold()[0] >= gctune.BULK_THRESHOLD  # the outer load still runs
    assert gc.get_threshold() == before and not gctune.loading()


def test_bulk_load_freezes_what_survived_and_restores_after_an_error():
    before = gc.get_threshold()
    try:
        with gctune.bulk_load():
            kept = [{"n": i} for i in range(1000)]
            raise ValueError("list failed halfway")
    except ValueError:
        pass
    assert gc.get_threshold() == before and gc.get_freeze_count() > 0 and len(kept) == 1000
    gc.unfreeze()


def test_bulk_loads_on_two_threads_restore_once_both_end():
    before = gc.get_threshold()
    inside, release = threading.Barrier(2), threading.Event()

    def load() -> None:
        with gctune.bulk_load(freeze=False):
            inside.wait(30)
            release.wait(30)

    worker = threading.Thread(target=load)
    worker.start()
    with gctune.bulk_load(freeze=False):
        inside.wait(30)
    assert gc.get_threshold()[0] >= gctune.BULK_THRESHOLD  # the worker's load still runs
    release.set()
    worker.join(30)
    assert gc.get_threshold() == before


def test_settle_freezes_what_lives_now():
    gc.unfreeze()
    kept = [{"n": i} for i in range(1000)]
    assert gctune.settle() >= 1000 and gc.get_freeze_count() >= 1000 and len(kept) == 1000
    gc.unfreeze()


async def test_the_console_settles_after_its_start_up(monkeypatch):
    """Full collections stop walking start-up's objects (~130 ms each, measured in a log flood)."""
    import time

    from console.app import OpsConsole
    from console.config import Config

    gc.unfreeze()
    monkeypatch.setattr(gctune, "SETTLE_AFTER", (0.1,))  # seconds after the quiet time
    app = OpsConsole(Config())
    async with app.run_test(size=(100, 30)) as pilot:
        deadline = time.monotonic() + 60
        while gc.get_freeze_count() == 0:
            assert time.monotonic() < deadline, "never settled"
            await pilot.pause(0.05)
    assert gc.get_freeze_count() > 10_000
    gc.unfreeze()
