"""The confirmation modal of the guarded-action path.

It shows everything the operator needs to say yes knowingly: every target with its full
context (backend, context, namespace, production marker), the preview (before → after,
the server's dry-run answer, failures highlighted), the risk, and a reason field for a
ticket or incident id. Cancel has the focus (typed text goes to the reason); esc cancels; enter in the reason moves to the
typed name (when asked), then to Confirm, and never confirms by itself. The modal opens at once; the preview (computed in a
worker) fills in when ready, and Confirm stays disabled until it has.

Typed confirmation (``spec.needs_typed_confirmation``: destructive, or any production
target): Confirm stays disabled until the operator types the target's name, or, for a
bulk action, the number of targets (e.g. ``3``; every target is listed above it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from console.actions.locks import HELD_NOTE
from console.actions.runner import PreviewResult
from console.actions.spec import ActionSpec, Risk, Target
from console.actions.undo import preview_mismatches
from console.text import safe_text, strip_control
from screens.generation import GenerationBound

RISK_STYLE = {Risk.LOW: "bold", Risk.HIGH: "bold yellow", Risk.DESTRUCTIVE: "bold red"}


@dataclass(frozen=True)
class ConfirmResult:
    reason: str  # ticket / incident id / free text, may be empty


def typed_confirmation(spec: ActionSpec) -> str | None:
    """What the operator must type before Confirm is enabled, or None."""
    if not spec.needs_typed_confirmation:
        return None
    # the name as shown (control characters stripped), so that it can be typed at all
    return strip_control(spec.targets[0].name).strip() if len(spec.targets) == 1 else str(len(spec.targets))


def targets_table(spec: ActionSpec) -> Table:
    table = Table(expand=True, box=None, padding=(0, 1), header_style="bold")
    for column in ("target", "backend", "context", "namespace", ""):
        table.add_column(column, overflow="fold")
    for target in spec.targets:
        table.add_row(
            safe_text(f"{target.kind} {target.name}"),
            safe_text(target.backend),
            safe_text(target.context),
            safe_text(target.namespace or "-"),
            Text("PRODUCTION", style="bold reverse red") if target.production else Text(""),
        )
    return table


def preview_renderable(spec: ActionSpec, previewed: Mapping[Target, PreviewResult]) -> Group:
    parts: list = []
    for target in spec.targets:
        result = previewed.get(target, PreviewResult(None))
        if len(spec.targets) > 1:
            parts.append(safe_text(target.label, style="bold"))
        if result.error:
            parts.append(safe_text(f"preview failed: {result.error}", style="bold red"))
            continue
        preview = result.preview
        if preview is None:
            parts.append(Text("no preview for this action", style="dim"))
            continue
        if preview.changes:
            table = Table(expand=True, box=None, padding=(0, 1), header_style="bold")
            for column in ("field", "before", "after"):
                table.add_column(column, overflow="fold")
            for change in preview.changes:
                table.add_row(safe_text(change.field), safe_text(change.before), safe_text(change.after, style="bold"))
            parts.append(table)
        if preview.dry_run is not None:
            if preview.dry_run_ok:
                parts.append(safe_text(f"dry run: {preview.dry_run}", style="green"))
            else:
                parts.append(safe_text(f"dry run FAILED: {preview.dry_run}", style="bold red"))
        for note in preview.notes:
            held = note.startswith(HELD_NOTE) or note.startswith("no lock (permission")  # console/actions/locks.py
            parts.append(safe_text(f"note: {note}", style="bold red" if held else "italic"))
    for part in parts:
        if isinstance(part, Text):
            part.end = "\n"  # safe_text ends without a newline; in a Group each part is a line
    return Group(*parts)


class ConfirmScreen(GenerationBound, ModalScreen[ConfirmResult | None]):
    """Dismisses with a ConfirmResult (confirmed) or None (cancelled)."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > #confirm-dialog { width: 90%; max-width: 110; height: auto; max-height: 100%;
                                      border: thick $warning; background: $surface; padding: 0 1; }
    ConfirmScreen.-destructive > #confirm-dialog, ConfirmScreen.-production > #confirm-dialog { border: thick $error; }
    ConfirmScreen #confirm-body { height: auto; max-height: 45vh; }
    ConfirmScreen #confirm-warnings { height: auto; }
    ConfirmScreen .confirm-section { margin-top: 1; text-style: bold; }
    ConfirmScreen Input { margin: 0; }
    ConfirmScreen #confirm-buttons { height: auto; margin-top: 1; align-horizontal: right; }
    ConfirmScreen #confirm-buttons Button { margin-left: 2; }
    /* a short terminal (24 rows): no blank lines between sections, the preview gets the room */
    ConfirmScreen.-short .confirm-section { margin-top: 0; }
    ConfirmScreen.-short #confirm-buttons { margin-top: 0; }
    ConfirmScreen.-short #confirm-body { max-height: 60vh; }
    /* the focused button must stand out in every theme (256 colours and 16 ANSI colours):
       Textual's default (reverse) makes it look like the *unselected* one on a dark surface */
    ConfirmScreen #confirm-buttons Button:focus { background: $accent; color: $background;
                                                  text-style: bold underline; }
    """
    AUTO_FOCUS = "#cancel"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, spec: ActionSpec, previewed: Mapping[Target, PreviewResult] | None = None) -> None:
        """``previewed`` None: the preview is still being computed; see :meth:`set_previews`."""
        super().__init__()
        self.spec = spec
        self.previewed = dict(previewed or {})
        self.preview_ready = previewed is not None
        self.expected = typed_confirmation(spec)
        self.bind_to(spec.backend, spec.generation, f"confirmation of {spec.title}")
        if spec.risk is Risk.DESTRUCTIVE:
            self.add_class("-destructive")
        if spec.production:
            self.add_class("-production")

    def compose(self) -> ComposeResult:
        spec = self.spec
        with Vertical(id="confirm-dialog"):
            title = Text("Confirm: ", style="bold")
            title.append_text(safe_text(spec.title, style="bold"))
            yield Static(title, id="confirm-title")
            risk = Text("risk: ")
            risk.append(spec.risk.value, style=RISK_STYLE[spec.risk])
            if spec.production:
                risk.append("   PRODUCTION", style="bold reverse red")
            risk.append(f"   timeout {spec.timeout:g}s" + (f", verify up to {spec.verify_timeout:g}s" if spec.verify else ""))
            yield Static(risk, id="confirm-risk")
            yield Static(self._warnings(), id="confirm-warnings")
            with VerticalScroll(id="confirm-body"):
                yield Label(f"{len(spec.targets)} target(s)", classes="confirm-section")
                yield Static(targets_table(spec), id="confirm-targets")
                yield Label("What will change", classes="confirm-section")
                yield Static(self._preview_content(), id="confirm-preview")
                if spec.undo_hint:
                    yield Static(safe_text(f"undo: {spec.undo_hint}", style="dim"), id="confirm-undo")
            yield Label("Reason (ticket / incident id)", classes="confirm-section")
            # a reason the operator already gave (e.g. in the suppress dialog) is not asked twice
            yield Input(spec.details.get("reason", ""), placeholder="e.g. INC-1234 (recorded in the changelog)",
                        id="confirm-reason", compact=True, select_on_focus=False)
            if self.expected is not None:
                what = "the target's name" if len(spec.targets) == 1 else "the number of targets"
                prompt = Text(f"Type {what} to confirm: ")
                prompt.append_text(safe_text(self.expected, style="bold"))
                yield Label(prompt, classes="confirm-section", id="confirm-typed-label")
                yield Input(placeholder=f"type {what}", id="confirm-typed", compact=True)
            with Horizontal(id="confirm-buttons"):
                yield Button("Cancel", id="cancel", variant="primary", compact=True)
                yield Button(safe_text(f"Confirm {spec.verb}"), id="confirm",
                             variant="error" if spec.needs_typed_confirmation else "warning",
                             disabled=not self._may_confirm(), compact=True)

    def _preview_content(self) -> Group | Text:
        if not self.preview_ready:
            return Text("computing the preview (and the server's dry run where there is one)…", style="italic")
        return preview_renderable(self.spec, self.previewed)

    def set_previews(self, previewed: Mapping[Target, PreviewResult]) -> None:
        """MAIN thread: the preview worker's answer arrived (maybe before this screen is mounted)."""
        self.previewed = dict(previewed)
        self.preview_ready = True
        if self.query("#confirm-preview"):  # not yet composed, or already cancelled: nothing to update
            self._show_preview()

    def on_mount(self) -> None:
        self.set_class(self.app.size.height < 30, "-short")
        self._show_preview()

    def on_resize(self) -> None:
        self.set_class(self.app.size.height < 30, "-short")

    def _show_preview(self) -> None:
        self.query_one("#confirm-preview", Static).update(self._preview_content())
        warnings = self._warnings()
        box = self.query_one("#confirm-warnings", Static)
        box.update(warnings)
        box.display = bool(warnings.plain)
        self._update_confirm()

    def _warnings(self) -> Text:
        """Failed dry runs and previews, above the (scrollable) preview so they cannot be missed."""
        failed_previews = sum(1 for r in self.previewed.values() if r.error)
        failed_dry_runs = sum(1 for r in self.previewed.values() if r.preview is not None and not r.preview.dry_run_ok)
        parts = []
        if self.spec.stale_warning:
            parts.append(f"STALE DATA: {self.spec.stale_warning}")
        if failed_dry_runs:
            parts.append(f"{failed_dry_runs} dry run(s) FAILED")
        if failed_previews:
            parts.append(f"{failed_previews} preview(s) failed")
        see = ": see below" if failed_dry_runs or failed_previews else ""
        text = Text("⚠ " + ", ".join(strip_control(p) for p in parts) + see, style="bold red") if parts else Text("")
        for target, result in self.previewed.items():  # an undo that would not do what its record says
            for line in preview_mismatches(self.spec.recorded, result.preview):
                if text:
                    text.append("\n")
                text.append("⚠ undo differs from the record: ", style="bold red")
                text.append_text(safe_text(f"{target.name}: {line}"))
        return text

    def _may_confirm(self) -> bool:
        """Confirm needs the preview shown and, when required, the typed name or count."""
        if not self.preview_ready:
            return False
        if self.expected is None:
            return True
        typed = self.query("#confirm-typed")
        return bool(typed) and typed.first(Input).value.strip() == self.expected

    def _update_confirm(self) -> None:
        self.query_one("#confirm", Button).disabled = not self._may_confirm()

    @property
    def confirm_enabled(self) -> bool:
        return not self.query_one("#confirm", Button).disabled

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "confirm-typed":
            event.stop()
            self._update_confirm()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter never confirms by itself: reason → typed name (when asked) → Confirm.

        Confirm still needs its own press (enter or click); while it is disabled (preview not
        ready, name not typed yet) the focus goes to Cancel, the safe default.
        """
        event.stop()
        typed = self.query("#confirm-typed")
        if event.input.id == "confirm-reason" and typed:
            typed.first(Input).focus()
            return
        confirm = self.query_one("#confirm", Button)
        (confirm if not confirm.disabled else self.query_one("#cancel", Button)).focus()

    def on_key(self, event: events.Key) -> None:
        """Typing while a button has the focus goes to the reason field, never nowhere:
        an operator who opens the dialog and types ``INC-42`` gets it recorded. The fields
        take their own printable keys, so one that reaches the dialog came from a button, also
        when the focus has moved on meanwhile: the rest of a burst (paste, tmux, a slow link)
        still on its way to Cancel lands in the reason too, in order and with its spaces.
        A space only once the reason has begun."""
        if not (event.is_printable and event.character):
            return
        reason = self.query_one("#confirm-reason", Input)
        if event.character == " " and not reason.value:
            return
        event.stop()
        event.prevent_default()
        if self.focused is not reason:
            self.set_focus(reason)  # now, not on the next turn of the loop (focus())
        reason.insert_text_at_cursor(event.character)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "confirm" and self.confirm_enabled:
            self.dismiss(ConfirmResult(self.query_one("#confirm-reason", Input).value.strip()))
        elif event.button.id == "cancel":
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
