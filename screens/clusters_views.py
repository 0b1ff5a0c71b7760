"""What the Clusters tab opens: describe/YAML in the shared DetailScreen, logs in the
shared LogScreen (through ``KubeLogSource``), and a number prompt for scaling.

``KubeLogSource`` reads one pod container, or every container of a workload merged
with a ``[pod/container]`` prefix; following a workload runs one follower thread per
container into a bounded queue. No SDK here: everything goes through the adapter.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from console.errors import OpsError
from console.models.kubernetes import KubeDescription, format_age
from console.text import safe_text
from screens.detail_view import DetailScreen, Section

if TYPE_CHECKING:  # pragma: no cover
    from console.backends.kubernetes import KubernetesBackend

FOLLOW_QUEUE = 10_000


def describe_sections(d: KubeDescription, now: datetime) -> list[Section]:
    """The describe view: fields, owner chain, containers, conditions, recent events."""
    head = [("Name", d.name), ("Namespace", d.namespace or "(cluster)"), *d.fields]
    if d.problem:
        head.append(("Problem", d.problem))
    sections = [Section(f"{d.kind} {d.namespace + '/' if d.namespace else ''}{d.name}", head),
                Section("Controlled by (nearest first)", [(str(i + 1), o) for i, o in enumerate(d.owners)])]
    sections += [Section(f"Container {name}", fields) for name, fields in d.containers]
    sections.append(Section("Conditions", [(c.type, f"{c.status} {c.reason} {c.message}".strip())
                                           for c in d.conditions]))
    events = []
    for e in d.events:
        seen = f"{format_age((now - e.last_seen).total_seconds())} ago" if e.last_seen else "?"
        count = f" (x{e.count})" if e.count > 1 else ""
        events.append((f"{e.type} {e.reason}", f"{seen}{count}: {e.message}"))
    sections.append(Section("Events (newest first)", events))
    return sections


def detail_screen(title: str, sections: list[Section], raw: dict[str, Any], mode: str = "describe",
                  reveal: bool = False) -> DetailScreen:
    screen = DetailScreen(title, sections, raw, reveal=reveal)
    screen.mode = mode
    return screen


class _Stream:
    """A FollowStream over a generator that stops when ``stop`` is set."""

    def __init__(self, stop: threading.Event, lines: Iterator[str]) -> None:
        self.stop, self._lines = stop, lines

    def __iter__(self) -> Iterator[str]:
        return self._lines

    def close(self) -> None:
        self.stop.set()


class KubeLogSource:
    """A LogSource (screens.log_view) for a pod container or a whole workload."""

    def __init__(self, adapter: KubernetesBackend, namespace: str, name: str, kind: str = "pods", container: str | None = None,
                 previous: bool = False) -> None:
        self.adapter, self.namespace, self.name, self.kind = adapter, namespace, name, kind
        self.container, self.previous = container, previous
        what = f"pod {name}" + (f"/{container}" if container else "") if kind == "pods" else f"{kind} {name} (all pods)"
        self.title = f"{namespace}/{what}" + (" [previous container]" if previous else "")

    def fetch(self, tail: int, since: float | None, timestamps: bool) -> list[str]:
        since_seconds = _seconds_since(since)
        if self.kind == "pods":
            return list(self.adapter.logs(self.namespace, self.name, self.container, self.previous, tail,
                                          since_seconds, timestamps))
        return list(self.adapter.workload_logs(self.kind, self.namespace, self.name, tail, self.previous,
                                               since_seconds, timestamps))

    def follow(self, tail: int, since: float | None, timestamps: bool) -> _Stream:
        stop = threading.Event()
        if self.previous:  # a terminated container writes nothing more
            return _Stream(stop, iter(self.fetch(tail, since, timestamps)))
        if self.kind == "pods":
            return _Stream(stop, self.adapter.follow_logs(self.namespace, self.name, stop, self.container,
                                                          None if tail < 0 else tail, _seconds_since(since),
                                                          timestamps))
        return _Stream(stop, self._follow_all(stop, tail, since, timestamps))

    def _follow_all(self, stop: threading.Event, tail: int, since: float | None, timestamps: bool) -> Iterator[str]:
        lines: queue.Queue[str] = queue.Queue(maxsize=FOLLOW_QUEUE)

        def pump(pod: str, container: str) -> None:
            try:
                for line in self.adapter.follow_logs(self.namespace, pod, stop, container, None if tail < 0 else tail,
                                                     _seconds_since(since), timestamps):
                    if timestamps:  # the prefix after the stamp: the viewer hides stamps by themselves
                        stamp, _, text = line.partition(" ")
                        lines.put(f"{stamp} [{pod}/{container}] {text}")
                    else:
                        lines.put(f"[{pod}/{container}] {line}")
            except OpsError as exc:
                lines.put(f"[{pod}/{container}] (follow stopped: {exc.title}: {exc.body})")

        for pod, container in self.adapter.containers_of(self.kind, self.namespace, self.name):
            follower = threading.Thread(target=pump, args=(pod, container), daemon=True, name=f"log-follow-{pod}")
            follower.start()
        while not stop.is_set():
            try:
                yield lines.get(timeout=0.2)
            except queue.Empty:
                continue


def _seconds_since(since: float | None) -> int | None:
    return max(1, int(time.time() - since)) if since else None


class NumberPrompt(ModalScreen[int | None]):
    """Ask for a whole number (replicas)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    NumberPrompt { align: center middle; }
    NumberPrompt > Vertical { width: 50; height: auto; border: round $primary; background: $surface; padding: 0 1; }
    NumberPrompt #number-error { color: $error; height: auto; }
    """

    def __init__(self, title: str, value: int) -> None:
        super().__init__()
        self.title_text, self.value = title, value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe_text(self.title_text))
            yield Input(str(self.value), id="number", restrict=r"[0-9]*")
            yield Static("", id="number-error")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text.isdigit() or int(text) > 10_000:
            self.query_one("#number-error", Static).update("enter a whole number from 0 to 10000")
            return
        self.dismiss(int(text))

    def action_cancel(self) -> None:
        self.dismiss(None)
