"""Compliance checks, cold, as a CI job runs them: `opsconsole check` vs checkov vs a parse floor.

Generates a corpus of unique files under benchmarks/.work/ (git-ignored): Terraform (AWS
resources across root modules), Kubernetes YAML (Deployments, Services, CronJobs) and
Dockerfiles, every file different (names, ports, flags, images vary with its index).
Each tool runs as a fresh process with empty caches, interleaved, ``--runs`` times:

- opsconsole: ``python -m console check CORPUS --format json`` (cold: a new cache dir);
- checkov (``.bench/peers/bin/checkov``, from PyPI ``checkov`` in its own venv, never a
  project dependency): ``-d CORPUS --framework terraform,kubernetes,dockerfile
  --skip-download`` (skipped with the reason when absent);
- the floor: one process that only parses every file with the parsers opsconsole uses
  (checks.hcl_fast for .tf, PyYAML for manifests, a line split for Dockerfiles).

Wall and CPU (user+sys of the process tree, pool workers included), min/median/max.

    python benchmarks/compliance.py [--files 330] [--runs 2] [--quick] [--json FILE]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import harness as h

WORK = h.ROOT / "benchmarks" / ".work"
CHECKOV = h.PEERS_BIN / "checkov"
FLOOR = """
import sys, yaml
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from checks import hcl_fast
n = 0
for p in sorted(Path(sys.argv[1]).rglob("*")):
    if p.suffix == ".tf":
        hcl_fast.loads(p.read_text())
    elif p.suffix in (".yaml", ".yml"):
        list(yaml.load_all(p.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    elif p.name.startswith("Dockerfile"):
        p.read_text().splitlines()
    else:
        continue
    n += 1
print(n)
"""


def terraform(rng: random.Random, i: int) -> str:
    port = rng.choice([22, 80, 443, 3389, 5432, 8080 + i % 100])
    cidr = rng.choice(["0.0.0.0/0", f"10.{i % 250}.0.0/16", "192.168.0.0/24"])
    enc = rng.choice(["true", "false"])
    return f'''variable "env_{i}" {{
  type    = string
  default = "{rng.choice(["dev", "staging", "prod"])}"
}}

resource "aws_s3_bucket" "data_{i}" {{
  bucket = "corp-data-{i}-${{var.env_{i}}}"
  tags   = {{ team = "team-{i % 13}", index = "{i}" }}
}}

resource "aws_s3_bucket_versioning" "data_{i}" {{
  bucket = aws_s3_bucket.data_{i}.id
  versioning_configuration {{
    status = "{rng.choice(["Enabled", "Suspended"])}"
  }}
}}

resource "aws_security_group" "svc_{i}" {{
  name        = "svc-{i}"
  description = "service {i}"
  ingress {{
    from_port   = {port}
    to_port     = {port}
    protocol    = "tcp"
    cidr_blocks = ["{cidr}"]
  }}
  egress {{
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}

resource "aws_ebs_volume" "vol_{i}" {{
  availability_zone = "eu-west-1{"abc"[i % 3]}"
  size              = {8 + i % 90}
  encrypted         = {enc}
}}

resource "aws_db_instance" "db_{i}" {{
  identifier          = "db-{i}"
  engine              = "postgres"
  instance_class      = "db.t3.{rng.choice(["micro", "small", "medium"])}"
  allocated_storage   = {20 + i % 50}
  storage_encrypted   = {enc}
  publicly_accessible = {rng.choice(["true", "false"])}
  username            = "admin{i}"
  password            = var.db_password_{i}
  skip_final_snapshot = true
}}

variable "db_password_{i}" {{
  type      = string
  sensitive = true
}}
'''


def manifest(rng: random.Random, i: int) -> str:
    privileged = rng.choice(["true", "false"])
    return f'''apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{i}
  namespace: team-{i % 13}
  labels: {{app: web-{i}}}
spec:
  replicas: {1 + i % 5}
  selector:
    matchLabels: {{app: web-{i}}}
  template:
    metadata:
      labels: {{app: web-{i}}}
    spec:
      hostNetwork: {rng.choice(["true", "false"])}
      containers:
        - name: web
          image: registry.local/web-{i}:{rng.choice(["latest", f"1.{i % 30}.0"])}
          ports: [{{containerPort: {8000 + i % 1000}}}]
          securityContext:
            privileged: {privileged}
            runAsNonRoot: {rng.choice(["true", "false"])}
            readOnlyRootFilesystem: {rng.choice(["true", "false"])}
          resources:
            limits: {{cpu: "{100 + i % 900}m", memory: "{64 + i % 512}Mi"}}
          env:
            - {{name: MODE, value: "m{i}"}}
---
apiVersion: v1
kind: Service
metadata:
  name: web-{i}
  namespace: team-{i % 13}
spec:
  type: {rng.choice(["ClusterIP", "NodePort", "LoadBalancer"])}
  selector: {{app: web-{i}}}
  ports: [{{port: 80, targetPort: {8000 + i % 1000}}}]
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: report-{i}
  namespace: team-{i % 13}
spec:
  schedule: "{i % 60} {i % 24} * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: report
              image: registry.local/report:{i}
              args: ["--day", "{i}"]
'''


def dockerfile(rng: random.Random, i: int) -> str:
    base = rng.choice(["debian:12-slim", "python:3.12-slim", "alpine:3.20", "ubuntu:latest", "node:22"])
    user = rng.choice([f"USER app{i}\n", "", "USER root\n"])
    health = rng.choice(["HEALTHCHECK CMD curl -f http://localhost/ || exit 1\n", ""])
    return f'''FROM {base} AS build{i}
LABEL org.opencontainers.image.title="svc-{i}"
WORKDIR /src/svc-{i}
COPY . .
RUN apt-get update && apt-get install -y curl=7.{i % 90}.0 ca-certificates && rm -rf /var/lib/apt/lists/*
RUN {rng.choice(["curl -fsSL https://example.invalid/install.sh | sh", f"make build-{i}", "pip install -r requirements.txt"])}
ENV SERVICE_INDEX={i}
EXPOSE {1000 + i % 60000}
{user}{health}CMD ["/src/svc-{i}/run", "--port", "{1000 + i % 60000}"]
'''


def build_corpus(files: int, seed: int = 18) -> tuple[Path, dict[str, int]]:
    target = WORK / f"compliance-{files}"
    shutil.rmtree(target, ignore_errors=True)
    rng, counts = random.Random(seed), {"terraform": 0, "kubernetes": 0, "dockerfile": 0}
    for i in range(files):
        kind = ("terraform", "terraform", "kubernetes", "dockerfile")[i % 4]
        sub = target / f"svc-{i // 10:03d}"
        if kind == "terraform":
            path, text = sub / "infra" / f"main_{i}.tf", terraform(rng, i)
        elif kind == "kubernetes":
            path, text = sub / "deploy" / f"app-{i}.yaml", manifest(rng, i)
        else:
            path, text = sub / "docker" / f"{i}" / "Dockerfile", dockerfile(rng, i)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        counts[kind] += 1
    return target, counts


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall s, CPU s of the process tree) of a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, timeout=3600, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd[:4])}... exited {proc.returncode}: {proc.stderr.decode()[-600:]}")
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=330)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="80 files, 1 run")
    ap.add_argument("--json")
    args = ap.parse_args()
    files, runs = (80, 1) if args.quick else (args.files, args.runs)
    h.header("compliance", args)
    corpus, counts = build_corpus(files)
    print(f"  corpus {corpus}: {counts}", flush=True)
    results: dict[str, list[tuple[float, float]]] = {"opsconsole": [], "checkov": [], "floor": []}
    ck_env = {**h.clean_env(), "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
              "LOG_LEVEL": "ERROR"}
    for _ in range(runs):
        home = tempfile.mkdtemp(prefix="bench-compliance-")  # cold: no parse cache
        results["opsconsole"].append(timed([*h.console_argv("check", str(corpus), "--format", "json"),
                                            "--output", os.devnull], h.clean_env(home=home)))
        results["floor"].append(timed([sys.executable, "-c", FLOOR, str(corpus), str(h.ROOT)], h.clean_env()))
        if CHECKOV.exists():
            ck_home = tempfile.mkdtemp(prefix="bench-checkov-")
            results["checkov"].append(timed([str(CHECKOV), "-d", str(corpus), "--framework",
                                             "terraform,kubernetes,dockerfile", "--skip-download", "--quiet",
                                             "--compact", "-o", "json"], {**ck_env, "HOME": ck_home}))
    report = h.Report("compliance")
    ours, ck, fl = results["opsconsole"], results["checkov"], results["floor"]
    for i, what in ((0, "wall"), (1, "CPU")):
        o, c, f = [r[i] for r in ours], [r[i] for r in ck], [r[i] for r in fl]
        peer = f"checkov {h.spread(c, 1000, ' ms')}" if c else "checkov not installed"
        report.add(f"compliance {files} unique files, cold, {what}", h.spread(o, 1000, " ms"),
                   f"{peer}; parse floor {h.spread(f, 1000, ' ms')}",
                   f"{statistics.median(c) / statistics.median(o):.1f}x less than checkov" if c else "",
                   ">= 50x less" if what == "wall" else "")
    report.write(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
