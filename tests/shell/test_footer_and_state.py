"""Start-up churn: one class change per state transition, and a footer rebuilt only when the
keys it shows change (not on every bindings signal)."""

from __future__ import annotations

import time

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from console.backends.base import BackendState
from screens.footer import KeyFooter
from tests.shell.test_backend_tab import TabApp


async def wait(pilot, predicate, deadline: float = 30.0, what: str = "condition"):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if predicate():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"{what} not met in {deadline:.0f}s")


async def test_each_state_transition_is_one_class_change():
    """One restyle per transition, of the tab and its direct children only (the state rules
    style ``BackendTab.-x > child``): not the whole subtree, as a plain class change does."""
    app = TabApp()
    async with app.run_test() as pilot:
        tab = app.query_one("#items-tab")
        await wait(pilot, lambda: tab.state is BackendState.READY, what="ready")
        restyled: list[list[object]] = []
        original = app.stylesheet.update_nodes
        app.stylesheet.update_nodes = lambda nodes, animate=False: original(
            restyled.append(list(nodes)) or restyled[-1], animate)
        state_classes = {f"-{s.value}" for s in BackendState}
        banner, body = tab.query_one("#state-banner"), tab.query_one("#tab-body")
        for state in (BackendState.STALE, BackendState.UNAVAILABLE, BackendState.UNAVAILABLE, BackendState.READY):
            before = len(restyled)
            was = tab.state
            tab._set_state(state, "test")
            assert tab.classes & state_classes == {f"-{state.value}"}
            mine = [nodes for nodes in restyled[before:] if tab in nodes]
            assert len(mine) == (0 if state is was else 1), state
            assert all(set(nodes) <= {tab, *tab.children} for nodes in mine), state
            assert banner.styles.display == ("none" if state is BackendState.READY else "block"), state
            assert body.styles.display == ("none" if state is BackendState.UNAVAILABLE else "block"), state


class KeysApp(App):
    BINDINGS = [Binding("a", "noop", "Alpha"), Binding("b", "toggle", "Beta")]

    def __init__(self) -> None:
        super().__init__()
        self.beta = True

    def compose(self) -> ComposeResult:
        yield Static("body")
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "toggle" and not self.beta else True  # None: shown dimmed

    def action_toggle(self) -> None:
        pass


def shown(app: App) -> dict[str, bool]:
    from textual.widgets._footer import FooterKey

    return {k.description: not k.has_class("-disabled") for k in app.screen.query(FooterKey)}


async def test_footer_rebuilds_once_per_change_of_its_keys():
    app = KeysApp()
    async with app.run_test() as pilot:
        footer = app.query_one(KeyFooter)
        await wait(pilot, lambda: shown(app) == {"Alpha": True, "Beta": True, "palette": True}, what="the keys")
        rebuilds = footer.rebuilds
        for _ in range(20):  # signals with nothing new to show
            app.screen.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert footer.rebuilds == rebuilds and shown(app) == {"Alpha": True, "Beta": True, "palette": True}
        app.beta = False  # a key becomes unavailable: one rebuild, shown dimmed
        for _ in range(5):
            app.screen.refresh_bindings()
        await wait(pilot, lambda: shown(app) == {"Alpha": True, "Beta": False, "palette": True}, what="Beta dimmed")
        assert footer.rebuilds == rebuilds + 1


async def test_the_configured_theme_styles_the_first_frame_as_textuals_own_path_would():
    """OpsConsole sets the configured theme without Textual's full CSS refresh (a reparse and a
    restyle of every widget before the first frame): the styles are the same as setting it after."""
    import dataclasses

    import themes
    from console.app import OpsConsole
    from console.config import Config

    def picture(app) -> list[tuple[str, object, object, object]]:
        """Every widget's computed colours (the text on screen moves with the backends' timing)."""
        return [(repr(n), n.styles.background, n.styles.color, n.rich_style) for n in app.screen.walk_children()
                if n.id in ("tabs", "status-bar", "triage-tab", "triage-table", "triage-sources") or n is app.screen]

    for theme in (themes.DARK, themes.LIGHT, themes.ANSI):
        config = Config()
        config = dataclasses.replace(config, general=dataclasses.replace(config.general, theme=theme.name))
        started, switched = OpsConsole(config), OpsConsole(Config())
        async with started.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert started.theme == theme.name and started.has_class(f"-theme-{theme.name}")
            assert started.has_class("-dark-mode") is theme.dark and started.has_class("-light-mode") is not theme.dark
            first = picture(started)
        async with switched.run_test(size=(100, 30)) as pilot:
            switched.theme = theme.name  # Textual's path: the watcher and its CSS refresh
            await pilot.pause()
            await pilot.pause()
            assert picture(switched) == first, theme.name
