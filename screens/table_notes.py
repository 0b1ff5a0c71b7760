"""What a table says about its rows: ``12 of 340 pods`` under a filter, and what an empty
table means (``no secrets in ns shop``, ``no pods match "web"``) instead of a bare header.

Tabs describe their tables once they know (``describe_empty(noun, where)``); the tables
(``ResourceTable``, ``KubeTable``) draw ``empty_text`` on the line under their header.
"""

from __future__ import annotations

import textwrap

from console.text import strip_control


def count_text(shown: int, total: int, noun: str, filtered: bool) -> str:
    """``340 pods``; under an active filter ``12 of 340 pods`` (shown of total)."""
    return f"{shown} of {total} {noun}" if filtered else f"{total} {noun}"


def empty_text(noun: str, where: str = "", query: str = "") -> str:
    """``no pods in ns shop``; under a filter ``no pods match "web" in ns shop``."""
    query = strip_control(query).strip()
    head = f'no {noun} match "{query}"' if query else f"no {noun}"
    return f"{head} {where}" if where else head


class EmptyNote:
    """Mixed into a table: what it shows (``noun``), from where, and its filter text."""

    empty_noun: str = "rows"
    empty_where: str = ""
    empty_pending: str = ""  # while the first answer is awaited: "loading secrets…"

    def describe_empty(self, noun: str, where: str = "", pending: str = "") -> None:
        changed = (noun, where, pending) != (self.empty_noun, self.empty_where, self.empty_pending)
        self.empty_noun, self.empty_where, self.empty_pending = noun, where, pending
        if changed:
            self.refresh()  # type: ignore[attr-defined]

    @property
    def empty_text(self) -> str:
        """The line an empty table shows under its header."""
        if self.empty_pending:
            return self.empty_pending
        return empty_text(self.empty_noun, self.empty_where, self.filter_text)  # type: ignore[attr-defined]

    def empty_line(self, index: int, width: int) -> str:
        """Line ``index`` (0: the one under the header) of ``empty_text`` wrapped to ``width``."""
        lines = textwrap.wrap(self.empty_text, max(10, width - 2), break_on_hyphens=False) or [""]
        return " " + lines[index] if index < len(lines) else ""
