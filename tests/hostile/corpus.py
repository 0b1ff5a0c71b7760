"""The hostile-input corpus: planted secrets in every syntax, plus escape sequences, markup,
huge and binary lines, deep nesting and NUL bytes.

Every planted value is unique (``SECRETS``) and looks like nothing else, so a test can
assert that none of them appears anywhere in what a surface produced: ``leaked(text)``.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

# name -> the secret value; each appears in one syntax below
SECRETS = {
    "env": "hunter2-env-Q7",
    "url_user": "pw-url-R4x9",
    "url_empty_user": "pw-redis-Z3k8",
    "flag_eq": "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4",
    "flag_space": "pw-flag-space-T6",
    "bearer": "bearer-tok-9Yh3Lm2Qa7",
    "hcl": "pw-hcl-quoted-W2",
    "api_key": "apikey-quoted-V5",
    "stripe": "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc",
    "google": "AIza" + "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
    "json_pair": "pw-json-pair-N8",
    "k8s_env": "pw-k8s-env-value-P1",
    "yaml_args": "pw-yaml-args-M3",
    "annotation": "pw-annotation-url-J5",
    "aws_key": "AKIA" + "IOSFODNN7EXAMPLE",
    "basic": "dXNlcjpwYXNzLWJhc2ljLUsy",
}
S = SECRETS

# one line per syntax (free text: logs, commands, reasons, evidence)
LINES = [
    f"DB_PASSWORD={S['env']}",
    f"connecting to postgres://app:{S['url_user']}@db.internal:5432/orders",
    f"cache at redis://:{S['url_empty_user']}@cache:6379/0",
    f"exec worker --token={S['flag_eq']} --verbose",
    f"exec worker --password {S['flag_space']} --user bob",
    f"curl -H 'Authorization: Bearer {S['bearer']}' https://api.internal/",
    f'password = "{S["hcl"]}"',
    f'api_key="{S["api_key"]}"',
    f"charging with {S['stripe']} now",
    f"maps key {S['google']}",
    f'{{"password": "{S["json_pair"]}"}}',
    f"aws_access_key_id {S['aws_key']}",
    f"Authorization: Basic {S['basic']}",
]

ESCAPES = "\x1b[31mRED\x1b[0m \x1b]0;pwned-title\x07 \x1b]52;c;ZXZpbA==\x07 \x1b[2J\x1b[H \x9b31m \x1bP+q\x1b\\"
MARKUP = "[bold red]not markup[/] [link=https://evil]x[/link] [@click=app.quit]q[/]"
NUL = "before\x00after"


def leaked(text: str) -> list[str]:
    """The planted secrets (names) that appear in ``text``."""
    return [name for name, value in SECRETS.items() if value in text]


def hostile_log_lines() -> list[str]:
    """Every secret syntax, escapes, markup, NUL, a huge line with a secret at its end,
    a pathological line for backtracking regexes, and binary garbage."""
    huge = "x" * 65_000 + f" password={S['env']}"
    backtrack = "password" * 8000  # a 64 KB "key" with no separator
    binary = bytes(range(256)).decode("latin-1")
    return [*LINES, ESCAPES, MARKUP, NUL, huge, backtrack, binary]


def container_env() -> list[str]:
    return [
        f"DB_PASSWORD={S['env']}",
        f"DATABASE_URL=postgres://app:{S['url_user']}@db:5432/x",  # key does not look secret
        f"CACHE_URL=redis://:{S['url_empty_user']}@cache:6379",
        f"STRIPE={S['stripe']}",
        f"MAPS={S['google']}",
    ]


def container_command() -> list[str]:
    return ["sh", "-c", "sleep 600", "--token=" + S["flag_eq"], "--password", S["flag_space"],
            f"Authorization: Bearer {S['bearer']}"]


def container_labels() -> dict[str, str]:
    return {"backup.target": f"postgres://u:{S['url_user']}@db/x", "api_key": S["api_key"],
            "note": MARKUP}


def hostile_pod(namespace: str, name: str) -> dict:
    """A pod with secrets in env (name/value), args (YAML list), command and annotations."""
    last_applied = json.dumps({"spec": {"containers": [{"env": [{"name": "DB_PASSWORD", "value": S["k8s_env"]}]}]}})
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": name},
                     "annotations": {"backup": f"mysql://root:{S['annotation']}@db/x",
                                     "kubectl.kubernetes.io/last-applied-configuration": last_applied,
                                     "note": ESCAPES + MARKUP}},
        "spec": {"containers": [{
            "name": "app", "image": "busybox",
            "command": ["sh", "-c", f"curl -H 'Authorization: Bearer {S['bearer']}' http://x"],
            "args": ["--password", S["yaml_args"], f"--token={S['flag_eq']}"],
            "env": [{"name": "DB_PASSWORD", "value": S["k8s_env"]},
                    {"name": "DATABASE_URL", "value": f"postgres://app:{S['url_user']}@db/x"}],
        }]},
        "status": {"phase": "Running"},
    }


def deep_json(depth: int) -> str:
    return "[" * depth + "]" * depth


def write_repo(root: Path) -> Path:
    """A checkout with secrets in Terraform, a Dockerfile, manifests and an env file, a
    NUL byte, a deeply nested manifest and an unreadable directory."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "main.tf").write_text(
        f'resource "aws_db_instance" "db" {{\n  password = "{S["hcl"]}"\n  engine = "postgres"\n}}\n'
        f'provider "aws" {{\n  access_key = "{S["aws_key"]}"\n}}\n', encoding="utf-8")
    (root / "Dockerfile").write_text(
        f"FROM busybox\nENV DB_PASSWORD={S['env']}\nARG API_KEY={S['api_key']}\n"
        f"RUN curl -H 'Authorization: Bearer {S['bearer']}' http://x\n", encoding="utf-8")
    (root / "Dockerfile.nul").write_bytes(f"FROM busybox\nENV TOKEN={S['flag_space']}\n".encode() + b"\x00\n")
    (root / "deploy.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n"
        "      containers:\n      - name: web\n        image: nginx\n        env:\n"
        f"        - name: DB_PASSWORD\n          value: {S['k8s_env']}\n"
        f"        args: [\"--password\", \"{S['yaml_args']}\"]\n", encoding="utf-8")
    (root / "deep.yaml").write_text("a: " + deep_json(50_000) + "\n", encoding="utf-8")
    (root / ".env").write_text(f"STRIPE_KEY={S['stripe']}\nDATABASE_URL=postgres://u:{S['url_user']}@db/x\n",
                               encoding="utf-8")
    locked = root / "locked"
    locked.mkdir(exist_ok=True)
    # unreadable for a user, readable for root (CI): either way its secret must not be cached or shown
    (locked / "x.tf").write_text(f'resource "aws_db_instance" "x" {{ password = "{S["json_pair"]}" }}\n',
                                 encoding="utf-8")
    os.chmod(locked, 0)
    return root


def unlock(root: Path) -> None:
    locked = root / "locked"
    if locked.exists():
        os.chmod(locked, stat.S_IRWXU)
