"""The console's tab container: a focus that lands in a tab the operator has left does not
switch back to it.

Textual's ``TabbedContent`` activates the pane of any widget that gets the focus, and
``Widget.focus()`` is applied later (``call_later``). So a focus asked for just before a
tab switch (a load that lands and focuses its table, the start-up focus) was applied after
the switch and pulled the tabs back: under load, a typed ``2`` or ``3`` was undone. Here a
focus in a pane that is not the active one is stale: the active tab's body gets the focus
instead, and the active tab stays.
"""

from __future__ import annotations

from textual.widgets import TabbedContent, TabPane


class ConsoleTabs(TabbedContent):
    def _on_tab_pane_focused(self, event: TabPane.Focused) -> None:
        if event.tab_pane.id is None or event.tab_pane.id == self.active:
            return  # TabbedContent's own handler runs next
        event.stop()
        event.prevent_default()  # not TabbedContent's: it would make the hidden pane active
        # a widget in a hidden pane has the focus: give it to the tab on screen
        self.screen.set_focus(None)
        refocus = getattr(self.app, "_focus_active_tab", None)
        if refocus is not None:
            self.call_after_refresh(refocus)
