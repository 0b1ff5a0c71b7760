"""The key footer, rebuilt once per change of the keys it shows.

Textual's Footer recomposes (unmounts and mounts one widget per key) on every
``bindings_updated`` signal: each focus change, mount and ``refresh_bindings`` - about a
hundred times while the console starts. ``KeyFooter`` folds the signals of one refresh
into one pending rebuild, and skips it when the keys, their labels and their enabled
state are what it already shows.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending = False
        self._shown: tuple | None = None  # what the last rebuild showed
        self.rebuilds = 0  # tests read it

    def _signature(self) -> tuple:
        return tuple((key, binding.action, binding.description, enabled, tooltip)
                     for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items() if binding.show
                     or key == self.app.COMMAND_PALETTE_BINDING)

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or self._pending:
            return
        if self.is_attached and screen is self.screen:
            self._pending = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._pending = False
        if not self.is_attached:
            return
        signature = self._signature()
        if signature == self._shown:
            return
        self._shown = signature
        self.rebuilds += 1
        await self.recompose()
