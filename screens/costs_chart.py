"""A daily spend bar chart drawn with block characters (no plotting dependency).

``bar_chart`` and ``sparkline`` are pure functions (values → rich Text) so they are easy to
test; the ``DailyChart`` widget redraws at its current size (a one-row sparkline below 3 rows)
and takes colours from the theme.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.text import Text
from textual.widgets import Static

from console.models.aws import DailyCost

EIGHTHS = " ▁▂▃▄▅▆▇█"
AXIS_WIDTH = 9  # "$1,234 ┤" and friends


def _money(value: float) -> str:
    if value >= 10_000:
        return f"${value / 1000:,.0f}k"
    return f"${value:,.0f}"


def bar_chart(days: Sequence[DailyCost], width: int, height: int, bar_style: str = "", today_style: str = "",
              axis_style: str = "dim") -> Text:
    """Bars of daily spend, newest on the right; ``height`` rows of bars plus a date axis."""
    out = Text(no_wrap=True, overflow="crop")
    if not days:
        out.append("no daily cost data", style=axis_style)
        return out
    height = max(2, height)
    room = max(1, width - AXIS_WIDTH)
    days = list(days)[-room:]  # the newest that fit
    per_bar = max(1, min(3, room // len(days)))
    top = max(d.amount for d in days) or 1.0
    levels = [max(0, round(d.amount / top * height * 8)) for d in days]
    for row in range(height, 0, -1):
        label = _money(top * row / height) if row in (height, (height + 1) // 2) else ""
        out.append(f"{label:>{AXIS_WIDTH - 2}} ┤", style=axis_style)
        for i, level in enumerate(levels):
            filled = level - (row - 1) * 8
            glyph = EIGHTHS[max(0, min(8, filled))]
            style = today_style if i == len(levels) - 1 and today_style else bar_style
            cell = glyph * per_bar if per_bar == 1 else glyph * (per_bar - 1) + " "
            out.append(cell, style=style)
        out.append("\n")
    out.append(" " * (AXIS_WIDTH - 2) + " └" + "─" * (len(days) * per_bar) + "\n", style=axis_style)
    first, last = days[0].day, days[-1].day
    mid = days[len(days) // 2].day
    span = len(days) * per_bar
    axis = [" "] * span
    for pos, day in ((0, first), (span // 2 - 3, mid), (span - 5, last)):
        label = _short(day)
        for j, ch in enumerate(label):
            if 0 <= pos + j < span:
                axis[pos + j] = ch
    out.append(" " * AXIS_WIDTH + "".join(axis), style=axis_style)
    return out


def sparkline(days: Sequence[DailyCost], width: int, bar_style: str = "", today_style: str = "",
              label_style: str = "dim") -> Text:
    """One row for a short terminal: a bar per day (newest right, today highlighted), then
    today's and the peak's spend: "daily ▂▃▅█▆▃ today $81 · peak $140 on 11-28"."""
    out = Text(no_wrap=True, overflow="ellipsis")
    if not days:
        out.append("no daily cost data", style=label_style)
        return out
    days = list(days)
    peak = max(days, key=lambda d: d.amount)
    tail = f" today {_money(days[-1].amount)} · peak {_money(peak.amount)} on {_short(peak.day)}"
    room = max(1, width - len("daily ") - len(tail))
    shown = days[-room:]
    top = max(d.amount for d in shown) or 1.0
    out.append("daily ", style=label_style)
    for i, d in enumerate(shown):
        glyph = EIGHTHS[max(1, min(8, round(d.amount / top * 8)))] if d.amount > 0 else " "
        out.append(glyph, style=today_style if i == len(shown) - 1 and today_style else bar_style)
    out.append(tail, style=label_style)
    return out


def _short(day: date) -> str:
    return day.strftime("%m-%d")


class DailyChart(Static):
    """The chart; ``set_days`` stores the data, the widget redraws at its size."""

    DEFAULT_CSS = "DailyChart { height: 11; padding: 0 1; }"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.days: tuple[DailyCost, ...] = ()

    def set_days(self, days: Sequence[DailyCost]) -> None:
        self.days = tuple(days)
        self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def _theme(self, name: str) -> str:
        value = self.app.theme_variables.get(name, "") or ""
        return value.removeprefix("ansi_")

    def redraw(self) -> None:
        """The bar chart, or a one-row sparkline when the widget is shorter than 3 rows (80x24)."""
        width = self.content_size.width or 80
        height = (self.content_size.height or 11) - 2
        bar, today = self._theme("primary"), self._theme("accent")
        if height < 1:
            self.update(sparkline(self.days, width, bar_style=bar, today_style=today))
        else:
            self.update(bar_chart(self.days, width, height, bar_style=bar, today_style=today))
