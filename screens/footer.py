"""A footer that never shows half a key: the keys that fit whole, most important first.

Textual's Footer lays every shown binding out in a row and crops the row at the screen's
edge (at 80 columns: "/ Filt"). ``FittingFooter`` chooses which keys to show for its width:
``?`` (help, which lists every key) always, then the keys in the order the focused widget,
the tab and the app declare them (the most used first), as long as each fits whole; the
chosen keys keep their declared order. Everything else is one ``?`` away.

It is also rebuilt once per change of the keys it shows: Textual's Footer recomposes
(unmounts and mounts one widget per key) on every ``bindings_updated`` signal — each focus
change, mount and ``refresh_bindings``, about a hundred times while the console starts.
The signals of one refresh fold into one pending rebuild, skipped when the keys, their
labels and their enabled state are what it already shows; ``hold()`` ... ``release()``
skips the moment of a tab switch when nothing has the focus.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

ALWAYS = ("help",)  # actions shown whatever the width (help lists the rest)
PALETTE_EXTRA = 2  # the palette key is docked right with a border and a padding cell
HOLD_MAX = 1.0  # seconds a held footer waits for release() at most


def key_width(key_display: str, description: str, compact: bool) -> int:
    """Cells one FooterKey takes (Textual's FooterKey padding and margins)."""
    if compact:  # key without padding, " description", margin-right 1
        return cell_len(key_display) + (1 + cell_len(description) if description else 0) + 1
    return 1 + cell_len(key_display) + 1 + (cell_len(description) + 1 if description else 0)


def choose(widths: Sequence[int], always: Sequence[bool], room: int) -> list[int]:
    """Indexes of the keys to show, in their order: every ``always`` key first, then the
    others by position while each still fits whole."""
    chosen = {i for i, must in enumerate(always) if must}
    used = sum(widths[i] for i in chosen)
    for i, width in enumerate(widths):
        if i in chosen:
            continue
        if used + width <= room:
            chosen.add(i)
            used += width
    return sorted(chosen)


def footer_key(compact: bool, *args: Any, classes: str = "", **kwargs: Any) -> FooterKey:
    """A FooterKey born with its ``compact`` value and class: Textual's starts compact and its
    watcher swaps the class when mounted, then again when ``data_bind`` sets the footer's value,
    each swap a restyle (two per key, a dozen keys per rebuild)."""
    key = FooterKey(*args, classes=f"{classes} -compact" if compact else classes, **kwargs)
    key.set_reactive(FooterKey.compact, compact)
    return key


class FittingFooter(Footer):
    """The footer at any width: whole keys only, ``?`` always (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._composed_width = 0
        self._pending = False
        self._shown: tuple | None = None  # what the last rebuild showed
        self._held = self._missed = False
        self.rebuilds = 0  # tests read it

    def _signature(self) -> tuple:
        return tuple((key, binding.action, binding.description, enabled, tooltip)
                     for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items() if binding.show
                     or key == self.app.COMMAND_PALETTE_BINDING)

    def build_now(self) -> None:
        """Show the keys at once (the App calls it once the first tab has the focus), not after
        the frames it takes for Textual's first bindings signal to arrive."""
        self._bindings_ready = True
        self.call_later(self._rebuild)

    def hold(self) -> None:
        """Keep the keys shown until ``release()``: a tab switch blurs, (builds,) then focuses,
        and the keys of the moment in between are worth neither a rebuild nor a frame."""
        self._held = True
        self.set_timer(HOLD_MAX, self.release)  # whatever happens to the switch

    def release(self) -> None:
        self._held = False
        if self._missed and self.is_attached:  # at once, not after one more frame
            self._missed, self._pending = False, True
            self.call_later(self._rebuild)

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if self._held:
            self._missed = True
            return
        if not screen.app.app_focus or self._pending:
            return
        if self.is_attached and screen is self.screen:
            self._pending = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._pending = False
        if self._held:
            self._missed = True
            return
        if not self.is_attached:
            return
        signature = self._signature()
        if signature == self._shown:
            return
        self._shown = signature
        self.rebuilds += 1
        if not await self._update_in_place():
            await self.recompose()

    async def _update_in_place(self) -> bool:
        """Give the keys on show their new bindings, mounting or removing only the difference
        (a recompose unmounts and mounts every key: 20 ms a tab switch). False: recompose."""
        keys, palette = self._chosen()
        shown = [c for c in self.children if isinstance(c, FooterKey)]
        if len(shown) != len(self.children) or not shown:
            return False
        old_palette = shown.pop() if shown[-1].has_class("-command-palette") else None
        if (old_palette is None) != (palette is None):
            return False
        for widget, spec in zip(shown, keys, strict=False):
            _update_key(widget, *spec)
        if old_palette is not None and palette is not None:
            _update_key(old_palette, *palette)
        if len(shown) > len(keys):
            self.remove_children(shown[len(keys):])
        elif len(keys) > len(shown):  # not awaited: drawn with the others in the next frame
            extra = [footer_key(self.compact, *spec[:4], disabled=spec[4], tooltip=spec[5]) for spec in keys[len(shown):]]
            self.mount(*extra, before=old_palette) if old_palette is not None else self.mount(*extra)
        self.refresh(layout=True)
        return True

    def _chosen(self) -> tuple[list[tuple], tuple | None]:
        """(key, display, description, action, disabled, tooltip) of each key that fits, and of the palette key."""
        self._composed_width = width = self.size.width or self.app.size.width
        active = self.screen.active_bindings
        keys: list[tuple[Binding, bool, str]] = []
        seen: set[str] = set()
        for _node, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in seen:  # one key per action, like Footer
                seen.add(binding.action)
                keys.append((binding, enabled, tooltip))
        room = width
        palette = None
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            found = active.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                binding = found.binding
                display = self.app.get_key_display(binding)
                room -= key_width(display, binding.description, False) + PALETTE_EXTRA
                palette = (binding.key, display, binding.description, binding.action, not found.enabled,
                           binding.tooltip or binding.description)
        displays = [self.app.get_key_display(b) for b, _e, _t in keys]
        widths = [key_width(d, b.description, self.compact) for d, (b, _e, _t) in zip(displays, keys, strict=True)]
        always = [b.action in ALWAYS for b, _e, _t in keys]
        chosen = [(keys[i][0].key, displays[i], keys[i][0].description, keys[i][0].action, not keys[i][1], keys[i][2])
                  for i in choose(widths, always, room)]
        return chosen, palette

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        keys, palette = self._chosen()
        for key, display, description, action, disabled, tooltip in keys:
            yield footer_key(self.compact, key, display, description, action, disabled=disabled, tooltip=tooltip)
        if palette is not None:
            key, display, description, action, disabled, tooltip = palette
            yield footer_key(True, key, display, description, action, classes="-command-palette",
                             disabled=disabled, tooltip=tooltip)

    def watch_compact(self, compact: bool) -> None:
        """Keys follow the footer's style (as Textual's do through ``data_bind``); their widths change."""
        self._shown = None
        if self._bindings_ready and self.is_attached:
            self.call_after_refresh(self.recompose)

    def on_resize(self) -> None:
        if self._bindings_ready and self.size.width != self._composed_width:
            self.call_after_refresh(self.recompose)


def _update_key(widget: FooterKey, key: str, display: str, description: str, action: str, disabled: bool,
                tooltip: str) -> None:
    widget.key, widget.key_display, widget.description, widget.action = key, display, description, action
    if widget._disabled != disabled:  # Textual's FooterKey keeps it there and as a class
        widget._disabled = disabled
        widget.set_class(disabled, "-disabled")
    if widget.tooltip != (tooltip or None):
        widget.tooltip = tooltip or None
    widget.refresh(layout=True)


KeyFooter = FittingFooter  # the app's footer (the same class everywhere)
