"""A describe-style detail screen any tab can reuse, with a YAML / JSON view of the raw dict.

``DetailScreen(title, sections, raw)``: ``sections`` is a sequence of
``Section(heading, rows)`` with ``rows`` of ``(key, value)`` pairs (values are shown
literally); ``raw`` is the object as the backend returned it, secrets already masked by
the adapter. Whatever the adapter missed is masked here once more, by key and by value
(``console.text.mask_secrets_in``), in every view and in Copy, unless ``reveal=True``
(the audited reveal of a Kubernetes Secret). Keys: ``y`` YAML, ``J`` JSON, ``d`` back to describe, ``c`` copy the
current view, ``esc`` back. Subclasses may override ``compose_extra()`` to add widgets
above the text (sparklines, for example).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from console.text import looks_secret, mask_secret, mask_secrets_in, mask_secrets_value, safe_text, strip_control
from screens.footer import FittingFooter


@dataclass(frozen=True)
class Section:
    heading: str
    rows: Sequence[tuple[str, Any]] = ()


def describe_text(sections: Iterable[Section], reveal: bool = False) -> Text:
    """Headings, then aligned ``key: value`` lines; every value literal, one line per item,
    masked by key and by value unless ``reveal``."""
    out = Text(end="")
    for section in sections:
        if out:
            out.append("\n")
        out.append(strip_control(section.heading), style="bold underline")
        out.append("\n")
        if not section.rows:
            out.append("  (none)\n", style="dim")
            continue
        width = min(28, max(len(strip_control(k)) for k, _ in section.rows))
        for key, value in section.rows:
            out.append(f"  {strip_control(key):<{width}}  ", style="bold")
            text = value if isinstance(value, Text) else safe_text("" if value is None else value, mask=not reveal)
            if not reveal:
                plain = mask_secret(text.plain) if looks_secret(key) else mask_secrets_in(text.plain)
                if plain != text.plain:
                    text = safe_text(plain)
            lines = text.split("\n") if "\n" in text.plain else [text]
            for i, line in enumerate(lines):
                if i:
                    out.append("\n" + " " * (width + 4))
                out.append_text(line)
            out.append("\n")
    return out


def to_yaml(raw: Any) -> str:
    import yaml  # on first use: not on the way to the first frame or the first tab switch

    return yaml.safe_dump(raw, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1000)


def to_json(raw: Any) -> str:
    return json.dumps(raw, indent=2, default=str, ensure_ascii=False)


class DetailScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("d", "view('describe')", "Describe"),
        Binding("y", "view('yaml')", "YAML"),
        Binding("J", "view('json')", "JSON"),
        Binding("c", "copy", "Copy"),
    ]
    DEFAULT_CSS = """
    DetailScreen > #detail-title { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    DetailScreen > #detail-scroll { height: 1fr; }
    DetailScreen #detail-body { padding: 0 1; width: auto; }
    """

    def __init__(self, title: str, sections: Sequence[Section], raw: Any = None, reveal: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.detail_title = title
        self.reveal = reveal
        self.sections = tuple(sections)
        self.raw = raw if reveal else mask_secrets_value(raw)
        self.mode = "describe"

    def compose(self) -> ComposeResult:
        yield Static(safe_text(self.detail_title), id="detail-title")
        yield from self.compose_extra()
        with VerticalScroll(id="detail-scroll"):
            yield Static(id="detail-body")
        yield FittingFooter()

    def compose_extra(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.show_view()
        self.query_one("#detail-scroll").focus()

    def view_text(self) -> str:
        if self.mode == "yaml":
            text = to_yaml(self.raw)
        elif self.mode == "json":
            text = to_json(self.raw)
        else:
            return describe_text(self.sections, self.reveal).plain
        return text if self.reveal else mask_secrets_in(text)

    def show_view(self) -> None:
        body = self.query_one("#detail-body", Static)
        if self.mode == "describe":
            body.update(describe_text(self.sections, self.reveal))
        else:
            body.update(safe_text(self.view_text(), mask=not self.reveal))
        title = f"{self.detail_title}  [{self.mode}]"
        self.query_one("#detail-title", Static).update(safe_text(title))

    def update_sections(self, sections: Sequence[Section], raw: Any = None) -> None:
        """New data for the same object (a refresh); keeps the chosen view and scroll."""
        self.sections = tuple(sections)
        if raw is not None:
            self.raw = raw if self.reveal else mask_secrets_value(raw)
        self.show_view()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if self.why_unavailable(action, parameters) else True  # no raw object: YAML/JSON dimmed

    def why_unavailable(self, action: str, parameters: tuple[object, ...]) -> str | None:
        if action == "view" and parameters and parameters[0] != "describe" and self.raw is None:
            return "no raw object here: describe only"
        return None

    def action_view(self, mode: str) -> None:
        self.mode = mode
        self.show_view()
        self.query_one("#detail-scroll", VerticalScroll).scroll_home(animate=False)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.view_text())
        self.notify(f"copied the {self.mode} view", timeout=1.5)
