"""The App's start-up phases, without Textual: the quiet time after the first frame, the sandbox.

1. The first frame: only the first tab is built (console.app, screens.registry.LazyTabs).
2. Until no key was typed for ``STARTUP_QUIET`` seconds (``STARTUP_QUIET_MAX`` at most), keys
   have the main thread to themselves: a tab shown meanwhile is built, but nothing connects
   yet (an SDK import in a worker holds the GIL for a while).
3. Then ``_start_up_over``: the undo factories are registered, every ``after_setup`` callback
   waiting runs (the tabs' and Triage's connects, the audit reconciliation) and the hidden
   tabs are mounted one at a time.
4. In sandbox mode the callbacks of the backends the sandbox provides wait for it too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from console import gctune

if TYPE_CHECKING:  # pragma: no cover
    from console.config import Config

STARTUP_QUIET = 0.4  # seconds without a key after the first frame before the backends connect...
STARTUP_QUIET_MAX = 2.0  # ...and at most this long after it, however much is typed


def register_undo_factories() -> None:
    """Every backend's undo factories, explicitly (not on import), before any undo is offered;
    after the first frame, like everything else that imports domain modules."""
    from console.actions.registry import register_all

    register_all()


class StartPhases:
    """Mixed into the App (which sets ``_setup_done``, ``_after_setup``, ``_started``,
    ``_after_start``, ``_sandbox_starter`` and ``_sandbox_stop`` in its constructor)."""

    config: Any
    _setup_done: bool
    _started: bool
    _after_setup: list[Callable[[], None]]
    _after_start: list[tuple[Callable[[], None], str | None]]
    _sandbox_starter: Any
    _sandbox_stop: Callable[[], None] | None

    _quiet: Any = None  # the timer that ends the start-up quiet time
    _quiet_ends_by = 0.0

    # the App's own methods, used here
    notify: Any
    call_from_thread: Any
    mount_hidden_tabs: Any
    set_timer: Any

    def _start_quiet_time(self) -> None:
        """MAIN, once the first frame is painted."""
        self._quiet_ends_by = time.monotonic() + STARTUP_QUIET_MAX
        self._quiet = self.set_timer(STARTUP_QUIET, self._start_up_over)

    def _typed_in_quiet_time(self) -> None:
        """MAIN: a key during the quiet time: it lasts until typing pauses (or its maximum)."""
        if self._started or self._quiet is None:
            return
        left = self._quiet_ends_by - time.monotonic()
        if left > 0:
            self._quiet.stop()
            self._quiet = self.set_timer(min(STARTUP_QUIET, left), self._start_up_over)

    def _start_up_over(self) -> None:
        """The quiet time is over: the backends connect, the hidden tabs mount."""
        if self._started:
            return
        self._started = True
        register_undo_factories()
        for after in gctune.SETTLE_AFTER:  # full collections stop walking start-up's objects
            self.set_timer(after, gctune.settle)
        waiting, self._after_start = self._after_start, []
        for callback, backend in waiting:
            self.after_setup(callback, backend)
        self.mount_hidden_tabs()

    def after_setup(self, callback: Callable[[], None], backend: str | None = None) -> None:
        """Run ``callback`` now, or once the sandbox is up when ``backend`` is one it provides
        (the sandbox replaces Kubernetes and AWS; Docker is always the real local engine);
        never before the start-up quiet time is over (a key typed at once is answered first)."""
        if not self._started:
            self._after_start.append((callback, backend))
        elif self._setup_done or backend == "docker":
            callback()
        else:
            self._after_setup.append(callback)

    def _start_sandbox(self) -> None:
        try:
            config, stop = self._sandbox_starter(self.config)
        except ModuleNotFoundError as exc:  # a plain install without the extra
            from console.__main__ import SANDBOX_HINT

            hint = SANDBOX_HINT.format(missing=exc.name or exc)
            self.call_from_thread(self._setup_finished, None, None, f"sandbox failed to start: {hint}")
            return
        except Exception as exc:  # noqa: BLE001 - shown to the operator; tabs show unavailable
            self.call_from_thread(self._setup_finished, None, None, f"sandbox failed to start: {exc}")
            return
        self.call_from_thread(self._setup_finished, config, stop, None)

    def _setup_finished(self, config: Config | None, stop: Callable[[], None] | None, error: str | None) -> None:
        if config is not None:
            self.config = config
            self._sandbox_stop = stop
        if error:
            self.notify(error, severity="error", timeout=30)
        self._setup_done = True
        callbacks, self._after_setup = self._after_setup, []
        for callback in callbacks:
            callback()
