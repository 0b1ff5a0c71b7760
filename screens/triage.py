"""Triage, the first tab: what is broken across every backend and context, and what changed.

One table of problems from every source (each Docker host, Kubernetes context of
``[kubernetes] triage_contexts``, AWS pipelines/ECS/costs), ranked by severity then
recency, and beside it the changes that came just before the highlighted problem.
Each source is collected in its own thread worker on its own cadence, so a dead
context or backend never delays or hides the others: it gets its own state, age and
reason in the sources line (and a row saying it is unavailable). ``enter`` shows the
object in its tab, ``l`` its logs, ``w`` the whole feed, ``N`` appends an incident note.
"""

from __future__ import annotations

import functools
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from console import clock
from console.errors import OpsError
from console.triage.feed import merged, related
from console.triage.model import Change, Collected, Level, Problem, SourceMode, SourceState, rank
from screens.base import BACKOFF, FilterBar, describe_error
from screens.clusters_table import KubeTable
from screens.tab_parts import FilterKeys
from screens.table_notes import count_text
from screens.triage_view import (
    COLUMNS,
    FeedScreen,
    compact_sources,
    feed_text,
    problem_row,
    short_contexts,
    sources_line,
    unavailable_rows,
    utc,
)

EVERY = {"kubernetes": 3.0, "docker": 10.0, "aws": 60.0, "compliance": 30.0, "console": 5.0}  # seconds between passes of a source
WIDE = 110  # from this width the feed pane sits beside the table
WHERE_FROM = 100  # a table narrower than this hides WHERE (the line under the table says it)


class TriageTab(FilterKeys, Widget):
    BINDINGS = [
        Binding("enter", "open", "Go to", id="triage.open", tooltip="Show the object in its tab"),
        Binding("l", "logs", "Logs", id="triage.logs", tooltip="Logs of the failing pod / container / build"),
        Binding("w", "feed", "What changed", id="triage.feed", tooltip="Everything that changed in the last hours"),
        Binding("N", "note", "Incident note", id="triage.note", tooltip="Append this problem to today's incident file"),
        Binding("c", "copy_note", "Copy note", id="triage.copy_note", show=False, tooltip="Copy the last note (OSC 52)"),
        Binding("r", "refresh", "Refresh", id="triage.refresh", tooltip="Collect every source again now"),
        Binding("i", "sources", "Sources", id="triage.sources", show=False,
                tooltip="Every source in full: its age, state and note (narrow screens show one mark each)"),
        Binding("slash", "filter", "Filter", tooltip="Filter rows: words, or key=value (backend=, context=, sev=)"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    DEFAULT_CSS = """
    TriageTab { height: 1fr; }
    TriageTab #triage-sources { height: auto; max-height: 3; padding: 0 1; }
    TriageTab.-sources #triage-sources { max-height: 8; }
    TriageTab #triage-main { height: 1fr; layout: vertical; }
    TriageTab.-wide #triage-main { layout: horizontal; }
    TriageTab #triage-table { width: 1fr; height: 1fr; }
    TriageTab #triage-feed { width: 1fr; height: 5; padding: 0 1; border-top: hkey $panel;
                             text-wrap: nowrap; text-overflow: ellipsis; }  /* under the table: a change a line */
    TriageTab.-wide #triage-feed { width: 40%; height: 1fr; border-top: none; border-left: vkey $panel;
                                   text-wrap: wrap; }
    TriageTab #triage-reason { height: auto; max-height: 2; padding: 0 1; }
    TriageTab > #filter-bar { display: none; dock: bottom; height: 1; border: none; padding: 0 1; }
    TriageTab > #filter-bar.-shown { display: block; }
    """

    class SourcesFound(Message):
        def __init__(self, sources: list[Any], failed: tuple[str, str, bool] | None = None) -> None:
            super().__init__()
            self.sources, self.failed = sources, failed

    class SourceLoaded(Message):
        def __init__(self, source_id: str, found: Collected, fetched_at: float) -> None:
            super().__init__()
            self.source_id, self.found, self.fetched_at = source_id, found, fetched_at

    class SourceFailed(Message):
        def __init__(self, source_id: str, reason: str, unconfigured: bool) -> None:
            super().__init__()
            self.source_id, self.reason, self.unconfigured = source_id, reason, unconfigured

    def __init__(self, services: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.services = services
        self.sources: dict[str, Any] = {}
        self.states: dict[str, SourceState] = {}
        self.found: dict[str, Collected] = {}
        self.problems: dict[str, Problem] = {}
        self.changes: list[Change] = []
        self.last_note: str = ""
        self._busy: set[str] = set()
        self._due: dict[str, float] = {}
        self._fails: dict[str, int] = {}
        self._down: dict[str, float] = {}
        self._retry: Any = None  # the timer of a failed context discovery's next try

    @property
    def config(self) -> Any:
        return self.services.config

    # -- layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="triage-sources")
        with Vertical(id="triage-body"):
            with Horizontal(id="triage-main"):
                yield KubeTable(COLUMNS, id="triage-table")
                yield Static(id="triage-feed")
            yield Static(id="triage-reason")
        yield FilterBar(placeholder="filter: words, key=value  (enter: keep, esc: clear)", id="filter-bar")

    def on_mount(self) -> None:
        self._show_sources()
        start = getattr(self.app, "after_setup", None)
        if start is not None:
            self.call_after_refresh(start, self._start_docker, "docker")
            self.call_after_refresh(start, self._discover, "kubernetes")
        else:
            self.call_after_refresh(self._start_docker)
            self.call_after_refresh(self._discover)
        self.set_interval(1.0, self._tick)
        self.set_interval(15.0, self._redraw)  # ages move on

    def on_resize(self) -> None:
        wide = self.size.width >= WIDE
        self.set_class(wide, "-wide")
        self._hide_columns()
        self._show_sources()

    def _contexts(self) -> dict[str, str]:
        return short_contexts(p.context for p in self.problems.values() if p.context and p.backend == "kubernetes")

    def _hide_columns(self) -> None:
        """WHERE from 100 columns of table; below, CTX when rows of several contexts are shown."""
        tables = self.query("#triage-table")
        if tables:
            narrow = self.size.width * (0.6 if self.has_class("-wide") else 1.0) < WHERE_FROM
            hide = {"where"} if narrow else {"ctx"}
            if len(self._contexts()) < 2:
                hide.add("ctx")
            tables.first(KubeTable).hide_columns(hide)

    def table(self) -> KubeTable:
        return self.query_one("#triage-table", KubeTable)

    def focus_body(self) -> None:
        tables = self.query("#triage-table")
        if tables:
            tables.first().focus()

    # -- sources ------------------------------------------------------------------------
    def _start_docker(self) -> None:
        from console.triage.sources import DockerSource

        self._add([DockerSource(self.services)])

    def _discover(self) -> None:
        self.run_worker(self._discover_worker, thread=True, exclusive=True, group="triage-discover",
                        exit_on_error=False, description="triage contexts")

    def _discover_worker(self) -> None:
        from console.triage.sources import KubeSource, fixed_sources, triage_contexts

        others = [s for s in fixed_sources(self.services) if s.backend != "docker"]
        try:
            contexts = triage_contexts(self.services)
        except OpsError as exc:
            failed = ("kube", describe_error(exc, "kubernetes contexts"), exc.title == "Not configured")
            self.post_message(self.SourcesFound(others, failed))
            return
        except Exception as exc:  # noqa: BLE001 - a kubeconfig surprise becomes a state, not a crash
            self.post_message(self.SourcesFound(others, ("kube", describe_error(exc, "kubernetes contexts"), False)))
            return
        self.post_message(self.SourcesFound([KubeSource(self.services, c) for c in contexts] + others))

    def on_triage_tab_sources_found(self, message: SourcesFound) -> None:
        message.stop()
        if message.failed is not None:
            source_id, reason, unconfigured = message.failed
            self.states[source_id] = SourceState(source_id, "kubernetes", reason=reason,
                                                 mode=SourceMode.UNCONFIGURED if unconfigured else SourceMode.UNAVAILABLE)
            if not unconfigured:  # a kubeconfig being rewritten, a helper that failed: try again
                self._fails["kube"] = tries = self._fails.get("kube", 0) + 1
                self._retry = self.set_timer(BACKOFF[min(tries - 1, len(BACKOFF) - 1)], self._discover)
        elif self.states.pop("kube", None) is not None:
            self._fails.pop("kube", None)
            self._redraw()  # its "unavailable" row goes now, not at the next source's answer
        self._add(message.sources)

    def _add(self, sources: list[Any]) -> None:
        for s in sources:
            if s.id in self.sources:  # found again by a retried discovery
                continue
            self.sources[s.id] = s
            self.states.setdefault(s.id, SourceState(s.id, s.label))
            self._due[s.id] = 0.0
        self._tick()
        self._show_sources()

    def _tick(self) -> None:
        now = clock.now()
        for source_id, source in self.sources.items():
            if source_id not in self._busy and now >= self._due.get(source_id, 0.0):
                self._busy.add(source_id)
                self.run_worker(functools.partial(self._collect, source), thread=True, group=f"triage-{source_id}",
                                exit_on_error=False, description=f"triage {source.label}")

    def _collect(self, source: Any) -> None:
        """THREAD: one pass of one source; its SDK calls carry their own timeouts."""
        try:
            found = source.collect(utc(clock.now()))
        except OpsError as exc:
            self.post_message(self.SourceFailed(source.id, describe_error(exc, source.label), exc.title == "Not configured"))
            return
        except Exception as exc:  # noqa: BLE001 - shown as that source's state; the others go on
            self.post_message(self.SourceFailed(source.id, describe_error(exc, source.label), False))
            return
        self.post_message(self.SourceLoaded(source.id, found, clock.now()))

    def on_triage_tab_source_loaded(self, message: SourceLoaded) -> None:
        message.stop()
        source = self.sources[message.source_id]
        self._busy.discard(message.source_id)
        self._fails.pop(message.source_id, None)
        self._down.pop(message.source_id, None)
        self._due[message.source_id] = clock.now() + EVERY.get(source.backend, 10.0)
        self.found[message.source_id] = message.found
        self.states[message.source_id] = SourceState(message.source_id, source.label, SourceMode.READY,
                                                     fetched_at=message.fetched_at,
                                                     problems=len(message.found.problems), note=message.found.note)
        self._data_changed()

    def on_triage_tab_source_failed(self, message: SourceFailed) -> None:
        message.stop()
        source_id = message.source_id
        source = self.sources[source_id]
        self._busy.discard(source_id)
        failures = self._fails[source_id] = self._fails.get(source_id, 0) + 1
        self._down.setdefault(source_id, clock.now())
        self._due[source_id] = clock.now() + (3600.0 if message.unconfigured else BACKOFF[min(failures - 1, len(BACKOFF) - 1)])
        old = self.states.get(source_id)
        if message.unconfigured:
            mode = SourceMode.UNCONFIGURED
        else:
            mode = SourceMode.STALE if source_id in self.found else SourceMode.UNAVAILABLE
        self.states[source_id] = SourceState(source_id, source.label, mode, message.reason,
                                             fetched_at=old.fetched_at if old else None)
        self._data_changed()

    def action_refresh(self) -> None:
        if "kube" in self._fails:
            self._retry.stop()
            self._discover()
        for source_id in self.sources:
            self._due[source_id] = 0.0
        self._tick()

    # -- rendering ----------------------------------------------------------------------
    def _theme(self, name: str) -> str:
        return (self.app.theme_variables.get(name, "") or "").removeprefix("ansi_")

    def _data_changed(self) -> None:
        self.changes = merged({k: v.changes for k, v in self.found.items()})
        self._redraw()

    def _redraw(self) -> None:
        problems = rank([p for f in self.found.values() for p in f.problems] + unavailable_rows(self.states.values(), self._down, self.sources))
        self.problems = {p.key: p for p in problems}
        now = clock.now()
        styles = {Level.CRITICAL: f"bold {self._theme('error')}", Level.ERROR: self._theme("error"),
                  Level.WARNING: self._theme("warning")}
        tables = self.query("#triage-table")
        if not tables:
            return
        table = tables.first(KubeTable)
        visible = table.visible_keys
        at_top = not visible or table.current_key in (None, visible[0])  # the top row stays the worst problem
        contexts = self._contexts()
        table.sync(problem_row(p, now, styles, contexts) for p in problems)
        self._hide_columns()
        if at_top and table.visible_keys:
            table.move_cursor(row=0)
        self._show_sources()
        self._show_current()

    def _show_sources(self) -> None:
        styles = {"ready": self._theme("success"), "stale": self._theme("warning"),
                  "unavailable": self._theme("error"), "unconfigured": "dim", "loading": "dim"}
        tables = self.query("#triage-table")
        table = tables.first(KubeTable) if tables else None
        loading = not self.states or any(s.mode is SourceMode.LOADING for s in self.states.values())
        if table is not None:  # empty, the table says so (and under a filter, what matched nothing)
            n = len(self.states)
            table.describe_empty("problems", f"in {n} source{'' if n == 1 else 's'}", "collecting…" if loading else "")
        summary = Text()
        if self.problems:
            crit = sum(1 for p in self.problems.values() if p.level is Level.CRITICAL)
            count = len(self.problems)
            noun = f"problem{'' if count == 1 else 's'}"
            shown = count_text(table.row_count if table else count, count, noun, bool(table and table.filter_text))
            summary.append(shown + (f", {crit} critical" if crit else ""), style="bold")
        elif self.states and all(s.mode is not SourceMode.LOADING for s in self.states.values()):
            summary.append("nothing broken", style=f"bold {self._theme('success')}")
        if self.has_class("-wide") or self.has_class("-sources"):  # what is broken first, whole
            text = summary.append("  " if summary else "")
            text.append_text(sources_line(self.states.values(), clock.now(), styles))
        else:  # narrow: what is broken first, then one mark per source (i: the full line)
            text = summary.append(" · " if summary else "", style="dim")
            text.append_text(compact_sources(self.states.values(), styles))
        for bar in self.query("#triage-sources").results(Static):  # none while the app quits
            bar.update(text)

    def action_sources(self) -> None:
        self.toggle_class("-sources")
        self._show_sources()

    def on_kube_table_row_highlighted(self, event: KubeTable.RowHighlighted) -> None:
        if event.table.id == "triage-table":
            self._show_current()

    def current_problem(self) -> Problem | None:
        tables = self.query("#triage-table")
        key = tables.first(KubeTable).current_key if tables else None
        return self.problems.get(key) if key else None

    def related_changes(self, problem: Problem) -> list[Change]:
        return related(self.changes, problem)

    def _show_current(self) -> None:
        problem = self.current_problem()
        warn = self._theme("warning")
        changes = self.related_changes(problem) if problem else []
        self.query_one("#triage-feed", Static).update(feed_text(changes, problem, clock.now(), warn))
        reason = self.query_one("#triage-reason", Static)
        if problem is None:
            reason.update("")
            return
        from console.text import safe_text

        top = f" · changed before: {changes[0].subject} {changes[0].text}" if changes else ""
        reason.update(safe_text(f"{problem.what} @ {problem.where}: {problem.reason}{top}",
                                style=self._theme("error" if problem.level >= Level.ERROR else "warning")))

    # -- keys ---------------------------------------------------------------------------
    def _selected(self) -> Problem | None:
        problem = self.current_problem()
        if problem is None:
            self.notify("no problem selected", severity="warning", timeout=2)
        return problem

    def action_open(self) -> None:
        if (problem := self._selected()) is not None:
            from screens import triage_open  # what the keys do: imported on first use, not before the first frame

            triage_open.open_in_tab(self, problem)

    def action_logs(self) -> None:
        if (problem := self._selected()) is not None:
            from screens import triage_open

            triage_open.open_logs(self, problem)

    def action_feed(self) -> None:
        self.app.push_screen(FeedScreen(self.changes, f"What changed in the last hours · {len(self.changes)} changes "
                                        "· / filter · esc back", clock.now(), self._theme("warning")))

    def action_note(self) -> None:
        if (problem := self._selected()) is not None:
            from screens import triage_open

            triage_open.write_note(self, problem)

    def action_copy_note(self) -> None:
        if not self.last_note:
            self.notify("no incident note written yet (N on a problem)", severity="warning", timeout=3)
            return
        self.app.copy_to_clipboard(self.last_note)
        self.notify("incident note copied (OSC 52)", timeout=2)

    # -- filter (`/`, esc: screens.tab_parts.FilterKeys) ----------------------------------
    def apply_filter(self, text: str) -> None:
        self.table().filter_text = text
        self._show_sources()  # 3 of 12 problems
