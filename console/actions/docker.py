"""Guarded-action specs for the Containers tab (pure functions, no widgets).

Each verb becomes one ``ActionSpec`` over one or many containers (a bulk action is one
confirmation and one record per target). Executors call the adapter's mutating methods
with the runner's timeout; verifiers poll the container until it reaches the expected
state and health (and, for start/restart, a new start time); inverse actions (stop ↔ start, pause ↔ unpause, kill → start) go through the
same guarded path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from console.actions import ActionSpec, Change, Preview, Risk, Target, target_from_record
from console.actions.undo import UndoFactory
from console.capabilities import ContainerControl
from console.errors import InvalidInput
from console.models.docker import ContainerSummary

UNDO_KIND = "docker.state"


@dataclass(frozen=True)
class Verb:
    name: str
    applies: tuple[str, ...]  # container states the verb makes sense in
    after: str  # the state shown in the preview
    wait_for: tuple[str, ...]  # states that verify success; () with gone=True for remove
    risk: Risk
    inverse: str = ""
    undo_hint: str = ""


VERBS = {
    "start": Verb("start", ("created", "exited", "dead"), "running", ("running",), Risk.LOW, "stop",
                  "stop it again (x)"),
    "stop": Verb("stop", ("running", "restarting", "paused"), "exited", ("exited",), Risk.HIGH, "start",
                 "start it again (u); its configuration is unchanged"),
    "restart": Verb("restart", ("running", "restarting", "exited", "created"), "running (restarted)", ("running",),
                    Risk.HIGH, "", "none needed: a restart keeps the container's configuration"),
    "kill": Verb("kill", ("running", "restarting", "paused"), "exited (SIGKILL)", ("exited",), Risk.HIGH, "start",
                 "start it again (u); unflushed work in the process is lost"),
    "pause": Verb("pause", ("running",), "paused", ("paused",), Risk.HIGH, "unpause", "unpause it (p)"),
    "unpause": Verb("unpause", ("paused",), "running", ("running",), Risk.LOW, "pause", "pause it again (p)"),
    "remove": Verb("remove", ("created", "exited", "dead", "running", "paused", "restarting"), "removed", (),
                   Risk.DESTRUCTIVE, "", "none: re-create it from its image and configuration (compose up, docker run)"),
}


def container_target(c: ContainerSummary, host: str, production: bool = False) -> Target:
    return Target("container", c.name, "docker", host, id=c.id, production=production)


def applicable(verb: str, containers: Sequence[ContainerSummary]) -> list[ContainerSummary]:
    return [c for c in containers if c.state in VERBS[verb].applies]


def container_action(adapter: ContainerControl, verb: str, containers: Sequence[ContainerSummary], host: str,
                     production: bool = False, timeout: float = 30.0) -> ActionSpec:
    """The spec for ``verb`` on ``containers`` (already filtered with ``applicable``)."""
    v = VERBS[verb]
    by_id = {c.id: c for c in containers}

    def execute(target: Target, timeout: float) -> str | None:
        c = by_id[target.id]
        if verb == "remove":
            adapter.remove(target.id, timeout=timeout, force=c.running or c.state == "paused")
        else:
            getattr(adapter, verb)(target.id, timeout=timeout)
        return None

    def preview(target: Target) -> Preview:
        c = by_id[target.id]
        notes = []
        if verb == "remove":
            notes.append("its writable layer is deleted; named volumes are kept")
            if c.state in ("running", "paused", "restarting"):
                notes.append("it is running: it will be killed first (force)")
        if verb in ("stop", "kill", "restart", "pause") and c.compose_project:
            notes.append(f"part of compose project {c.compose_project} (service {c.compose_service})")
        return Preview((Change("state", c.status, v.after),), notes=tuple(notes))

    def verify(target: Target, progress: Any, deadline: float) -> None:
        # converged = the state, plus health where the image has a HEALTHCHECK, plus a new
        # start time for start/restart (a restart that did not happen is not "running")
        fresh = verb in ("start", "restart")
        adapter.wait_for(target.id, v.wait_for, deadline, progress, gone=verb == "remove",
                         healthy=v.wait_for == ("running",),
                         started_after=by_id[target.id].started_at if fresh else None)

    def undo(target: Target) -> ActionSpec:
        c = by_id[target.id]
        return container_action(adapter, v.inverse, [c], target.context, target.production, timeout)

    names = ", ".join(c.name for c in containers[:3]) + (f" +{len(containers) - 3}" if len(containers) > 3 else "")
    return ActionSpec(
        generation=adapter.generation,
        verb=verb,
        targets=tuple(container_target(c, host, production) for c in containers),
        risk=v.risk,
        execute=execute,
        preview=preview,
        verify=verify,
        undo=undo if v.inverse else None,
        undo_hint=v.undo_hint,
        timeout=timeout,
        verify_timeout=30.0,
        summary=f"{verb} container{'s' if len(containers) > 1 else ''} {names} on {host}",
        details={"image": ", ".join(sorted({c.image for c in containers})), "verb": verb,
                 "inverse": v.inverse},
        undo_kind=UNDO_KIND if v.inverse else "",
    )


def host_label(host: Any) -> str:
    """The label the tab shows for a Docker host (BackendInfo.target), kept in the records as context."""
    return host.name if host.name == host.host else f"{host.name} ({host.host})"


def undo_container_state(record: Mapping[str, Any], services: Any) -> ActionSpec:
    """From the changelog: the inverse of a recorded stop/start/kill/pause/unpause."""
    where = f"audit record {record.get('action_id', '?')}"
    params = record.get("undo_params") or {}
    verb, inverse = str(params.get("verb") or record.get("verb") or ""), str(params.get("inverse") or "")
    if verb not in VERBS or inverse not in VERBS or VERBS[verb].inverse != inverse:
        raise InvalidInput(f"{where}: no container undo for verb {verb!r}", source="containers.undo")
    target = target_from_record(record)
    if not target.id:
        raise InvalidInput(f"{where}: the record has no container id", source="containers.undo")
    adapter = services.docker()
    current = host_label(adapter.host)
    if target.context and target.context != current:
        raise InvalidInput(f"{where}: it was done on Docker host {target.context}, the console is on {current}: "
                           "switch host first", source="containers.undo")
    state = VERBS[verb].wait_for[0]
    container = ContainerSummary(id=target.id, name=target.name, image=str(params.get("image", "")), image_id="",
                                 state=state, status=f"{state} (after the recorded {verb})")
    return container_action(adapter, inverse, [container], target.context, target.production)


def shell_session(adapter: ContainerControl, container: ContainerSummary, host: str, argv: list[str],
                  production: bool = False) -> ActionSpec:
    """The audited description of ``s`` (docker exec -it) into ``container``; it runs in the
    terminal, not through the runner (console.actions.sessions records it)."""
    def not_through_the_runner(target: Target, timeout: float) -> str:
        raise InvalidInput("a shell session runs in the terminal, not through the guarded runner",
                           source="containers.shell")

    return ActionSpec(
        generation=adapter.generation, verb="shell", risk=Risk.LOW,
        summary=f"shell into container {container.name}",
        targets=(container_target(container, host, production),), execute=not_through_the_runner,
        undo_hint="none: an interactive session; what was typed in it is not recorded",
        details={"command": " ".join(argv)},
    )


# registered by console.actions.registry.register_all() at start-up
UNDO_FACTORIES: dict[str, UndoFactory] = {UNDO_KIND: undo_container_state}
