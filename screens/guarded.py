"""The guarded-action path in the UI: gate → preview → confirm → execute → verify → result.

``start_guarded(app, spec, origin)`` is the only way a screen changes anything (the App's
``run_guarded`` calls it). The flow:

1. read-only gate (``runner.gate`` with the App's config, plus the origin tab's own
   ``read_only_reason``): refused → a notification with the reason, "refused" audited;
2. preview in a thread worker, then the ConfirmScreen;
3. cancel → "declined" audited (worker); confirm → ``runner.execute`` in a thread worker,
   with its progress lines (execution and verification) shown live in an ActionRunScreen;
   esc hides that modal, the action goes on and the result still comes back;
4. the result in the same modal (one line per target), a notification, the origin tab
   refreshed; when something failed and the spec has an inverse, ``u``/Undo starts it
   through this same path.

Every blocking call (backend, files) runs in a worker; widgets are touched only on the
main thread (``app.call_from_thread``).
"""

from __future__ import annotations

import logging
import textwrap
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Log, Static

from console.actions import runner
from console.actions.intent import ActionRun
from console.actions.journal import Journal, JournalUnwritable
from console.actions.records import Operator, current_operator
from console.actions.runner import PreviewResult, TargetResult
from console.actions.sink import team_journal
from console.actions.spec import ActionSpec, Outcome, Risk, Target
from console.actions.team import TeamHooks, build_hooks
from console.services import Services
from console.text import safe_text, strip_control
from screens import running
from screens.confirm import ConfirmResult, ConfirmScreen

log = logging.getLogger(__name__)

OUTCOME_STYLE = {
    Outcome.SUCCEEDED: "bold green", Outcome.FAILED: "bold red", Outcome.APPLIED: "bold yellow",
    Outcome.REFUSED: "bold red", Outcome.DECLINED: "dim", Outcome.ABANDONED: "bold yellow",
    Outcome.RECONCILED: "bold yellow",
}


def journal_for(app: App) -> Journal:
    """The App's journal, created from its config on first use."""
    journal = getattr(app, "journal", None)
    if journal is None:
        config = app.config  # type: ignore[attr-defined]
        journal = team_journal(config)  # the local journal, plus the team's audit sink if configured
        app.journal = journal  # type: ignore[attr-defined]
    return journal


def hooks_for(app: App) -> TeamHooks | None:
    """The App's team hooks (locks, Kubernetes Events), built on first use; None without Services."""
    hooks = getattr(app, "team_hooks", None)
    services = getattr(app, "services", None)
    if hooks is None and callable(getattr(services, "kubernetes", None)):  # a console.services.Services
        hooks = build_hooks(app.config, services)  # type: ignore[attr-defined]
        app.team_hooks = hooks  # type: ignore[attr-defined]
    return hooks


def results_text(results: list[TargetResult]) -> Text:
    text = Text()
    for result in results:
        if text:
            text.append("\n")
        text.append(f"{result.outcome.value:<10} ", style=OUTCOME_STYLE.get(result.outcome, ""))
        text.append_text(safe_text(result.target.label))
        if result.detail:
            text.append_text(safe_text(f" — {result.detail}"))
        if result.duration:
            text.append(f" ({result.duration:.1f}s)", style="dim")
    return text


class ActionRunScreen(ModalScreen[str | None]):
    """Live progress of a running action, then its result; dismisses with "undo" or None."""

    DEFAULT_CSS = """
    ActionRunScreen { align: center middle; }
    ActionRunScreen > #run-dialog { width: 90%; max-width: 110; height: auto; max-height: 100%;
                                    border: thick $primary; background: $surface; padding: 0 1; }
    ActionRunScreen.-failed > #run-dialog { border: thick $error; }
    ActionRunScreen.-succeeded > #run-dialog { border: thick $success; }
    ActionRunScreen #run-log { height: 8; border: none; }
    ActionRunScreen #run-status { height: auto; color: $warning; }
    ActionRunScreen #run-results { height: auto; max-height: 30vh; margin-top: 1; overflow-y: auto; }
    ActionRunScreen #run-buttons { height: auto; margin-top: 1; align-horizontal: right; }
    ActionRunScreen #run-buttons Button { margin-left: 2; }
    ActionRunScreen #undo { display: none; }
    ActionRunScreen.-undoable #undo { display: block; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close / hide"),
        Binding("u", "undo", "Undo"),
    ]

    def __init__(self, spec: ActionSpec, lines: list[str] | None = None,
                 results: list[TargetResult] | None = None, undoable: bool = False,
                 action_run: ActionRun | None = None) -> None:
        super().__init__()
        self.spec = spec
        self.action_run = action_run  # its phase, countdown and last observed state, while it runs
        self.lines = list(lines or [])
        self.results = results
        self.undoable = undoable
        # the Log is fed from ``lines`` once, in on_mount; before that (composed but not yet
        # mounted) a line written to it would be written a second time by on_mount
        self._log_fed = False

    def compose(self) -> ComposeResult:
        with Vertical(id="run-dialog"):
            title = Text("Running: ", style="bold")
            title.append_text(safe_text(self.spec.title, style="bold"))
            yield Static(title, id="run-title")
            yield Log(id="run-log", auto_scroll=True)
            yield Static("", id="run-status")
            yield Static("", id="run-results")
            with Horizontal(id="run-buttons"):
                yield Button("Undo (u)", id="undo", variant="warning", compact=True)
                yield Button("Hide (esc)", id="close", variant="primary", compact=True)

    def on_mount(self) -> None:
        if self.lines:
            self.query_one(Log).write_lines([w for line in self.lines for w in self._wrapped(line)])
        self._log_fed = True
        self.query_one("#close", Button).focus()
        if self.results is not None:
            self.show_results(self.results, self.undoable)
        else:
            self.set_interval(0.5, self.tick)
            self.tick()

    def tick(self) -> None:
        """The countdown to the current phase's deadline and the last observed state."""
        run = self.action_run
        if run is None or self.results is not None:
            return
        status = self.query_one("#run-status", Static)
        status.update(safe_text(run.status_text() + "   (esc: hide, it keeps running; A reopens it)"))

    def add_line(self, line: str) -> None:
        line = strip_control(line)
        self.lines.append(line)
        if not self._log_fed:
            return  # on_mount writes every line so far
        shown = self.query(Log)  # empty once the operator has hidden this modal
        if shown:
            shown.first().write_lines(self._wrapped(line))

    def _wrapped(self, line: str) -> list[str]:
        """A progress line folded to the dialog's width (80 columns: no ``executing (timeou``)."""
        width = min(int(self.app.size.width * 0.9), 110) - 4  # the dialog: 90%, at most 110, border + padding
        if width < 20 or len(line) <= width:
            return [line]
        return textwrap.wrap(line, width, subsequent_indent="  ", break_long_words=True) or [line]

    def show_results(self, results: list[TargetResult], undoable: bool) -> None:
        self.results = results
        self.undoable = undoable
        ok = all(r.ok for r in results)
        title = Text("Done: " if ok else "Problem: ", style="bold")
        title.append_text(safe_text(self.spec.title, style="bold"))
        self.query_one("#run-title", Static).update(title)
        self.query_one("#run-results", Static).update(results_text(results))
        self.query_one("#run-status", Static).display = False
        self.query_one("#close", Button).label = "Close (esc)"
        self.set_class(ok, "-succeeded")
        self.set_class(not ok, "-failed")
        self.set_class(undoable, "-undoable")
        (self.query_one("#undo", Button) if undoable else self.query_one("#close", Button)).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "undo":
            self.action_undo()
        else:
            self.action_close()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_undo(self) -> None:
        if self.undoable:
            self.dismiss("undo")


class GuardedRun:
    """One pass of one action through the guarded path (state shared by its callbacks)."""

    def __init__(self, app: App, spec: ActionSpec, origin: Any = None) -> None:
        self.app = app
        self.spec = spec
        self.origin = origin
        self.journal = journal_for(app)
        self.hooks = hooks_for(app)
        info = getattr(origin, "info", None)
        self.operator: Operator = current_operator(getattr(info, "identity", "") or "")
        self.previewed: dict[Target, PreviewResult] = {}
        self.results: list[TargetResult] = []
        self.undo: ActionSpec | None = None
        self.run_screen: ActionRunScreen | None = None
        self.confirm_screen: ConfirmScreen | None = None
        self.action_run = ActionRun(spec.title)

    # -- plumbing -----------------------------------------------------------------------
    def _worker(self, fn: Callable[[], None], description: str) -> None:
        def guarded_body() -> None:
            try:
                fn()
            except Exception as exc:  # noqa: BLE001 - shown to the operator, never lost
                log.exception("guarded action %s: %s failed", self.spec.title, description)
                self._from_thread(self._failed, description, runner.describe(exc))

        self.app.run_worker(guarded_body, thread=True, exit_on_error=False, group="guarded",
                            description=f"{description}: {self.spec.title}")

    def _failed(self, description: str, why: str) -> None:
        """MAIN: a step of the path itself failed (not the action): say so where the operator looks."""
        message = f"{self.spec.title}: {description} failed: {why}"
        self._notify(message, severity="error", timeout=20)
        if self.run_screen is not None and description == "execution":
            self.run_screen.add_line(message + " — check the target and the audit log")

    def _from_thread(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        try:
            self.app.call_from_thread(callback, *args, **kwargs)
        except RuntimeError as exc:  # the app has exited while a verification thread still reports
            log.warning("guarded action %s: %s", self.spec.title, exc)

    def _notify(self, message: str, severity: str = "information", timeout: float = 8) -> None:
        self.app.notify(strip_control(message), severity=severity, timeout=timeout, markup=False)

    # -- 1. gate --------------------------------------------------------------------------
    def start(self) -> None:
        config = self.app.config  # type: ignore[attr-defined]
        why = runner.gate(self.spec, config.general.read_only, config.is_read_only_context, self._generations())
        if why is None:
            why = getattr(self.origin, "read_only_reason", None)
        if why:
            self._notify(f"{self.spec.title}: refused — {why}", severity="warning")
            self._worker(lambda: runner.refuse(self.spec, why, self.journal, self.operator), "recording the refusal")
            return
        # the confirmation opens at once; its preview fills in from a worker
        self.confirm_screen = ConfirmScreen(self.spec)
        self.app.push_screen(self.confirm_screen, self._confirmed)
        self._worker(self._preview, "preview")

    # -- 2. preview, confirm ------------------------------------------------------------------
    def _preview(self) -> None:
        spec = self.hooks.with_lock_notes(self.spec) if self.hooks is not None else self.spec
        previewed = runner.previews(spec)
        self._from_thread(self._previewed, previewed)

    def _previewed(self, previewed: dict[Target, PreviewResult]) -> None:
        self.previewed = previewed
        if self.confirm_screen is not None:
            self.confirm_screen.set_previews(previewed)

    def _generations(self) -> dict[str, int] | None:
        """The App's Services generations (None in a test App without Services)."""
        services = getattr(self.app, "services", None)
        return services.generations() if isinstance(services, Services) else None

    def _confirmed(self, result: ConfirmResult | None) -> None:
        stale = runner.stale_reason(self.spec, self._generations())
        if result is None and not stale:
            self._worker(self._decline, "recording the decline")
            return
        if stale:  # switched while the confirmation was open (the App closed it)
            self._notify(f"refused — {stale}", severity="warning")
            self._worker(lambda: runner.refuse(self.spec, stale, self.journal, self.operator), "recording the refusal")
            return
        self.run_screen = ActionRunScreen(self.spec, action_run=self.action_run)
        self.app.push_screen(self.run_screen, self._after_run_screen)
        running.add(self.app, self)
        self._worker(lambda: self._execute(result.reason), "execution")

    def _decline(self) -> None:
        try:
            runner.decline(self.spec, self.journal, self.operator)
        except JournalUnwritable as exc:
            self._from_thread(self._notify, f"{self.spec.title}: declined, but not audited: {exc.body}", "error", 15)
            return
        self._from_thread(self._notify, f"{self.spec.title}: declined, nothing changed")

    # -- 3. execute, verify -------------------------------------------------------------------
    def _progress(self, line: str) -> None:
        # a verification abandoned at its deadline may still report: not after the result
        if self.run_screen is not None and not self.results:
            self._from_thread(self.run_screen.add_line, line)

    def _execute(self, reason: str) -> None:
        try:
            results = runner.execute(self.spec, reason, self.journal, self._progress, self.operator, self.previewed,
                                     run=self.action_run, hooks=self.hooks)
        finally:
            self._from_thread(running.remove, self.app, self)
        if not self.action_run.stop.is_set():  # stopped: the console is quitting, nobody to show it to
            self._from_thread(self._finished, results)

    def reopen(self) -> None:
        """MAIN: show this action's progress again (it was hidden with esc)."""
        screen = self.run_screen
        if screen is not None and screen in self.app.screen_stack:
            return
        lines = screen.lines if screen is not None else []
        self.run_screen = ActionRunScreen(self.spec, lines, action_run=self.action_run)
        self.app.push_screen(self.run_screen, self._after_run_screen)

    # -- 4. result, refresh, undo ---------------------------------------------------------------
    def _finished(self, results: list[TargetResult]) -> None:
        self.results = results
        undo = self.undo = self._undo_for(results)
        screen = self.run_screen
        if screen is None or screen not in self.app.screen_stack:
            lines = screen.lines if screen is not None else []
            self.run_screen = ActionRunScreen(self.spec, lines, results, undo is not None)
            self.app.push_screen(self.run_screen, self._after_run_screen)
        else:
            screen.show_results(results, undo is not None)
        self._notify_results(results)
        refresh = getattr(self.origin, "request_refresh", None)
        if callable(refresh):
            refresh()

    def _notify_results(self, results: list[TargetResult]) -> None:
        counts: dict[Outcome, int] = {}
        for result in results:
            counts[result.outcome] = counts.get(result.outcome, 0) + 1
        summary = ", ".join(f"{n} {outcome.value}" for outcome, n in counts.items())
        if all(r.ok for r in results):
            self._notify(f"{self.spec.title}: {summary}")
            return
        first = next(r for r in results if not r.ok)
        self._notify(f"{self.spec.title}: {summary} — {first.detail}", severity="error", timeout=20)

    def _undo_for(self, results: list[TargetResult]) -> ActionSpec | None:
        try:
            return runner.undo_spec(self.spec, results)
        except Exception as exc:  # noqa: BLE001 - the tab's undo builder failed: say so, keep the result
            log.exception("guarded action %s: building the undo failed", self.spec.title)
            self._notify(f"{self.spec.title}: no undo offered, building it failed: {runner.describe(exc)}", "warning", 20)
            return None

    def _after_run_screen(self, choice: str | None) -> None:
        if choice == "undo" and self.undo is not None:
            start_guarded(self.app, self.undo, self.origin)


def refuse_key(app: App, tab: Any, action: str, why: str) -> None:
    """MAIN: a mutating key pressed in a read-only tab: say why, and audit ``refused`` (worker)."""
    context = (tab.context_name() if callable(getattr(tab, "context_name", None)) else None) or ""
    backend = getattr(tab, "BACKEND", "") or "local"
    verb = action.replace("_", " ")
    spec = ActionSpec(verb=verb, targets=(Target("action", verb, backend, context),), risk=Risk.LOW,
                      execute=lambda t, timeout: None, summary=f"{verb} (key in the {tab.id or 'tab'})")
    run = GuardedRun(app, spec, tab)
    run._notify(f"{verb}: refused — {why}", severity="warning")
    run._worker(lambda: runner.refuse(spec, why, run.journal, run.operator), "recording the refusal")


def start_guarded(app: App, spec: ActionSpec, origin: Any = None) -> GuardedRun:
    """Run ``spec`` through the guarded path; ``origin`` (a tab) is refreshed afterwards."""
    run = GuardedRun(app, spec, origin)
    run.start()
    return run
