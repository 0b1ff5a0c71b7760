"""A hidden Containers tab samples no stats; shown again, it samples at once."""

from __future__ import annotations

import pytest

from tests.ui.test_containers import make_app, ready_tab, until

pytestmark = pytest.mark.docker


async def test_hidden_tab_skips_stats_and_catches_up_when_shown(docker_engine):
    docker_engine.run(name="idle")
    app = make_app(docker_engine)
    async with app.run_test(size=(140, 40)) as pilot:
        tab = await ready_tab(app, pilot, ("idle",))
        refreshes: list[bool] = []
        fetch = tab.fetch

        def counting(adapter):
            refreshes.append(tab.stats_due)
            return fetch(adapter)

        tab.fetch = counting
        await pilot.press("3")  # another tab
        await until(pilot, lambda: tab._stats_skipped, "a stats tick skipped while hidden", tries=600)
        refreshes.clear()
        tab._poll_stats()
        assert refreshes == [] and not tab.stats_due  # hidden: no sampling
        await pilot.press("2")
        await until(pilot, lambda: True in refreshes, "a stats refresh once shown", tries=600)
        assert not tab._stats_skipped
