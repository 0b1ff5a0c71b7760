"""Kubernetes: image digests, high UIDs, pod security contexts, CPU limits, capabilities beyond
the runtime's default set, NetworkPolicy coverage and RBAC (wildcards, cluster-admin, secrets)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from checks.model import Hit, Severity
from checks.registry import rule

K8S = "https://kubernetes.io/docs"
PSS = f"{K8S}/concepts/security/pod-security-standards/"
RBAC = f"{K8S}/reference/access-authn-authz/rbac/"
# What containerd/Docker grant by default; anything added beyond these widens the container.
DEFAULT_CAPS = {"CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP",
                "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE"}
HIGH_UID = 10000
ROLE_KINDS = ("Role", "ClusterRole")
BINDING_KINDS = ("RoleBinding", "ClusterRoleBinding")


def _containers(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for key in ("containers", "initContainers"):
        for c in spec.get(key) or []:
            if isinstance(c, dict):
                yield c


def _sc(obj: dict[str, Any]) -> dict[str, Any]:
    value = obj.get("securityContext")
    return value if isinstance(value, dict) else {}


@rule("OPS-K8S-022", "Image not pinned by digest", Severity.LOW, "supply-chain", "kubernetes:workload",
      "Use image@sha256:<digest> so every node runs the same bytes.", f"{K8S}/concepts/containers/images/#image-names")
def image_digest(obj, spec):
    for c in _containers(spec):
        image = str(c.get("image") or "")
        if image and "@sha256:" not in image:
            yield Hit(f"container {c.get('name', '?')}: image {image} has no digest", "image")


@rule("OPS-K8S-023", "Container UID below 10000", Severity.LOW, "runtime", "kubernetes:workload",
      f"Set securityContext.runAsUser to {HIGH_UID} or more (no overlap with host users).", PSS)
def high_uid(obj, spec):
    for c in _containers(spec):
        uid = _sc(c).get("runAsUser", _sc(spec).get("runAsUser"))
        if not isinstance(uid, int) or uid < HIGH_UID:
            yield Hit(f"container {c.get('name', '?')}: runAsUser is {uid if uid is not None else 'not set'}", "runAsUser")


@rule("OPS-K8S-024", "No pod-level securityContext", Severity.LOW, "runtime", "kubernetes:workload",
      "Set spec.securityContext (runAsNonRoot, runAsUser, fsGroup, seccompProfile) for the whole pod.", PSS)
def pod_security_context(obj, spec):
    if not _sc(spec):
        yield Hit("the pod spec has no securityContext", "spec")


@rule("OPS-K8S-025", "Container without CPU limit", Severity.LOW, "resources", "kubernetes:workload",
      "Set resources.limits.cpu.", f"{K8S}/concepts/configuration/manage-resources-containers/")
def cpu_limit(obj, spec):
    for c in spec.get("containers") or []:
        if isinstance(c, dict) and "cpu" not in (((c.get("resources") or {}).get("limits")) or {}):
            yield Hit(f"container {c.get('name', '?')}: no cpu limit", "resources")


@rule("OPS-K8S-027", "Capabilities added beyond the default set", Severity.MEDIUM, "runtime", "kubernetes:workload",
      "Add only capabilities from the runtime's default set, and only those needed.", PSS)
def extra_caps(obj, spec):
    for c in _containers(spec):
        added = {str(x).upper().removeprefix("CAP_") for x in ((_sc(c).get("capabilities") or {}).get("add") or [])}
        extra = sorted(added - DEFAULT_CAPS)
        if extra:
            yield Hit(f"container {c.get('name', '?')}: adds {', '.join(extra)}", "capabilities")


def _rules_of(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in obj.get("rules") or [] if isinstance(r, dict)] if obj.get("kind") in ROLE_KINDS else []


@rule("OPS-K8S-028", "RBAC role with wildcard verbs or resources", Severity.HIGH, "iam", "kubernetes:object",
      "List the verbs and resources the subject needs instead of \"*\".", RBAC)
def rbac_wildcards(obj, spec):
    for r in _rules_of(obj):
        for field in ("verbs", "resources", "apiGroups"):
            if "*" in [str(v) for v in r.get(field) or []] and field != "apiGroups":
                yield Hit(f"{obj.get('kind')} grants {field} \"*\"", field)
                return


@rule("OPS-K8S-029", "Binding to cluster-admin", Severity.HIGH, "iam", "kubernetes:object",
      "Bind a role with only the permissions needed; keep cluster-admin for break-glass accounts.",
      f"{RBAC}#user-facing-roles")
def rbac_cluster_admin(obj, spec):
    ref = obj.get("roleRef") or {}
    if obj.get("kind") in BINDING_KINDS and isinstance(ref, dict) and ref.get("name") == "cluster-admin":
        yield Hit(f"{obj.get('kind')} binds cluster-admin", "roleRef")


@rule("OPS-K8S-030", "RBAC role can read secrets", Severity.MEDIUM, "iam", "kubernetes:object",
      "Grant get/list/watch on secrets only to what needs them, by resourceNames.", f"{RBAC}#referring-to-resources")
def rbac_secrets(obj, spec):
    for r in _rules_of(obj):
        resources = {str(v) for v in r.get("resources") or []}
        verbs = {str(v) for v in r.get("verbs") or []}
        if ("secrets" in resources or "*" in resources) and verbs & {"get", "list", "watch", "*"} \
                and not r.get("resourceNames"):
            yield Hit(f"{obj.get('kind')} can {'/'.join(sorted(verbs & {'get', 'list', 'watch', '*'}))} secrets", "resources")
            return


@rule("OPS-K8S-026", "Namespace without a NetworkPolicy", Severity.MEDIUM, "network", "kubernetes:collection",
      "Add a NetworkPolicy (at least a default deny) to every namespace that runs workloads.",
      f"{K8S}/concepts/services-networking/network-policies/")
def network_policy_coverage(objects: list[dict[str, Any]], workload_kinds: frozenset[str]) -> Iterator[Hit]:
    """Over a set of objects (a file, or the live cluster): namespaces with workloads and no policy."""
    covered = {(o.get("metadata") or {}).get("namespace") or "default" for o in objects
               if o.get("kind") == "NetworkPolicy"}
    seen: set[str] = set()
    for o in objects:
        ns = (o.get("metadata") or {}).get("namespace") or "default"
        if o.get("kind") in workload_kinds and ns not in covered and ns not in seen:
            seen.add(ns)
            yield Hit(f"namespace {ns} has workloads and no NetworkPolicy", "namespace")
