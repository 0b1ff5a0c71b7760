"""A tab whose view is not built yet: it shows its backend's state and identity only."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Static

from console.text import safe_text
from screens.base import BackendTab


class _Identity(Static):
    pass


class StateOnlyTab(BackendTab):
    POLL_SECONDS = 30.0

    def compose_body(self) -> ComposeResult:
        yield _Identity(id="identity")

    def show(self, data: object) -> None:
        info = self.info
        lines = [f"{self.BACKEND}: connected"]
        if info is not None:
            lines += [f"target: {info.target}", f"version: {info.version or '?'}"]
            if info.identity:
                lines.append(f"identity: {info.identity}")
        lines.append("This tab's view is not available in this build; the backend state above is live.")
        self.query_one(_Identity).update(safe_text("\n".join(lines)))


class LocalOnlyTab(Widget):
    def __init__(self, services: object, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.services = services

    def compose(self) -> ComposeResult:
        yield Static("The compliance engine is not available in this build.")


def state_only_tab(tab) -> type[Widget]:
    if tab.backend is None:
        return LocalOnlyTab
    return type(f"{tab.title.replace(' ', '')}Tab", (StateOnlyTab,), {"BACKEND": tab.backend})
