"""The Textual App: tabs, global keys, command palette, status bar, themes.

The first frame is painted before any backend is touched, and keys typed right after it
are answered before the backends connect (console.app_start: tabs connect in thread workers
through ``after_setup``; in sandbox mode once the emulators are up) and before the hidden
tabs are built (screens.registry.LazyTabs).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
from collections.abc import Callable, Iterable
from typing import Any

from textual import events
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.signal import Signal
from textual.widgets import Input, TabbedContent, TabPane

import themes
from console import clock
from console.app_start import StartPhases, register_undo_factories
from console.config import Config
from console.services import Services, Switched
from screens.base import BackendTab
from screens.footer import KeyFooter
from screens.registry import TABS, LazyTabs
from screens.status_bar import StatusBar
from screens.tabs import ConsoleTabs

log = logging.getLogger(__name__)

EXIT_GRACE = 10.0  # seconds a signalled exit may take before the process ends regardless
SandboxStarter = Callable[[Config], tuple[Config, Callable[[], None]]]


class OpsConsole(StartPhases, LazyTabs, App):
    TITLE = "opsconsole"
    CSS_PATH = themes.CSS_PATHS
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        *(Binding(str(i + 1), f"show_tab('{t.id}')", t.title, show=False, id=f"tab.{t.id}")
          for i, t in enumerate(TABS)),
        Binding(str(len(TABS) + 1), "changelog", "Changelog", show=False, id="changelog"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("colon", "command_line", "Jump", id="jump"),
        Binding("q", "quit", "Quit", id="quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding("A", "running_actions", "Running actions", show=False, id="running_actions"),
    ]

    def __init__(
        self,
        config: Config,
        services: Services | None = None,
        sandbox: SandboxStarter | None = None,
        notices: Iterable[str] = (),
    ) -> None:
        # NO_COLOR: native ANSI makes Textual strip every colour (NoColor filter) instead of
        # greying them (Monochrome), which painted the tab bar black on black; state is then
        # shown by reverse video, bold and underline (themes/nocolor.tcss).
        super().__init__(ansi_color=True if themes.no_color() else None)
        self.services = services or Services(config)
        self.services.config = config
        # one message per Services.switch(): every tab of that backend and every open
        # dialog bound to it (screens/generation.py) handles it
        self.backend_switched: Signal[Switched] = Signal(self, "backend-switched")
        self.services.subscribe(self._on_services_switched)
        self._sandbox_starter = sandbox
        self._sandbox_stop: Callable[[], None] | None = None
        self._setup_done = sandbox is None
        self._after_setup: list[Callable[[], None]] = []
        self._started = False  # the start-up quiet time is over (STARTUP_QUIET)
        self._after_start: list[tuple[Callable[[], None], str | None]] = []
        self._notices = list(notices)
        for theme in themes.ALL:
            self.register_theme(theme)
        self._start_theme(themes.auto_theme() if config.general.theme == "auto" else config.general.theme)
        self._filters.append(themes.NoDim(lambda: self.theme == themes.ANSI.name or self.no_color))
        self.journal: Any = None  # created by the guarded-action runner on first use
        self.left_running: list[str] = []  # actions abandoned at exit, for the message after the UI is gone
        self.started_at = clock.now()  # this session's actions (incident notes) are those since

    def _start_theme(self, name: str) -> None:
        """The configured theme before anything is styled: what Textual's theme watcher does,
        without the full CSS refresh it queues (a reparse and a restyle of every widget, just
        before the first frame). An unknown name takes Textual's path (and its error)."""
        if name not in self.available_themes:
            self.theme = name
            return
        self.set_reactive(App.theme, name)
        dark = self.current_theme.dark
        self.update_classes({**{c: False for c in self.classes if c.startswith("-theme-")}, f"-theme-{name}": True,
                             "-dark-mode": dark, "-light-mode": not dark}, update=False)
        self._refresh_truecolor_filter(self.ansi_theme)
        self.stylesheet.set_variables(self.get_css_variables())  # nothing parsed yet: the first parse uses them

    @property
    def config(self) -> Config:
        """One source of truth: switching profile, region, context or host in a tab
        replaces the services' config, and the App sees the same."""
        return self.services.config

    @config.setter
    def config(self, value: Config) -> None:
        self.services.config = value

    # -- layout -----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        # Only the first tab is built before the first frame; another is built when it is first
        # shown, and the rest one at a time after the start-up (screens.registry.LazyTabs).
        with ConsoleTabs(id="tabs"):
            for i, tab in enumerate(TABS):
                with TabPane(f"{i + 1} {tab.title}", id=tab.id):
                    if i == 0:
                        yield self._build_tab(tab)
        yield StatusBar(self.read_only_reason, id="status-bar")
        yield KeyFooter()

    @property
    def read_only_reason(self) -> str | None:
        if not self.config.general.read_only:
            return None
        return "config error" if self._notices else "read-only"

    def on_mount(self) -> None:
        if os.environ.get("OPSCONSOLE_FIRST_FRAME_FILE"):  # benchmarks/startup.py: first in line
            self.call_after_refresh(self._first_frame_painted, os.environ["OPSCONSOLE_FIRST_FRAME_FILE"])
        self.call_after_refresh(self._start_quiet_time)
        self._focus_active_tab()  # before the first frame (not one frame later)
        for footer in self.query(KeyFooter):  # the keys in the first frame; the tab's own once it has the focus
            footer.build_now()
        if self.config.keys:
            self.set_keymap({k: v for k, v in self.config.keys.items()})
        for notice in self._notices:  # stays until dismissed: the reason the console is read-only
            self.notify(notice, title="Config", severity="error", timeout=24 * 3600)
        self._install_signal_handlers()
        # intents a crashed console left without an outcome: after the sandbox (its probes read the backends)
        self.after_setup(lambda: self.run_worker(self._reconcile, thread=True, exit_on_error=False,
                                                 group="reconcile", description="reconcile the audit log"))
        if self._sandbox_starter is not None:
            self.notify("starting the sandbox (in-process AWS and Kubernetes)…", timeout=4)
            # after the first frame: importing moto and kmock takes the GIL for a while
            self.call_after_refresh(self.run_worker, self._start_sandbox, thread=True, exit_on_error=False,
                                    group="setup", description="sandbox")

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self._typed_in_quiet_time()
        await super().on_event(event)

    def _first_frame_painted(self, path: str) -> None:
        import time

        with open(path, "w", encoding="utf-8") as fh:
            fh.write(repr(time.time()))
        self.exit()

    # -- quitting and reconciliation ----------------------------------------------------
    def action_quit(self) -> None:  # type: ignore[override]
        """Quit, or ask first while actions run (screens.running)."""
        from screens.running import request_quit

        request_quit(self)

    def action_running_actions(self) -> None:
        from screens.running import reopen_latest

        if not reopen_latest(self):
            self.notify("no action is running", timeout=4)

    def _install_signal_handlers(self) -> None:
        """SIGTERM and SIGHUP (terminal closed) quit cleanly: running actions recorded as abandoned."""
        try:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGHUP):
                loop.add_signal_handler(sig, self._on_signal, sig)
        except (RuntimeError, NotImplementedError, ValueError) as exc:  # not the main thread (a test runner)
            log.debug("no signal handlers: %s", exc)

    def _on_signal(self, sig: signal.Signals) -> None:
        from screens.running import leave_and_quit

        leave_and_quit(self, f"the console received {sig.name}", return_code=128 + int(sig))
        # the records are written; if restoring a terminal that is gone (SIGHUP) blocks the
        # exit, the process still ends (a daemon timer dies with a normal exit)
        watchdog = threading.Timer(EXIT_GRACE, os._exit, (128 + int(sig),))
        watchdog.daemon = True
        watchdog.start()

    def _reconcile(self) -> None:
        from console.actions.reconcile import reconcile
        from screens.guarded import journal_for

        report = reconcile(journal_for(self), self.services)
        if report.summary:
            self.call_from_thread(self.notify, report.summary, title="Audit log", timeout=30,
                                  severity="warning" if report.reconciled or report.errors else "information")

    def _on_services_switched(self, event: Switched) -> None:
        if self._thread_id == threading.get_ident():
            self._switched(event)
        else:
            self.call_from_thread(self._switched, event)

    def _switched(self, event: Switched) -> None:
        """MAIN: close the dialogs bound to the old generation (top down), then tell the tabs."""
        from screens.generation import GenerationBound, switch_notice

        stack = list(self.screen_stack)
        first = next((i for i, s in enumerate(stack) if isinstance(s, GenerationBound) and s.stale_for(event)), None)
        if first is not None:
            for screen in reversed(stack[first:]):
                if isinstance(screen, GenerationBound) and screen.stale_for(event):
                    screen.closed_notice = switch_notice(screen.bound_what, event)
                    self.notify(screen.closed_notice, severity="warning", timeout=30, markup=False)
                screen.dismiss(None)
        self.backend_switched.publish(event)

    def on_unmount(self) -> None:
        self.services.unsubscribe(self._on_services_switched)
        self.services.close()
        if self._sandbox_stop is not None:
            stop, self._sandbox_stop = self._sandbox_stop, None
            stop()

    # -- status -------------------------------------------------------------------------
    def on_backend_tab_status_changed(self, message: BackendTab.StatusChanged) -> None:
        for bar in self.query(StatusBar):  # none while the app shuts down
            bar.set_status(message.status, message.source)

    def set_status_extra(self, key: str, value: str) -> None:
        """Tabs add small counters to the status bar (e.g. Cost Explorer calls)."""
        for bar in self.query(StatusBar):
            bar.set_extra(key, value)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Tab switching and jumps act on the main screen only: behind a detail, log or
        confirmation screen they would change what the operator comes back to."""
        return False if self.why_unavailable(action, parameters) else True

    def why_unavailable(self, action: str, parameters: tuple[object, ...]) -> str | None:
        if action in ("show_tab", "command_line", "changelog") and len(self.screen_stack) > 1:
            return "close this screen first (esc)"
        return None

    # -- tabs ---------------------------------------------------------------------------
    def action_show_tab(self, tab_id: str) -> None:
        tabs = self.query_one(TabbedContent)
        # Drop the focus first: a focused widget in the pane being hidden would be blurred,
        # Textual would refocus its neighbour in that pane, and that pulls TabbedContent
        # back to the old tab.
        for footer in self.query(KeyFooter):
            footer.hold()  # until the tab shown has the focus: its keys, not the app's alone
        self.screen.set_focus(None)
        composed = self.ensure_tab(tab_id).is_mounted  # built on first use
        tabs.active = tab_id
        if composed:
            self.call_after_refresh(self._focus_shown_tab)
        else:  # just built: focused once it is composed
            self.with_tab(tab_id, lambda _tab: self._focus_shown_tab())

    def _focus_shown_tab(self) -> None:
        self._focus_active_tab()
        self.call_later(self._release_footers)  # after the focus lands (Widget.focus queues here too)

    def _release_footers(self) -> None:
        for footer in self.query(KeyFooter):
            footer.release()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.build_in(event.pane)  # a click on the tab bar: built on first use too

    def _focus_active_tab(self) -> None:
        tab = self.active_tab
        if tab is None:
            return
        focus_body = getattr(tab, "focus_body", None)
        if focus_body is not None:
            focus_body()  # takes effect after this call returns
        else:
            for widget in tab.query("*"):
                if widget.focusable and not isinstance(widget, Input):  # an Input would eat the number keys
                    widget.focus()
                    break

    @property
    def active_tab(self) -> Any:
        active = self.screen_stack[0].query_one(TabbedContent).active
        return self.ensure_tab(active) if active else None

    def tab(self, tab_id: str) -> Any:
        """The tab's widget (built now if it was not yet: composed a moment later, see with_tab)."""
        return self.ensure_tab(tab_id)

    # -- help, jump, palette ------------------------------------------------------------
    def action_help(self) -> None:
        from screens.help import HelpScreen, help_rows

        title = f"Keys: {self.query_one(TabbedContent).active or 'opsconsole'}"
        self.push_screen(HelpScreen(title, help_rows(self.screen)))

    def action_command_line(self) -> None:
        from screens.command_line import CommandLine

        names = [t.id for t in TABS] + ["changelog", "help", "quit", "deploy", "pods", "ctx", "ns", "nodes", "events",
                                         "host", "profile", "region", "tag", "export", "movers", "credits"]
        self.push_screen(CommandLine(tuple(names)), self.run_command)

    def run_command(self, command: str | None) -> None:
        """`:` commands: a tab name, number or alias switches tab; others go to the tabs."""
        if not command:
            return
        word, _, rest = command.partition(" ")
        word = word.lower()
        if word in ("q", "quit", "exit"):
            self.action_quit()
            return
        if word in ("help", "h"):
            self.action_help()
            return
        if word in ("changelog", "audit", "log"):
            self.action_changelog()
            return
        for i, tab in enumerate(TABS):
            if word in (tab.id, str(i + 1), *tab.aliases) and not rest:
                self.action_show_tab(tab.id)
                return
        pending = [t.id for t in TABS if not self.ensure_tab(t.id).is_mounted]
        if pending:  # every tab may take a jump: ask once they are all built
            self.with_tab(pending[0], lambda _tab: self.run_command(command))
            return
        active = self.active_tab
        ordered = [active] + [self.tab(t.id) for t in TABS if self.tab(t.id) is not active]
        for tab in ordered:
            jump = getattr(tab, "jump", None)
            if jump is not None and jump(command):
                self.action_show_tab(tab.id.removesuffix("-tab"))
                return
        self.notify(f"unknown command: {command}", severity="warning")

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for i, tab in enumerate(TABS):
            yield SystemCommand(f"Tab: {tab.title}", f"Switch to the {tab.title} tab ({i + 1})",
                                lambda t=tab.id: self.action_show_tab(t))
        yield SystemCommand("Changelog", f"Browse past actions, their audit records and undo ({len(TABS) + 1})", self.action_changelog)
        yield SystemCommand("ECS services", "Deploy, watch or roll back an ECS service", self.action_ecs_services)
        yield SystemCommand("Help", "Keys of the current tab (?)", self.action_help)
        from screens.palette import action_commands, jump_commands

        yield from action_commands(screen, self.run_action, self.active_tab if screen is self.screen_stack[0] else None)
        yield from jump_commands(self.run_command)

    # -- guarded actions ----------------------------------------------------------------
    async def run_action(self, action: Any, default_namespace: Any = None, namespaces: Any = None) -> bool:
        """A mutating key of a read-only tab is dimmed, and pressed anyway it is refused and audited."""
        target, name, _params = self._parse_action(action, self if default_namespace is None else default_namespace,
                                                   namespaces)
        if isinstance(target, BackendTab) and name in target.MUTATING_ACTIONS and target.read_only_reason:
            from screens.guarded import refuse_key

            refuse_key(self, target, name, target.read_only_reason)
            return True
        return await super().run_action(action, default_namespace, namespaces)

    def run_guarded(self, spec: Any, origin: Any = None) -> None:
        """The one path for every change (preview, confirm, execute, verify, record)."""
        from screens.guarded import start_guarded

        start_guarded(self, spec, origin)

    def action_ecs_services(self) -> None:
        from screens.ecs_deploy import open_ecs_services

        open_ecs_services(self, self.services)

    def action_changelog(self) -> None:
        from screens.changelog_view import ChangelogScreen

        register_undo_factories()  # before any undo is offered, even within STARTUP_QUIET
        if not isinstance(self.screen, ChangelogScreen):
            self.push_screen(ChangelogScreen())

