"""How Triage looks: table rows, the sources line, the feed pane and the full feed screen.

Pure presentation over the frozen rows of ``console.triage.model``; untrusted text goes
through ``safe_text`` (cells are literal in ``KubeTable``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from console.models.kubernetes import format_age
from console.text import safe_text, strip_control
from console.triage.model import Change, Level, Problem, SourceMode, SourceState, stamp
from screens.clusters_table import KubeTable
from screens.widgets import Column, Row

COLUMNS = (Column("sev", "SEV"), Column("ctx", "CTX"), Column("what", "WHAT"), Column("since", "SINCE"),
           Column("reason", "REASON"), Column("where", "WHERE"))
FEED_COLUMNS = (Column("at", "WHEN"), Column("where", "WHERE"), Column("subject", "WHAT"), Column("text", "CHANGE"))
MARKS = {SourceMode.READY: "●", SourceMode.STALE: "◐", SourceMode.UNAVAILABLE: "✗", SourceMode.UNCONFIGURED: "○",
         SourceMode.LOADING: "…"}


def ago(at: datetime | None, now: float) -> str:
    return format_age(now - stamp(at)) if at is not None else "?"


COMPACT = {SourceMode.READY: "✓", SourceMode.STALE: "⚠", SourceMode.UNAVAILABLE: "✗", SourceMode.UNCONFIGURED: "○",
           SourceMode.LOADING: "…"}
FAMILIES = {"kube": "k8s", "console": "changelog"}  # source id prefix -> its name in the compact line


def short_contexts(contexts: Iterable[str]) -> dict[str, str]:
    """Short, still distinct names for the CTX column: the common leading part (up to a
    ``-``, ``_``, ``.`` or ``/``) goes: sandbox-dev, sandbox-prod -> dev, prod."""
    names = sorted(set(contexts))
    if len(names) < 2:
        return {n: n for n in names}
    common = 0
    for i, chars in enumerate(zip(*names, strict=False)):
        if len(set(chars)) > 1:
            break
        if chars[0] in "-_./":
            common = i + 1
    short = {n: n[common:] or n for n in names}
    return short if len(set(short.values())) == len(names) else {n: n for n in names}


def compact_sources(states: Iterable[SourceState], styles: dict[str, str]) -> Text:
    """The sources in one short line: ``docker ✓ k8s ✓✓ aws ✓⚠✓ compliance ✓`` (one mark per
    source, grouped by backend; the full line with ages and notes is behind ``i``)."""
    families: dict[str, list[SourceState]] = {}
    for s in states:
        prefix = s.id.split(":", 1)[0]
        families.setdefault(FAMILIES.get(prefix, prefix), []).append(s)
    text = Text()
    for i, (name, members) in enumerate(families.items()):
        if i:
            text.append(" ")
        text.append_text(safe_text(name))
        text.append(" ")
        for s in members:
            text.append(COMPACT[s.mode], style=styles.get(s.mode.value, ""))
    return text


def problem_row(p: Problem, now: float, styles: dict[Level, str], contexts: dict[str, str] | None = None) -> Row:
    since = ago(p.since, now)
    ctx = (contexts or {}).get(p.context, "")  # the short Kubernetes context (CTX), blank for other backends
    return Row(key=p.key, cells=(p.level.label, ctx, p.what, since, p.reason, p.where),
               raw=(-int(p.level), ctx, p.what, -stamp(p.since), p.reason, p.where),
               search=" ".join((p.level.label, p.what, p.where, p.reason, p.backend)).lower(),
               labels=(("backend", p.backend), ("context", p.context), ("namespace", p.namespace),
                       ("sev", p.level.label.lower())),
               style=styles.get(p.level, ""))


def change_row(c: Change, now: float, warn: str) -> Row:
    return Row(key=c.key, cells=(f"{ago(c.at, now)} ago", c.where, c.subject, c.text),
               raw=(-stamp(c.at), c.where, c.subject, c.text),
               search=" ".join((c.where, c.subject, c.text, c.kind)).lower(),
               labels=(("kind", c.kind), ("backend", c.backend)), style=warn if c.warning else "")


def sources_line(states: Iterable[SourceState], now: float, styles: dict[str, str]) -> Text:
    """One entry per source: ``● kube prod 3s · ✗ kube dead: why · ○ aws costs: no cached data``."""
    text = Text()
    for i, s in enumerate(states):
        if i:
            text.append(" · ", style="dim")
        style = styles.get(s.mode.value, "")
        text.append(f"{MARKS[s.mode]} ", style=style)
        text.append_text(safe_text(s.label, style=style))
        if s.mode in (SourceMode.READY, SourceMode.STALE) and s.fetched_at is not None:
            text.append(f" {format_age(now - s.fetched_at)}", style="dim")
        if s.mode is SourceMode.STALE:
            text.append(" STALE", style=style)
        if s.mode in (SourceMode.UNAVAILABLE, SourceMode.UNCONFIGURED):
            text.append(f" {s.mode.value}", style=style)  # the reason is in its row and the line below
        elif s.note:
            text.append_text(safe_text(f" ({s.note})", style="dim"))
    return text


def feed_text(changes: Sequence[Change], problem: Problem | None, now: float, warn: str, limit: int = 40) -> Text:
    """The pane beside the table: the changes around the highlighted problem."""
    text = Text()
    if problem is None:
        text.append("What changed: select a problem", style="dim")
        return text
    text.append("What changed before ", style="bold")
    text.append_text(safe_text(problem.what, style="bold"))
    if problem.since is not None:
        text.append(f" (started {ago(problem.since, now)} ago)", style="dim")
    if not changes:
        text.append("\nnothing in the feed for its namespace/service (w: everything)", style="dim")
    for c in changes[:limit]:
        text.append(f"\n{ago(c.at, now):>5} ", style="dim")
        text.append_text(safe_text(f"{c.subject} ", style="bold"))
        text.append_text(safe_text(c.text, style=warn if c.warning else ""))
    return text


class FeedScreen(Screen[None]):
    """``w``: the whole what-changed feed, newest first, ``/`` filter, ``esc`` back."""

    DEFAULT_CSS = """
    FeedScreen #feed-title { height: auto; padding: 0 1; background: $panel; }
    FeedScreen KubeTable { height: 1fr; }
    """
    BINDINGS = [Binding("escape,q", "dismiss", "Back"), Binding("slash", "filter", "Filter")]

    def __init__(self, changes: Sequence[Change], title: str, now: float, warn: str) -> None:
        super().__init__()
        self.changes, self.title_text, self.now, self.warn = list(changes), title, now, warn

    def compose(self) -> ComposeResult:
        from textual.widgets import Input

        from screens.footer import FittingFooter

        with Vertical():
            yield Static(safe_text(strip_control(self.title_text)), id="feed-title")
            yield KubeTable(FEED_COLUMNS, id="feed-table")
            yield Input(placeholder="filter the feed (enter: keep, esc: back)", id="feed-filter", classes="-hidden")
        yield FittingFooter()

    def on_mount(self) -> None:
        table = self.query_one(KubeTable)
        table.sync(change_row(c, self.now, self.warn) for c in self.changes)
        self.query_one("#feed-filter").display = False
        table.focus()

    @property
    def table(self) -> KubeTable:
        return self.query_one(KubeTable)

    def action_filter(self) -> None:
        bar = self.query_one("#feed-filter")
        bar.display = True
        bar.focus()

    def on_input_changed(self, event) -> None:
        self.table.filter_text = event.value.strip()

    def on_input_submitted(self, event) -> None:
        self.table.focus()

    def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)


def unavailable_rows(states: Iterable[SourceState], down: Mapping[str, float], sources: Mapping[str, Any]) -> list[Problem]:
    """A row per source that cannot answer (``down``: since when), so a dead context is
    on the page and not only in the sources line."""
    out = []
    for s in states:
        if s.mode is not SourceMode.UNAVAILABLE:
            continue
        kube = s.id.startswith("kube")
        name = (s.id.partition(":")[2] or s.label) if kube else s.label  # "kube": listing the contexts failed
        since = down.get(s.id)
        where = getattr(sources.get(s.id), "where", "") or name
        out.append(Problem(s.id, "kubernetes" if kube else s.id.split(":", 1)[0], Level.ERROR,
                           "context" if kube else "source", name, where,
                           f"unavailable: {s.reason}", utc(since) if since else None,
                           context=name if kube else ""))
    return out


def utc(now: float) -> datetime:
    return datetime.fromtimestamp(now, UTC)
