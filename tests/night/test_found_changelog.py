"""The night page at 80x24: the changelog (`7`) shows every field of the selected entry, and
its table fits the width (issue 15)."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.widgets import DataTable

from console.app import OpsConsole
from screens.changelog_view import ChangelogScreen
from screens.confirm import ConfirmScreen
from tests.actions.harness import FakeExecutor, make_config, scale_spec
from tests.actions.test_guarded import confirm
from tests.night.screen_text import screen_lines
from tests.night.test_truth_on_screen import wait_for

SIZE = (80, 24)
REASON = "INC-4242 checkout latency above SLO since 02:10Z, paged by the payments on-call, see the bridge notes " * 2
LABELS = ("time:", "outcome:", "action:", "where:", "risk:", "operator:", "reason:", "result:", "duration:",
          "undo:", "action id:", "replicas:")


async def test_the_detail_shows_every_field_at_80x24(tmp_path):
    fake = FakeExecutor(replicas={"checkout-frontend": 3})
    app = OpsConsole(make_config(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        app.run_guarded(scale_spec(fake, "checkout-frontend", context="prod-eu-west-1"))
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen.preview_ready)
        await confirm(app, pilot, reason=REASON)
        await wait_for(pilot, lambda: fake.calls != [])
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen) and len(app.screen_stack) == 1)
        await pilot.press("7")
        await wait_for(pilot, lambda: isinstance(app.screen, ChangelogScreen) and len(app.screen.shown) == 2)
        await pilot.pause()
        screen = app.screen
        table = screen.query_one(DataTable)
        assert "checkout-frontend" in str(table.get_row_at(0))  # the name, not a cropped kind
        assert table.virtual_size.width <= table.size.width, (table.virtual_size, table.size)  # no sideways scroll
        seen = "\n".join(screen_lines(app))
        detail = screen.query_one("#changelog-detail-scroll", VerticalScroll)
        assert detail.region.bottom <= SIZE[1] - 1 and detail.size.height >= 5, detail.region
        await pilot.press("tab")  # to the detail pane, which scrolls with the keys
        await wait_for(pilot, lambda: screen.focused is detail)
        assert detail.max_scroll_y > 0  # this entry is taller than the pane: it scrolls
        await pilot.press("end")
        await wait_for(pilot, lambda: detail.scroll_y >= detail.max_scroll_y)
        await pilot.pause()
        seen += "\n" + "\n".join(screen_lines(app))
        for label in LABELS:
            assert label in seen, (label, seen)
        assert "u: undo this action" in seen or "no undo available" in seen
        for word in REASON.split():
            assert word in seen, (word, seen)  # the reason wraps, never cropped
