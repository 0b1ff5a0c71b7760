"""The in-app changelog: every audit record, newest first, with filter, detail and undo.

Keys: ``/`` filter (every word must appear somewhere in the record: time, operator,
context, target, reason, outcome, ...; ``key=value`` words search one field, e.g.
``outcome=failed``, ``user=ann``, ``name=web``, ``context=prod``), ``esc`` clears the filter or goes back, ``r``
reloads, ``u`` undoes the selected action when its record names a registered undo kind
(see console/actions/undo.py); the undo runs through the guarded path like any action.
The audit log is read in a thread worker; a torn last line (crash) is skipped and counted.
With a team sink (``[team]``, console/actions/sink.py) the team's records are merged in,
one per record id, those from other consoles marked "(team)" after the operator; the view
reloads every ``team.refresh_seconds`` while open, and shows the local records with the
reason when the sink cannot be read.
"""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from console.actions.journal import AuditLog
from console.actions.runner import describe
from console.actions.sink import merged_audit
from console.actions.undo import can_undo, undo_from_record
from console.errors import OpsError
from console.filter import compile_query
from console.text import safe_text
from screens.footer import FittingFooter
from screens.guarded import journal_for, start_guarded
from screens.widgets import VimDataTable

OUTCOME_STYLE = {"succeeded": "green", "failed": "bold red", "timed out": "yellow", "refused": "red",
                 "declined": "dim", "requested": "", "applied, not verified": "yellow", "abandoned": "bold yellow",
                 "reconciled at next start": "bold yellow", "follow-up": "bold yellow"}
# outcomes written without the operator watching: marked in the table so they stand out
MARKED = {"reconciled at next start": "⚠ ", "abandoned": "⚠ ", "follow-up": "⚠ "}
COLUMNS = ("time", "outcome", "verb", "target", "where", "operator", "reason")
# under NARROW columns (80x24): the table above the detail, with these columns cropped to fit;
# the detail below shows every field of the selected record (it scrolls: tab to it)
NARROW = 110
NARROW_COLUMNS = {"time": 15, "outcome": 10, "verb": 8, "target": 18, "reason": 14}


def record_where(record: dict[str, Any]) -> str:
    where = f"{record.get('backend', '')} {record.get('context', '')}"
    if record.get("namespace"):
        where += f"/{record['namespace']}"
    return where + (" [prod]" if record.get("production") else "")


def record_cells(record: dict[str, Any], short_time: bool = False) -> list[Text]:
    """The table's cells; ``short_time`` (80 columns): month-day time, the target's name only."""
    target = record.get("target") or {}
    operator = record.get("operator") or {}
    outcome = str(record.get("outcome", ""))
    when = str(record.get("time", ""))
    if short_time and len(when) == 20 and when[4] == "-":  # 2026-12-02T01:04:48Z → 12-02 01:04:48Z
        when = f"{when[5:10]} {when[11:]}"
    return [
        safe_text(when),
        safe_text(MARKED.get(outcome, "") + outcome, style=OUTCOME_STYLE.get(outcome, "")),
        safe_text(record.get("verb", "")),
        safe_text(str(target.get("name", "")) if short_time else f"{target.get('kind', '')} {target.get('name', '')}"),
        safe_text(record_where(record)),
        safe_text(f"{operator.get('user', '')}@{operator.get('host', '')}" + (" (team)" if record.get("_team") else "")),
        safe_text(record.get("reason", "")),
    ]


def record_detail(record: dict[str, Any]) -> Text:
    text = Text()
    operator = record.get("operator") or {}
    target = record.get("target") or {}
    rows = [
        ("time", record.get("time", "")), ("outcome", record.get("outcome", "")),
        ("action", f"{record.get('verb', '')} {target.get('kind', '')} {target.get('name', '')}"),
        ("target id", target.get("id", "")), ("where", record_where(record)), ("risk", record.get("risk", "")),
        ("operator", f"{operator.get('user', '')}@{operator.get('host', '')}"),
        ("ssh client", operator.get("ssh_client", "")), ("identity", operator.get("identity", "")),
        ("reason", record.get("reason", "")), ("result", record.get("detail", "")),
        ("duration", "" if record.get("duration_s") is None else f"{record['duration_s']}s"),
        ("undo", record.get("undo_hint", "")), ("action id", record.get("action_id", "")),
    ]
    for change in record.get("changes") or []:
        rows.append((f"  {change.get('field', '')}", f"{change.get('before', '')} → {change.get('after', '')}"))
    for label, value in rows:
        if value in ("", None):
            continue
        text.append(f"{label:>11}: ", style="bold")
        text.append_text(safe_text(value))
        text.append("\n")
    text.append("u: undo this action" if can_undo(record) else "no undo available from the changelog",
                style="bold" if can_undo(record) else "dim")
    return text


def flatten(record: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """``{"operator": {"user": "ann"}}`` → ``{"operator.user": "ann", "user": "ann"}`` (lower case)."""
    out: dict[str, str] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            for sub, text in flatten(value, f"{prefix}{key}.").items():
                out.setdefault(sub, text)
                out.setdefault(sub.rsplit(".", 1)[-1], text)
        else:
            text = json.dumps(value, ensure_ascii=False) if isinstance(value, list) else str(value)
            out[f"{prefix}{key}"] = text.lower()
    return out




class ChangelogScreen(Screen[None]):
    DEFAULT_CSS = """
    ChangelogScreen #changelog-title { height: 1; padding: 0 1; background: $panel; }
    ChangelogScreen #changelog-main { height: 1fr; }
    ChangelogScreen #changelog-table { width: 3fr; height: 1fr; }
    ChangelogScreen #changelog-detail-scroll { width: 2fr; height: 1fr; border-left: solid $primary; padding: 0 1; }
    ChangelogScreen #changelog-detail { height: auto; }
    ChangelogScreen.-narrow #changelog-main { layout: vertical; }
    ChangelogScreen.-narrow #changelog-table { width: 1fr; height: 2fr; }
    ChangelogScreen.-narrow #changelog-detail-scroll { width: 1fr; height: 3fr; border-left: none;
                                                       border-top: solid $primary; }
    ChangelogScreen #changelog-filter-bar { height: auto; }
    ChangelogScreen #changelog-filter { display: none; height: 1; border: none; padding: 0 1; }
    ChangelogScreen #changelog-filter.-shown { display: block; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("slash", "filter", "Filter"),
        Binding("r", "reload", "Reload"),
        Binding("u", "undo", "Undo"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.records: list[dict[str, Any]] = []  # newest first
        self.shown: list[dict[str, Any]] = []
        self._haystacks: list[str] = []  # each record as lower-case JSON, for the filter
        self._fields: list[dict[str, str]] = []  # each record flattened, for key=value words
        self.torn = 0
        self.filter_text = ""
        self.team_note = ""  # where the team's records come from, or why they are missing

    def compose(self) -> ComposeResult:
        yield Static("Changelog: loading…", id="changelog-title")
        with Horizontal(id="changelog-main"):
            table: DataTable = VimDataTable(id="changelog-table", cursor_type="row", zebra_stripes=True)
            yield table
            with VerticalScroll(id="changelog-detail-scroll"):
                yield Static("", id="changelog-detail")
        with Vertical(id="changelog-filter-bar"):
            yield Input(placeholder="filter: words, or key=value (outcome=failed user=ann) — enter: keep, esc: clear",
                        id="changelog-filter")
        yield FittingFooter()

    def on_mount(self) -> None:
        self._set_columns()
        self.query_one(DataTable).focus()
        self.load()
        self.set_interval(self.app.config.team.refresh_seconds, self._tick)  # type: ignore[attr-defined]

    @property
    def narrow(self) -> bool:
        return self.app.size.width < NARROW

    def _set_columns(self) -> None:
        """Every column when there is room; at 80 columns the few that fit, cropped (the
        detail pane shows the rest): the table never scrolls sideways."""
        self.set_class(self.narrow, "-narrow")
        table = self.query_one(DataTable)
        wanted = tuple(NARROW_COLUMNS) if self.narrow else COLUMNS
        if tuple(str(key.value) for key in table.columns) == wanted:
            return
        table.clear(columns=True)
        for column in wanted:
            table.add_column(column, key=column, width=NARROW_COLUMNS[column] if self.narrow else None)

    def on_resize(self) -> None:
        if self.is_mounted and self.narrow != self.has_class("-narrow"):
            self._set_columns()
            self.apply_filter(self.filter_text)

    def _tick(self) -> None:
        """The periodic reload; dropped while the previous one still reads (a slow sink)."""
        if not any(w.node is self and w.group == "changelog" and not w.is_finished for w in self.app.workers):
            self.load()

    # -- data -------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="changelog", description="reading the audit log")
    def load(self) -> None:
        journal = journal_for(self.app)
        try:
            audit, note = merged_audit(journal)
        except OSError as exc:
            self.app.call_from_thread(self._load_failed, f"cannot read the audit log {journal.audit_path}: {exc}")
            return
        self.app.call_from_thread(self._loaded, audit, note)

    def _load_failed(self, why: str) -> None:
        if not self.query("#changelog-title"):  # closed while reading
            return
        self.query_one("#changelog-title", Static).update(safe_text(why, style="bold red"))

    def _loaded(self, audit: AuditLog, note: str = "") -> None:
        if not self.query(DataTable):  # closed while reading
            return
        self.team_note = note
        self.records = list(reversed(audit.records))
        self.torn = audit.torn
        self._haystacks = [json.dumps(r, ensure_ascii=False).lower() for r in self.records]
        self._fields = [flatten(r) for r in self.records]
        self.apply_filter(self.filter_text)

    def request_refresh(self) -> None:
        """Called by the guarded path after an undo started here has finished."""
        if self.is_attached:
            self.load()

    def apply_filter(self, text: str) -> None:
        self.filter_text = text
        words = text.lower().split()
        keep = compile_query(text)  # console.filter: words, key=value, key!=value, key=prefix*
        self.shown = [r for r, hay, fields in zip(self.records, self._haystacks, self._fields, strict=True)
                      if keep(hay, fields)]
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        keep = [COLUMNS.index(str(key.value)) for key in table.columns]
        for index, record in enumerate(self.shown):
            cells = record_cells(record, short_time=self.narrow)
            table.add_row(*(cells[i] for i in keep), key=str(index))
        if row and self.shown:  # a periodic reload keeps the operator's place
            table.move_cursor(row=min(row, len(self.shown) - 1))
        title = f"Changelog: {len(self.shown)} of {len(self.records)} records"
        if words:
            title += f" matching {text!r}"
        if self.torn:
            title += f"  ({self.torn} unreadable line(s) skipped)"
        if self.team_note:
            title += f"  · {self.team_note}"
        self.query_one("#changelog-title", Static).update(safe_text(title))
        self._show_detail(self.selected)

    # -- selection ------------------------------------------------------------------------
    @property
    def selected(self) -> dict[str, Any] | None:
        table = self.query_one(DataTable)
        if not self.shown or table.cursor_row is None or not 0 <= table.cursor_row < len(self.shown):
            return None
        return self.shown[table.cursor_row]

    def _show_detail(self, record: dict[str, Any] | None) -> None:
        detail = self.query_one("#changelog-detail", Static)
        detail.update(record_detail(record) if record is not None else Text("no record selected", style="dim"))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_detail(self.selected)

    # -- keys ---------------------------------------------------------------------------------
    def action_filter(self) -> None:
        bar = self.query_one("#changelog-filter", Input)
        bar.add_class("-shown")
        bar.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.apply_filter(event.value.strip())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            event.input.remove_class("-shown")
        self.query_one(DataTable).focus()

    def action_back(self) -> None:
        bar = self.query_one("#changelog-filter", Input)
        if bar.has_class("-shown"):
            bar.value = ""
            bar.remove_class("-shown")
            self.query_one(DataTable).focus()
            return
        self.dismiss(None)

    def action_reload(self) -> None:
        self.load()

    def action_undo(self) -> None:
        record = self.selected
        if record is None:
            self.notify("no record selected", severity="warning")
            return
        try:
            spec = undo_from_record(record, getattr(self.app, "services", None))
        except OpsError as exc:
            self.notify(str(exc.body), title="No undo", severity="warning", markup=False)
            return
        except Exception as exc:  # noqa: BLE001 - a tab's undo factory failed on an odd record
            self.notify(f"the undo could not be built from this record: {describe(exc)}", title="No undo",
                        severity="error", markup=False)
            return
        start_guarded(self.app, spec, origin=self)
