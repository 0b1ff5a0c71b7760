"""Image references that fit their cell without splitting the tag.

``registry.local/team/checkout:2.1.0`` in 20 cells reads ``…/checkout:2.1.0``: the registry
and path give way first, the ``name:tag`` (what an operator compares) stays whole and on one
line. ``ImageText`` is the Rich renderable for table cells and the rollback plan: it measures
as the whole reference (or its shortest form) and renders the form that fits the width given.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement

from console.text import safe_text


def short_image(ref: str, width: int) -> str:
    """``ref`` in at most ``width`` cells: drop the registry/path (``…/name:tag``), then cut
    the name from the left (``…me:tag``); ``container=image`` keeps its ``container=``."""
    if cell_len(ref) <= width:
        return ref
    prefix, sep, image = ref.partition("=") if "=" in ref and "/" not in ref.split("=", 1)[0] else ("", "", ref)
    head = prefix + sep
    last = image.rsplit("/", 1)[-1]
    short = f"{head}…/{last}" if last != image else ref
    if cell_len(short) <= width:
        return short
    keep = max(1, width - 1)
    return "…" + ref[-keep:]


def short_images(refs: Iterable[str], width: int) -> str:
    """Several references joined by ", ", each shortened the same way until they fit."""
    refs = list(refs)
    text = ", ".join(refs)
    if cell_len(text) <= width or not refs:
        return text
    each = max(4, (width - 2 * (len(refs) - 1)) // len(refs))
    return ", ".join(short_image(r, each) for r in refs)


class ImageText:
    """One or more image references (``name=image, …``) that shorten to their width."""

    def __init__(self, refs: Iterable[str], style: str = "") -> None:
        self.refs = tuple(refs)
        self.style = style
        self.plain = ", ".join(self.refs)

    def __str__(self) -> str:
        return self.plain

    def __contains__(self, part: str) -> bool:
        return part in self.plain

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ImageText) and (self.refs, self.style) == (other.refs, other.style)

    def __hash__(self) -> int:
        return hash((self.refs, self.style))

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        shortest = max((cell_len(short_image(r, 0 if "/" in r else cell_len(r))) for r in self.refs), default=1)
        tags = ", ".join(short_image(r, cell_len(r) - 1) if "/" in r else r for r in self.refs)
        return Measurement(min(max(shortest, cell_len(tags)), cell_len(self.plain)), max(1, cell_len(self.plain)))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        text = safe_text(short_images(self.refs, options.max_width), style=self.style)
        text.no_wrap, text.overflow = True, "ellipsis"
        yield text
