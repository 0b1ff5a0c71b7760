"""Compliance engine speed: opsconsole vs checkov vs a pure python-hcl2 parse (the floor).

Builds a Terraform corpus under benchmarks/.work/ (git-ignored): a few hundred realistic
.tf files across root modules and local child modules, or takes one given with --corpus.
Times, each as a fresh process like a CI job would run it:
  - opsconsole cold (empty parse cache) and warm (unchanged re-scan), plus the warm
    scan in-process (what the tab pays on a re-run);
  - python-hcl2 parsing every file once, single process (the floor);
  - checkov from its own venv (``--checkov-venv``, default /tmp/checkov-venv, made with
    ``python3 -m venv /tmp/checkov-venv && /tmp/checkov-venv/bin/pip install checkov``;
    never a project dependency; skipped with the reason when absent, or installed there
    with ``--install-checkov``).
For each: wall time, CPU (user+sys of the whole process tree, pool workers included) and
the peak RSS of the whole process tree (sampled from /proc every 50 ms). Also times the
secret scanner on a 10,000-character token (its identifier test used to be exponential).
Prints medians and ratios. Run: python benchmarks/compliance.py [--runs N] [--files N]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / ".work"
CHECKOV_VENV = Path(os.environ.get("CHECKOV_VENV", "/tmp/checkov-venv"))
CHECKOV_VERSION = "3.2.469"  # pinned for comparable figures; falls back to the newest if absent

FLOOR = """
import sys, hcl2
from pathlib import Path
for p in sorted(Path(sys.argv[1]).rglob("*.tf")):
    with p.open() as fh:
        try:
            hcl2.load(fh, with_meta=True)
        except Exception as exc:  # noqa: BLE001 - the floor only parses
            print(p, exc, file=sys.stderr)
"""


def module_files(rng: random.Random, name: str) -> dict[str, str]:
    """One child module: storage, network, IAM, compute and data files (~600 lines)."""
    env = rng.choice(["dev", "staging", "prod"])
    port = rng.choice([22, 443, 3389, 5432, 8080])
    enc = rng.choice(["true", "false", "var.encrypted"])
    files = {
        "variables.tf": "\n".join(
            f'variable "{v}" {{\n  type        = {t}\n  description = "The {v.replace("_", " ")}"\n  default     = {d}\n}}\n'
            for v, t, d in [("name", "string", f'"{name}"'), ("env", "string", f'"{env}"'), ("encrypted", "bool", "true"),
                            ("cidr", "string", '"10.20.0.0/16"'), ("ingress_cidr", "string", rng.choice(['"0.0.0.0/0"', '"10.0.0.0/8"'])),
                            ("tags", "map(string)", '{ team = "platform" }'), ("retention", "number", "30")]),
        "locals.tf": f'locals {{\n  prefix   = "${{var.name}}-${{var.env}}"\n  admin    = {port}\n'
                     f'  common_tags = merge(var.tags, {{ env = var.env, module = "{name}" }})\n}}\n',
        "outputs.tf": "".join(f'output "{o}" {{\n  value = aws_{o}.this.id\n}}\n' for o in ("vpc", "s3_bucket", "security_group")),
    }
    s3 = ['resource "aws_s3_bucket" "this" {\n  bucket = "${local.prefix}-data"\n  tags   = local.common_tags\n}\n']
    if rng.random() < 0.6:
        s3.append('resource "aws_s3_bucket_versioning" "this" {\n  bucket = aws_s3_bucket.this.id\n'
                  '  versioning_configuration {\n    status = "Enabled"\n  }\n}\n')
    if rng.random() < 0.5:
        s3.append('resource "aws_s3_bucket_server_side_encryption_configuration" "this" {\n  bucket = aws_s3_bucket.this.id\n'
                  '  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm = "aws:kms"\n'
                  '      kms_master_key_id = aws_kms_key.this.arn\n    }\n  }\n}\n')
    s3.append('resource "aws_s3_bucket_public_access_block" "this" {\n  bucket = aws_s3_bucket.this.id\n'
              f'  block_public_acls       = true\n  block_public_policy     = {rng.choice(["true", "false"])}\n'
              '  ignore_public_acls      = true\n  restrict_public_buckets = true\n}\n')
    s3.append('resource "aws_kms_key" "this" {\n  description             = "${local.prefix} data key"\n'
              f'  deletion_window_in_days = 30\n  enable_key_rotation     = {rng.choice(["true", "false"])}\n}}\n')
    files["s3.tf"] = "\n".join(s3)
    files["network.tf"] = (
        'resource "aws_vpc" "this" {\n  cidr_block           = var.cidr\n  enable_dns_hostnames = true\n  tags = local.common_tags\n}\n\n'
        + "".join(f'resource "aws_subnet" "s{i}" {{\n  vpc_id            = aws_vpc.this.id\n  cidr_block        = cidrsubnet(var.cidr, 8, {i})\n'
                  f'  availability_zone = "eu-west-1{"abc"[i % 3]}"\n  map_public_ip_on_launch = {rng.choice(["true", "false"])}\n}}\n\n'
                  for i in range(4))
        + 'resource "aws_security_group" "this" {\n  name        = "${local.prefix}-sg"\n  description = "app"\n  vpc_id = aws_vpc.this.id\n'
        + "".join(f'  ingress {{\n    description = "rule {i}"\n    from_port   = {p}\n    to_port     = {p}\n    protocol    = "tcp"\n'
                  f'    cidr_blocks = [var.ingress_cidr]\n  }}\n' for i, p in enumerate((443, "local.admin", 8443)))
        + '  egress {\n    from_port   = 0\n    to_port     = 0\n    protocol    = "-1"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n'
        + ('\nresource "aws_flow_log" "this" {\n  vpc_id = aws_vpc.this.id\n  traffic_type = "ALL"\n'
           '  log_destination = aws_s3_bucket.this.arn\n}\n' if rng.random() < 0.5 else ""))
    files["iam.tf"] = (
        'data "aws_iam_policy_document" "assume" {\n  statement {\n    actions = ["sts:AssumeRole"]\n'
        '    principals {\n      type        = "Service"\n      identifiers = ["ec2.amazonaws.com"]\n    }\n  }\n}\n\n'
        'resource "aws_iam_role" "this" {\n  name               = "${local.prefix}-role"\n'
        '  assume_role_policy = data.aws_iam_policy_document.assume.json\n}\n\n'
        'resource "aws_iam_role_policy" "this" {\n  name = "${local.prefix}-policy"\n  role = aws_iam_role.this.id\n'
        '  policy = jsonencode({\n    Version = "2012-10-17"\n    Statement = [\n'
        f'      {{ Effect = "Allow", Action = ["{rng.choice(["s3:*", "s3:GetObject", "*"])}"], Resource = "*" }},\n'
        '      { Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = "*" }\n    ]\n  })\n}\n')
    files["compute.tf"] = (
        'resource "aws_launch_template" "this" {\n  name_prefix   = local.prefix\n  image_id      = "ami-0123456789abcdef0"\n'
        '  instance_type = "t3.small"\n' + (rng.random() < 0.5 and '  metadata_options {\n    http_tokens = "required"\n  }\n' or "")
        + '  block_device_mappings {\n    device_name = "/dev/xvda"\n    ebs {\n      volume_size = 20\n'
        f'      encrypted   = {enc}\n    }}\n  }}\n}}\n\n'
        'resource "aws_instance" "bastion" {\n  ami           = "ami-0123456789abcdef0"\n  instance_type = "t3.micro"\n'
        '  subnet_id     = aws_subnet.s0.id\n  vpc_security_group_ids = [aws_security_group.this.id]\n'
        '  root_block_device {\n    encrypted = var.encrypted\n  }\n  tags = local.common_tags\n}\n')
    files["data.tf"] = (
        f'resource "aws_db_instance" "this" {{\n  identifier        = "${{local.prefix}}-db"\n  engine            = "postgres"\n'
        f'  instance_class    = "db.t3.micro"\n  allocated_storage = 20\n  storage_encrypted = {enc}\n'
        f'  publicly_accessible = {rng.choice(["false", "false", "true"])}\n  backup_retention_period = {rng.choice([0, 7, 14])}\n'
        '  username = "app"\n  password = var.db_password_placeholder\n  skip_final_snapshot = true\n}\n\n'
        'resource "aws_sqs_queue" "jobs" {\n  name = "${local.prefix}-jobs"\n' + (rng.random() < 0.5 and '  sqs_managed_sse_enabled = true\n' or "")
        + '}\n\nresource "aws_sns_topic" "alerts" {\n  name = "${local.prefix}-alerts"\n}\n\n'
        'resource "aws_cloudwatch_log_group" "app" {\n  name              = "/app/${local.prefix}"\n  retention_in_days = var.retention\n}\n\n'
        'resource "aws_dynamodb_table" "state" {\n  name         = "${local.prefix}-state"\n  billing_mode = "PAY_PER_REQUEST"\n'
        '  hash_key     = "id"\n  attribute {\n    name = "id"\n    type = "S"\n  }\n}\n')
    return files


def build_corpus(target: Path, files_wanted: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    if target.exists():
        shutil.rmtree(target)
    count = 0
    stack = 0
    while count < files_wanted:
        stack_dir = target / f"stack-{stack:02d}"
        children = []
        for m in range(4):
            name = f"svc{stack:02d}{m}"
            for fname, text in module_files(rng, name).items():
                path = stack_dir / "modules" / name / fname
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
                count += 1
            children.append(name)
        root = stack_dir / "main.tf"
        root.write_text('terraform {\n  required_version = ">= 1.5"\n}\n\nprovider "aws" {\n  region = "eu-west-1"\n}\n\n'
                        + "".join(f'module "{c}" {{\n  source = "./modules/{c}"\n  name   = "{c}"\n  env    = "prod"\n'
                                  f'  encrypted = {rng.choice(["true", "false"])}\n}}\n\n' for c in children)
                        + 'resource "aws_cloudtrail" "main" {\n  name = "main"\n  s3_bucket_name = "trail-logs"\n'
                        + f'  is_multi_region_trail = {rng.choice(["true", "false"])}\n}}\n')
        count += 1
        stack += 1
    return count


LAST_OUTPUT: dict[str, bytes] = {}


CPU: dict[str, list[float]] = {}  # label -> CPU seconds (user+sys) of each run: fair on a busy machine
RSS: dict[str, list[float]] = {}  # label -> peak RSS (MiB) of the whole process tree of each run
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def tree_rss(root: int) -> int:
    """Bytes resident in ``root`` and all its descendants, now (Linux /proc)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    stat = fh.read().rsplit(b")", 1)[1].split()
                parents[int(entry)] = int(stat[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        kids = [p for p, ppid in parents.items() if ppid == pid and p not in tree]
        tree.update(kids)
        frontier.extend(kids)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/statm", "rb") as fh:
                total += int(fh.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


def timed(cmd: list[str], env: dict[str, str] | None = None, timeout: float = 1800, keep: str = "",
          label: str = "") -> float:
    import resource
    import threading

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE if keep else subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss(proc.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        done.set()
        sampler.join()
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if label:
        CPU.setdefault(label, []).append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        RSS.setdefault(label, []).append(peak[0] / 2**20)  # (ru_maxrss of children is a max over every child ever)
    if keep:
        LAST_OUTPUT[keep] = out
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd[:3])}… exited {proc.returncode}: {err.decode()[-500:]}")
    return elapsed


def secret_scan_figure() -> str:
    """The identifier test and the whole secret scan on one 10,000-character token (linear now)."""
    sys.path.insert(0, str(ROOT))
    from checks.evidence import mask_secrets
    from checks.rules import repo

    token = "a" * 10_000 + "!"
    t0 = time.perf_counter()
    repo.IDENTIFIER.match(token)
    repo.secret_assignments(f"api_token = {'Ab1' * 3334}")
    mask_secrets(f"password: {token}")
    return f"secret scan of a 10,000-character token: {(time.perf_counter() - t0) * 1000:.1f} ms " \
           "(the old identifier regex: 3.6 s at 26 letters, doubling per letter)"


def install_checkov() -> tuple[Path | None, str]:
    exe = CHECKOV_VENV / "bin" / "checkov"
    if exe.exists():
        return exe, ""
    try:
        subprocess.run([sys.executable if shutil.which("python3") is None else "python3", "-m", "venv", str(CHECKOV_VENV)],
                       check=True, capture_output=True, timeout=300)
        pip = [str(CHECKOV_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        proc = subprocess.run([*pip, f"checkov=={CHECKOV_VERSION}"], capture_output=True, timeout=1500)
        if proc.returncode != 0:
            proc = subprocess.run([*pip, "checkov"], capture_output=True, timeout=1500)
        if proc.returncode != 0:
            return None, f"pip install checkov failed: {proc.stderr.decode()[-300:]}"
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"could not create the checkov venv: {exc}"
    return (exe, "") if exe.exists() else (None, "checkov installed but its entry point is missing")


def checkov_failures(output: bytes) -> str:
    import json

    try:
        data = json.loads(output or b"null")
    except ValueError:
        return "unknown (output not JSON)"
    reports = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    return str(sum(int((r.get("summary") or {}).get("failed", 0)) for r in reports if isinstance(r, dict)))


def runs(values: list[float]) -> str:
    return " ".join(f"{t:.2f}" for t in values)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, help="an existing Terraform tree instead of the generated one")
    ap.add_argument("--files", type=int, default=300, help="size of the generated corpus (default 300 .tf files)")
    ap.add_argument("--runs", type=int, default=3, help="runs per tool (median reported)")
    ap.add_argument("--no-checkov", action="store_true", help="skip checkov")
    ap.add_argument("--install-checkov", action="store_true", help=f"pip install checkov into {CHECKOV_VENV} when absent")
    args = ap.parse_args(argv)

    WORK.mkdir(parents=True, exist_ok=True)
    corpus = args.corpus or WORK / "corpus"
    if args.corpus is None:
        n = build_corpus(corpus, args.files)
        print(f"corpus: {n} .tf files generated under {corpus.relative_to(ROOT)}")
    else:
        print(f"corpus: {sum(1 for _ in corpus.rglob('*.tf'))} .tf files in {corpus}")
    cache_home = WORK / "xdg-cache"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home), "XDG_STATE_HOME": str(WORK / "xdg-state"),
           "PYTHONPATH": str(ROOT)}
    cli = [sys.executable, "-m", "checks.cli", str(corpus), "--format", "json", "--output", os.devnull]

    checkov_cmd: list[str] | None = None
    checkov_note = "skipped (--no-checkov)"
    checkov_env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}
    if not args.no_checkov and not args.install_checkov and not (CHECKOV_VENV / "bin" / "checkov").exists():
        checkov_note = f"skipped: no {CHECKOV_VENV}/bin/checkov (see --install-checkov)"
    elif not args.no_checkov:
        exe, why = install_checkov()
        if exe is None:
            checkov_note = f"skipped: {why}"
        else:
            checkov_note = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=False).stdout.strip()
            checkov_cmd = [str(exe), "-d", str(corpus), "--framework", "terraform", "--quiet", "--compact", "-o", "json",
                           "--skip-download", "--download-external-modules", "false"]

    # Interleaved, so a busy shared machine slows every tool alike.
    cold, floor, checkov = [], [], []
    for _ in range(args.runs):
        shutil.rmtree(cache_home, ignore_errors=True)
        cold.append(timed(cli, env, label="cold"))
        floor.append(timed([sys.executable, "-c", FLOOR, str(corpus)], env, label="floor"))
        if checkov_cmd is not None:
            try:
                checkov.append(timed(checkov_cmd, checkov_env, timeout=3600, keep="checkov", label="checkov"))
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                checkov_note, checkov_cmd = f"run failed: {exc}", None
    warm = [timed(cli, env, label="warm") for _ in range(max(args.runs, 3))]

    sys.path.insert(0, str(ROOT))
    os.environ.update({k: env[k] for k in ("XDG_CACHE_HOME", "XDG_STATE_HOME")})
    from checks.engine import scan

    scan([corpus])  # cache is warm already; this pays the imports
    in_process, in_process_cpu = [], []
    for _ in range(5):
        t0, c0 = time.perf_counter(), time.process_time()
        result = scan([corpus])
        in_process.append(time.perf_counter() - t0)
        in_process_cpu.append(time.process_time() - c0)
    print(f"findings: {len(result.findings)} ({result.cache_hits} cached parses, {result.cache_misses} parsed)")
    print(f"cpus: {os.cpu_count()}")
    print(secret_scan_figure())
    print(f"opsconsole cold (CLI, empty cache):   median {median(cold):7.2f} s  runs {runs(cold)}  "
          f"CPU {median(CPU['cold']):.2f} s  peak RSS {median(RSS['cold']):.0f} MiB")
    print(f"opsconsole warm (CLI, cached parses): median {median(warm):7.2f} s  runs {runs(warm)}  "
          f"CPU {median(CPU['warm']):.2f} s  peak RSS {median(RSS['warm']):.0f} MiB   (aim < 0.5 s)")
    print(f"opsconsole warm (in-process scan):    median {median(in_process):7.3f} s wall, "
          f"{median(in_process_cpu):.3f} s CPU   (aim < 0.3 s)")
    print(f"python-hcl2 parse floor (1 process):  median {median(floor):7.2f} s  CPU {median(CPU['floor']):.2f} s")
    print(f"ratio cold / floor: {median(cold) / median(floor):.2f}x   (aim <= 1.5x)")

    if not checkov:
        print(f"checkov: {checkov_note}")
        return 0
    print(f"checkov {checkov_note}:                     median {median(checkov):7.2f} s  runs {runs(checkov)}  "
          f"CPU {median(CPU['checkov']):.2f} s  peak RSS {median(RSS['checkov']):.0f} MiB")
    print(f"checkov failed checks: {checkov_failures(LAST_OUTPUT.get('checkov', b''))}; "
          f"opsconsole findings: {sum(1 for f in result.findings if f.rule_id.startswith('OPS-TF-'))} (terraform rules)")
    print(f"speed-up vs checkov (wall): cold {median(checkov) / median(cold):.1f}x, warm {median(checkov) / median(warm):.1f}x"
          "   (aim >= 20x)")
    print(f"speed-up vs checkov (CPU):  cold {median(CPU['checkov']) / median(CPU['cold']):.1f}x, "
          f"warm {median(CPU['checkov']) / median(CPU['warm']):.1f}x   (aim >= 50x cold)")
    print(f"peak RSS vs checkov: cold {median(RSS['checkov']) / median(RSS['cold']):.1f}x less")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
