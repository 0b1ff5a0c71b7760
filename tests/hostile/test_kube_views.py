"""Clusters surfaces on the Kubernetes emulator: a pod with secrets in env, args, command and
annotations shows none of them in the table, describe, YAML, Copy or its logs."""

from __future__ import annotations

from tests.hostile.corpus import ESCAPES, LINES, MARKUP, hostile_pod, leaked
from tests.ui.test_clusters import log_lines, make_app, open_clusters, wait_for


async def test_pod_describe_yaml_copy_and_logs_show_no_secret(kube):
    kube.seed()
    kube.emu.apply(hostile_pod("shop", "hostile-0"))
    kube.emu.append_log("shop", "hostile-0", [*LINES, ESCAPES, MARKUP])
    app = make_app(kube.config)
    async with app.run_test(size=(160, 40)) as pilot:
        tab = await open_clusters(app, pilot)
        await wait_for(pilot, lambda: "shop/hostile-0" in tab.rows)
        table = tab.table()
        assert leaked(" ".join(str(c) for c in table.row_for("shop/hostile-0").cells)) == []
        for key in ("d", "y"):
            table.move_cursor(row=table.visible_keys.index("shop/hostile-0"))
            await pilot.press(key)
            await wait_for(pilot, lambda: type(app.screen).__name__ == "DetailScreen")
            screen = app.screen
            for view in ("d", "y", "J"):
                await pilot.press(view)
                assert leaked(screen.view_text()) == [], (key, view, leaked(screen.view_text()))
                await pilot.press("c")
                assert leaked(app.clipboard) == []
            assert leaked(str(screen.query_one("#detail-body").render())) == []
            await pilot.press("escape")
            await wait_for(pilot, lambda: type(app.screen).__name__ != "DetailScreen")
        table.move_cursor(row=table.visible_keys.index("shop/hostile-0"))
        await pilot.press("l")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LogScreen" and len(log_lines(app)) >= len(LINES))
        assert not any(leaked(line) or "\x1b" in line for line in log_lines(app))
        await pilot.press("G", "c")
        assert leaked(app.clipboard) == []
