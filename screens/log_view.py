"""A log viewer any tab can reuse: ``LogScreen(source)`` over a ``LogSource``.

Tail N, follow, timestamps, since, search with highlight and n/N, filter to matching
lines, wrap, copy (selection or the cursor line, OSC 52 through ``app.copy_to_clipboard``).
Memory is bounded by bytes (``max_bytes``, and by ``max_lines``); text is literal with
control sequences stripped and secrets masked. The source is read in thread workers
only. A fetched tail is prepared (``console.logbuffer.prepare_line``: stripped, masked,
cut) in its worker; a followed stream is only taken in (``intake_line``: decoded, cut)
and each line is prepared when it is first drawn, searched or copied (``LineStore``), so
a flood of 20,000 lines a second costs the masking of the few dozen lines on screen.
The follow worker prepares a line itself while a search or wrap is on (both read every
line) or while few lines wait (``EAGER_BELOW``: a slow stream is all drawn). Followed lines are queued by the worker in a
byte-bounded queue and drained on the main thread four times a second (one repaint per
drain; lines the view could not keep anyway are dropped unappended). A search runs over
the lines in a worker too (it prepares what it reads). When a
followed stream ends by itself the header stops saying FOLLOW and says why (the source's
optional ``ended()``: "container removed", for example). Sources are always read with
timestamps; ``t`` shows or hides them in place (no refetch, no restarted stream: the lines,
the cursor and a search stay where they were).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from rich.text import Text
from textual import work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static

from console.logbuffer import DEFAULT_MAX_BYTES, PendingLines, intake_line, prepare_line, prepared, without_stamp
from console.text import strip_control
from screens.footer import FittingFooter
from screens.log_source import (
    EAGER_BELOW,
    FAST_DRAIN_FOR,
    FIRST_DRAIN_SECONDS,
    INGEST_BYTES_PER_S,
    PREPARE_WEIGHT,
    TAILS,
    FollowStream,
    LogSource,
    parse_since,
    stream_end_reason,
)
from screens.log_view_lines import LogLines

__all__ = ["TAILS", "FollowStream", "LogScreen", "LogSource", "LogView", "parse_since", "stream_end_reason"]

DRAIN_SECONDS = 0.25  # followed lines reach the screen four times a second (each is a repaint)

class LinesArrived(Message):
    """A (re)started stream's first lines are waiting (posted by the follow worker)."""

    def __init__(self, generation: int) -> None:
        super().__init__()
        self.generation = generation


class LogView(Widget):
    """Header, lines and a prompt line; reads its source in workers."""

    BINDINGS = [
        Binding("slash", "prompt('search')", "Search", id="logs.search"),
        Binding("n", "next_match", "Next", id="logs.next"),
        Binding("N", "previous_match", "Previous", id="logs.previous"),
        Binding("m", "toggle_matches", "Only matches", id="logs.only_matches"),
        Binding("f", "toggle_follow", "Follow", id="logs.follow"),
        Binding("t", "toggle_timestamps", "Timestamps", id="logs.timestamps"),
        Binding("w", "toggle_wrap", "Wrap", id="logs.wrap"),
        Binding("s", "prompt('since')", "Since", id="logs.since"),
        Binding("T", "cycle_tail", "Tail", id="logs.tail"),
        Binding("c", "copy", "Copy", id="logs.copy", tooltip="The selection, else the cursor line (OSC 52)"),
        Binding("escape", "close_prompt", "Close prompt", show=False),
    ]
    DEFAULT_CSS = """
    LogView { height: 1fr; layout: vertical; }
    LogView > #log-header { height: 1; padding: 0 1; background: $panel; }
    LogView > #log-prompt { display: none; height: 1; border: none; padding: 0 1; }
    LogView > #log-prompt.-shown { display: block; }
    """

    def __init__(self, source: LogSource, max_lines: int = 20000, tail: int = 500, follow: bool = False,
                 max_bytes: int = DEFAULT_MAX_BYTES, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.max_lines = max_lines
        self.max_bytes = max_bytes
        self.ended = ""  # why a followed stream stopped by itself
        self.behind = False  # a flood is being taken in more slowly than it comes
        self.tail = tail
        self.follow = follow
        self.timestamps = False
        self.since: float | None = None
        self.since_text = ""
        self.error = ""
        self.match_info = ""
        self._pending = PendingLines(max_bytes)
        self._stream: FollowStream | None = None
        self._generation = 0
        self._prompt_mode = "search"
        self.eager = False  # the follow worker prepares each line (search or wrap on): MAIN sets it
        self._lock = threading.Lock()

    def compose(self) -> ComposeResult:
        yield Static(id="log-header")
        yield LogLines(self.max_lines, self.max_bytes, id="log-lines")
        yield Input(id="log-prompt")

    @property
    def lines_widget(self) -> LogLines:
        return self.query_one(LogLines)

    def on_mount(self) -> None:
        self.set_interval(DRAIN_SECONDS, self._drain)
        self.lines_widget.focus()
        self.reload()

    def on_unmount(self) -> None:
        self._stop_stream()

    # -- loading ------------------------------------------------------------------------
    def reload(self) -> None:
        self._stop_stream()
        self._generation += 1
        self._pending.clear()
        self.lines_widget.clear()
        self.error = ""
        self.ended = ""
        if self.follow:
            self._follow_worker(self._generation)
        else:
            self._fetch_worker(self._generation)
        self.update_header()

    def _stop_stream(self) -> None:
        with self._lock:
            stream, self._stream = self._stream, None
        if stream is not None:  # closing a socket can wait on the network: never on the UI thread
            threading.Thread(target=stream.close, daemon=True, name="log-stream-close").start()

    @work(thread=True, exclusive=True, group="log-fetch", exit_on_error=False, description="fetch logs")
    def _fetch_worker(self, generation: int) -> None:
        try:
            lines = [prepare_line(line) for line in self.source.fetch(self.tail, self.since, True)]
        except Exception as exc:  # noqa: BLE001 - shown in the header; the viewer stays usable
            self.app.call_from_thread(self._failed, generation, exc)
            return
        self.app.call_from_thread(self._loaded, generation, lines)

    @work(thread=True, exclusive=True, group="log-follow", exit_on_error=False, description="follow logs")
    def _follow_worker(self, generation: int) -> None:
        try:
            stream = self.source.follow(self.tail, self.since, True)
            with self._lock:
                if generation != self._generation:
                    stream.close()
                    return
                self._stream = stream
            budget, window = 0, time.monotonic()
            pending = self._pending
            first = True
            for line in stream:
                if generation != self._generation:
                    return
                if first:  # thread-safe: the first lines are drawn without waiting for the tick
                    first = False
                    self.post_message(LinesArrived(generation))
                # search or wrap read every line; a slow stream (a few long lines) is drawn whole
                if self.eager or len(pending) < EAGER_BELOW:
                    text = prepare_line(line)
                    budget += len(text) * PREPARE_WEIGHT
                else:
                    text = intake_line(line)
                    budget += len(text) + 64
                pending.append(text)
                if budget >= INGEST_BYTES_PER_S // 10:  # 100 ms worth taken in: pace the stream
                    rest = window + 0.1 - time.monotonic()
                    self.behind = rest > 0
                    while rest > 0 and generation == self._generation:
                        time.sleep(max(0.01, min(rest, 0.1)))
                        rest = window + 0.1 - time.monotonic()
                    budget, window = 0, time.monotonic()
            if generation == self._generation:
                reason = stream_end_reason(self.source)
                self.app.call_from_thread(self._stream_ended, generation, reason)
        except Exception as exc:  # noqa: BLE001 - shown in the header; the viewer stays usable
            self.app.call_from_thread(self._failed, generation, exc)

    def on_lines_arrived(self, message: LinesArrived) -> None:
        message.stop()
        if message.generation == self._generation:
            deadline = time.monotonic() + FAST_DRAIN_FOR
            self.set_timer(FIRST_DRAIN_SECONDS, lambda: self._fast_drain(message.generation, deadline))

    def _fast_drain(self, generation: int, deadline: float) -> None:
        if generation != self._generation:
            return
        self._drain()
        w = self.lines_widget
        if len(w.lines) < max(1, w.size.height) and time.monotonic() < deadline:
            self.set_timer(FIRST_DRAIN_SECONDS, lambda: self._fast_drain(generation, deadline))

    def _loaded(self, generation: int, lines: list[str]) -> None:
        if generation == self._generation:
            self.lines_widget.append(lines)
            self.update_header()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            title = getattr(exc, "title", type(exc).__name__)
            self.error = f"{title}: {exc}"
            self.update_header()

    def _stream_ended(self, generation: int, reason: str) -> None:
        if generation == self._generation:
            self._drain()
            self.ended = reason
            self.update_header()

    def _drain(self) -> None:
        if self._pending:  # what the view keeps at most; older lines would be released at once
            w = self.lines_widget
            w.append(self._pending.drain(w.max_bytes, keep_lines=w.max_lines))
            self.update_header()

    def update_header(self) -> None:
        w = self.lines_widget
        self.eager = bool(w.search) or w.wrap
        state = f"ENDED: {self.ended}" if self.ended else ("FOLLOW" if self.follow else "paused")
        if self.behind and self.follow and not self.ended:
            state += " (flood: paced, behind)"
        parts = [state, f"tail {'all' if self.tail < 0 else self.tail}", f"{len(w.lines)} lines"]
        if self._pending.dropped:
            parts.append(f"{self._pending.dropped} lines dropped (too fast)")
        if self.timestamps:
            parts.append("timestamps")
        if self.since_text:
            parts.append(f"since {self.since_text}")
        if w.wrap:
            parts.append("wrap")
        if w.search:
            parts.append(f"/{w.search} {self.match_info}".rstrip())
        if w.only_matches:
            parts.append("only matches")
        if self.error:
            parts.insert(0, self.error)
        parts.append(self.source.title)
        # one fixed-height row: no layout pass (a flood updates it ten times a second)
        self.query_one("#log-header", Static).update(Text(strip_control(" · ".join(parts)), no_wrap=True,
                                                          overflow="ellipsis"), layout=False)

    # -- keys ---------------------------------------------------------------------------
    def action_prompt(self, mode: str) -> None:
        self._prompt_mode = mode
        prompt = self.query_one("#log-prompt", Input)
        prompt.placeholder = {"search": "search (enter: find, esc: cancel)",
                              "since": "since: 30s, 10m, 2h, 1d (empty: everything)"}[mode]
        prompt.value = self.lines_widget.search if mode == "search" else self.since_text
        prompt.add_class("-shown")
        prompt.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.input.remove_class("-shown")
        self.lines_widget.focus()
        value = event.value.strip()
        if self._prompt_mode == "search":
            self.set_search(value)
            return
        try:
            self.since = parse_since(value)
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return
        self.since_text = value
        self.reload()

    def action_close_prompt(self) -> None:
        prompt = self.query_one("#log-prompt", Input)
        if not prompt.has_class("-shown"):
            raise SkipAction()  # esc then goes to the screen (back)
        prompt.remove_class("-shown")
        self.lines_widget.focus()

    def set_search(self, text: str) -> None:
        """Search the lines in a worker; the result is applied by :meth:`_searched`."""
        w = self.lines_widget
        w.search = text
        w.matched = set()
        if not text:
            self._searched(text, w.first_no, set())
            return
        self.match_info = "searching…"
        self.update_header()
        self._search_worker(text, w.first_no, w.lines.snapshot(), w.stamps)

    @work(thread=True, exclusive=True, group="log-search", exit_on_error=False, description="search logs")
    def _search_worker(self, text: str, first_no: int, lines: list[str], stamps: bool) -> None:
        needle = text.lower()  # over the prepared (masked) text only: a secret is never found
        shown = prepared(lines) if stamps else map(without_stamp, prepared(lines))
        matched = {first_no + i for i, line in enumerate(shown) if needle in line.lower()}
        self.app.call_from_thread(self._searched, text, first_no + len(lines), matched)

    def _searched(self, text: str, end_no: int, matched: set[int]) -> None:
        w = self.lines_widget
        if not w.set_matches(text, end_no, matched):
            return  # a newer search is running
        if w.only_matches or not text:
            w.only_matches = w.only_matches and bool(text)
            w.rebuild()
        found = w.jump_match(False, inclusive=True) if text else None  # the latest match at or above the cursor
        total = len(w.match_rows()) if text else 0
        self.match_info = f"{found}/{total}" if found else ("no match" if text else "")
        w.refresh()
        self.update_header()

    def _jump(self, forward: bool) -> None:
        w = self.lines_widget
        if not w.search:
            self.notify("no search: press / first", timeout=2)
            return
        found = w.jump_match(forward)
        self.match_info = f"{found}/{len(w.match_rows())}" if found else "no match"
        self.update_header()

    def action_next_match(self) -> None:
        self._jump(True)

    def action_previous_match(self) -> None:
        self._jump(False)

    def action_toggle_matches(self) -> None:
        w = self.lines_widget
        w.only_matches = not w.only_matches
        w.rebuild()
        self.update_header()

    def action_toggle_wrap(self) -> None:
        w = self.lines_widget
        w.wrap = not w.wrap
        w.rebuild()
        self.update_header()

    def action_toggle_follow(self) -> None:
        self.follow = not self.follow
        self.reload()

    def action_toggle_timestamps(self) -> None:
        """Show or hide the timestamps the lines carry: a redraw, nothing refetched."""
        self.timestamps = not self.timestamps
        w = self.lines_widget
        w.stamps = self.timestamps
        if w.wrap or w.only_matches:
            w.rebuild()
        if w.search:
            self.set_search(w.search)
        w.refresh()
        self.update_header()

    def action_cycle_tail(self) -> None:
        later = [t for t in TAILS if t > self.tail or t < 0]
        self.tail = later[0] if later and self.tail >= 0 else TAILS[0]
        self.reload()

    def action_copy(self) -> None:
        text = self.screen.get_selected_text() or self.lines_widget.cursor_line()
        if text:
            self.app.copy_to_clipboard(text)
            self.notify(f"copied {len(text.splitlines()) or 1} line(s)", timeout=1.5)


class LogScreen(Screen[None]):
    """Full-screen logs of one source; esc goes back."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, source: LogSource, max_lines: int = 20000, tail: int = 500, follow: bool = False,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        super().__init__()
        self.view = LogView(source, max_lines=max_lines, tail=tail, follow=follow, max_bytes=max_bytes,
                            id="log-view")

    def compose(self) -> ComposeResult:
        yield self.view
        yield FittingFooter()
