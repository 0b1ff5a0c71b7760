"""The command line behaves like the tools operators know: `opsconsole config` with the
source of each value, shell completion, a detailed --help, TERM=dumb, the sandbox extra."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from console.__main__ import main, terminal_refusal


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    full = dict(os.environ) if env is None else env
    return subprocess.run([sys.executable, "-m", "console", *args], capture_output=True, text=True,
                          env=full, timeout=timeout, check=False)


def settings(out: str) -> dict[str, dict]:
    return {s["key"]: s for s in json.loads(out)["settings"]}


def test_config_names_the_source_of_every_value(tmp_path, capsys):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[aws]\nprofile = "file-profile"\nregion = "eu-west-1"\n[docker]\nhost = "unix:///file.sock"\n'
                   '[kubernetes]\nnamespace = "file-ns"\n')
    env = {"AWS_PROFILE": "env-profile", "HOME": os.environ["HOME"]}
    from console.cli_config import main as config_main

    assert config_main(["--config", str(cfg), "--json", "--namespace", "flag-ns"], env=env) == 0
    data = json.loads(capsys.readouterr().out)
    got = {s["key"]: s for s in data["settings"]}
    assert data["file"] == str(cfg) and data["valid"] and data["state"] == "found"
    assert got["kubernetes.namespace"] == {"key": "kubernetes.namespace", "value": "flag-ns", "source": "flag --namespace"}
    assert got["aws.profile"]["value"] == "env-profile" and got["aws.profile"]["source"] == "env AWS_PROFILE"
    assert got["aws.region"]["value"] == "eu-west-1" and got["aws.region"]["source"] == f"file {cfg}"
    assert got["docker.host"]["source"] == f"file {cfg}"
    assert got["docker.timeout"] == {"key": "docker.timeout", "value": 10.0, "source": "default"}

    assert config_main(["--config", str(cfg)], env=env) == 0
    text = capsys.readouterr().out
    assert f"config file: {cfg} (found)" in text and "validation: ok" in text
    assert "[env AWS_PROFILE]" in text and "[flag --namespace]" not in text and "[default]" in text


def test_config_reports_an_invalid_file_and_exits_1(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text("[general]\nread_only = 'no'\ncolour = 1\n")
    proc = run("config", "--config", str(cfg))
    assert proc.returncode == 1, proc.stderr
    assert "problems:" in proc.stdout and "general.read_only: expected boolean" in proc.stdout
    assert "general.colour: unknown key" in proc.stdout and "READ-ONLY on defaults" in proc.stdout
    assert "general.read_only                true  [config error (read-only on defaults)]" in proc.stdout


def test_config_without_a_file_uses_defaults_and_env(tmp_path):
    env = dict(os.environ, DOCKER_HOST="ssh://deploy@127.0.0.1:2222", AWS_REGION="eu-central-1",
               AWS_DEFAULT_REGION="us-east-1")
    proc = run("config", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    got = settings(proc.stdout)
    assert json.loads(proc.stdout)["state"] == "not found: defaults in use"
    assert got["docker.host"]["source"] == "env DOCKER_HOST"
    assert got["aws.region"] == {"key": "aws.region", "value": "eu-central-1", "source": "env AWS_REGION"}


def test_config_with_a_bad_environment_value_is_a_usage_error():
    proc = run("config", env=dict(os.environ, OPSCONSOLE_READ_ONLY="perhaps"))
    assert proc.returncode == 2 and "OPSCONSOLE_READ_ONLY" in proc.stderr and "Traceback" not in proc.stderr


def test_help_replaces_a_man_page():
    proc = run("--help")
    assert proc.returncode == 0
    for needle in ("opsconsole check", "opsconsole config", "opsconsole completion bash|zsh|fish", "precedence:",
                   "DOCKER_HOST", "ssh://", "KUBECONFIG", "AWS_PROFILE", "NO_COLOR", "TERM=dumb", "XDG_STATE_HOME",
                   "exit status:", "examples:", "0600", "Cost Explorer"):
        assert needle in proc.stdout, needle


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_name_every_subcommand_and_flag(shell, capsys):
    assert main(["completion", shell]) == 0
    script = capsys.readouterr().out
    flag = "-l " if shell == "fish" else "--"  # fish names long options `-l docker-host`
    for needle in ("check", "config", "completion", f"{flag}docker-host", f"{flag}read-only", f"{flag}fail-on",
                   "sarif", "opsconsole-ansi"):
        assert needle in script, needle


def test_bash_completion_completes(tmp_path, capsys):
    if shutil.which("bash") is None:
        pytest.fail("bash is needed for the completion test")
    main(["completion", "bash"])
    script = tmp_path / "opsconsole.bash"
    script.write_text(capsys.readouterr().out)
    probe = (f"source {script}\n"
             "complete_words() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); _opsconsole; echo \"${COMPREPLY[*]}\"; }\n"
             "complete_words opsconsole --th\n"
             "complete_words opsconsole --theme opsconsole-a\n"
             "complete_words opsconsole check --format s\n"
             "complete_words opsconsole co\n"
             "complete_words opsconsole completion f\n")
    out = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=30, check=True).stdout
    assert out.splitlines() == ["--theme", "opsconsole-ansi", "sarif", "config completion", "fish"]


def test_term_dumb_refuses_the_tui_with_a_message():
    proc = run(env=dict(os.environ, TERM="dumb"))
    assert proc.returncode == 2
    assert "TERM=dumb" in proc.stderr and "opsconsole check" in proc.stderr and "Traceback" not in proc.stderr
    assert terminal_refusal({"TERM": "xterm-256color"}) is None


def test_sandbox_without_the_extra_names_it():
    # a plain `pip install opsconsole` has no kmock: None in sys.modules is how Python marks a module absent
    code = "import sys; sys.modules['kmock'] = None\nfrom console.__main__ import main\nsys.exit(main(['--sandbox']))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2
    assert "pip install 'opsconsole[sandbox]'" in proc.stderr and "kmock" in proc.stderr
    assert "Traceback" not in proc.stderr


def shell_or_missing(name: str) -> str:
    from tests.fixtures.backend_start import backend_missing

    path = shutil.which(name)
    if path is None:
        backend_missing(f"{name} not installed (tests/setup_backends.sh installs it)")
    return path


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_parse(shell, tmp_path, capsys):
    exe = shell_or_missing(shell)
    main(["completion", shell])
    script = tmp_path / f"opsconsole.{shell}"
    script.write_text(capsys.readouterr().out)
    proc = subprocess.run([exe, "-n", str(script)], capture_output=True, text=True, timeout=30, check=False)
    assert proc.returncode == 0, proc.stderr


def test_fish_completion_completes(tmp_path, capsys):
    fish = shell_or_missing("fish")
    main(["completion", "fish"])
    script = tmp_path / "opsconsole.fish"
    script.write_text(capsys.readouterr().out)
    probe = (f"source {script}; complete -C 'opsconsole --theme opsconsole-a'; complete -C 'opsconsole check --format s';"
             " complete -C 'opsconsole completion f'")
    out = subprocess.run([fish, "--no-config", "-c", probe], capture_output=True, text=True, timeout=30,
                         check=True).stdout
    assert [line.split("\t")[0] for line in out.splitlines()] == ["opsconsole-ansi", "sarif", "fish"]
