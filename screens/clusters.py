"""Clusters tab: live Kubernetes objects for triage, fed by watch streams.

One table per kind (kubectl ``get -o wide`` columns plus IMAGES), created when first
shown. Rows with a problem (CrashLoopBackOff, ImagePullBackOff, Pending + reason,
OOMKilled, Evicted, NotReady/cordoned nodes, workloads below desired) are coloured and
the highlighted row's problem is spelled out under the table; ``/problem=yes`` keeps
only those. The adapter's watch cache calls ``request_refresh`` on every event (the
base coalesces bursts); the periodic refresh only re-renders ages from the cache.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import ContentSwitcher, Static

from console import clock, gctune
from console.actions import kubernetes as actions
from console.errors import Denied, OpsError, Unavailable
from console.models.kubernetes import (
    COLUMNS,
    KINDS,
    LOGGABLE,
    RESTARTABLE,
    SCALABLE,
    KubeRow,
    Severity,
    WatchState,
)
from console.text import safe_text
from screens.base import BackendTab, describe_error
from screens.clusters_contexts import ClusterContexts
from screens.clusters_rollout import ROLLOUT_ACTIONS, ROLLOUT_BINDINGS, RolloutKeys
from screens.clusters_rows import render_live, table_row
from screens.clusters_scope import ClusterScope
from screens.clusters_table import NARROW_DROPS, KubeTable
from screens.clusters_views import KubeLogSource, NumberPrompt, describe_sections, detail_screen
from screens.log_view import LogScreen
from screens.widgets import Column, Row

if TYPE_CHECKING:  # pragma: no cover
    from console.backends.kubernetes import KubernetesBackend
    from console.services import Services

SYNC_WAIT = 20.0  # seconds a refresh waits for a new watch cache's first list
BULK_ROWS = 1000  # building more new table rows than this at once is a bulk load (console.gctune)
EVENT_FLUSH = 0.25  # watch events are folded into at most one refresh per this many seconds

# action -> the kinds it applies to
APPLIES = {
    "delete_pod": {"pods"}, "scale": SCALABLE, "restart": RESTARTABLE, "cordon": {"nodes"},
    "trigger": {"cronjobs"}, "suspend": {"cronjobs"}, "reveal": {"secrets"}, "logs": LOGGABLE,
    "previous_logs": LOGGABLE, **ROLLOUT_ACTIONS,
}


def not_applicable(action: str, kind: str) -> str:
    """What a key says, and `?` repeats, when it does not apply to the rows shown."""
    return f"{action.replace('_', ' ')} does not apply to {kind}"


class ClustersTab(RolloutKeys, ClusterScope, ClusterContexts, BackendTab):
    BACKEND = "kubernetes"
    POLL_SECONDS = 15.0  # re-reads the watch cache and repaints (ages render at draw time); no API call
    MUTATING_ACTIONS = frozenset({"delete_pod", "scale", "restart", "cordon", "trigger", "suspend", "reveal",
                                  "deploy", "rollback"})

    BINDINGS = [
        Binding("t", "choose_kind", "Kind", id="clusters.choose_kind", tooltip="Show another resource kind (also :deploy, :pods …)"),
        Binding("c", "choose_context", "Context", id="clusters.choose_context", tooltip="Switch kube context (also :ctx NAME)"),
        Binding("n", "choose_namespace", "Namespace", id="clusters.choose_namespace", tooltip="Switch namespace (also :ns NAME, :ns all)"),
        Binding("enter", "drill", "Drill in", id="clusters.drill", show=False, tooltip="Pods of a workload or node"),
        Binding("d", "describe", "Describe", id="clusters.describe"),
        Binding("y", "yaml", "YAML", id="clusters.yaml"),
        Binding("l", "logs", "Logs", id="clusters.logs"),
        Binding("p", "previous_logs", "Prev logs", id="clusters.previous_logs", show=False, tooltip="Logs of the previous (crashed) container"),
        Binding("ctrl+d", "delete_pod", "Delete pod", id="clusters.delete_pod", show=False),
        Binding("s", "scale", "Scale", id="clusters.scale", show=False),
        Binding("R", "restart", "Rollout restart", id="clusters.restart", show=False),
        Binding("C", "cordon", "Cordon/uncordon", id="clusters.cordon", show=False),
        Binding("T", "trigger", "Run cronjob now", id="clusters.trigger", show=False),
        Binding("U", "suspend", "Suspend/resume", id="clusters.suspend", show=False),
        Binding("Y", "reveal", "Reveal secret", id="clusters.reveal", show=False, tooltip="Show a secret's values (audited)"),
        *ROLLOUT_BINDINGS,
    ]

    DEFAULT_CSS = """
    ClustersTab #kube-header { height: auto; padding: 0 1; }
    ClustersTab #kube-tables { height: 1fr; }
    ClustersTab #kube-tables > KubeTable { height: 1fr; }
    ClustersTab #kube-problem { height: auto; max-height: 3; padding: 0 1; }
    """

    def __init__(self, services: Services, **kwargs: Any) -> None:
        super().__init__(services, **kwargs)
        self.kind = "pods"
        self.filter_text = ""  # the `/` filter; only the shown kind's table applies it
        self.rows: dict[str, KubeRow] = {}
        self.watch_state: WatchState | None = None
        self._row_cache: dict[str, tuple[KubeRow, Row]] = {}  # of the kind shown
        self._row_caches: dict[str, dict[str, tuple[KubeRow, Row]]] = {}  # of the kinds shown before
        self._events_pending = False  # set by watch threads, folded into refreshes on a timer
        self._flush_timer: Any = None
        self.init_contexts()

    # -- layout ---------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        with Vertical():
            yield Static(id="kube-header")
            with ContentSwitcher(id="kube-tables", initial=f"table-{self.kind}"):
                yield self._new_table(self.kind)  # the others when first shown: a quicker first frame
            yield Static(id="kube-problem")

    @staticmethod
    def _new_table(kind: str) -> KubeTable:
        columns = [Column("namespace", "NAMESPACE"), Column("name", "NAME")]
        columns += [*(Column(f"c{i}", label, drop=NARROW_DROPS.get(label, 0)) for i, label in enumerate(COLUMNS[kind])),
                    Column("context", "CONTEXT")]
        table = KubeTable(columns, id=f"table-{kind}", render_live=render_live)
        if kind == "events":
            table.sort_index = 2  # LAST SEEN, newest first
        return table

    def table(self, kind: str | None = None) -> KubeTable:
        """The kind's table, mounted (hidden) the first time it is asked for."""
        kind = kind or self.kind
        found = self.query(f"#table-{kind}")
        if found:
            return found.first(KubeTable)
        if kind not in KINDS:
            raise ValueError(f"no such kind: {kind}")
        table = self._new_table(kind)
        table.display = False  # the switcher shows it
        self.query_one("#kube-tables", ContentSwitcher).mount(table)
        return table

    def apply_filter(self, text: str) -> None:
        """Only the shown kind's table filters now; another one catches up when shown."""
        self.filter_text = text
        tables = self.query(f"#table-{self.kind}")
        if tables:
            tables.first(KubeTable).filter_text = text
        self._update_header()  # 12 of 340 pods

    def focus_body(self) -> None:
        tables = self.query(f"#table-{self.kind}")
        if tables:  # not composed yet while the tab is being mounted
            tables.first().focus()

    def on_connected(self, adapter: KubernetesBackend) -> None:
        self.rows = {}
        self._update_header()
        if self._flush_timer is None:
            self._flush_timer = self.set_interval(EVENT_FLUSH, self._flush_events)

    def _watch_event(self) -> None:
        """THREAD (watch cache): note that something changed; the timer refreshes."""
        self._events_pending = True

    def _flush_events(self) -> None:
        if self._events_pending:
            self._events_pending = False
            self.request_refresh()

    def on_unmount(self) -> None:
        self.close_contexts()

    def context_name(self) -> str | None:
        return self.adapter.context if self.adapter is not None else self.config.kubernetes.context

    def forget_rows(self) -> None:
        self.rows, self._row_cache, self._row_caches = {}, {}, {}

    def forget_data(self) -> None:  # access denied: no rows of another context stay on screen
        self.forget_rows()
        self.table(self.kind).sync([])
        self._update_header()

    def show_kind(self, kind: str, filter_text: str | None) -> None:
        self.kind = kind
        table = self.table(kind)
        self.query_one("#kube-tables", ContentSwitcher).current = table.id
        if filter_text is not None:
            bar = self.query_one("#filter-bar")
            bar.value = filter_text
            bar.set_class(bool(filter_text), "-shown")
            self.filter_text = filter_text
        if table.filter_text != self.filter_text:
            table.filter_text = self.filter_text
        # the rows of the kind shown before stay ready for going back to it (its watch keeps running)
        self.rows, self._row_cache = {}, self._row_caches.setdefault(kind, {})
        self._update_header()
        table.focus()
        self.request_refresh()

    # -- data -----------------------------------------------------------------------------
    def fetch(self, adapter: KubernetesBackend) -> tuple[str, tuple[KubeRow, ...], WatchState]:
        kind = self.kind
        if self.multi:
            return self.fetch_contexts(kind)
        cache = adapter.watch(kind, None, on_change=self._watch_event)
        deadline = time.monotonic() + SYNC_WAIT
        while not cache.wait_ready(0.1):  # the first list's first page; give up early when it already failed
            state = cache.state()
            if state.stale or time.monotonic() > deadline:  # a 403 is Denied: no retry loop
                raise (Denied if state.denied else Unavailable)(
                    state.reason or f"listing {kind} took over {SYNC_WAIT:.0f}s", source=f"kubernetes.list {kind}")
        state = cache.state()
        if state.denied:
            raise Denied(state.reason, source=f"kubernetes.watch {kind}")
        if state.stale:
            raise Unavailable(f"watch disconnected, reconnecting ({state.reconnects} tries): {state.reason}",
                              source=f"kubernetes.watch {kind}")
        return kind, cache.rows(), state

    def show(self, data: tuple[str, tuple[KubeRow, ...], WatchState]) -> None:
        kind, rows, state = data[:3]
        if kind != self.kind or bool(self.multi) != (len(data) > 3):
            return  # an answer for the kind (or the contexts) shown before a switch
        if len(data) > 3:
            self.took_contexts(*data[3:])
        self.watch_state = state
        self.rows = {r.key: r for r in rows}
        now = datetime.fromtimestamp(clock.now(), UTC)
        styles = {Severity.ERROR: self._theme("error"), Severity.WARNING: self._theme("warning"), Severity.OK: ""}
        # unchanged objects keep their KubeRow identity in the watch cache: reuse their table row
        # (ages are live cells, rendered when drawn, so a row never goes out of date by itself)
        cache, fresh = self._row_cache, {}
        out = []
        table = self.table(kind)
        with gctune.bulk_load(freeze=len(rows) - len(cache) > BULK_ROWS):  # a first list: no GC walks mid-build
            for r in rows:
                hit = cache.get(r.key)
                row = hit[1] if hit is not None and hit[0] is r else table_row(r, now, styles)
                fresh[r.key] = (r, row)
                out.append(row)
            self._row_cache = self._row_caches[kind] = fresh
            namespace = self.info.extra.get("namespace") if self.info is not None else "*"
            hidden = () if self.multi else ("context",) if namespace == "*" else ("context", "namespace")
            table.hide_columns(hidden)  # one namespace or context: said in the header
            table.sync(out)
        self._update_header()
        self._show_problem()

    def _theme(self, name: str) -> str:
        return (self.app.theme_variables.get(name, "") or "").removeprefix("ansi_")

    def on_kube_table_row_highlighted(self, event: KubeTable.RowHighlighted) -> None:
        self._show_problem()

    def _show_problem(self) -> None:
        row = self.current_row()
        pane = self.query_one("#kube-problem", Static)
        if row is None or not row.problem:
            pane.update("")
            return
        style = self._theme("error" if row.severity is Severity.ERROR else "warning")
        pane.update(safe_text(f"{row.name}: {row.problem}", style=style))

    def current_row(self) -> KubeRow | None:
        tables = self.query(f"#table-{self.kind}")
        key = tables.first(KubeTable).current_key if tables else None  # none while mounting
        return self.rows.get(key) if key else None

    # -- capability / read-only gate ---------------------------------------------------------
    def why_unavailable(self, action: str, parameters: tuple[object, ...]) -> str | None:
        kinds = APPLIES.get(action)
        if kinds is not None and self.kind not in kinds:
            return not_applicable(action, self.kind)
        return super().why_unavailable(action, parameters)

    def _selected(self, action: str) -> KubeRow | None:
        row = self.current_row()
        if row is None:
            self.notify("no row selected", severity="warning", timeout=2)
        elif row.kind not in APPLIES.get(action, {row.kind}):
            self.notify(not_applicable(action, row.kind), severity="warning", timeout=3)
            return None
        return row

    # -- read views -------------------------------------------------------------------------
    def action_drill(self) -> None:
        row = self.current_row()
        if row is None:
            return
        if row.kind == "nodes":
            self.show_kind("pods", row.name)
            if self.adapter is not None and self.adapter.namespace != "*":
                self.switch_namespace("*")
        elif row.selector:
            self.show_kind("pods", " ".join(f"{k}={v}" for k, v in row.selector))
        elif row.kind == "cronjobs":
            self.show_kind("jobs", row.name)

    def action_describe(self) -> None:
        if (row := self._selected("describe")) is not None:
            self._open_text(row, "describe")

    def action_yaml(self) -> None:
        if (row := self._selected("yaml")) is not None:
            self._open_text(row, "yaml")

    @work(thread=True, group="kube-detail", exit_on_error=False)
    def _open_text(self, row: KubeRow, what: str) -> None:
        namespace = row.namespace or None
        try:
            desc = self.target_of(row)[0].describe(row.kind, namespace, row.name)
            raw = self.target_of(row)[0].masked_object(row.kind, namespace, row.name)
        except OpsError as exc:
            self.app.call_from_thread(self.notify, describe_error(exc, f"kubernetes.{what}"), severity="error")
            return
        sections = describe_sections(desc, datetime.fromtimestamp(clock.now(), UTC))
        masked = " · values masked (Y on the row: reveal, audited)" if row.kind == "secrets" else ""
        title = f"{row.kind}/{row.key}{masked}"
        self.app.call_from_thread(self.app.push_screen, detail_screen(title, sections, raw, what))

    def action_logs(self) -> None:
        self._logs(previous=False)

    def action_previous_logs(self) -> None:
        self._logs(previous=True)

    def _logs(self, previous: bool) -> None:
        row = self._selected("logs")
        if row is None or self.adapter is None:
            return
        adapter, tail = self.target_of(row)[0], self.config.kubernetes.log_tail

        def open_source(container: str | None) -> None:
            source = KubeLogSource(adapter, row.namespace, row.name, row.kind, container, previous)
            self.app.push_screen(LogScreen(source, tail=tail))

        if row.kind == "pods" and len(row.containers) > 1:
            from screens.pipelines_prompt import ChoicePrompt

            def chosen(container: str | None) -> None:
                if container:
                    open_source(container)

            self.app.push_screen(ChoicePrompt(f"Logs of which container of {row.name}?", row.containers), chosen)
            return
        open_source(row.containers[0] if row.kind == "pods" and row.containers else None)

    # -- guarded actions ----------------------------------------------------------------------
    def _guard(self, action: str) -> KubeRow | None:
        if self.read_only:
            self.notify(f"refused: {self.read_only_reason}", severity="warning")
            return None
        row = self._selected(action)
        return None if row is None or self.refused_elsewhere(row, action) else row

    def action_delete_pod(self) -> None:
        if (row := self._guard("delete_pod")) is not None:
            self.run_guarded(actions.delete_pod(*self.target_of(row)))

    def action_scale(self) -> None:
        row = self._guard("scale")
        if row is None:
            return

        def chosen(replicas: int | None) -> None:
            if replicas is not None and replicas != row.replicas:
                self.run_guarded(actions.scale(*self.target_of(row), replicas))

        self.app.push_screen(NumberPrompt(f"Scale {row.kind} {row.name} (now {row.replicas}) to:", row.replicas or 0),
                             chosen)

    def action_restart(self) -> None:
        if (row := self._guard("restart")) is not None:
            self.run_guarded(actions.rollout_restart(*self.target_of(row)))

    def action_cordon(self) -> None:
        if (row := self._guard("cordon")) is not None:
            self.run_guarded(actions.cordon(*self.target_of(row), on=not row.unschedulable))

    def action_trigger(self) -> None:
        if (row := self._guard("trigger")) is not None:
            self.run_guarded(actions.trigger_cronjob(*self.target_of(row)))

    def action_suspend(self) -> None:
        if (row := self._guard("suspend")) is not None:
            self.run_guarded(actions.suspend_cronjob(*self.target_of(row), suspend=not row.suspended))

    def action_reveal(self) -> None:
        if (row := self._guard("reveal")) is not None:
            def show(raw: dict) -> None:
                screen = detail_screen(f"secrets/{row.key} · REVEALED (audited)", [], raw, "yaml", reveal=True)
                self.app.call_from_thread(self.app.push_screen, screen)

            self.run_guarded(actions.reveal_secret(*self.target_of(row), show))
