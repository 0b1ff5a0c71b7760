"""The composed screen as plain text lines (what the terminal shows, toasts included)."""

from __future__ import annotations

from rich.console import Console
from rich.segment import Segment


def screen_lines(app) -> list[str]:
    width, height = app.size
    with open("/dev/null", "w") as sink:  # noqa: PTH123 - a throwaway console target
        console = Console(width=width, height=height, force_terminal=True, color_system="truecolor",
                          legacy_windows=False, file=sink)
        update = app.screen._compositor.render_update(full=True)  # what export_screenshot renders too
        segments = [s for s in console.render(update) if not s.control]
    return ["".join(s.text for s in line) for line in Segment.split_lines(segments)]


def screen_text(app) -> str:
    return "\n".join(screen_lines(app))
