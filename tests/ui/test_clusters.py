"""Clusters tab on the kmock emulator: rows, problems, filter, jump, detail, logs, scope."""

from __future__ import annotations

from console.app import OpsConsole
from console.services import Services
from screens.clusters_table import KubeTable


async def wait_for(pilot, condition, tries: int = 1200, step: float = 0.05, shown=None):
    """Poll with a deadline (>= 60 s: a loaded machine); ``shown()`` explains a miss."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(step)
    raise AssertionError("condition not met in time" + (f": {shown()}" if shown else ""))


def filter_state(app, tab):
    bar = tab.query_one("#filter-bar")
    return (f"bar={bar.value!r} shown={bar.has_class('-shown')} focused={app.focused!r} "
            f"tab filter={tab.filter_text!r} kind={tab.kind} keys={tab.table().visible_keys[:6]}")


async def open_clusters(app, pilot, kind="pods"):
    await pilot.press("3")
    tab = app.tab("clusters")
    await wait_for(pilot, lambda: tab.kind == kind and len(tab.rows) > 0)
    await pilot.pause()
    return tab


def make_app(config):
    return OpsConsole(config, services=Services(config))


async def test_pods_rows_with_problems_standing_out(kube):
    kube.seed()
    app = make_app(kube.config)
    async with app.run_test(size=(160, 40)) as pilot:
        tab = await open_clusters(app, pilot)
        table = tab.table()
        crash = next(k for k in table.visible_keys if k.endswith("-h7w2k"))
        row = table.row_for(crash)
        assert row.cells[3] == "CrashLoopBackOff" and row.style  # coloured
        assert row.cells[4].startswith("9 (") and row.cells[4].endswith(" ago)")
        healthy = next(k for k in table.visible_keys if k.startswith("shop/web-"))
        assert not table.row_for(healthy).style
        header = str(tab.query_one("#kube-header").render())
        assert "sandbox-dev" in header and "ns shop" in header and "failing" in header
        table.move_cursor(row=table.visible_keys.index(crash))
        await pilot.pause()
        assert "CrashLoopBackOff" in str(tab.query_one("#kube-problem").render())


async def test_filter_substring_and_label(kube):
    kube.seed()
    app = make_app(kube.config)
    async with app.run_test(size=(160, 40)) as pilot:
        tab = await open_clusters(app, pilot)
        keys = lambda: tab.table().visible_keys  # noqa: E731 - polled: keys land a few frames later under load
        await pilot.press("slash", *"app=web")
        await wait_for(pilot, lambda: keys() and all(k.startswith("shop/web-") for k in keys()),
                       shown=lambda: filter_state(app, tab))
        await pilot.press(*["backspace"] * 7, *"crashloop")
        await wait_for(pilot, lambda: len(keys()) == 2)
        await pilot.press(*["backspace"] * 9, *"problem=yes")
        await wait_for(pilot, lambda: len(keys()) == 4)  # 2 crash-looping, image pull, pending


async def test_jump_to_kind_with_filter_and_live_update(kube):
    kube.seed()
    app = make_app(kube.config)
    async with app.run_test(size=(160, 40)) as pilot:
        tab = await open_clusters(app, pilot)
        assert [t.id for t in tab.query(KubeTable)] == ["table-pods"]  # a kind's table is built when first shown
        assert tab.jump("deploy")
        await wait_for(pilot, lambda: tab.kind == "deployments" and "shop/checkout" in tab.rows)
        table: KubeTable = tab.table()
        assert [t.id for t in tab.query(KubeTable) if t.display] == ["table-deployments"]
        assert table.row_for("shop/checkout").cells[2] == "0/2" and table.row_for("shop/checkout").style
        kube.emu.patch("deployments", "shop", "web", {"spec": {"replicas": 5}})
        await wait_for(pilot, lambda: table.row_for("shop/web") and table.row_for("shop/web").cells[2] == "3/5")
        assert tab.jump("pods app=search")
        await wait_for(pilot, lambda: tab.kind == "pods" and len(tab.table().visible_keys) == 2)
        assert not tab.jump("nonsense")


async def test_namespace_and_context_switch(kube):
    kube.seed()
    app = make_app(kube.config)
    async with app.run_test(size=(160, 40)) as pilot:
        tab = await open_clusters(app, pilot)
        tab.jump("ns payments")
        await wait_for(pilot, lambda: any(k.startswith("payments/") for k in tab.rows))
        assert all(k.startswith("payments/") for k in tab.rows)
        tab.jump("ns all")
        await wait_for(pilot, lambda: {k.split("/")[0] for k in tab.rows} == {"shop", "payments"})
        tab.jump("ctx sandbox-prod")
        await wait_for(pilot, lambda: "PRODUCTION" in str(tab.query_one("#kube-header").render()))
        await wait_for(pilot, lambda: tab.rows and all(k.startswith("payments/") for k in tab.rows))
        assert "sandbox-prod · ns payments" in str(tab.query_one("#kube-header").render())


async def test_describe_and_yaml_views(kube):
    kube.seed()
    app = make_app(kube.config)
    async with app.run_test(size=(160, 40)) as pilot:
        tab = await open_clusters(app, pilot)
        table = tab.table()
        table.move_cursor(row=next(i for i, k in enumerate(table.visible_keys) if k.endswith("-h7w2k")))
        await pilot.press("d")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "DetailScreen")
        body = app.screen.view_text()
        assert "Deployment/checkout" in body and "BackOff" in body and "Restart Count" in body
        await pilot.press("escape")
        tab.jump("ns payments")
        await wait_for(pilot, lambda: any(k.startswith("payments/") for k in tab.rows))
        tab.jump("secrets")
        await wait_for(pilot, lambda: tab.kind == "secrets" and len(tab.rows) == 1)
        await pilot.press("y")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "DetailScreen")
        assert app.screen.mode == "yaml"
        text = app.screen.view_text()
        assert "c2FuZGJveC1vbmx5LXB3" not in text and "••••••" in text


def log_lines(app):
    w = app.screen.view.lines_widget  # as shown (the lines carry timestamps, hidden)
    return [w.shown(w.first_no + i) for i in range(len(w.lines))]


async def test_logs_view_current_previous_and_follow(kube):
    kube.seed()
    app = make_app(kube.config)
    async with app.run_test(size=(160, 40)) as pilot:
        tab = await open_clusters(app, pilot)
        table = tab.table()
        crash = next(k for k in table.visible_keys if k.endswith("-h7w2k"))
        table.move_cursor(row=table.visible_keys.index(crash))
        await pilot.press("l")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LogScreen" and len(log_lines(app)) == 3)
        assert log_lines(app)[-1] == "FATAL: missing env CHECKOUT_DB_PASSWORD"
        await pilot.press("f")
        await wait_for(pilot, lambda: app.screen.view.follow and app.screen.view._stream is not None)
        kube.emu.append_log("shop", crash.split("/")[1], ["\x1b[31mred[/] line"])
        await wait_for(pilot, lambda: log_lines(app)[-1:] == ["red[/] line"])  # literal, escapes stripped
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ != "LogScreen")
        await pilot.press("p")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LogScreen" and "panic: nil map" in log_lines(app))
        await pilot.press("escape")
        tab.jump("deploy")
        await wait_for(pilot, lambda: tab.kind == "deployments" and "shop/web" in tab.rows)
        tab.table().move_cursor(row=tab.table().visible_keys.index("shop/web"))
        await pilot.press("l")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LogScreen" and len(log_lines(app)) == 6)
        assert all(line.startswith("[web-") for line in log_lines(app))


async def test_api_down_marks_stale_keeps_rows_then_recovers(kube):
    from console.backends.base import BackendState

    kube.seed()
    app = make_app(kube.config)
    async with app.run_test(size=(160, 40)) as pilot:
        tab = await open_clusters(app, pilot)
        before = list(tab.table().visible_keys)
        kube.emu.take_down()
        await wait_for(pilot, lambda: tab.state is BackendState.STALE)
        assert tab.table().visible_keys == before  # the last good data stays
        assert "STALE" in str(tab.query_one("#state-banner").render())
        kube.emu.bring_up()
        kube.emu.delete("pods", "shop", before[0].split("/")[1])
        await wait_for(pilot, lambda: tab.state is BackendState.READY and before[0] not in tab.table().visible_keys)


async def test_drill_from_deployment_to_its_pods_and_sort(kube):
    kube.seed()
    app = make_app(kube.config)
    async with app.run_test(size=(160, 40)) as pilot:
        tab = await open_clusters(app, pilot)
        tab.jump("deploy")
        await wait_for(pilot, lambda: tab.kind == "deployments" and "shop/checkout" in tab.table().visible_keys)
        tab.table().move_cursor(row=tab.table().visible_keys.index("shop/checkout"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: tab.kind == "pods" and len(tab.table().visible_keys) == 2)
        assert all("checkout-" in k for k in tab.table().visible_keys)
        tab.apply_filter("")
        tab.table().sort_by("c2", reverse=True)  # RESTARTS, most first
        await pilot.pause()
        assert tab.table().visible_keys[0].endswith("-h7w2k")
