"""`?`: every key of the current tab and the global ones, with what they do.

A key that is not available now says why, in the words the key itself uses: a node that
dims keys in ``check_action`` answers ``why_unavailable(action, parameters)`` with the same
reason (the read-only decision of ``console.actions.runner.read_only_reason``, "scale does not
apply to pods", ...); "not available now" only when it has none to give.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual.actions import ActionError, parse
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def format_key(app, key: str) -> str:
    try:
        return app.get_key_display(Binding(key, ""))
    except Exception:  # noqa: BLE001 - odd key names: show them raw
        return key


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; max-width: 100; height: 90%; border: round $primary;
                                  background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, title: str, rows: Iterable[tuple[str, str, str, bool] | tuple[str, str, str, bool, str]]) -> None:
        """``rows``: (section, key, description, enabled[, why not available])."""
        super().__init__()
        self.title_text = title
        self.rows = list(rows)

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, show_header=False, padding=(0, 1))
        table.add_column("key", style="bold", no_wrap=True, width=14)
        table.add_column("what")
        section = None
        for sec, key, desc, enabled, *why in self.rows:
            if sec != section:
                section = sec
                table.add_row(Text(sec, style="bold underline"), "")
            note = "" if enabled else f"  (not available: {why[0]})" if why and why[0] else "  (not available now)"
            table.add_row(Text(key), Text(desc + note, style="" if enabled else "dim"))
        with VerticalScroll():
            yield Static(Text(self.title_text, style="bold"))
            yield Static(table)
            yield Static(Text("esc: close", style="dim"))

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)


def why_unavailable(node, action: str) -> str:
    """The reason ``node`` gives for dimming ``action`` (a binding's action string), or ""."""
    ask = getattr(node, "why_unavailable", None)
    if ask is None:
        return ""
    try:
        _namespace, name, parameters = parse(action)
    except ActionError:
        return ""
    return ask(name, parameters) or ""


def collect_bindings(screen) -> list[tuple[str, str, str, bool]]:
    """Active bindings of the focused chain: (section, key, description, enabled)."""
    return [row[:4] for row in help_rows(screen)]


def help_rows(screen) -> list[tuple[str, str, str, bool, str]]:
    """Active bindings of the focused chain: (section, key, description, enabled, why not)."""
    rows: list[tuple[str, str, str, bool, str]] = []
    for key, active in screen.active_bindings.items():
        b = active.binding
        if not (b.description or b.tooltip):
            continue
        owner = type(active.node).__name__
        section = "Global" if owner in ("OpsConsole", "Screen") else owner.removesuffix("Tab")
        desc = b.description if not b.tooltip or b.tooltip == b.description else f"{b.description}: {b.tooltip}"
        why = "" if active.enabled else why_unavailable(active.node, b.action)
        rows.append((section, format_key(screen.app, key), desc, active.enabled, why))
    rows.sort(key=lambda r: (r[0] == "Global", r[0]))
    return rows
