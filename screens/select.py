"""``Select`` that survives the app quitting while it mounts.

Tabs are mounted in the background after start-up (``screens.registry.LazyTabs``). When
the console quits just then, Textual removes the Select's children before its own Mount
handler runs, and that handler's queries (``SelectOverlay``, ``#label``) raise
``NoMatches`` out of the shutdown: a traceback on quit. Only then is it ignored.
"""

from __future__ import annotations

import logging

from textual import events
from textual.css.query import NoMatches
from textual.widgets import Select

log = logging.getLogger(__name__)


class QuitSafeSelect(Select):
    def _on_mount(self, event: events.Mount) -> None:
        try:
            super()._on_mount(event)
        except NoMatches:
            if self.app.return_code is None and self.is_attached:
                raise  # not a shutdown: a real fault
            log.debug("select %s mounted while the app quits", self.id)
