"""`make sandbox`: from launch to the failing pod's last log lines in at most 3 keys.

The real App with the real sandbox starter (in-process moto and the kmock emulator,
seeded; the local Docker engine when one is reachable), like ``opsconsole --sandbox``.
"""

from __future__ import annotations

from console.app import OpsConsole
from console.config import Config
from console.sandbox import start_sandbox
from console.services import Services
from screens.log_view import LogScreen
from tests.rollout.harness import wait_for
from tests.triage.env import CHECKOUT_BAD, CHECKOUT_PREVIOUS


async def test_launch_to_the_failing_pods_last_log_lines(kube_emulator):  # the emulator fixture: kmock importable
    config = Config()
    app = OpsConsole(config, services=Services(config), sandbox=start_sandbox)
    keys: list[str] = []

    async def press(*names: str) -> None:
        keys.extend(names)
        await pilot.press(*names)

    async with app.run_test(size=(120, 40)) as pilot:
        tab = app.tab("triage")
        await wait_for(pilot, lambda: any(p.what == "deployment/checkout" for p in tab.problems.values())
                       and tab.table().current_key is not None, tries=2400, what="the sandbox's problems")
        top = tab.current_problem()
        assert top.what == "deployment/checkout" and top.context == "sandbox-dev"
        # the what-changed feed shows the bad rollout that started the crash loop, on top
        first = tab.related_changes(top)[0]
        assert (first.subject, first.text) == ("deployment/checkout", f"revision 3: {CHECKOUT_PREVIOUS} → {CHECKOUT_BAD}")

        await press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LogScreen), what="the log screen")
        view = app.screen.view
        await wait_for(pilot, lambda: any("FATAL: missing env CHECKOUT_DB_PASSWORD" in line
                                          for line in view.lines_widget.lines), what="the failing pod's last lines")
        assert "checkout" in view.source.title
    print(f"\nkeystrokes from launch to the failing pod's last log lines: {len(keys)} ({' '.join(keys)})")
    assert len(keys) <= 3
