"""Modal views of the Clusters tab: describe/YAML text, pod and workload logs, a number prompt.

All text from the cluster is rendered literally (``safe_text``); logs are held in a
bounded deque (``MAX_LINES``) so a chatty container cannot grow memory without end.
Backend calls run in thread workers; widgets are touched on the main thread only.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, RichLog, Static

from console.errors import OpsError
from console.text import safe_text, strip_control

MAX_LINES = 20_000


class TextView(ModalScreen[None]):
    """A scrollable, literal text (describe output, YAML)."""

    BINDINGS = [Binding("escape,q", "close", "Close")]
    DEFAULT_CSS = """
    TextView { align: center middle; }
    TextView > Vertical { width: 95%; height: 90%; border: round $primary; background: $surface; }
    TextView #text-title { height: 1; padding: 0 1; background: $panel; }
    TextView VerticalScroll { height: 1fr; padding: 0 1; }
    """

    def __init__(self, title: str, text: str, hint: str = "") -> None:
        super().__init__()
        self.title_text, self.body, self.hint = title, text, hint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe_text(f"{self.title_text}   {self.hint} (esc: close)"), id="text-title")
            with VerticalScroll():
                yield Static(safe_text(self.body), id="text-body")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)


class NumberPrompt(ModalScreen[int | None]):
    """Ask for a non-negative integer (e.g. replicas)."""

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


class LogView(ModalScreen[None]):
    """Logs of one pod container, or of every container of a workload merged with a prefix.

    Keys: ``f`` follow, ``p`` previous container, ``/`` filter lines, ``esc`` close.
    """

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("f", "toggle_follow", "Follow"),
        Binding("p", "toggle_previous", "Previous"),
        Binding("slash", "search", "Filter"),
    ]
    DEFAULT_CSS = """
    LogView { align: center middle; }
    LogView > Vertical { width: 98%; height: 95%; border: round $primary; background: $surface; }
    LogView #log-title { height: 1; padding: 0 1; background: $panel; }
    LogView RichLog { height: 1fr; }
    LogView #log-filter { display: none; height: 1; border: none; padding: 0 1; }
    LogView #log-filter.-shown { display: block; }
    """

    def __init__(self, adapter: Any, namespace: str, name: str, kind: str = "pods", container: str | None = None,
                 previous: bool = False, tail: int | None = None) -> None:
        super().__init__()
        self.adapter, self.object_namespace, self.object_name, self.kind = adapter, namespace, name, kind
        self.container, self.previous, self.tail = container, previous, tail
        self.lines: deque[str] = deque(maxlen=MAX_LINES)
        self.filter = ""
        self.following = False
        self._stop = threading.Event()
        self.error = ""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(id="log-title")
            yield RichLog(id="log", max_lines=MAX_LINES, markup=False, highlight=False, wrap=False)
            yield Input(placeholder="filter lines (enter: keep, esc: clear)", id="log-filter")

    @property
    def source(self) -> str:
        what = f"pod {self.object_name}" + (f" / {self.container}" if self.container else "") if self.kind == "pods" \
            else f"{self.kind} {self.object_name} (all containers)"
        return f"{self.object_namespace}/{what}"

    def on_mount(self) -> None:
        self._update_title()
        self.query_one(RichLog).focus()
        self.load()

    def _update_title(self) -> None:
        flags = [f for f, on in (("previous", self.previous), ("following", self.following)) if on]
        state = f" [{', '.join(flags)}]" if flags else ""
        filt = f" · filter {self.filter!r}" if self.filter else ""
        err = f" · {self.error}" if self.error else ""
        self.query_one("#log-title", Static).update(
            safe_text(f"logs {self.source}{state} · {len(self.lines)} lines{filt}{err}  (f follow, p previous, / filter)"))

    # -- loading ---------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="logs", exit_on_error=False)
    def load(self) -> None:
        try:
            if self.kind == "pods":
                lines = self.adapter.logs(self.object_namespace, self.object_name, self.container, self.previous, self.tail)
            else:
                lines = self.adapter.workload_logs(self.kind, self.object_namespace, self.object_name, self.tail, self.previous)
        except OpsError as exc:
            self.app.call_from_thread(self._failed, f"{exc.title}: {exc.body}")
            return
        self.app.call_from_thread(self._replace, lines)

    def _failed(self, reason: str) -> None:
        self.error = reason
        self._update_title()

    def _replace(self, lines: tuple[str, ...]) -> None:
        self.error = ""
        self.lines.clear()
        self.lines.extend(strip_control(line) for line in lines)
        self._render_all()

    def _append(self, line: str) -> None:
        line = strip_control(line)
        self.lines.append(line)
        if not self.filter or self.filter.lower() in line.lower():
            self.query_one(RichLog).write(safe_text(line))
        self._update_title()

    def _render_all(self) -> None:
        log = self.query_one(RichLog)
        log.clear()
        needle = self.filter.lower()
        for line in self.lines:
            if not needle or needle in line.lower():
                log.write(safe_text(line))
        self._update_title()

    @work(thread=True, exclusive=True, group="logs-follow", exit_on_error=False)
    def follow(self, stop: threading.Event) -> None:
        try:
            for line in self.adapter.follow_logs(self.object_namespace, self.object_name, stop, self.container, tail=0):
                self.app.call_from_thread(self._append, line)
        except OpsError as exc:
            self.app.call_from_thread(self._failed, f"follow stopped: {exc.title}: {exc.body}")

    # -- keys ------------------------------------------------------------------------
    def action_toggle_follow(self) -> None:
        if self.kind != "pods" or self.previous:
            self.notify("follow works on one running container: open a pod's logs", severity="warning")
            return
        self.following = not self.following
        self._stop.set()
        if self.following:
            self._stop = threading.Event()
            self.follow(self._stop)
        self._update_title()

    def action_toggle_previous(self) -> None:
        self.previous = not self.previous
        if self.previous and self.following:
            self.following = False
            self._stop.set()
        self.load()
        self._update_title()

    def action_search(self) -> None:
        box = self.query_one("#log-filter", Input)
        box.add_class("-shown")
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.filter = event.value.strip()
        self._render_all()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            event.input.remove_class("-shown")
        self.query_one(RichLog).focus()

    def action_close(self) -> None:
        box = self.query_one("#log-filter", Input)
        if box.has_focus:
            box.value = ""
            box.remove_class("-shown")
            self.query_one(RichLog).focus()
            return
        self._stop.set()
        self.dismiss(None)

    def on_unmount(self) -> None:
        self._stop.set()
