"""The status bar is one line at 80 and 120 columns, whatever the backends say."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from textual.app import App, ComposeResult

from console.backends.base import BackendInfo, BackendState, BackendStatus
from screens.status_bar import StatusBar


class BarApp(App):
    def compose(self) -> ComposeResult:
        yield StatusBar("read-only", id="bar")


def statuses() -> list[BackendStatus]:
    now = datetime.now(UTC)
    return [
        BackendStatus("docker", BackendState.UNAVAILABLE, None, "cannot reach the engine", None, 3),
        BackendStatus("kubernetes", BackendState.READY,
                      BackendInfo("kubernetes", "sandbox-prod-eu-west-1/payments-and-checkout", version="v1.30.2",
                                  production=True), "", now, 0),
        BackendStatus("aws", BackendState.STALE,
                      BackendInfo("aws", "prod-admin/eu-west-1", identity="123456789012 arn:aws:iam::1:user/ann",
                                  version=""), "throttled", now, 2),
    ]


@pytest.mark.parametrize("width", [80, 120])
async def test_status_bar_is_one_line_and_keeps_what_matters(width):
    app = BarApp()
    async with app.run_test(size=(width, 10)) as pilot:
        bar = app.query_one(StatusBar)
        bar.set_running("▶ 1 running (A)")
        for st in statuses():
            bar.set_status(st)
        await pilot.pause()
        assert bar.size.height == 1
        text = bar.status_text()
        assert text.cell_len <= width - 2, text.plain
        for must in ("▶ 1 running", "docker ✗", "k8s ●", "PROD", "aws ◐", "stale", "RO"):
            assert must in text.plain, (must, text.plain)
