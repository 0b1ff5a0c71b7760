"""What Triage's keys do with a problem: show it in its tab, open its logs, write a note.

Adapters are reached through ``Services`` (``kubernetes_for(context)`` for the problem's
own context); backend reads run in thread workers and come back with
``call_from_thread``. No SDK is imported here.
"""

from __future__ import annotations

from typing import Any

from console import clock
from console.errors import OpsError
from console.models.docker import ContainerSummary
from console.models.kubernetes import canonical_kind
from console.triage.model import Problem
from screens.base import describe_error
from screens.triage_view import utc


def open_in_tab(tab: Any, problem: Problem) -> None:
    """``enter``: switch to the problem's tab and put its object in view."""
    app = tab.app
    if not problem.tab:
        tab.notify(f"{problem.what} has no tab to show it in", severity="warning", timeout=3)
        return
    app.with_tab(problem.tab, lambda target: _put_in_view(app, target, problem))  # a tab may be being built


def _put_in_view(app: Any, target: Any, problem: Problem) -> None:
    if problem.backend == "kubernetes" and problem.jump:
        word, _, rest = problem.jump.partition(" ")
        kind = canonical_kind(word) or "pods"
        target.show_object(problem.context, problem.namespace or None, kind, rest)
    else:
        bar = target.query("#filter-bar")
        if bar and problem.name:
            bar.first().value = problem.name
            bar.first().add_class("-shown")
    app.action_show_tab(problem.tab)


def _kube_logs(tab: Any, problem: Problem) -> None:
    from screens.clusters_views import KubeLogSource
    from screens.log_view import LogScreen

    target = problem.logs
    adapter = tab.services.kubernetes_for(problem.context)
    source = KubeLogSource(adapter, target.namespace, target.name, target.kind, target.container, target.previous)
    source.title = f"{problem.context} · {source.title}"
    tab.app.push_screen(LogScreen(source, tail=tab.config.kubernetes.log_tail))


def _docker_logs(tab: Any, problem: Problem) -> None:
    from screens.containers_views import ContainerLogSource
    from screens.log_view import LogScreen

    cfg = tab.config.docker
    summary = ContainerSummary(id=problem.object_id, name=problem.name, image="", image_id="", state="", status="")
    source = ContainerLogSource(tab.services.docker(), summary, problem.where, cfg.log_max_lines)
    tab.app.push_screen(LogScreen(source, max_lines=cfg.log_max_lines, tail=cfg.log_tail))


def open_logs(tab: Any, problem: Problem) -> None:
    """``l``: the failing pod's (or container's, or build's) logs, straight from Triage."""
    if problem.logs is None:
        tab.notify(f"{problem.what} has no logs (enter: show it in its tab)", severity="warning", timeout=3)
    elif problem.logs.backend == "kubernetes":
        _kube_logs(tab, problem)
    elif problem.logs.backend == "docker":
        _docker_logs(tab, problem)
    else:
        tab.run_worker(lambda: _build_logs(tab, problem), thread=True, group="triage-logs", exit_on_error=False)


def _build_logs(tab: Any, problem: Problem) -> None:
    """THREAD: a CodeBuild build's log, found by its id."""
    from screens.log_view import LogScreen
    from screens.pipelines_logs import BuildLogSource

    aws = tab.services.aws()
    try:
        build = aws.build(problem.logs.name)
    except OpsError as exc:
        tab.app.call_from_thread(tab.notify, describe_error(exc, "codebuild.batch_get_builds"), severity="error")
        return
    tab.app.call_from_thread(tab.app.push_screen, LogScreen(BuildLogSource(aws, build), tail=500))


def _log_lines(tab: Any, problem: Problem, lines: int) -> tuple[list[str], str]:
    """THREAD: the last ``lines`` log lines of the problem's object, or why there are none."""
    target = problem.logs
    if target is None:
        return [], ""
    try:
        if target.backend == "kubernetes":
            adapter = tab.services.kubernetes_for(problem.context)
            if not adapter.connected:  # Triage may ask before any tab has connected this context
                adapter.connect()
            if target.kind == "pods":
                return list(adapter.logs(target.namespace, target.name, target.container, target.previous, lines)), ""
            return list(adapter.workload_logs(target.kind, target.namespace, target.name, lines)), ""
        if target.backend == "docker":
            return list(tab.services.docker().logs(target.name, tail=lines)), ""
    except OpsError as exc:
        return [], describe_error(exc, "logs")
    return [], ""


def write_note(tab: Any, problem: Problem) -> None:
    """``N``: append the problem's section to today's incident file, then offer the copy."""
    changes = tab.related_changes(problem)
    started = getattr(tab.app, "started_at", None)

    def work() -> None:
        from console.actions.journal import read_audit
        from console.triage.notes import LOG_LINES, append_note, section

        logs, log_error = _log_lines(tab, problem, LOG_LINES)
        try:
            records = read_audit(tab.config.audit_path).records
        except OSError as exc:
            records, log_error = [], log_error or f"audit log unreadable: {exc.strerror}"
        since = utc(started).strftime("%Y-%m-%dT%H:%M:%SZ") if started else ""
        mine = [r for r in records if str(r.get("time", "")) >= since and r.get("outcome") != "requested"]
        now = utc(clock.now())
        text = section(problem, now, changes, logs, log_error, mine)
        try:
            note = append_note(tab.config.incident_dir, text, now)
        except OpsError as exc:
            tab.app.call_from_thread(tab.notify, describe_error(exc, "incident notes"), severity="error", timeout=10)
            return
        tab.app.call_from_thread(_noted, tab, note)

    tab.run_worker(work, thread=True, group="triage-note", exit_on_error=False, description="incident note")


def _noted(tab: Any, note: Any) -> None:
    tab.last_note = note.text
    tab.notify(f"incident note appended to {note.path} · c: copy it (OSC 52)", title="Incident", timeout=8)

