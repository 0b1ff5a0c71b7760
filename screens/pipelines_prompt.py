"""Small prompts the AWS tabs need before they build an action spec.

``ReasonPrompt`` asks for the text CodePipeline records with an approval or rejection
(it goes to AWS and into the changelog); ``ChoicePrompt`` picks one of a few names
(AWS profiles). Both dismiss with None on escape.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static

from console.text import safe_text
from screens.widgets import VimOptionList


class ReasonPrompt(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    ReasonPrompt { align: center middle; }
    ReasonPrompt > Vertical { width: 70; height: auto; border: round $warning; background: $surface; padding: 0 1; }
    ReasonPrompt #prompt-error { color: $error; height: auto; }
    """

    def __init__(self, title: str, placeholder: str = "reason (ticket or incident id and a few words)") -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe_text(self.title_text), id="prompt-title")
            yield Input(placeholder=self.placeholder, id="prompt-input")
            yield Static("", id="prompt-error")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        if not value:
            self.query_one("#prompt-error", Static).update("a reason is required: it is recorded with the answer")
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoicePrompt(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    ChoicePrompt { align: center middle; }
    ChoicePrompt > Vertical { width: 50; height: auto; max-height: 80%; border: round $primary;
                              background: $surface; padding: 0 1; }
    ChoicePrompt OptionList { height: auto; max-height: 20; }
    """

    def __init__(self, title: str, choices: tuple[str, ...]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe_text(self.title_text))
            yield VimOptionList(*(safe_text(c) for c in self.choices), id="choices")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
