"""A small App for the wizard pilot tests: config, services, journal and the real guarded path."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

from console.actions.journal import read_audit, read_changelog
from console.config import Config
from console.services import Services
from screens.guarded import start_guarded

SIZE = (120, 40)


class WizardApp(App):
    def __init__(self, config: Config) -> None:
        super().__init__()
        self.config = config
        self.services = Services(config)
        self.journal = None

    def compose(self) -> ComposeResult:
        yield Static("rollout wizards under test")

    def run_guarded(self, spec, origin=None):
        return start_guarded(self, spec, origin)


async def wait_for(pilot, condition, tries: int = 400, step: float = 0.05, what: str = "condition"):
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(step)
    raise AssertionError(f"timed out waiting for {what} (screen: {type(pilot.app.screen).__name__})")


def outcomes(config: Config) -> list[str]:
    return [r["outcome"] for r in read_audit(config.audit_path).records]


def changelog(config: Config):
    entries, torn = read_changelog(config.changelog_path)
    assert torn == 0
    return entries
