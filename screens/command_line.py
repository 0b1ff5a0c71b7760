"""`:` command line (k9s style): `:pods app=web`, `:deploy`, `:ctx NAME`, `:ns NAME`, `:3`."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Input


class CommandLine(ModalScreen[str | None]):
    DEFAULT_CSS = """
    CommandLine { align: left bottom; background: $background 0%; }
    CommandLine > Input { dock: bottom; width: 100%; height: 3; border: tall $accent; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(self, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.suggestions = suggestions

    def compose(self) -> ComposeResult:
        from textual.suggester import SuggestFromList

        yield Input(placeholder=": containers | pods app=web | deploy | ctx NAME | ns NAME | changelog | help | quit",
                    suggester=SuggestFromList(self.suggestions, case_sensitive=False), id="command")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip().lstrip(":") or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
