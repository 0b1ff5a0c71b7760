"""Live collection: read the estate through the adapters, normalise, run the live packs.

Every source failure becomes one "live source unavailable" finding naming the call;
the scan goes on with the other sources.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from checks.evidence import mask_secrets
from checks.model import LIVE_UNAVAILABLE, Finding, Location, finding_for, scan_note
from checks.registry import rules_for
from console.config import Config
from console.errors import OpsError, Unavailable


def _unavailable(name: str, why: str) -> Finding:
    return scan_note(LIVE_UNAVAILABLE, f"live source unavailable: {why}", Location(live=f"{name}://"))


def collect(name: str, config: Config, services: Any) -> list[Finding]:
    collectors: dict[str, Callable[[Any, Config], list[Finding]]] = {
        "docker": collect_docker, "kubernetes": collect_kubernetes, "aws": collect_aws,
    }
    if name not in collectors:
        return [_unavailable(name, f"unknown live source {name!r} (known: {', '.join(collectors)})")]
    if services is None:
        from console.services import Services

        services = Services(config)
    try:
        adapter = services.get(name)
        ensure_connected(name, adapter)
        return collectors[name](adapter, config)
    except OpsError as exc:
        return [_unavailable(name, f"{exc.title}: {exc}")]
    except (ImportError, AttributeError, TypeError, KeyError, ValueError, OSError) as exc:
        return [_unavailable(name, f"{name} collection failed: {type(exc).__name__}: {exc}")]


def ensure_connected(name: str, adapter: Any) -> None:
    """Connect only when needed: the adapter may be shared with a tab whose streams must
    not be cut by a reconnect."""
    if name == "docker":
        return  # DockerBackend.api connects on first use
    if name == "kubernetes":
        try:
            adapter.http  # noqa: B018 - raises Unavailable("not connected") before the first connect
            return
        except Unavailable:
            adapter.connect()
            return
    if not getattr(adapter, "account", ""):
        adapter.connect()


def run_live_rules(target: str, objects: list[tuple[str, str, dict[str, Any]]], ctx: dict[str, Any] | None = None) -> list[Finding]:
    """``objects``: (identity url, resource name, normalised dict) for the rules of ``target``."""
    out = []
    rules = rules_for(target)
    for identity, resource, obj in objects:
        for r in rules:
            hits = r.check(obj, ctx) if ctx is not None else r.check(obj)
            for hit in hits:
                out.append(finding_for(r, hit, Location(live=identity), resource, mask_secrets(hit.message)))
    return out


# -- Docker --------------------------------------------------------------------------------
def collect_docker(adapter: Any, config: Config) -> list[Finding]:
    """Reads with DockerBackend.list_containers and .inspect (its ``raw`` inspect answer)."""
    from checks.rules.docker_live import normalise

    host_info = getattr(adapter, "host", None)
    host = getattr(host_info, "name", None) or config.docker.host or "local"
    objects = []
    for summary in adapter.list_containers(all=True):
        detail = adapter.inspect(summary.id)
        data = normalise(getattr(detail, "raw", None) or detail)
        name = data.get("name") or summary.name
        objects.append((f"docker://{host}/{name}", name, data))
    return run_live_rules("docker:container", objects)


# -- Kubernetes ----------------------------------------------------------------------------
# The kinds checked live; pods, jobs and replica sets only when no controller owns them
# (the controller's template is checked instead, once).
KUBE_KINDS = {"deployments": "Deployment", "statefulsets": "StatefulSet", "daemonsets": "DaemonSet",
              "cronjobs": "CronJob", "jobs": "Job", "replicasets": "ReplicaSet", "pods": "Pod", "services": "Service"}
OWNED_KINDS = ("pods", "jobs", "replicasets")


def collect_kubernetes(adapter: Any, config: Config) -> list[Finding]:
    """Reads with KubernetesBackend.list (rows) and .get (the raw object of each row)."""
    from checks.rules.kubernetes import scan_live_objects

    objects = []
    for kind, kind_name in KUBE_KINDS.items():
        for row in adapter.list(kind, "*"):
            if kind in OWNED_KINDS and row.owner:
                continue
            obj = adapter.get(kind, row.namespace or None, row.name)
            if isinstance(obj, dict):
                obj.setdefault("kind", kind_name)
                objects.append(obj)
    context = getattr(adapter, "context", None) or config.kubernetes.context or "current"
    return scan_live_objects(objects, str(context))


# -- AWS -----------------------------------------------------------------------------------
def collect_aws(adapter: Any, config: Config) -> list[Finding]:
    from checks import live_aws

    region = getattr(adapter, "region", "") or config.aws.region or ""
    account = getattr(adapter, "account", "") or "account"
    ctx = {"now": datetime.now(UTC), "required_tags": config.aws.required_tags}
    findings: list[Finding] = []
    tagged: list[tuple[str, str, dict[str, Any]]] = []
    for target, reader in live_aws.READERS.items():
        try:
            objects = reader(adapter, account, region)
        except OpsError as exc:
            findings.append(_unavailable("aws", f"{target}: {exc.title}: {exc}"))
            continue
        findings.extend(run_live_rules(target, objects, ctx))
        tagged.extend(o for o in objects if "tags" in o[2])
    if config.aws.required_tags:
        findings.extend(run_live_rules("aws:tagged", tagged, ctx))
    return findings
