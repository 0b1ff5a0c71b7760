"""ctrl+p: every action of the current tab and every `:` jump target, each with its key.

The command palette lists what the operator can do right here (the focused chain's
bindings: the tab, its table, the global keys) and where `:` can jump, so typing "roll"
or "scale" finds the action and shows the key that does the same next time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

from screens.help import format_key

# (`:` command, what it does) — the jump targets every tab understands
JUMPS = (
    ("pods", "Clusters: show pods (`:pods app=web` filters by label)"),
    ("deploy", "Clusters: show deployments"),
    ("nodes", "Clusters: show nodes"),
    ("events", "Clusters: show events"),
    ("ctx", "Clusters: switch Kubernetes context (`:ctx NAME`)"),
    ("ns", "Clusters: switch namespace (`:ns NAME`, `:ns *` for all)"),
    ("host", "Containers: switch Docker host"),
    ("profile", "Pipelines/Costs: switch AWS profile"),
    ("region", "Pipelines/Costs: switch AWS region"),
    ("costs", "Costs tab"),
    ("changelog", "Operations changelog and audit"),
)
SKIP_ACTIONS = {"command_palette", "quit", "help", "command_line"}


def _bindings(screen: Screen, tab: Widget | None) -> Iterable[tuple[str, Binding, Widget, bool]]:
    """(key, binding, node, enabled): the focused chain's, then the active tab's own (the
    focus may still be on its way to the tab the operator just switched to)."""
    for key, active in screen.active_bindings.items():
        yield key, active.binding, active.node, active.enabled
    if tab is not None:
        for key, bindings in tab._bindings.key_to_bindings.items():
            for binding in bindings:
                yield key, binding, tab, bool(tab.check_action(binding.action, ()))


def action_commands(screen: Screen, run: Callable[[str, object], object],
                    tab: Widget | None = None) -> Iterable[SystemCommand]:
    """One command per described binding of the focused chain and the active ``tab``;
    ``run(action, node)`` runs it."""
    seen: set[str] = set()
    for key, binding, node, enabled in _bindings(screen, tab):
        if not binding.description or binding.action in SKIP_ACTIONS or binding.action.startswith("show_tab"):
            continue
        owner = type(node).__name__.removesuffix("Tab").removesuffix("Table")
        title = f"{owner}: {binding.description}"
        if title in seen:
            continue
        seen.add(title)
        key_text = format_key(screen.app, key)
        help_text = f"key {key_text}" + (f" — {binding.tooltip}" if binding.tooltip else "")
        if not enabled:
            help_text += " (not available now: read-only or nothing selected)"
        yield SystemCommand(title, help_text, partial(run, binding.action, node))


def jump_commands(run_command: Callable[[str], None]) -> Iterable[SystemCommand]:
    for name, what in JUMPS:
        yield SystemCommand(f"Jump :{name}", what, partial(run_command, name))
