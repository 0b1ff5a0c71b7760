"""``Select`` that survives the app quitting while it mounts.

Tabs are mounted in the background after start-up (``screens.registry.LazyTabs``). When
the console quits just then, Textual removes the Select's children before its own Mount
handler runs, and that handler's queries (``SelectOverlay``, ``#label``) raise
``NoMatches`` out of the shutdown: a traceback on quit (run_test's teardown sets no return
code, so the sign is that the parts it reads are gone). Only then is it ignored.
"""

from __future__ import annotations

import logging

from textual import events
from textual.css.query import NoMatches
from textual.widgets import Select
from textual.widgets._select import SelectOverlay

log = logging.getLogger(__name__)


class QuitSafeSelect(Select):
    def _on_mount(self, event: events.Mount) -> None:
        try:
            super()._on_mount(event)
        except NoMatches:
            if self._parts_present():
                raise  # its parts are there: a real fault, not a teardown
            log.debug("select %s mounted while the app quits", self.id)

    def _parts_present(self) -> bool:
        """The children the Mount handler reads (removed first when the app quits)."""
        return bool(self.query(SelectOverlay)) and bool(self.query("SelectCurrent #label"))
