"""Every cache and state file is 0600 in a 0700 directory, whatever the umask."""

from __future__ import annotations

import os
import stat
from datetime import UTC, date, datetime

import pytest

from console.fsutil import open_private, private_dir, write_private


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_write_private_is_0600_in_0700_dirs(tmp_path, open_umask):
    target = tmp_path / "a" / "b" / "cache.json"
    write_private(target, '{"x": 1}')
    assert target.read_text() == '{"x": 1}'
    assert mode(target) == 0o600 and mode(tmp_path / "a") == 0o700 and mode(tmp_path / "a" / "b") == 0o700
    write_private(target, b"again")  # replaced atomically, still private, no temp file left
    assert mode(target) == 0o600 and [p.name for p in target.parent.iterdir()] == ["cache.json"]


def test_existing_directories_are_only_tightened_when_ours(tmp_path, open_umask):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    write_private(shared / "f", "x")
    assert mode(shared) == 0o755  # not ours (think /tmp or ~/.cache): left alone
    private_dir(shared, tighten=True)
    assert mode(shared) == 0o700


def test_open_private_creates_0600(tmp_path, open_umask):
    fd = open_private(tmp_path / "state" / "audit.jsonl", os.O_WRONLY | os.O_APPEND)
    os.close(fd)
    assert mode(tmp_path / "state" / "audit.jsonl") == 0o600 and mode(tmp_path / "state") == 0o700


def test_journal_files_are_private(tmp_path, open_umask):
    from console.actions.journal import _append

    path = tmp_path / "state" / "opsconsole" / "audit.jsonl"
    _append(path, b'{"a": 1}\n', "audit log")
    assert mode(path) == 0o600 and mode(path.parent) == 0o700


@pytest.mark.aws
def test_cost_cache_is_private(aws, open_umask):
    from console.backends.aws import AwsBackend
    from console.config import AwsConfig, Config, xdg_dir
    from console.sandbox.aws import inject_costs

    today = date(2026, 11, 18)
    inject_costs(aws.url, today)
    old_dir = xdg_dir("cache") / "aws-costs"
    old_dir.mkdir(parents=True)
    os.chmod(old_dir, 0o755)  # as an older version left it
    backend = AwsBackend(Config(aws=AwsConfig(region=aws.region, endpoint_url=aws.url)),
                         clock=lambda: datetime(2026, 11, 18, 12, tzinfo=UTC))
    backend.connect()
    backend.cost_report()
    files = list(backend.cost_cache_dir.iterdir())
    assert files and all(mode(f) == 0o600 for f in files)
    assert mode(backend.cost_cache_dir) == 0o700 and mode(xdg_dir("cache")) == 0o700
    from console.backends.aws_costs import export_report

    for name in ("services.csv", "services.json"):
        exported = export_report(backend.cost_report(), "services", xdg_dir("state") / "exports" / name)
        assert mode(exported) == 0o600 and mode(exported.parent) == 0o700
