"""The Compliance tab: pick targets, run the checks in a worker, browse findings.

Local (not a BackendTab): the engine reads files itself and reaches live backends
through the adapters in the same worker. Findings are grouped by severity, rule or
resource; the detail pane shows the evidence and the fix; each run is compared with the
previous run over the same targets (new / resolved). Suppressing a finding goes through
the guarded-action runner, which confirms and audits it.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, Select, Static, Tree

from checks.engine import LIVE_SOURCES, ScanResult, scan, suppressions_file
from checks.model import Finding
from checks.runs import RunDiff
from console import clock
from console.actions import ActionSpec
from console.config import Suppression
from console.fsutil import write_private
from console.text import safe_text
from screens.compliance_view import GROUPINGS, count_label, detail, empty_label, finding_label, group, matches, summary
from screens.select import QuitSafeSelect
from screens.widgets import TickBox

if TYPE_CHECKING:  # pragma: no cover
    from console.services import Services

EXPORT_FORMATS = (("SARIF", "sarif"), ("JSON", "json"), ("JUnit XML", "junit"), ("Text", "text"))
EXTENSIONS = {"sarif": "sarif", "json": "json", "junit": "xml", "text": "txt"}


class ComplianceTab(Widget):
    BINDINGS = [
        Binding("r", "run", "Run checks"),
        Binding("b", "cycle_grouping", "Group by"),
        Binding("g", "first", "Top", show=False),
        Binding("G", "last", "Bottom", show=False),
        Binding("j", "down", "Down", show=False),
        Binding("k", "up", "Up", show=False),
        Binding("e", "export", "Export"),
        Binding("s", "suppress", "Suppress"),
        Binding("t", "focus_targets", "Targets", show=False),
        Binding("slash", "filter", "Filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]
    MUTATING_ACTIONS = frozenset({"suppress"})

    DEFAULT_CSS = """
    ComplianceTab { height: 1fr; }
    ComplianceTab #compliance-targets, ComplianceTab #compliance-options { height: 1; }
    ComplianceTab .compliance-label { width: auto; padding: 0 1; color: $text-muted; }
    ComplianceTab #compliance-paths { width: 1fr; }
    ComplianceTab #compliance-options Checkbox { width: auto; height: 1; border: none; padding: 0 1; }
    ComplianceTab #compliance-options .compliance-spacer { width: 1fr; }
    ComplianceTab #compliance-format { width: 16; }
    ComplianceTab #compliance-run { min-width: 7; margin-left: 1; }
    ComplianceTab #compliance-status { height: 1; padding: 0 1; }
    ComplianceTab #compliance-progress { width: 30; }
    ComplianceTab #compliance-status-text { width: 1fr; padding-left: 1; }
    ComplianceTab #compliance-summary { height: 1; padding: 0 1; }
    ComplianceTab #compliance-body { height: 1fr; }
    ComplianceTab #compliance-tree { width: 3fr; }
    ComplianceTab #compliance-detail-scroll { width: 2fr; border-left: solid $panel; padding: 0 1; }
    ComplianceTab.-running #compliance-run { display: none; }
    ComplianceTab #compliance-filter { display: none; dock: bottom; height: 1; }
    ComplianceTab #compliance-filter.-shown { display: block; }
    """

    class Progressed(Message):
        def __init__(self, fraction: float, text: str) -> None:
            super().__init__()
            self.fraction, self.text = fraction, text

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, ComplianceTab.Progressed)

    class Finished(Message):
        def __init__(self, result: ScanResult, diff: RunDiff) -> None:
            super().__init__()
            self.result, self.diff = result, diff

    class Failed(Message):
        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    class Exported(Message):
        def __init__(self, path: str, error: str = "") -> None:
            super().__init__()
            self.path, self.error = path, error

    def __init__(self, services: Services, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.services = services
        self.result: ScanResult | None = None
        self.diff = RunDiff(frozenset(), (), None)
        self.grouping = GROUPINGS[0]
        self.running = False
        self.last_run_at: float | None = None
        self.filter_text = ""
        self._focus_when_mounted = False

    @property
    def config(self) -> Any:
        return self.services.config

    # -- composition --------------------------------------------------------------------------
    def default_paths(self) -> tuple[str, str]:
        """(paths, note): ``compliance.paths`` when configured, else the current directory, said out loud
        (it is often the console's own source tree, not the infrastructure to check)."""
        configured = " ".join(self.config.compliance.paths)
        if configured:
            return configured, ""
        return ".", f"scanning the current directory {os.getcwd()}; set compliance.paths in the config to choose"

    def compose(self) -> ComposeResult:
        paths, note = self.default_paths()
        hint = "r: run · b: group by · /: filter · e: export · s: suppress"
        with Horizontal(id="compliance-targets"):
            yield Label("paths", classes="compliance-label")
            # no select-all on focus: a key typed after tabbing in must not wipe the paths
            yield Input(value=paths, placeholder="files or directories, space-separated", id="compliance-paths",
                        compact=True, select_on_focus=False)
        with Horizontal(id="compliance-options"):
            yield Label("live", classes="compliance-label")
            for name in LIVE_SOURCES:
                yield TickBox(name, False, id=f"compliance-live-{name}")
            yield Static("", classes="compliance-spacer")
            yield Label("export", classes="compliance-label")
            yield QuitSafeSelect(EXPORT_FORMATS, value="sarif", allow_blank=False, id="compliance-format", compact=True)
            yield Button("Run", variant="primary", id="compliance-run", compact=True)
        with Horizontal(id="compliance-status"):
            yield ProgressBar(total=100, show_eta=False, id="compliance-progress")
            yield Static(safe_text(f"{note} · {hint}" if note else hint), id="compliance-status-text")
        yield Static("", id="compliance-summary")
        with Horizontal(id="compliance-body"):
            tree: Tree[Finding | None] = Tree("findings", id="compliance-tree")
            tree.show_root = False
            yield tree
            with VerticalScroll(id="compliance-detail-scroll"):
                yield Static(safe_text("Run the checks (r) to see findings here."), id="compliance-detail")
        yield Input(placeholder="filter: words match rule, title, location, resource, severity (esc: clear)",
                    id="compliance-filter", compact=True)

    def focus_body(self) -> None:
        """The findings tree is the focus target (never the paths Input: it would eat r/g/e/s/b)."""
        trees = self.query("#compliance-tree")
        if trees:  # set now (not on the next idle) so the shell sees the tab already has the focus
            self.screen.set_focus(trees.first())
        else:  # asked before the tab is composed (tabs mount lazily): focus once it is mounted
            self._focus_when_mounted = True

    def on_mount(self) -> None:  # no run here: checks start only when asked (r, Run, enter in the paths)
        if self._focus_when_mounted:
            self._focus_when_mounted = False
            self.query_one("#compliance-tree", Tree).focus()

    def on_show(self) -> None:
        if self.app.focused is None:
            self.focus_body()

    # -- running --------------------------------------------------------------------------------
    def targets(self) -> tuple[list[str], list[str]]:
        paths = self.query_one("#compliance-paths", Input).value.split()
        live = [n for n in LIVE_SOURCES if self.query_one(f"#compliance-live-{n}", Checkbox).value]
        return paths, live

    def action_run(self) -> None:
        if self.running:
            self.notify("A check run is already in progress.", severity="warning")
            return
        paths, live = self.targets()
        if not paths and not live:
            self._status("Nothing to check: enter a path or tick a live source.")
            return
        self.running = True
        self.add_class("-running")
        self.query_one("#compliance-progress", ProgressBar).update(progress=0)
        self._status("starting…")
        self.run_checks(paths, live)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "compliance-run":
            event.stop()
            self.action_run()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "compliance-paths":
            event.stop()
            self.action_run()
        elif event.input.id == "compliance-filter":
            event.stop()
            if not event.value.strip():
                event.input.remove_class("-shown")
            self.focus_body()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "compliance-filter":
            event.stop()
            self.filter_text = event.value.strip().lower()
            self.show_findings()

    def action_filter(self) -> None:
        bar = self.query_one("#compliance-filter", Input)
        bar.add_class("-shown")
        bar.focus()

    def action_clear_filter(self) -> None:
        bar = self.query_one("#compliance-filter", Input)
        if bar.value or bar.has_class("-shown"):
            bar.value = ""
            bar.remove_class("-shown")
            self.focus_body()

    @work(thread=True, exclusive=True, group="compliance", exit_on_error=False, description="compliance run")
    def run_checks(self, paths: list[str], live: list[str]) -> None:
        from pathlib import Path

        from checks import runs

        try:
            missing = [p for p in paths if not Path(p).exists() and not Path(p).is_symlink()]
            if missing:
                self.post_message(self.Failed(f"path not found: {', '.join(missing)}"))
                return
            result = scan(paths, live, self.config, self.services,
                          progress=lambda f, t: self.post_message(self.Progressed(f, t)))
            state = self.config.state_dir
            previous_at, previous = runs.load_previous(state, result.targets)
            diff = runs.diff(result.findings, previous_at, previous)
            runs.save(state, result.targets, result.findings)
        except Exception as exc:  # noqa: BLE001 - shown in the tab; the app keeps running
            self.post_message(self.Failed(f"compliance run failed: {type(exc).__name__}: {exc}"))
            return
        self.post_message(self.Finished(result, diff))

    def on_compliance_tab_progressed(self, message: Progressed) -> None:
        message.stop()
        self.query_one("#compliance-progress", ProgressBar).update(progress=round(message.fraction * 100))
        self._status(message.text)

    def on_compliance_tab_finished(self, message: Finished) -> None:
        message.stop()
        self.running = False
        self.remove_class("-running")
        self.result, self.diff = message.result, message.diff
        self.last_run_at = clock.now()
        self.query_one("#compliance-progress", ProgressBar).update(progress=100)
        when = time.strftime("%H:%M:%S", time.gmtime(self.last_run_at))
        self._status(f"checked {', '.join(message.result.targets)} at {when} UTC")
        self.show_findings()

    def on_compliance_tab_failed(self, message: Failed) -> None:
        message.stop()
        self.running = False
        self.remove_class("-running")
        self._status(message.reason, error=True)

    def _status(self, text: str, error: bool = False) -> None:
        self.query_one("#compliance-status-text", Static).update(safe_text(text, "bold red" if error else ""))

    # -- showing --------------------------------------------------------------------------------
    def show_findings(self) -> None:
        if self.result is None:
            return
        findings = [f for f in self.result.findings if matches(f, self.filter_text)]
        text = summary(findings, len(self.diff.new), len(self.diff.resolved), self.diff.previous_at is None,
                       everything=self.result.findings if self.filter_text else None)  # 3 of 40 findings
        if self.filter_text:
            text.append_text(safe_text(f"  · filter: {self.filter_text}", "italic"))
        self.query_one("#compliance-summary", Static).update(text)
        tree = self.query_one("#compliance-tree", Tree)
        tree.clear()
        if not findings:  # say what is empty, and where: no findings match "x" in ./infra
            tree.root.add_leaf(empty_label(self.filter_text, self.result.targets), data=None)
        for top, subs in group(findings, self.grouping).items():
            everything = [f for items in subs.values() for f in items]
            top_node = tree.root.add(count_label(top, everything, "bold"), data=None, expand=True)
            for sub, items in subs.items():
                sub_node = top_node.add(count_label(sub, items), data=None, expand=self.grouping != "severity")
                for f in items:
                    sub_node.add_leaf(finding_label(f, f.fingerprint in self.diff.new), data=f)
        if self.diff.resolved:
            gone = tree.root.add(count_label("resolved since the last run", len(self.diff.resolved), "bold"), data=None)
            for f in self.diff.resolved:
                gone.add_leaf(finding_label(f, False), data=f)
        detail_text = detail(findings[0], findings[0].fingerprint in self.diff.new) if findings else \
            empty_label(self.filter_text, self.result.targets)
        self.query_one("#compliance-detail", Static).update(detail_text)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        finding = event.node.data
        if isinstance(finding, Finding):
            resolved = any(f is finding for f in self.diff.resolved)
            self.query_one("#compliance-detail", Static).update(
                detail(finding, finding.fingerprint in self.diff.new, resolved))

    def selected(self) -> Finding | None:
        node = self.query_one("#compliance-tree", Tree).cursor_node
        return node.data if node is not None and isinstance(node.data, Finding) else None

    def action_cycle_grouping(self) -> None:
        self.grouping = GROUPINGS[(GROUPINGS.index(self.grouping) + 1) % len(GROUPINGS)]
        self._status(f"grouped by {self.grouping}")
        self.show_findings()

    def action_first(self) -> None:
        self.query_one("#compliance-tree", Tree).action_scroll_home()

    def action_last(self) -> None:
        self.query_one("#compliance-tree", Tree).action_scroll_end()

    def action_down(self) -> None:
        self.query_one("#compliance-tree", Tree).action_cursor_down()

    def action_up(self) -> None:
        self.query_one("#compliance-tree", Tree).action_cursor_up()

    def action_focus_targets(self) -> None:
        self.query_one("#compliance-paths", Input).focus()

    # -- export ---------------------------------------------------------------------------------
    def action_export(self) -> None:
        if self.result is None:
            self._status("Nothing to export yet: run the checks first (r).")
            return
        fmt = str(self.query_one("#compliance-format", Select).value)
        self.export_worker(self.result, fmt)

    @work(thread=True, group="compliance-export", exit_on_error=False, description="compliance export")
    def export_worker(self, result: ScanResult, fmt: str) -> None:
        from checks.reporters import FORMATS

        folder = self.config.state_dir / "compliance" / "exports"
        path = folder / f"report-{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}.{EXTENSIONS[fmt]}"
        try:
            write_private(path, FORMATS[fmt](result))
        except OSError as exc:
            self.post_message(self.Exported(str(path), f"cannot write {path}: {exc.strerror}"))
            return
        self.post_message(self.Exported(str(path)))

    def on_compliance_tab_exported(self, message: Exported) -> None:
        message.stop()
        if message.error:
            self._status(message.error, error=True)
        else:
            self._status(f"exported to {message.path}")
            self.notify(f"Report written to {message.path}", timeout=6)

    # -- suppress (guarded) ---------------------------------------------------------------------
    @property
    def read_only_reason(self) -> str | None:
        return "read-only mode (--read-only)" if self.config.general.read_only else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if self.why_unavailable(action, parameters) else True

    def why_unavailable(self, action: str, parameters: tuple[object, ...]) -> str | None:
        return self.read_only_reason if action in self.MUTATING_ACTIONS else None

    def action_suppress(self) -> None:
        finding = self.selected()
        if finding is None:
            self._status("Select a finding to suppress.")
            return
        if finding.suppressed:
            self._status(f"Already suppressed: {finding.suppression}")
            return
        from screens.compliance_suppress import SuppressDialog

        self.app.push_screen(SuppressDialog(finding), lambda sup: self._suppress(finding, sup))

    def suppression_spec(self, finding: Finding, sup: Suppression) -> ActionSpec:
        from console.actions.local import suppression_spec

        return suppression_spec(suppressions_file(self.config), finding, sup)

    def _suppress(self, finding: Finding, sup: Suppression | None) -> None:
        if sup is None:
            return
        self.app.run_guarded(self.suppression_spec(finding, sup), origin=self)

    def request_refresh(self) -> None:
        """Called by the guarded-action runner after a change: re-run to show the suppression."""
        if self.result is not None and not self.running:
            self.action_run()
