"""The Containers tab: live Docker containers, problems first to the eye, guarded actions.

Data: a refresh (thread worker) lists and inspects the containers and samples stats for
the running ones concurrently; the Docker events stream (another thread worker) asks
for a coalesced refresh on every container event and reconnects with backoff, marking
the data stale meanwhile; a slow poll keeps CPU and memory current.

Keys: enter/d detail, l logs, s shell, a running/all, P group by compose project,
H switch host, space mark for bulk, / filter (words or key=value on labels), o/O sort;
actions (guarded): u start, x stop, R restart, K kill, p pause/unpause, D remove.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import deque
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import DataTable, Static

from console import clock
from console.actions.docker import VERBS, applicable, container_action
from console.backends.base import BackendState
from console.models.docker import STATE_EVENTS, ContainerList, ContainerSummary
from console.text import safe_text
from screens.base import BackendTab, describe_error
from screens.containers_cells import COLUMNS, GROUP_PREFIX, container_row, group_rows, problem_level
from screens.containers_shell import ContainerShell
from screens.containers_views import HISTORY, ContainerDetailScreen, ContainerLogSource
from screens.table_notes import count_text
from screens.widgets import ResourceTable

if TYPE_CHECKING:  # pragma: no cover
    from console.backends.docker import DockerBackend
    from console.services import Services

EVENT_BACKOFF = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)



class ContainersTab(ContainerShell, BackendTab):
    BACKEND = "docker"
    POLL_SECONDS = None  # the events stream drives list changes; STATS_SECONDS the stats
    STATS_SECONDS = 3.0
    MUTATING_ACTIONS: ClassVar[frozenset[str]] = frozenset(
        {"start", "stop", "restart", "kill", "pause", "remove", "shell"})

    BINDINGS = [
        # the footer shows only the most used keys (it must fit 80-100 columns); every key
        # is listed in `?` help
        Binding("l", "logs", "Logs", id="containers.logs"),
        Binding("enter,d", "detail", "Detail", id="containers.detail", tooltip="Inspect, env (masked), health, sparklines"),
        Binding("R", "restart", "Restart", id="containers.restart"),
        Binding("x", "stop", "Stop", id="containers.stop"),
        Binding("s", "shell", "Shell", id="containers.shell", tooltip="docker exec -it (bash, else sh)", show=False),
        Binding("a", "toggle_all", "All/running", id="containers.all", show=False),
        Binding("P", "toggle_group", "Group", id="containers.group", tooltip="Group by compose project", show=False),
        Binding("H", "switch_host", "Host", id="containers.host", tooltip="Switch Docker host (also :host URL)",
                show=False),
        Binding("u", "start", "Start", id="containers.start", show=False),
        Binding("K", "kill", "Kill", id="containers.kill", show=False),
        Binding("p", "pause", "Pause/unpause", id="containers.pause", show=False),
        Binding("D", "remove", "Remove", id="containers.remove", tooltip="Destructive: type the name to confirm",
                show=False),
    ]

    def __init__(self, services: Services, **kwargs: Any) -> None:
        super().__init__(services, **kwargs)
        self.show_all = True
        self.grouped = False
        self.data: ContainerList | None = None
        self.containers: dict[str, ContainerSummary] = {}
        self.history: dict[str, deque[tuple[float, int]]] = {}
        self._events_stop = threading.Event()
        self._events_stream: Any = None
        self._events_lock = threading.Lock()
        self.event_count = 0
        self.stats_due = True
        self._stats_skipped = False
        self._header = Text()

    # -- layout and data ----------------------------------------------------------------
    DEFAULT_CSS = "ContainersTab #containers-header { height: auto; padding: 0 1; }"

    def compose_body(self) -> ComposeResult:
        yield Static(id="containers-header")
        yield ResourceTable(COLUMNS, id="containers-table")

    def filter_applied(self) -> None:
        """The header counts what is shown of what there is, and says when only running ones are."""
        table = self.table
        where = f"on {self.host_label}"
        table.describe_empty("containers" if self.show_all else "running containers", where)
        text = safe_text(f"{self.host_label} · ")  # the host is literal text
        total = sum(1 for k in table.all_keys if not k.startswith(GROUP_PREFIX))
        shown = sum(1 for k in table.visible_keys if not k.startswith(GROUP_PREFIX))
        text.append(count_text(shown, total, "containers", bool(table.filter_text)))
        if not self.show_all:
            text.append(" · running only (a/esc: all)", style="bold")
        if text != self._header:  # an update lays the whole screen out again: not every tick
            self._header = text
            self.query_one("#containers-header", Static).update(text)

    @property
    def table(self) -> ResourceTable:
        return self.query_one("#containers-table", ResourceTable)

    @property
    def host_label(self) -> str:
        return self.info.target if self.info is not None else "?"

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(self.STATS_SECONDS, self._poll_stats)

    def _poll_stats(self) -> None:
        # not while STALE: the engine is retried with the tab's backoff, not every STATS_SECONDS
        if self.adapter is not None and self.state is BackendState.READY:
            if self._hidden():  # another tab is shown: no stats sampling and repaint per tick
                self._stats_skipped = True
                return
            self.stats_due = True
            self.request_refresh()

    def _hidden(self) -> bool:
        """This tab's pane is not the one shown (a screen pushed over it does not count: the
        detail screen's sparklines read the samples)."""
        return any(not node.display for node in self.ancestors_with_self if isinstance(node, Widget))

    def on_show(self) -> None:
        if self._stats_skipped:  # shown again: current figures at once, not at the next tick
            self._stats_skipped = False
            self._poll_stats()

    def fetch(self, adapter: DockerBackend) -> ContainerList:
        """THREAD. Stats on the first refresh and every STATS_SECONDS, the newest sample of
        each running container's stats stream (kept open while this asks, ended some seconds
        after the tab is hidden); event-driven refreshes list and inspect only."""
        with_stats, self.stats_due = self.stats_due, False
        return adapter.snapshot(all=self.show_all, stats=with_stats, live=True)

    def show(self, data: ContainerList) -> None:
        if not data.stats_sampled and self.data is not None:  # keep the last samples of running containers
            running = {c.id for c in data.containers if c.state == "running"}
            data = dataclasses.replace(data, stats={k: v for k, v in self.data.stats.items() if k in running})
        self.data = data
        self.containers = {c.id: c for c in data.containers}
        for cid, s in data.stats.items() if data.stats_sampled else ():
            if s.cpu_percent is not None:
                self.history.setdefault(cid, deque(maxlen=HISTORY)).append((s.cpu_percent, s.mem_used))
        for gone in set(self.history) - set(self.containers):
            del self.history[gone]
        now = clock.now()
        rows = {c.id: container_row(c, data.stats.get(c.id), now, self._style_for) for c in data.containers}
        if self.grouped:
            self.table.sort_index = None
            self.table.sync(group_rows(data.containers, rows))
        else:
            self.table.sync(rows.values())
        self.filter_applied()
        if data.stats_sampled and any(s.cpu_percent is None for s in data.stats.values()):
            self.set_timer(1.0, self._poll_stats)  # first samples: CPU % needs a second one

    def _theme(self, name: str) -> str:
        return (self.app.theme_variables.get(name, "") or "").removeprefix("ansi_")

    def _style_for(self, c: ContainerSummary) -> str:
        level = problem_level(c)
        if level == "error":
            return f"bold {self._theme('error')}".strip()
        if level == "warning":
            return self._theme("warning")
        if level == "muted":
            return "dim"
        return ""

    # -- events stream ------------------------------------------------------------------
    def on_connected(self, adapter: DockerBackend) -> None:
        self.stats_due = True
        self._stop_events()
        self._events_stop = threading.Event()
        self._events_worker(adapter, self._events_stop)

    def on_unmount(self) -> None:
        self._stop_events()

    def _stop_events(self) -> None:
        self._events_stop.set()
        with self._events_lock:
            stream, self._events_stream = self._events_stream, None
        if stream is not None:
            stream.close()

    @work(thread=True, exclusive=True, group="docker-events", exit_on_error=False, description="docker events")
    def _events_worker(self, adapter: DockerBackend, stop: threading.Event) -> None:
        failures = 0
        while not stop.is_set():
            try:
                stream = adapter.events(filters={"type": ["container"], "event": list(STATE_EVENTS)})
                with self._events_lock:
                    if stop.is_set():
                        stream.close()
                        return
                    self._events_stream = stream
                if failures:
                    self.request_refresh()  # back after an outage: catch up at once
                failures = 0
                for _event in stream:
                    self.event_count += 1
                    self.request_refresh()
                if stop.is_set():
                    return
                reason = "the engine closed the events stream"
            except Exception as exc:  # noqa: BLE001 - the stream reconnects; the tab shows why
                reason = describe_error(exc, "docker.events")
            if stop.is_set():
                return
            self.report_stale(f"events stream lost ({reason}); reconnecting")
            stop.wait(EVENT_BACKOFF[min(failures, len(EVENT_BACKOFF) - 1)])
            failures += 1

    # -- selection ----------------------------------------------------------------------
    def selected(self) -> list[ContainerSummary]:
        keys = [k for k in self.table.selected_keys() if not k.startswith(GROUP_PREFIX)]
        return [self.containers[k] for k in keys if k in self.containers]

    def current(self) -> ContainerSummary | None:
        key = self.table.current_key
        return self.containers.get(key) if key else None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_detail()

    # -- views --------------------------------------------------------------------------
    def action_detail(self) -> None:
        c = self.current()
        if c is not None and self.adapter is not None:
            self.app.push_screen(ContainerDetailScreen(self, c))

    def action_logs(self) -> None:
        from screens.log_view import LogScreen

        c = self.current()
        if c is None or self.adapter is None:
            return
        cfg = self.config.docker
        self.app.push_screen(LogScreen(ContainerLogSource(self.adapter, c, self.host_label, cfg.log_max_lines),
                                       max_lines=cfg.log_max_lines, tail=cfg.log_tail))

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        self.notify("showing all containers" if self.show_all else "showing running containers", timeout=1.5)
        self.filter_applied()
        self.request_refresh()

    def action_clear_filter(self) -> None:
        super().action_clear_filter()
        if not self.show_all:  # esc also ends "running only"
            self.action_toggle_all()

    def action_toggle_group(self) -> None:
        self.grouped = not self.grouped
        if self.data is not None:
            self.show(self.data)

    # -- host switching -----------------------------------------------------------------
    def action_switch_host(self) -> None:
        self._hosts_worker()

    @work(thread=True, exclusive=True, group="docker-hosts", exit_on_error=False, description="docker hosts")
    def _hosts_worker(self) -> None:
        try:
            hosts = self.services.get("docker").hosts()
        except Exception as exc:  # noqa: BLE001 - shown as a notification
            self.app.call_from_thread(self.notify, describe_error(exc, "docker.hosts"), severity="error")
            return
        self.app.call_from_thread(self._choose_host, hosts)

    def _choose_host(self, hosts: tuple[Any, ...]) -> None:
        from screens.pipelines_prompt import ChoicePrompt

        labels = tuple(h.host if h.name == h.host else f"{h.name} = {h.host}" for h in hosts)

        def chosen(label: str | None) -> None:
            if label is not None:
                self.switch_host(hosts[labels.index(label)].host)

        self.app.push_screen(ChoicePrompt("Switch Docker host", labels), chosen)

    def switch_host(self, host: str) -> None:
        self.services.switch("docker", host=host)  # on_switched, then a reconnect, follow
        self.notify(f"Docker host: {host}", timeout=3)

    def on_switched(self) -> None:
        self._stop_events()
        self.history.clear()
        self.table.sync([])

    def jump(self, arg: str) -> bool:
        word, _, rest = arg.strip().partition(" ")
        if word.lower() in ("host", "docker-host") and rest.strip():
            self.switch_host(rest.strip())
            return True
        if word.lower() in ("host", "hosts", "docker-host"):
            self.action_switch_host()
            return True
        return False

    # -- guarded actions ----------------------------------------------------------------
    def _guarded(self, verb: str) -> None:
        chosen = self.selected()
        targets = applicable(verb, chosen)
        if not targets:
            what = ", ".join(sorted({c.state for c in chosen})) or "nothing selected"
            self.notify(f"{verb}: not applicable ({what})", severity="warning", timeout=3)
            return
        if len(targets) < len(chosen):
            self.notify(f"{verb}: {len(chosen) - len(targets)} selected container(s) skipped "
                        f"(not in a state that allows {verb})", timeout=3)
        production = bool(self.info.production) if self.info is not None else False
        spec = container_action(self.adapter, verb, targets, self.host_label, production,
                                timeout=max(self.config.docker.timeout, 10.0) * 2)
        self.table.marked.clear()
        self.run_guarded(spec)

    def action_start(self) -> None:
        self._guarded("start")

    def action_stop(self) -> None:
        self._guarded("stop")

    def action_restart(self) -> None:
        self._guarded("restart")

    def action_kill(self) -> None:
        self._guarded("kill")

    def action_pause(self) -> None:
        chosen = self.selected()
        self._guarded("unpause" if chosen and all(c.state == "paused" for c in chosen) else "pause")

    def action_remove(self) -> None:
        self._guarded("remove")


__all__ = ["ContainersTab", "VERBS"]
