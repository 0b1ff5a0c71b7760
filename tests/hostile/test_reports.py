"""The compliance reports surface (text, JSON, SARIF, JUnit, the stored runs and the HCL
parse cache) over the hostile checkout: no planted secret, no traceback, every run within
its deadline, and the findings of a NUL-byte or unreadable file not lost.

The evidence masking and the fail-open fixes are i17's (checks/): this module is kept
apart so it can fail on a branch without them and pass once they are merged.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile.corpus import leaked, unlock, write_repo

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def repo(tmp_path):
    root = write_repo(tmp_path / "repo")
    yield root
    unlock(root)


def run_check(repo: Path, fmt: str, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / "cache"),
           "XDG_STATE_HOME": str(home / "state"), "XDG_CONFIG_HOME": str(home / "config")}
    return subprocess.run([sys.executable, "-m", "console", "check", str(repo), "--format", fmt],
                          capture_output=True, text=True, timeout=240, cwd=ROOT, env=env)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit"])
def test_reports_publish_no_planted_secret(repo, tmp_path, fmt):
    result = run_check(repo, fmt, tmp_path / "home")
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.returncode in (0, 1), (result.returncode, result.stderr[-2000:])
    assert leaked(result.stdout) == [], leaked(result.stdout)
    assert leaked(result.stderr) == []


def test_stored_runs_and_parse_cache_hold_no_planted_secret(repo, tmp_path):
    home = tmp_path / "home"
    run_check(repo, "json", home)
    run_check(repo, "json", home)  # the second run reads the parse cache
    for path in home.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", errors="replace")
            assert leaked(text) == [], (path, leaked(text))
