"""opsconsole themes: dark (default), light, and a 16-colour ANSI one for plain xterm/screen.

Colours are used only through theme variables in the .tcss files; the ANSI theme uses
the terminal's own 16 colours so it stays readable in `screen`, `tmux` without
truecolor, and on 8/16-colour SSH sessions.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter
from textual.theme import Theme

THEMES_DIR = Path(__file__).parent
CSS_PATHS = [THEMES_DIR / "app.tcss", THEMES_DIR / "nocolor.tcss"]  # nocolor: the ANSI theme and NO_COLOR

DARK = Theme(
    name="opsconsole-dark",
    primary="#4C9AFF",
    secondary="#7A869A",
    accent="#57D9A3",
    warning="#FFAB00",
    error="#FF5630",
    success="#36B37E",
    foreground="#DFE1E6",
    background="#0D1117",
    surface="#161B22",
    panel="#21262D",
    dark=True,
)

LIGHT = Theme(
    name="opsconsole-light",
    primary="#0052CC",
    secondary="#5E6C84",
    accent="#00875A",
    warning="#B35900",
    error="#BF2600",
    success="#006644",
    foreground="#172B4D",
    background="#FFFFFF",
    surface="#F4F5F7",
    panel="#EBECF0",
    dark=False,
)

ANSI = Theme(
    name="opsconsole-ansi",
    ansi=True,
    primary="ansi_blue",
    secondary="ansi_cyan",
    warning="ansi_yellow",
    error="ansi_red",
    success="ansi_green",
    accent="ansi_cyan",
    foreground="ansi_default",
    background="ansi_default",
    surface="ansi_default",
    panel="ansi_default",
    boost="ansi_default",
    dark=True,
    variables={
        "ansi-background": "ansi_black",
        "ansi-foreground": "ansi_white",
        "border-blurred": "ansi_bright_black",
        "block-cursor-foreground": "ansi_black",
        "block-cursor-background": "ansi_white",
        "input-cursor-background": "ansi_white",
        "input-cursor-foreground": "ansi_black",
        "input-cursor-text-style": "none",
        "input-selection-background": "ansi_blue",
        "input-selection-foreground": "ansi_white",
        "screen-selection-background": "ansi_blue",
        "screen-selection-foreground": "ansi_white",
        "footer-key-foreground": "ansi_cyan",
        "footer-description-foreground": "ansi_default",
        "datatable--cursor": "ansi_blue",
    },
)

ALL = (DARK, LIGHT, ANSI)


def no_color(env: Mapping[str, str] | None = None) -> bool:
    """NO_COLOR is set (https://no-color.org; Textual, like most tools, treats any value as set)."""
    return "NO_COLOR" in (os.environ if env is None else env)


def auto_theme(env: Mapping[str, str] | None = None) -> str:
    """Pick the ANSI theme when the terminal has few colours or NO_COLOR is set."""
    env = os.environ if env is None else env
    if "NO_COLOR" in env:
        return ANSI.name
    colorterm = env.get("COLORTERM", "").lower()
    if colorterm in ("truecolor", "24bit"):
        return DARK.name
    term = env.get("TERM", "").lower()
    if not term or term in ("dumb", "linux", "vt100", "vt220", "ansi", "xterm", "screen", "tmux", "cons25"):
        return ANSI.name
    if "256color" in term or "direct" in term:
        return DARK.name
    return ANSI.name


NOT_DIM = Style(dim=False)


class NoDim(LineFilter):
    """In the ANSI theme (and under NO_COLOR) nothing relies on ``dim``: many terminals do not
    render it, so dim text is shown plain and state is carried by reverse, bold, underline
    and words (themes/nocolor.tcss). ``active`` says when the filter applies."""

    def __init__(self, active: Callable[[], bool]) -> None:
        super().__init__()
        self._active = active

    @property
    def enabled(self) -> bool:  # type: ignore[override]
        return self._active()

    @enabled.setter
    def enabled(self, value: bool) -> None:  # LineFilter.__init__ sets it; ``active`` decides
        pass

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [Segment(text, style + NOT_DIM if style is not None and style.dim else style, control)
                for text, style, control in segments]
