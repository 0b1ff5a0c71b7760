"""Snapshots of the Clusters tab (sandbox estate, frozen clock, fixed size), and hostile
names, labels and messages shown literally."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from textual.app import App, ComposeResult

from console.config import Config
from console.sandbox.kube_seed import event, pod
from console.services import Services
from screens.clusters import ClustersTab
from tests.ui.test_clusters import wait_for


class ClustersOnly(App):
    def __init__(self, config: Config, kind: str = "pods") -> None:
        super().__init__()
        self.config, self.kind = config, kind
        self.services = Services(config)

    def compose(self) -> ComposeResult:
        yield ClustersTab(self.services, id="clusters-tab")

    def on_unmount(self) -> None:
        self.services.close()


def showing(kind: str, count: int):
    async def run_before(pilot) -> None:
        tab = pilot.app.query_one(ClustersTab)
        await wait_for(pilot, lambda: tab.adapter is not None and tab.rows)
        if kind != "pods":
            tab.jump(kind)
        await wait_for(pilot, lambda: tab.kind == kind and len(tab.table().visible_keys) == count)
        tab.table().move_cursor(row=0)
        await pilot.pause()
        await pilot.pause()
    return run_before


def test_pods_view(snap_compare, frozen_clock, kube):
    kube.seed(now=datetime.fromtimestamp(frozen_clock, UTC))
    assert snap_compare(ClustersOnly(kube.config), terminal_size=(150, 22), run_before=showing("pods", 8))


def test_deployments_view(snap_compare, frozen_clock, kube):
    kube.seed(now=datetime.fromtimestamp(frozen_clock, UTC))
    assert snap_compare(ClustersOnly(kube.config), terminal_size=(150, 14), run_before=showing("deployments", 4))


HOSTILE = "[bold red]pwned[/] \x1b[2J\x1b]0;owned\x07 $(rm -rf /)"


async def test_hostile_names_labels_and_messages_are_literal(kube):
    now = datetime.now(UTC)
    bad = pod("shop", "evil[red]pod", "img:[blink]1", now, timedelta(minutes=5), labels={"app": "[i]x"},
              ready=False, waiting="CrashLoopBackOff", message=HOSTILE, restarts=2, last_terminated="Error")
    kube.emu.apply_many([bad, event("shop", "evil.1", bad, "BackOff", HOSTILE, now, timedelta(seconds=30))])
    app = ClustersOnly(kube.config)
    async with app.run_test(size=(160, 30)) as pilot:
        tab = app.query_one(ClustersTab)
        await wait_for(pilot, lambda: "shop/evil[red]pod" in tab.table().visible_keys)
        row = tab.table().row_for("shop/evil[red]pod")
        assert row.cells[1] == "evil[red]pod" and row.cells[-2] == "img:[blink]1"
        await pilot.pause()
        problem = tab.query_one("#kube-problem").render()
        assert "[bold red]pwned[/]" in str(problem) and "\x1b" not in str(problem) and "\x07" not in str(problem)
        await pilot.press("slash", *"app=[i]x")
        await pilot.pause()
        assert tab.table().visible_keys == ["shop/evil[red]pod"]
        tab.jump("events")
        await wait_for(pilot, lambda: "shop/evil.1" in tab.table().visible_keys or tab.kind == "events" and tab.rows)
        await pilot.press("escape")
