"""Kubernetes false positives judged by hand: probes on run-to-completion pods, requests from limits."""

from __future__ import annotations

from checks.rules.kubernetes import scan_manifests

JOB = """apiVersion: batch/v1
kind: {kind}
metadata:
  name: nightly
  namespace: ops
spec:
{spec}
"""
POD = """      containers:
      - name: run
        image: ops/tool:1.0
        resources:
          limits:
            cpu: 500m
            memory: 256Mi
      restartPolicy: Never"""


def ids(text):
    return {f.rule_id for f in scan_manifests("m.yaml", text)}


def test_jobs_and_cronjobs_are_not_asked_for_probes():
    job = JOB.format(kind="Job", spec="  template:\n    spec:\n" + POD.replace("      ", "      ", 1))
    cron = JOB.format(kind="CronJob", spec='  schedule: "0 3 * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n'
                      + "\n".join("    " + line for line in POD.splitlines()))
    for text in (job, cron):
        found = ids(text)
        assert "OPS-K8S-002" not in found  # the spec was read (memory limit present)
        assert not {"OPS-K8S-014", "OPS-K8S-015"} & found


def test_limits_without_requests_are_requests():
    job = JOB.format(kind="Job", spec="  template:\n    spec:\n" + POD)
    assert "OPS-K8S-001" not in ids(job)
    deploy = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n"
              "      containers:\n      - name: web\n        image: web:1\n")
    assert {"OPS-K8S-001", "OPS-K8S-014"} <= ids(deploy)
