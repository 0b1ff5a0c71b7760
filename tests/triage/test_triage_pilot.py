"""The Triage tab on sandbox data: two live contexts and a dead one, Docker, AWS.

Real backends: the kmock emulator (both live contexts), a closed loopback port (the dead
context), moto in server mode (a failed pipeline, a cost spike in the Costs cache) and
the private dockerd (an unhealthy container).
"""

from __future__ import annotations

import pytest

from console.app import OpsConsole
from console.sandbox.aws import seed_pipelines
from console.services import Services
from console.triage.model import Level, SourceMode
from screens.log_view import LogScreen
from screens.triage_view import FeedScreen
from tests.rollout.harness import wait_for
from tests.triage.env import (
    CHECKOUT_BAD,
    CHECKOUT_PREVIOUS,
    DEAD_CONTEXT,
    settled,
    spike_costs,
    today,
    triage_config,
    warm_costs_cache,
)


def problems_by(tab, source: str):
    return [p for p in tab.problems.values() if p.source == source]


async def test_triage_lists_every_backend_and_marks_the_dead_context(kube, aws, docker_engine, tmp_path):
    kube.seed()
    seed_pipelines(aws.url)
    unhealthy = docker_engine.run(image=docker_engine.unhealthy_image, name="oc-triage-unhealthy")
    docker_engine.wait_health(unhealthy["id"], "unhealthy")
    config = triage_config(kube, tmp_path, aws.url, docker_engine.host)
    spike_costs(aws, today())
    warm_costs_cache(config)
    app = OpsConsole(config, services=Services(config))
    async with app.run_test(size=(160, 40)) as pilot:
        tab = app.tab("triage")
        assert app.active_tab is tab  # the first tab
        try:
            await wait_for(pilot, lambda: settled(tab) and "aws:costs" in tab.found and tab.states["docker"].mode
                           is SourceMode.READY and tab.states.get(f"kube:{DEAD_CONTEXT}") is not None
                           and tab.states[f"kube:{DEAD_CONTEXT}"].mode is SourceMode.UNAVAILABLE,
                           tries=1200, what="every source answered")
        except AssertionError as exc:
            raise AssertionError(f"{exc}: {list(tab.states.values())}") from None
        dev, prod = problems_by(tab, "kube:sandbox-dev"), problems_by(tab, "kube:sandbox-prod")
        checkout = next(p for p in dev if p.what == "deployment/checkout")
        assert checkout.level is Level.CRITICAL and checkout.where == "sandbox-dev/shop"
        assert checkout.reason == "CrashLoopBackOff: exit 1, 9 restarts · 0/2 ready · 2 pods failing"
        assert any(p.what == "deployment/payments-api" and p.where == "sandbox-prod/payments" for p in prod)
        assert any(p.what == "daemonset/log-agent" for p in prod)
        docker = problems_by(tab, "docker")
        assert [p.reason.split(" failed")[0] for p in docker if p.name == "oc-triage-unhealthy"] == ["unhealthy: health check"]
        pipeline = next(p for p in problems_by(tab, "aws:pipelines") if p.kind == "pipeline")
        assert pipeline.reason.startswith(f"pipeline {pipeline.name} failed at Deploy")
        cost = problems_by(tab, "aws:costs")
        assert [p.reason.split(" (")[0] for p in cost] == ["cost +240% day over day: EC2"]
        dead = tab.states[f"kube:{DEAD_CONTEXT}"]
        assert dead.reason and "dead-eu" in dead.reason or "refused" in dead.reason.lower() or dead.reason
        dead_row = next(p for p in tab.problems.values() if p.kind == "context")
        assert dead_row.name == DEAD_CONTEXT and dead_row.reason.startswith("unavailable: ")
        # ranked: critical first, the most recent first within a level
        levels = [tab.problems[k].level for k in tab.table().visible_keys]
        assert levels == sorted(levels, reverse=True)
        assert tab.table().visible_keys[0] == checkout.key

        # the feed beside it: the bad rollout that started the crash loop is on top
        changes = tab.related_changes(checkout)
        assert (changes[0].subject, changes[0].text) == ("deployment/checkout",
                                                         f"revision 3: {CHECKOUT_PREVIOUS} → {CHECKOUT_BAD}")
        assert "revision 3" in str(tab.query_one("#triage-feed").render())

        # l: the failing pod's logs, straight from Triage
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LogScreen), what="log screen")
        view = app.screen.view
        await wait_for(pilot, lambda: any("CHECKOUT_DB_PASSWORD" in line for line in view.lines_widget.lines),
                       what="the crash-looping pod's log lines")
        assert "sandbox-dev" in view.source.title and "-h7w2k" in view.source.title
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.screen_stack[0], what="back on the main screen")

        # enter: the object in its tab (the Clusters tab, in the problem's context)
        await pilot.press("enter")
        clusters = app.tab("clusters")
        await wait_for(pilot, lambda: app.active_tab is clusters and clusters.kind == "deployments"
                       and "shop/checkout" in clusters.table().visible_keys, tries=600, what="checkout in Clusters")
        assert clusters.adapter.context == "sandbox-dev"


@pytest.mark.parametrize("context, namespace", [("sandbox-prod", "payments")])
async def test_enter_on_another_contexts_problem_switches_clusters_there(kube, tmp_path, context, namespace):
    kube.seed()
    config = triage_config(kube, tmp_path)
    app = OpsConsole(config, services=Services(config))
    async with app.run_test(size=(160, 40)) as pilot:
        tab = app.tab("triage")
        await wait_for(pilot, lambda: settled(tab) and problems_by(tab, f"kube:{context}"), tries=1200,
                       what="problems of both contexts")
        # w: the whole feed, newest first, with the bad rollout in it
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, FeedScreen), what="the feed")
        feed = app.screen.table
        texts = [feed.row_for(k).cells[3] for k in feed.visible_keys]
        assert f"revision 3: {CHECKOUT_PREVIOUS} → {CHECKOUT_BAD}" in texts
        whens = [c.at for c in app.screen.changes]
        assert whens == sorted(whens, reverse=True)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, FeedScreen), what="back from the feed")
        target = next(p for p in problems_by(tab, f"kube:{context}") if p.kind == "daemonset")
        tab.table().move_cursor(row=tab.table().visible_keys.index(target.key))
        await pilot.pause()
        await pilot.press("enter")
        clusters = app.tab("clusters")
        await wait_for(pilot, lambda: clusters.adapter is not None and clusters.adapter.context == context
                       and clusters.kind == "daemonsets" and f"{namespace}/log-agent" in clusters.table().visible_keys,
                       tries=600, what="the daemonset in its own context")


async def test_incident_note_from_triage_masks_secrets_and_offers_the_copy(kube, tmp_path):
    kube.seed()
    crash = next(p["metadata"]["name"] for p in kube.emu.list("pods", "shop") if p["metadata"]["name"].endswith("-h7w2k"))
    kube.emu.append_log("shop", crash, ["retrying with DB_PASSWORD=hunter2 and token=abc123def456"])
    config = triage_config(kube, tmp_path)
    app = OpsConsole(config, services=Services(config))
    async with app.run_test(size=(120, 40)) as pilot:
        tab = app.tab("triage")
        await wait_for(pilot, lambda: settled(tab) and tab.current_problem() is not None
                       and tab.current_problem().what == "deployment/checkout", tries=1200, what="checkout on top")
        await pilot.press("N")
        await wait_for(pilot, lambda: tab.last_note, tries=600, what="the note written")
        await pilot.press("c")
        await pilot.pause()
    files = list(config.incident_dir.glob("incident-*.md"))
    assert len(files) == 1
    body = files[0].read_text()
    assert "deployment/checkout (sandbox-dev/shop)" in body and "FATAL: missing env CHECKOUT_DB_PASSWORD" in body
    assert "hunter2" not in body and "abc123def456" not in body and "DB_PASSWORD=" in body
    assert "revision 3: registry.local/checkout:2.1.0 → registry.local/checkout:2.2.0" in body
    assert app.clipboard == tab.last_note


async def test_slash_filters_the_problems_and_esc_clears(kube, tmp_path):
    kube.seed()
    config = triage_config(kube, tmp_path)
    app = OpsConsole(config, services=Services(config))
    async with app.run_test(size=(160, 40)) as pilot:
        tab = app.tab("triage")
        await wait_for(pilot, lambda: settled(tab) and len(tab.table().visible_keys) > 2, tries=1200,
                       what="problems listed")
        everything = len(tab.table().visible_keys)
        await pilot.press("slash", *"checkout")
        await wait_for(pilot, lambda: 0 < len(tab.table().visible_keys) < everything, what="filtered")
        assert all("checkout" in str(tab.table().row_for(k).cells) for k in tab.table().visible_keys)
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(tab.table().visible_keys) == everything, what="filter cleared")
