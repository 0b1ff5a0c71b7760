"""Deploy, roll back, pause and watch Kubernetes Deployments (sync; call from workers).

Pure logic on JSON dicts first (revision history from the ReplicaSets'
``deployment.kubernetes.io/revision`` annotations, pod-template diffs, the set-image
plan), then ``RolloutBackend`` with the API calls: dry run (``dryRun=All``), apply, rollback
as ``kubectl rollout undo`` does, pause/resume, and ``watch_rollout`` (progress snapshots).
"""

from __future__ import annotations

import copy
import dataclasses
import re
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from console import actor
from console.actor import change_cause
from console.backends.kube_client import make_api_client, resolve_context
from console.backends.kube_http import MERGE, KubeHttp, resource_path
from console.backends.kube_rows import parse_time
from console.backends.rollout_strategy import pdb_headroom, strategy_of
from console.backends.rollout_undo import CHANGE_CAUSE, annotation_changes, rollback_annotations
from console.backends.rollout_watch import RolloutWatcher
from console.config import Config
from console.errors import Conflict, InvalidInput, NotFound, OpsError, Unavailable
from console.models.rollout import (
    DryRun,
    ImageChange,
    Images,
    Revision,
    RolloutPlan,
    RolloutSnapshot,
    follow_rollout,
    strip_hash,
    template_diff,
)

if TYPE_CHECKING:  # pragma: no cover
    from console.backends.kubernetes import KubernetesBackend

REVISION = "deployment.kubernetes.io/revision"
JSON_PATCH = "application/json-patch+json"
_PATH = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
IMAGE_RE = re.compile(rf"^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?{_PATH}(?:/{_PATH})*(?::\w[\w.-]{{0,127}})?(?:@sha256:[a-f0-9]{{64}})?$")


# -- pure logic --------------------------------------------------------------------------
def images_of(template: dict[str, Any]) -> Images:
    containers = (template.get("spec") or {}).get("containers") or []
    return tuple((str(c.get("name", "")), str(c.get("image", ""))) for c in containers)


def revision_number(obj: dict[str, Any]) -> int:
    raw = ((obj.get("metadata") or {}).get("annotations") or {}).get(REVISION, "")
    return int(raw) if str(raw).isdigit() else 0


def owned_by(rs: dict[str, Any], deployment: dict[str, Any]) -> bool:
    uid = (deployment.get("metadata") or {}).get("uid")
    refs = (rs.get("metadata") or {}).get("ownerReferences") or []
    return any(r.get("controller") and r.get("uid") == uid for r in refs)


def revision_history(deployment: dict[str, Any], replicasets: list[dict[str, Any]]) -> tuple[Revision, ...]:
    """Revisions newest first; the one whose template equals the Deployment's is current."""
    current_template = strip_hash(deployment.get("spec", {}).get("template", {}))
    out = []
    for rs in replicasets:
        if not owned_by(rs, deployment) or not revision_number(rs):
            continue
        meta, template = rs.get("metadata") or {}, rs.get("spec", {}).get("template", {})
        status = rs.get("status") or {}
        out.append(Revision(
            number=revision_number(rs), name=str(meta.get("name", "")), created=parse_time(meta.get("creationTimestamp")),
            images=images_of(template), change_cause=str((meta.get("annotations") or {}).get(CHANGE_CAUSE, "")),
            replicas=int(status.get("replicas") or 0), ready=int(status.get("readyReplicas") or 0),
            current=strip_hash(template) == current_template, template=strip_hash(template),
            annotations={str(k): str(v) for k, v in (meta.get("annotations") or {}).items()}))
    out.sort(key=lambda r: r.number, reverse=True)
    if out and not any(r.current for r in out):  # fall back to the Deployment's own annotation
        want = revision_number(deployment)
        out = [Revision(**{**r.__dict__, "current": r.number == want}) for r in out]
    return tuple(out)


def check_image(image: str) -> str:
    """"" when ``image`` looks like an image reference, else what is wrong with it."""
    if not image or image != image.strip():
        return "image is empty or has surrounding spaces"
    if any(ch.isspace() for ch in image):
        return f"image {image!r} contains spaces"
    if not IMAGE_RE.match(image):
        return (f"image {image!r} is not a valid image reference "
                "(lower-case [registry/]repository, optional :tag and @sha256:digest)")
    return ""


def set_image_changes(template: dict[str, Any], new_images: dict[str, str]) -> tuple[ImageChange, ...]:
    current = dict(images_of(template))
    unknown = sorted(set(new_images) - set(current))
    if unknown:
        raise InvalidInput(f"no container named {', '.join(unknown)} (containers: {', '.join(current)})",
                           source="rollout.set_image")
    for image in new_images.values():
        problem = check_image(image)
        if problem:
            raise InvalidInput(problem, source="rollout.set_image")
    return tuple(ImageChange(name, image, new_images.get(name, image)) for name, image in current.items())


def set_image_patch(deployment: dict[str, Any], new_images: dict[str, str], change_cause: str) -> list[dict[str, Any]]:
    """JSON patch: each container's image by index, guarded by a test of its name (so a
    Deployment edited meanwhile is refused, not mis-patched), plus the change-cause."""
    ops: list[dict[str, Any]] = []
    containers = deployment.get("spec", {}).get("template", {}).get("spec", {}).get("containers") or []
    for i, c in enumerate(containers):
        if c.get("name") in new_images:
            base = f"/spec/template/spec/containers/{i}"
            ops += [{"op": "test", "path": f"{base}/name", "value": c["name"]},
                    {"op": "replace" if "image" in c else "add", "path": f"{base}/image", "value": new_images[c["name"]]}]
    if (deployment.get("metadata") or {}).get("annotations") is None:
        ops.append({"op": "add", "path": "/metadata/annotations", "value": {CHANGE_CAUSE: change_cause}})
    else:
        ops.append({"op": "add", "path": "/metadata/annotations/" + CHANGE_CAUSE.replace("/", "~1"), "value": change_cause})
    return ops


def rollback_patch(deployment: dict[str, Any], revision: Revision, change_cause: str = "") -> list[dict[str, Any]]:
    """JSON patch kubectl rollout undo sends: the old template, the ReplicaSet's annotations;
    with ``change_cause`` (who rolled back and why) that replaces the revision's own cause."""
    annotations = rollback_annotations(deployment, revision)
    if change_cause:
        annotations[CHANGE_CAUSE] = change_cause
    return [{"op": "replace", "path": "/spec/template", "value": strip_hash(revision.template)},
            {"op": "replace" if "annotations" in (deployment.get("metadata") or {}) else "add",
             "path": "/metadata/annotations", "value": annotations}]


def previous_revision(history: tuple[Revision, ...]) -> Revision:
    """The newest revision that is not current (kubectl's default for rollout undo)."""
    older = [r for r in history if not r.current]
    if not older:
        raise NotFound("no earlier revision to roll back to", source="rollout.rollback")
    return older[0]


CHANGED = "changed since the plan was made — review the new plan"


# -- the adapter ---------------------------------------------------------------------------
class RolloutBackend:
    """Deployment revisions, plans and rollouts in one kube context (standalone: its own
    client; as ``kube.rollout``: the owner's client and context)."""

    MUTATIONS = frozenset({"set_image", "rollback", "pause", "resume"})

    def __init__(self, config: Config, http: KubeHttp | None = None, owner: KubernetesBackend | None = None) -> None:
        self.config = config
        self.timeout = config.kubernetes.timeout
        self._http, self._owner = http, owner
        self._lock = threading.Lock()
        self._context = config.kubernetes.context or ""
        self.generation = owner.generation if owner is not None else 0

    @property
    def context(self) -> str:
        return self._owner.context if self._owner is not None else self._context

    @property
    def http(self) -> KubeHttp:
        if self._owner is not None:
            return self._owner.connected_http()
        with self._lock:  # workers of several screens may ask at once
            if self._http is None:
                ctx = resolve_context(self.config)
                self._context = ctx.name
                self._http = KubeHttp(make_api_client(self.config, ctx.name), self.timeout)
            return self._http

    def close(self) -> None:  # a part leaves the owner's client to the owner
        if self._owner is None and self._http is not None:
            self._http.api.close()
            self._http = None

    @property
    def production(self) -> bool:
        _ = self.http
        return self.config.is_production_context(self.context)

    # -- reads ---------------------------------------------------------------------------
    def deployment(self, namespace: str, name: str) -> dict[str, Any]:
        return self.http.json("GET", resource_path("deployments", namespace, name), call=f"rollout.get {namespace}/{name}")

    def replicasets(self, deployment: dict[str, Any]) -> list[dict[str, Any]]:
        meta = deployment.get("metadata") or {}
        match = (deployment.get("spec", {}).get("selector") or {}).get("matchLabels") or {}
        query = {"labelSelector": ",".join(f"{k}={v}" for k, v in match.items()) or None}
        data = self.http.json("GET", resource_path("replicasets", meta.get("namespace")), query=query,
                              call=f"rollout.replicasets {meta.get('namespace')}/{meta.get('name')}")
        return [rs for rs in data.get("items") or [] if owned_by(rs, deployment)]

    def history(self, namespace: str, name: str) -> tuple[Revision, ...]:
        dep = self.deployment(namespace, name)
        return revision_history(dep, self.replicasets(dep))

    def pdbs(self, namespace: str) -> list[dict[str, Any]] | None:
        try:
            data = self.http.json("GET", f"/apis/policy/v1/namespaces/{namespace}/poddisruptionbudgets",
                                  call=f"rollout.pdbs {namespace}")
        except (NotFound, Unavailable):
            return None
        return list(data.get("items") or [])

    def _plan(self, dep: dict[str, Any], verb: str, changes: tuple[ImageChange, ...], target: dict[str, Any],
              revision_after: int = 0) -> RolloutPlan:
        meta, spec = dep.get("metadata") or {}, dep.get("spec") or {}
        strategy, surge, unavailable = strategy_of(dep)
        labels = (spec.get("template", {}).get("metadata") or {}).get("labels") or {}
        notes = ("the Deployment is paused: nothing rolls out until it is resumed",) if spec.get("paused") else ()
        return RolloutPlan(
            verb=verb, context=self.context, namespace=str(meta.get("namespace", "")), name=str(meta.get("name", "")),
            changes=changes, replicas=int(spec.get("replicas", 1) or 0), strategy=strategy, max_surge=surge,
            max_unavailable=unavailable, pdb=pdb_headroom(self.pdbs(str(meta.get("namespace", ""))), labels),
            revision_before=revision_number(dep), revision_after=revision_after,
            production=self.config.is_production_context(self.context),
            diff=template_diff(spec.get("template", {}), target), notes=notes,
            generation=int(meta.get("generation") or 0))

    def plan_set_image(self, namespace: str, name: str, new_images: dict[str, str]) -> RolloutPlan:
        dep = self.deployment(namespace, name)
        template = dep.get("spec", {}).get("template", {})
        changes = set_image_changes(template, new_images)
        target = copy.deepcopy(template)
        for c in target.get("spec", {}).get("containers", []):
            c["image"] = new_images.get(c.get("name"), c.get("image"))
        return self._plan(dep, "set image", changes, target)

    def plan_rollback(self, namespace: str, name: str, to_revision: int = 0) -> RolloutPlan:
        dep = self.deployment(namespace, name)
        revision = self._pick(dep, to_revision)
        before = dict(images_of(dep.get("spec", {}).get("template", {})))
        after = dict(revision.images)
        changes = tuple(ImageChange(n, before.get(n, "-"), after.get(n, "-")) for n in dict.fromkeys([*before, *after]))
        plan = self._plan(dep, "rollback", changes, revision.template, revision.number)
        return dataclasses.replace(plan, notes=(*plan.notes, *annotation_changes(dep, revision)))

    def _pick(self, dep: dict[str, Any], to_revision: int) -> Revision:
        history = revision_history(dep, self.replicasets(dep))
        if not to_revision:
            return previous_revision(history)
        for r in history:
            if r.number == to_revision:
                if r.current:
                    raise Conflict(f"revision {to_revision} is already the current one", source="rollout.rollback")
                return r
        known = ", ".join(str(r.number) for r in history) or "none"
        raise NotFound(f"revision {to_revision} not found (known: {known})", source="rollout.rollback")

    # -- dry run and mutations -----------------------------------------------------------
    def _patch(self, namespace: str, name: str, body: Any, content_type: str, call: str, *,
               dry_run: bool = False, timeout: float | None = None) -> dict[str, Any]:
        query = {"dryRun": "All"} if dry_run else None
        try:
            return self.http.json("PATCH", resource_path("deployments", namespace, name), body=body, query=query,
                                  content_type=content_type, timeout=timeout, call=call)
        except (Conflict, InvalidInput) as exc:
            guarded = isinstance(body, list) and any(isinstance(op, dict) and op.get("op") == "test" for op in body)
            if not (guarded or isinstance(exc, Conflict)):
                raise
            # the real server answers a failed guard with 422 and a write race with 409
            raise Conflict(f"deployment {namespace}/{name} {CHANGED} (server: {exc.body})", source=call) from None

    @staticmethod
    def _guard(dep: dict[str, Any], expect_generation: int | None) -> list[dict[str, Any]]:
        """A JSON-patch test that the spec is still the one the plan was made from."""
        if expect_generation is None:
            return []
        now = int((dep.get("metadata") or {}).get("generation") or 0)
        if now != expect_generation:
            raise Conflict(f"the Deployment {CHANGED} (generation {expect_generation} → {now})",
                           source="rollout.plan")
        return [{"op": "test", "path": "/metadata/generation", "value": expect_generation}]

    def _rollback_body(self, namespace: str, name: str, to_revision: int,
                       expect_generation: int | None = None) -> tuple[list[dict[str, Any]], Revision]:
        dep = self.deployment(namespace, name)
        guard = self._guard(dep, expect_generation)
        revision = self._pick(dep, to_revision)
        cause = change_cause(f"opsconsole rollback to revision {revision.number}") if actor.current() else ""
        return guard + rollback_patch(dep, revision, cause), revision

    def dry_run_set_image(self, namespace: str, name: str, new_images: dict[str, str], reason: str = "",
                          expect_generation: int | None = None) -> DryRun:
        """The API server's answer to the change with dryRun=All (never raises)."""
        try:
            dep = self.deployment(namespace, name)
            guard = self._guard(dep, expect_generation)
            set_image_changes(dep.get("spec", {}).get("template", {}), new_images)
            body = guard + set_image_patch(dep, new_images, reason or "opsconsole set image")
            out = self._patch(namespace, name, body, JSON_PATCH,
                              f"rollout.dry_run {namespace}/{name}", dry_run=True)
        except OpsError as exc:
            return DryRun(False, f"{exc.title}: {exc}")
        got = dict(images_of(out.get("spec", {}).get("template", {})))
        wrong = {c: i for c, i in new_images.items() if got.get(c) != i}
        if wrong:
            return DryRun(False, f"the server would not set {', '.join(f'{c}={i}' for c, i in wrong.items())}")
        return DryRun(True, f"accepted by the API server (dryRun=All): {', '.join(f'{c}={i}' for c, i in new_images.items())}")

    def dry_run_rollback(self, namespace: str, name: str, to_revision: int = 0,
                         expect_generation: int | None = None) -> DryRun:
        try:
            body, revision = self._rollback_body(namespace, name, to_revision, expect_generation)
            self._patch(namespace, name, body, JSON_PATCH,
                        f"rollout.dry_run_rollback {namespace}/{name}", dry_run=True)
        except OpsError as exc:
            return DryRun(False, f"{exc.title}: {exc}")
        return DryRun(True, f"accepted by the API server (dryRun=All): template of revision {revision.number}")

    def set_image(self, namespace: str, name: str, new_images: dict[str, str], *, reason: str = "",
                  expect_generation: int | None = None, timeout: float) -> str:
        dep = self.deployment(namespace, name)
        guard = self._guard(dep, expect_generation)
        changes = set_image_changes(dep.get("spec", {}).get("template", {}), new_images)
        cause = f"opsconsole set image {', '.join(f'{c}={i}' for c, i in new_images.items())}"
        cause = f"{cause} ({reason})" if reason else change_cause(cause)  # who and why, from the guarded path
        self._patch(namespace, name, guard + set_image_patch(dep, new_images, cause), JSON_PATCH,
                    f"rollout.set_image {namespace}/{name}", timeout=timeout)
        return ", ".join(f"{c.container}: {c.before} → {c.after}" for c in changes if c.changed)

    def rollback(self, namespace: str, name: str, to_revision: int = 0, *, expect_generation: int | None = None,
                 timeout: float) -> str:
        body, revision = self._rollback_body(namespace, name, to_revision, expect_generation)
        self._patch(namespace, name, body, JSON_PATCH,
                    f"rollout.rollback {namespace}/{name}", timeout=timeout)
        return f"rolled back to revision {revision.number}"

    def pause(self, namespace: str, name: str, *, timeout: float) -> str:
        self._patch(namespace, name, {"spec": {"paused": True}}, MERGE, f"rollout.pause {namespace}/{name}", timeout=timeout)
        return "paused"

    def resume(self, namespace: str, name: str, *, timeout: float) -> str:
        self._patch(namespace, name, {"spec": {"paused": None}}, MERGE, f"rollout.resume {namespace}/{name}",
                    timeout=timeout)
        return "resumed"

    # -- watching -----------------------------------------------------------------------
    def watch_rollout(self, namespace: str, name: str, *, timeout: float, interval: float = 1.0,
                      log_lines: int = 5) -> Iterator[RolloutSnapshot]:
        """Snapshots every ``interval`` s until complete, failed or ``timeout`` s passed."""
        watcher = RolloutWatcher(self.http, namespace, name, log_lines=log_lines)
        return follow_rollout(lambda timed_out: watcher.look(timed_out=timed_out), timeout=timeout, interval=interval)
