"""The modal that asks why (and until when) a finding is suppressed; the change itself goes
through the guarded-action runner (console.actions.local.suppression_spec) so it is
confirmed and audited."""

from __future__ import annotations

from datetime import date, timedelta

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from checks.model import Finding
from checks.suppress import exact_pattern
from console.config import Suppression
from console.text import safe_text

DEFAULT_DAYS = 90


class SuppressDialog(ModalScreen[Suppression | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    SuppressDialog { align: center middle; }
    SuppressDialog > Vertical { width: 76; height: auto; border: round $warning; background: $surface; padding: 1 2; }
    SuppressDialog Input { margin-bottom: 1; }
    SuppressDialog #suppress-error { color: $error; height: auto; }
    SuppressDialog Horizontal { height: auto; align-horizontal: right; }
    """

    def __init__(self, finding: Finding, today: date | None = None) -> None:
        super().__init__()
        self.finding = finding
        self.today = today or date.today()

    def compose(self) -> ComposeResult:
        f = self.finding
        with Vertical():
            yield Static(safe_text(f"Suppress {f.rule_id} at {f.location}", "bold"))
            yield Static(safe_text("Only this finding (this rule at this place); others in the file stay active.", "dim"))
            yield Label("Reason (ticket, accepted risk):")
            yield Input(placeholder="required", id="suppress-reason")
            yield Label("Expires (YYYY-MM-DD, empty: never):")
            yield Input(value=(self.today + timedelta(days=DEFAULT_DAYS)).isoformat(), id="suppress-expires")
            yield Static("", id="suppress-error")
            with Horizontal():
                yield Button("Cancel", id="suppress-cancel")
                yield Button("Suppress…", variant="warning", id="suppress-ok")

    def on_mount(self) -> None:
        self.query_one("#suppress-reason", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "suppress-ok":
            self._submit()
        else:
            self.dismiss(None)

    def _submit(self) -> None:
        reason = self.query_one("#suppress-reason", Input).value.strip()
        expires = self.query_one("#suppress-expires", Input).value.strip() or None
        error = self.query_one("#suppress-error", Static)
        if not reason:
            error.update("A reason is required.")
            return
        if expires is not None:
            try:
                when = date.fromisoformat(expires)
            except ValueError:
                error.update(safe_text(f"Expiry {expires!r} is not a date (YYYY-MM-DD)."))
                return
            if when < self.today:
                error.update("The expiry date is in the past.")
                return
        path = exact_pattern(self.finding) if str(self.finding.location) else None
        self.dismiss(Suppression(self.finding.rule_id, reason, expires, path))
