"""Costs tab: Cost Explorer spend (cached, counted) and the live EC2 waste finder.

Cost Explorer charges per request ($0.01): no request is made before the operator opens
this tab (the tab is mounted at start-up for its waste finder, which is free); answers are
cached on disk with their age shown; `r` forces new calls; the header and the status bar
show the paid calls made this session and what they cost. Credits, refunds
and taxes are listed apart from usage. The waste finder's clean-up actions go through
the guarded path.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from console import clock
from console.actions import aws_waste as costs_actions
from console.backends.aws_costs import export_report, paid_calls_text
from console.errors import OpsError
from console.models.aws import CostLine, CostReport, CostsView, WasteReport
from console.text import safe_text
from screens.base import BackendTab, age_text, describe_error
from screens.costs_chart import DailyChart
from screens.pipelines_switch import AwsContextCommands
from screens.table_notes import count_text
from screens.widgets import Column, ResourceTable, Row

if TYPE_CHECKING:  # pragma: no cover
    from console.backends.aws import AwsBackend
    from console.services import Services

VIEWS = ("services", "movers", "accounts", "tags", "credits")
VIEW_TITLES = {
    "services": "by service: month to date vs the first {days} day(s) of last month (usage only)",
    "movers": "top movers: last 7 days vs the 7 before (usage only)",
    "accounts": "by linked account, month to date (usage only)",
    "tags": "by tag {tag}, month to date (usage only)",
    "credits": "credits, refunds and taxes, month to date (kept apart from usage)",
}


NARROW = 110  # below: the waste finder's columns that fit 80 columns (the ID is in the confirmation)
WASTE_COLUMNS = (Column("kind", "Kind"), Column("name", "Name"), Column("cost", "Est. $/month"),
                 Column("age", "Age (days)"), Column("detail", "Detail"), Column("id", "ID"))
WASTE_NARROW = (Column("kind", "Kind", 16), Column("name", "Name", 14), Column("cost", "$/month", 8),
                Column("age", "Days", 4), Column("detail", "Detail", 25))


def money(value: float, currency: str = "USD") -> str:
    sign = "-" if value < 0 else ""
    symbol = "$" if currency == "USD" else f"{currency} "
    return f"{sign}{symbol}{abs(value):,.2f}"


class CostsTab(AwsContextCommands, BackendTab):
    BACKEND = "aws"
    # No periodic refresh: Cost Explorer is charged per request, and a console left open must
    # not keep calling it. Data refreshes on connect, after an action, and on `r`.
    POLL_SECONDS = None
    MUTATING_ACTIONS = frozenset({"clean_up"})

    BINDINGS = [
        Binding("r", "retry", "New CE call", tooltip="Refresh: bypass the cache and call Cost Explorer now"),
        Binding("v", "next_view", "View", tooltip="Cycle: services, movers, accounts, tag, credits"),
        Binding("D", "clean_up", "Clean up", tooltip="Waste row: snapshot+delete volume, release IP, delete snapshot"),
        Binding("E", "export", "Export", tooltip="Export the current cost view as CSV (`:export FILE.json` for JSON)"),
        Binding("z", "toggle_tall", "Zoom", tooltip="Give the room to the waste finder or to the cost view (chart)"),
    ]

    DEFAULT_CSS = """
    CostsTab #cost-header { height: auto; padding: 0 1; }
    CostsTab DailyChart { height: 9; }
    CostsTab.-compact DailyChart { height: 5; }
    CostsTab.-compact #cost-table, CostsTab.-compact #waste { min-height: 3; }
    CostsTab #cost-view-title, CostsTab #waste-title { height: auto; padding: 0 1; text-style: bold; }
    CostsTab #cost-table { height: 1fr; min-height: 4; }
    CostsTab #waste { height: 1fr; min-height: 4; }
    CostsTab #cost-error { display: none; height: auto; padding: 0 1; color: $error; }
    CostsTab #cost-error.-shown { display: block; }
    CostsTab.-compact.-waste-tall DailyChart { height: 1; }
    """

    def __init__(self, services: Services, **kwargs: Any) -> None:
        super().__init__(services, **kwargs)
        self.report: CostReport | None = None
        self.waste: WasteReport | None = None
        self.view_name = "services"
        self.tag_key = self.config.costs.tag_key
        self.calls = 0
        self.waste_reads = 0  # live waste finder answers shown
        self.tall = "waste"  # the section given the room on small terminals: "waste" | "costs"
        self._force_next = False
        self.opened = False  # the operator has shown this tab: Cost Explorer may be called
        self.narrow = False  # set at compose: the waste finder's columns for 80 columns

    def on_show(self) -> None:
        """The first time the operator opens the tab, fetch the (paid) cost report."""
        if not self.opened:
            self.opened = True
            if self.adapter is not None:
                self.request_refresh()

    def compose_body(self) -> ComposeResult:
        yield Static(id="cost-header")
        yield Static(id="cost-error")
        yield DailyChart(id="cost-chart")
        yield Static(id="cost-view-title")
        yield ResourceTable([Column("name", "Name"), Column("amount", "Amount"), Column("compare", "Compared"),
                             Column("change", "Change")], id="cost-table")
        yield Static(id="waste-title")
        self.narrow = self.app.size.width < NARROW  # 80 columns: no ID column, the detail cropped
        yield ResourceTable(WASTE_NARROW if self.narrow else WASTE_COLUMNS, id="waste")

    def on_mount(self) -> None:
        self._apply_tall()
        self.set_interval(1.0, self._tick_header)  # the data's age keeps counting

    def _tick_header(self) -> None:
        if self.report is not None:
            self._render_header()

    def on_resize(self) -> None:
        self.set_class(self.size.height < 30, "-compact")
        self._apply_tall()

    def _apply_tall(self) -> None:
        """`z` gives one section the room. On 80x24 terminals the waste finder has it by default
        (the chart is one sparkline row); with "costs" the chart and cost view do and the waste
        finder keeps a few rows. Table heights are set inline: the app stylesheet sizes every table."""
        waste_tall, compact = self.tall == "waste", self.has_class("-compact")
        self.set_class(waste_tall, "-waste-tall")
        self.set_class(not waste_tall, "-costs-tall")
        cost_height, waste_height = ("1fr", "2fr" if compact else "1fr") if waste_tall else \
            ("2fr" if not compact else "1fr", 4 if compact else "1fr")
        for table_id, height in (("#cost-table", cost_height), ("#waste", waste_height)):
            for table in self.query(table_id).results(ResourceTable):
                table.styles.height = height

    def action_toggle_tall(self) -> None:
        self.tall = "costs" if self.tall == "waste" else "waste"
        self._apply_tall()
        self.notify(f"room to the {'cost view and chart' if self.tall == 'costs' else 'waste finder'} (z toggles)",
                    timeout=2)

    # -- data -----------------------------------------------------------------------------
    class WasteLoaded(Message):
        """The live waste finder's answer, shown before Cost Explorer (slow, throttled) answers."""

        def __init__(self, waste: WasteReport, generation: int) -> None:
            super().__init__()
            self.waste, self.generation = waste, generation

    def fetch(self, adapter: AwsBackend) -> CostsView:
        """THREAD: the live waste finder first (an action's result shows at once, whatever
        Cost Explorer's latency), then the cached cost report."""
        force, self._force_next = self._force_next, False
        report = waste = None
        cost_error = waste_error = ""
        try:
            waste = adapter.waste_report()
            self.post_message(self.WasteLoaded(waste, adapter.generation))
        except OpsError as exc:
            waste_error = describe_error(exc, "ec2 waste finder")
        if self.opened:  # a paid call only once the operator opened the tab
            try:
                report = adapter.cost_report(force=force, tag_key=self.tag_key)
            except OpsError as exc:
                cost_error = describe_error(exc, "ce.get_cost_and_usage")
        elif waste is None:
            raise OpsError(waste_error, title="Waste finder unavailable")
        if report is None and waste is None:
            raise OpsError(f"{cost_error}; {waste_error}", title="Costs unavailable")
        return CostsView(report, waste, cost_error, waste_error, adapter.ce_calls)

    def on_costs_tab_waste_loaded(self, message: WasteLoaded) -> None:
        message.stop()
        if not self.is_current(message.generation):
            self.dropped_stale += 1
            return  # read before a profile/region switch: never paint it
        self.waste = message.waste
        self.waste_reads += 1
        self._render_waste()

    def show(self, data: CostsView) -> None:
        self.calls = data.calls
        if data.report is not None:
            self.report = data.report
        if data.waste is not None:
            self.waste = data.waste
        status_extra = getattr(self.app, "set_status_extra", None)  # the OpsConsole status bar
        if status_extra is not None and self.calls:  # shown once paid calls were made
            status_extra("ce", paid_calls_text(self.calls))
        errors = " · ".join(e for e in (data.cost_error, data.waste_error) if e)
        error_line = self.query_one("#cost-error", Static)
        error_line.update(safe_text(f"{errors} (showing the last good data)" if errors else ""))
        error_line.set_class(bool(errors), "-shown")
        self._render_header()
        if self.report is not None:
            self.query_one(DailyChart).set_days(self.report.daily)
        self._render_view()
        self._render_waste()

    def _render_header(self) -> None:
        r = self.report
        out = Text()
        if r is None:
            out.append("Cost Explorer: no data yet")
        else:
            out.append(f"MTD {money(r.mtd_total, r.currency)}", style="bold")
            out.append(f" · last month {money(r.last_month_total, r.currency)}")
            if r.forecast is not None:
                out.append(f" · forecast {money(r.forecast.amount, r.currency)} ({r.forecast.method})")
            out.append(f"\nCredits/refunds/taxes apart: {money(r.non_usage_total, r.currency)}")
            age = age_text(clock.now() - r.fetched_at)
            out.append(f" · cached, {age} old" if r.from_cache else f" · {age} old, fresh", style="dim")
        out.append(f" · Cost Explorer: {paid_calls_text(self.calls)} this session", style="dim")
        self.query_one("#cost-header", Static).update(out)

    def _render_view(self) -> None:
        days = self.report.today.day if self.report is not None else 0
        title = VIEW_TITLES[self.view_name].format(tag=self.tag_key, days=days)
        self.query_one("#cost-view-title", Static).update(safe_text(f"[v] {title}"))
        r = self.report
        table = self.query_one("#cost-table", ResourceTable)
        table.describe_empty(f"{self.view_name} lines", "this month", "" if r else "no Cost Explorer data yet")
        if r is None:
            table.sync(())
            return
        if self.view_name == "services":
            # the same number of days of last month: on day 1, one day against one day
            last = {line.key: line.amount for line in (r.last_month_same_days or r.last_month)}
            lines = [CostLine(line.key, line.amount, last.get(line.key, 0.0)) for line in r.month_to_date]
        else:
            lines = list({"movers": r.movers, "accounts": r.by_account, "tags": r.by_tag,
                          "credits": r.non_usage}[self.view_name])
        rows = []
        for line in lines:
            compare = money(line.previous, r.currency) if self.view_name in ("services", "movers") else ""
            change = f"{line.change:+,.2f}" if compare else ""
            rows.append(Row(key=line.key, cells=(line.key, money(line.amount, r.currency), compare, change),
                            raw=(line.key, line.amount, line.previous, line.change)))
        table.sync(rows)

    def _render_waste(self) -> None:
        w = self.waste
        title = self.query_one("#waste-title", Static)
        table = self.query_one("#waste", ResourceTable)
        table.describe_empty("waste", f"in {w.region} (live EC2)" if w else "", "" if w else "waste finder: no data yet")
        if w is None:
            title.update("Waste finder: no data")
            table.sync(())
            return
        keep = len(WASTE_NARROW if self.narrow else WASTE_COLUMNS)
        rows = []
        for i in w.items:
            cells = (i.kind, i.name, money(i.monthly_cost), "" if i.age_days is None else str(i.age_days), i.detail, i.id)
            rows.append(Row(key=f"{i.kind}:{i.id}", cells=cells[:keep], search=" ".join(cells),  # the ID stays findable
                            raw=(i.kind, i.name, i.monthly_cost, i.age_days, i.detail, i.id)[:keep],
                            labels=(("kind", i.kind),)))
        table.sync(rows)
        items = count_text(table.row_count, len(w.items), "items", bool(table.filter_text))
        title.update(safe_text(f"Waste (live EC2, {w.region}): {items} ≈ {money(w.monthly_total)}/mo · "
                               f"prices: {w.price_source}, {w.price_date}"))

    def filter_applied(self) -> None:
        self._render_waste()  # its title counts what the filter shows

    # -- keys -------------------------------------------------------------------------------
    def action_retry(self) -> None:
        """`r` forces new Cost Explorer calls (the cache is bypassed once)."""
        self._force_next = True
        super().action_retry()

    def action_next_view(self) -> None:
        self.view_name = VIEWS[(VIEWS.index(self.view_name) + 1) % len(VIEWS)]
        self._render_view()

    def action_clean_up(self) -> None:
        table = self.query_one("#waste", ResourceTable)
        key = table.current_key
        item = next((i for i in self.waste.items if f"{i.kind}:{i.id}" == key), None) if self.waste and key else None
        if item is None:
            self.notify("select a row in the waste finder first", severity="warning")
            return
        builder = costs_actions.BUILDERS.get(item.kind)
        if builder is None:
            self.notify(f"{item.name}: review the stopped instance (terminate or snapshot its volumes) outside "
                        "opsconsole; no one-key clean-up is offered for instances", severity="warning", timeout=8)
            return
        self.run_guarded(builder(self.adapter, item, self.info))

    def action_export(self, path: str | None = None) -> None:
        if self.report is None:
            self.notify("no cost data to export yet", severity="warning")
            return
        target = Path(path).expanduser() if path else (
            self.config.state_dir / "exports" / f"costs-{self.view_name}-{date.today().isoformat()}.csv")
        self._export(self.report, self.view_name, target)

    @work(thread=True, group="export", exit_on_error=False)
    def _export(self, report: CostReport, view: str, target: Path) -> None:
        try:
            written = export_report(report, view, target)
        except OpsError as exc:
            self.app.call_from_thread(self.notify, describe_error(exc, "costs.export"), severity="error")
            return
        except OSError as exc:
            self.app.call_from_thread(self.notify, f"costs.export: cannot write {target}: {exc.strerror}",
                                      severity="error")
            return
        self.app.call_from_thread(self.notify, f"exported {view} to {written}", title="Export", timeout=8)

    def jump(self, arg: str) -> bool:
        if self.aws_jump(arg):
            return True
        word, _, rest = arg.strip().partition(" ")
        if word == "export":
            self.action_export(rest.strip() or None)
            return True
        if word == "tag" and rest.strip():
            self.tag_key = rest.strip()
            self.view_name = "tags"
            self.request_refresh()
            return True
        if word in VIEWS:
            self.view_name = word
            self._render_view()
            return True
        return False

    def focus_body(self) -> None:
        for table in self.query("#waste").results(ResourceTable):
            table.focus()
