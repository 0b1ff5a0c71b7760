"""The night page at 80 columns: tables fit the width without scrolling sideways (issue 15).
Costs and the changelog have their own tests (test_found_costs.py, test_found_changelog.py)."""

from __future__ import annotations

import pytest

from console.app import OpsConsole
from console.services import Services
from screens.widgets import ResourceTable
from tests.ui.test_pipelines import aws_config, open_pipelines, seeded, wait_for  # noqa: F401 - fixture

pytestmark = pytest.mark.aws


async def test_pipelines_tables_fit_80_columns(seeded):  # noqa: F811
    cfg = aws_config(seeded.url)
    app = OpsConsole(cfg, services=Services(cfg))
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_pipelines(app, pilot)
        table = tab.query_one("#pipelines", ResourceTable)
        await wait_for(pilot, lambda: table.row_count > 0 and table.size.width > 0)
        await pilot.pause()
        for one in tab.query(ResourceTable):
            if one.size.width:
                assert one.virtual_size.width <= one.size.width, (one.id, one.virtual_size, one.size)
        chosen = tab.selected_pipeline()
        assert chosen is not None and chosen.last_execution is not None
        message = chosen.last_execution.commit_message.splitlines()[0]
        assert message and message not in str(table.get_row_at(table.cursor_row))  # not in the narrow table…
        await wait_for(pilot, lambda: message in str(tab.query_one("#pl-detail").render()))  # …but below it
