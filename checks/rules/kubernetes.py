"""Kubernetes rules over manifests (multi-document YAML) and live objects (plain dicts)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from checks.evidence import mask_secrets
from checks.model import (
    PARSE_ERROR,
    SKIPPED_FILE,
    UNCHECKED_FILE,
    Finding,
    Hit,
    Location,
    Severity,
    finding_for,
    scan_note,
)
from checks.plain import looks_secret
from checks.registry import rule, rules_for
from checks.rules.repo import is_placeholder

K8S = "https://kubernetes.io/docs"
PSS = f"{K8S}/concepts/security/pod-security-standards/"
WORKLOADS = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "ReplicationController"}
DANGEROUS_CAPS = {"ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "DAC_READ_SEARCH", "NET_RAW", "BPF"}


RUN_TO_COMPLETION = "\x00run-to-completion"  # set on Job/CronJob pod specs: probes do not apply there


def pod_spec(obj: dict[str, Any]) -> dict[str, Any] | None:
    spec = _pod_spec(obj)
    if spec is not None and obj.get("kind") in ("Job", "CronJob"):
        spec = {**spec, RUN_TO_COMPLETION: True}
    return spec


def _pod_spec(obj: dict[str, Any]) -> dict[str, Any] | None:
    kind = obj.get("kind")
    spec = obj.get("spec") or {}
    if kind == "Pod":
        return spec if isinstance(spec, dict) else None
    if kind == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec") or {}) if isinstance(spec, dict) else {}
    if kind in WORKLOADS and isinstance(spec, dict):
        template = (spec.get("template") or {}).get("spec")
        return template if isinstance(template, dict) else None
    return None


def containers(spec: dict[str, Any], init: bool = True) -> Iterator[dict[str, Any]]:
    keys = ("containers", "initContainers") if init else ("containers",)
    for key in keys:
        for c in spec.get(key) or []:
            if isinstance(c, dict):
                yield c


def _sc(c: dict[str, Any]) -> dict[str, Any]:
    return c.get("securityContext") or {}


def _workload_rule(id, title, severity, category, remediation, reference=PSS):
    return rule(id, title, severity, category, "kubernetes:workload", remediation, reference)


def _per_container(pred: Callable[[dict, dict], str | None], attribute: str, init: bool = True):
    def check(obj, spec):
        for c in containers(spec, init):
            why = pred(c, spec)
            if why:
                yield Hit(f"container {c.get('name', '?')}: {why}", attribute)
    return check


def _register(id, title, severity, category, remediation, pred, attribute, init=True, reference=PSS):
    return _workload_rule(id, title, severity, category, remediation, reference)(_per_container(pred, attribute, init))


_register("OPS-K8S-001", "Container without resource requests", Severity.MEDIUM, "resources",
          "Set resources.requests.cpu and resources.requests.memory.",
          lambda c, s: None if all(k in ((c.get("resources") or {}).get("requests") or {})
                                   or k in ((c.get("resources") or {}).get("limits") or {}) for k in ("cpu", "memory"))
          else "no cpu/memory requests (nor limits, which requests default to)", "resources", False, f"{K8S}/concepts/configuration/manage-resources-containers/")
_register("OPS-K8S-002", "Container without memory limit", Severity.MEDIUM, "resources", "Set resources.limits.memory.",
          lambda c, s: None if "memory" in ((c.get("resources") or {}).get("limits") or {}) else "no memory limit",
          "resources", False, f"{K8S}/concepts/configuration/manage-resources-containers/")


def _non_root(c, s):
    psc = s.get("securityContext") or {}
    non_root = _sc(c).get("runAsNonRoot", psc.get("runAsNonRoot"))
    user = _sc(c).get("runAsUser", psc.get("runAsUser"))
    if non_root is True or (isinstance(user, int) and user > 0):
        return None
    return "runAsNonRoot is not true and runAsUser is not a non-zero uid"


_register("OPS-K8S-003", "Container may run as root", Severity.HIGH, "runtime", "Set securityContext.runAsNonRoot: true and a runAsUser.",
          _non_root, "securityContext")
_register("OPS-K8S-004", "Privileged container", Severity.CRITICAL, "runtime", "Remove securityContext.privileged: true.",
          lambda c, s: "privileged: true" if _sc(c).get("privileged") is True else None, "privileged")
_register("OPS-K8S-005", "Privilege escalation allowed", Severity.MEDIUM, "runtime",
          "Set securityContext.allowPrivilegeEscalation: false.",
          lambda c, s: None if _sc(c).get("allowPrivilegeEscalation") is False else "allowPrivilegeEscalation is not false",
          "securityContext")
_register("OPS-K8S-006", "Writable root filesystem", Severity.LOW, "runtime", "Set securityContext.readOnlyRootFilesystem: true.",
          lambda c, s: None if _sc(c).get("readOnlyRootFilesystem") is True else "readOnlyRootFilesystem is not true", "securityContext")
_register("OPS-K8S-007", "Dangerous capabilities added", Severity.HIGH, "runtime", "Drop the added capabilities; add only what is needed.",
          lambda c, s: (lambda add: f"adds {', '.join(sorted(add))}" if add else None)(
              {str(x).upper() for x in ((_sc(c).get("capabilities") or {}).get("add") or [])} & DANGEROUS_CAPS), "capabilities")
_register("OPS-K8S-008", "Capabilities not dropped", Severity.LOW, "runtime", "Set securityContext.capabilities.drop: [ALL].",
          lambda c, s: None if "ALL" in [str(x).upper() for x in ((_sc(c).get("capabilities") or {}).get("drop") or [])]
          else "capabilities.drop does not include ALL", "securityContext")


def _image_tag(c, s):
    image = str(c.get("image") or "")
    if not image:
        return "no image"
    if "@sha256:" in image:
        return None
    tag = image.rsplit("/", 1)[-1].partition(":")[2]
    return None if tag and tag != "latest" else f"image {image} uses {'latest' if tag else 'no tag (latest)'}"


_register("OPS-K8S-013", "Image tag latest or missing", Severity.MEDIUM, "supply-chain", "Pin the image to a version tag or digest.",
          _image_tag, "image", True, f"{K8S}/concepts/containers/images/#image-names")
_register("OPS-K8S-014", "Container without liveness probe", Severity.LOW, "resilience", "Add a livenessProbe.",
          lambda c, s: None if c.get("livenessProbe") or s.get(RUN_TO_COMPLETION) else "no livenessProbe", "name", False,
          f"{K8S}/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/")
_register("OPS-K8S-015", "Container without readiness probe", Severity.LOW, "resilience", "Add a readinessProbe.",
          lambda c, s: None if c.get("readinessProbe") or s.get(RUN_TO_COMPLETION) else "no readinessProbe", "name", False,
          f"{K8S}/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/")
_register("OPS-K8S-018", "Container uses a hostPort", Severity.MEDIUM, "network", "Expose the port through a Service instead.",
          lambda c, s: "hostPort set" if any(isinstance(p, dict) and p.get("hostPort") for p in c.get("ports") or []) else None, "hostPort")
_register("OPS-K8S-021", "Secret as a literal environment value", Severity.HIGH, "secrets",
          "Use valueFrom.secretKeyRef instead of a literal value.",
          lambda c, s: next((f"env {e.get('name')} holds a literal secret" for e in c.get("env") or []
                             if isinstance(e, dict) and looks_secret(str(e.get("name", ""))) and e.get("value")
                             and not is_placeholder(str(e.get("value")))), None),
          "env", True, f"{K8S}/concepts/configuration/secret/#using-secrets-as-environment-variables")


def _pod_flag(id, title, key):
    @_workload_rule(id, title, Severity.HIGH, "runtime", f"Remove {key}: true from the pod spec.")
    def check(obj, spec):
        if spec.get(key) is True:
            yield Hit(f"{key}: true", key)
    return check


_pod_flag("OPS-K8S-010", "Pod shares the host network", "hostNetwork")
_pod_flag("OPS-K8S-011", "Pod shares the host PID namespace", "hostPID")
_pod_flag("OPS-K8S-012", "Pod shares the host IPC namespace", "hostIPC")


@_workload_rule("OPS-K8S-009", "hostPath volume", Severity.HIGH, "runtime", "Use a PersistentVolumeClaim, configMap or emptyDir instead.")
def k8s_host_path(obj, spec):
    for vol in spec.get("volumes") or []:
        if isinstance(vol, dict) and vol.get("hostPath"):
            yield Hit(f"volume {vol.get('name')} mounts host path {(vol['hostPath'] or {}).get('path', '?')}", "hostPath")


@_workload_rule("OPS-K8S-017", "Service account token automounted", Severity.LOW, "iam",
                "Set automountServiceAccountToken: false unless the pod calls the API.",
                f"{K8S}/tasks/configure-pod-container/configure-service-account/")
def k8s_automount(obj, spec):
    if spec.get("automountServiceAccountToken") is not False:
        yield Hit("automountServiceAccountToken is not false")


@_workload_rule("OPS-K8S-019", "No seccomp profile", Severity.LOW, "runtime", "Set securityContext.seccompProfile.type: RuntimeDefault.")
def k8s_seccomp(obj, spec):
    if not ((spec.get("securityContext") or {}).get("seccompProfile")) and \
            not all((_sc(c).get("seccompProfile")) for c in containers(spec)):
        yield Hit("seccompProfile is not set (Unconfined on many runtimes)")


@rule("OPS-K8S-016", "Object in the default namespace", Severity.LOW, "hygiene", "kubernetes:object",
      "Put workloads in a dedicated namespace.", f"{K8S}/concepts/overview/working-with-objects/namespaces/")
def k8s_default_ns(obj, spec):
    meta = obj.get("metadata") or {}
    if meta.get("namespace") == "default" and obj.get("kind") in WORKLOADS | {"Service", "ConfigMap", "Secret"}:
        yield Hit("namespace: default", "namespace")


@rule("OPS-K8S-020", "LoadBalancer Service open to the internet", Severity.MEDIUM, "network", "kubernetes:object",
      "Set spec.loadBalancerSourceRanges to the CIDRs that need access.", f"{K8S}/concepts/services-networking/service/#loadbalancer")
def k8s_lb_open(obj, spec):
    s = obj.get("spec") or {}
    if obj.get("kind") == "Service" and s.get("type") == "LoadBalancer" and not s.get("loadBalancerSourceRanges"):
        yield Hit("type LoadBalancer without loadBalancerSourceRanges", "type")


def check_object(obj: dict[str, Any]) -> Iterator[tuple[Any, Hit]]:
    """(rule, hit) for one object, manifest or live."""
    spec = pod_spec(obj)
    for r in rules_for("kubernetes:object"):
        for hit in r.check(obj, spec):
            yield r, hit
    if spec is not None:
        for r in rules_for("kubernetes:workload"):
            for hit in r.check(obj, spec):
                yield r, hit


def object_name(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    ns = meta.get("namespace")
    return f"{obj.get('kind', '?')}/{ns + '/' if ns else ''}{meta.get('name', '?')}"


def _documents(text: str) -> Iterator[tuple[int, int, str]]:
    """(first line, last line, text) of each YAML document."""
    lines = text.splitlines()
    start = 0
    for i, line in enumerate(lines + ["---"]):
        if re.match(r"^---(\s|$)", line) or i == len(lines):
            if i > start:
                yield start + 1, i, "\n".join(lines[start:i])
            start = i + 1


def _line_of(doc_lines: list[str], first: int, attribute: str, after: str) -> int:
    key = attribute.split(".")[-1]
    begin = 0
    if after:
        for n, line in enumerate(doc_lines):
            if re.search(r"name[\"']?:\s*[\"']?" + re.escape(after) + r"[\"']?,?\s*$", line):
                begin = n
                break
    for n in range(begin, len(doc_lines)):
        if key and re.match(r"^\s*-?\s*[\"']?" + re.escape(key) + r"[\"']?\s*:", doc_lines[n]):
            return first + n
    return first + begin


Sink = list  # (display, line, object) of every manifest object, for rules over a whole set (NetworkPolicy coverage)


def scan_manifests(display: str, text: str, json_text: bool = False, sink: Sink | None = None) -> list[Finding]:
    """Findings of every manifest in a YAML (multi-document) or JSON file. With ``sink`` the
    objects are collected there for :func:`collection_findings` over the whole scan;
    without it the collection rules run over this file alone."""
    own: Sink = [] if sink is None else sink
    out = _scan_manifests(display, text, json_text, own)
    if sink is None:
        out.extend(collection_findings(own))
    return out


def collection_findings(objects: Sink) -> list[Finding]:
    """Rules over a set of objects (one scan's manifests, or a live cluster)."""
    out = []
    plain = [obj for _, _, obj in objects]
    for r in rules_for("kubernetes:collection"):
        for hit in r.check(plain, frozenset(WORKLOADS)):
            ns = hit.message.split()[1] if hit.message.startswith("namespace ") else ""
            where = next(((d, line, o) for d, line, o in objects if o.get("kind") in WORKLOADS
                          and ((o.get("metadata") or {}).get("namespace") or "default") == ns), objects[0])
            display, line, obj = where
            location = Location(display, line, line) if line else Location(live=display)
            out.append(finding_for(r, hit, location, object_name(obj), ""))
    return out


def _scan_manifests(display: str, text: str, json_text: bool, sink: Sink) -> list[Finding]:
    if "apiVersion" not in text or "kind" not in text:
        return []  # not a Kubernetes manifest (CI config, compose file, ...)
    if json_text:
        return _scan_json(display, text, sink)
    if "{{" in text:  # a Helm/Go template, not YAML until rendered: said, not silently passed
        return [scan_note(SKIPPED_FILE, "not checked: a Helm/Go template (render it, e.g. helm template, and check "
                                        "the output)", Location(display, 1, 1))]
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~10x faster, the same safe types
    out: list[Finding] = []
    for first, last, doc in _documents(text):
        if _too_deep(doc):
            out.append(scan_note(UNCHECKED_FILE, f"not checked: document nested deeper than {MAX_NESTING} levels",
                                 Location(display, first, last)))
            continue
        try:
            obj = yaml.load(doc, Loader=loader)  # noqa: S506 - a safe loader (C or Python)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = first + (mark.line if mark is not None else 0)
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            out.append(scan_note(PARSE_ERROR, f"YAML parse error: {problem}", Location(display, line, line)))
            continue
        except RecursionError:
            out.append(scan_note(UNCHECKED_FILE, "not checked: document nested too deeply to parse",
                                 Location(display, first, last)))
            continue
        out.extend(_findings_in_object(display, obj, doc.splitlines(), first, last, sink))
    return out


MAX_NESTING = 100  # real manifests nest ~15 levels; PyYAML recurses (and crawls) on thousands


def _too_deep(doc: str) -> bool:
    """Linear pre-check: flow brackets or block indentation nested past MAX_NESTING."""
    if "[" not in doc and "{" not in doc:  # block style only (the usual): no loop per character
        return any(len(line) - len(line.lstrip(" ")) > 2 * MAX_NESTING for line in doc.splitlines())
    depth = 0
    for ch in doc:
        if ch in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return True
        elif ch in "]}":
            depth = max(depth - 1, 0)
    return any(len(line) - len(line.lstrip(" ")) > 2 * MAX_NESTING for line in doc.splitlines())


def _scan_json(display: str, text: str, sink: Sink) -> list[Finding]:
    import json

    if _too_deep(text):
        return [scan_note(UNCHECKED_FILE, f"not checked: nested deeper than {MAX_NESTING} levels", Location(display))]
    try:
        obj = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", 1)
        return [scan_note(PARSE_ERROR, f"JSON parse error: {getattr(exc, 'msg', exc)}", Location(display, line, line))]
    except RecursionError:
        return [scan_note(UNCHECKED_FILE, "not checked: nested too deeply to parse", Location(display))]
    lines = text.splitlines()
    return _findings_in_object(display, obj, lines, 1, len(lines), sink)


def _findings_in_object(display: str, obj: Any, doc_lines: list[str], first: int, last: int,
                        sink: Sink) -> list[Finding]:
    if not isinstance(obj, dict) or "kind" not in obj:
        return []
    items = [i for i in obj.get("items") or [] if isinstance(i, dict)] if obj.get("kind") == "List" else [obj]
    out: list[Finding] = []
    for item in items:
        sink.append((display, first, item))
        out.extend(_findings_in_document(display, item, doc_lines, first, last))
    return out


def _findings_in_document(display: str, obj: dict[str, Any], doc_lines: list[str], first: int, last: int) -> list[Finding]:
    out = []
    masked: list[str] | None = None
    for r, hit in check_object(obj):
        container = re.match(r"container (\S+):", hit.message)
        line = _line_of(doc_lines, first, hit.attribute, container.group(1) if container else "")
        if masked is None:  # masked as a whole, so a value is masked even when its name is above the snippet
            whole = mask_secrets("\n".join(doc_lines)).split("\n")
            masked = whole if len(whole) == len(doc_lines) else [mask_secrets(x) for x in doc_lines]
        evidence = mask_secrets("\n".join(masked[line - first:line - first + 3]))
        out.append(finding_for(r, hit, Location(display, line, last), object_name(obj), evidence))
    return out


def scan_live_objects(objects: list[dict[str, Any]], where: str) -> list[Finding]:
    """Findings for live objects; ``where`` is the context (e.g. the kube context name)."""
    out = []
    for obj in objects:
        name = object_name(obj)
        for r, hit in check_object(obj):
            out.append(finding_for(r, hit, Location(live=f"k8s://{where}/{name}"), name, mask_secrets(hit.message)))
    if objects:
        out.extend(collection_findings([(f"k8s://{where}/{object_name(o)}", 0, o) for o in objects]))
    return out
