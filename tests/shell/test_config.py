"""Config: validation names file, key and expected type; precedence flags > env > file."""

from __future__ import annotations

import pytest

from console.__main__ import build_parser, resolve_config
from console.config import Config, apply_overrides, load_config, parse_config
from console.errors import InvalidInput


def write(tmp_path, text: str):
    p = tmp_path / "config.toml"
    p.write_text(text)
    return p


def test_defaults_without_file():
    cfg = load_config()
    assert cfg == Config()
    assert cfg.changelog_path.name == "changelog.md"


def test_unknown_key_names_file_and_key(tmp_path):
    p = write(tmp_path, "[general]\nread_onyl = true\n")
    with pytest.raises(InvalidInput) as err:
        load_config(p)
    msg = str(err.value)
    assert str(p) in msg and "general.read_onyl" in msg and "unknown key" in msg


@pytest.mark.parametrize(
    "text, expected",
    [
        ("[docker]\ntimeout = 'soon'\n", "docker.timeout: expected number"),
        ("[general]\nread_only = 'yes'\n", "general.read_only: expected boolean"),
        ("[aws]\nrequired_tags = 'owner'\n", "aws.required_tags: expected list of string"),
        ("[nope]\nx = 1\n", "[nope]: unknown section"),
        ("[general]\ntheme = 'pink'\n", "general.theme: expected one of"),
        ("[compliance]\nsuppressions = [{rule='X', reason='y', expires='soon'}]\n", "expires: expected a date"),
        ("[compliance]\nsuppressions = [{rule='X'}]\n", "reason"),
        ("general = 3\n", "[general]: expected a table"),
        ("[general\n", "not valid TOML"),
    ],
)
def test_bad_values_are_named(tmp_path, text, expected):
    p = write(tmp_path, text)
    with pytest.raises(InvalidInput) as err:
        load_config(p)
    assert expected in str(err.value) and str(p) in str(err.value)


def test_missing_explicit_file(tmp_path):
    with pytest.raises(InvalidInput, match="not found"):
        load_config(tmp_path / "missing.toml")


def test_precedence_flags_over_env_over_file():
    cfg = parse_config({"aws": {"profile": "file", "region": "eu-west-1"}, "docker": {"host": "unix:///file.sock"},
                        "kubernetes": {"context": "file-ctx", "kubeconfig": "/file/kubeconfig"}}, "f.toml")
    env = {"AWS_PROFILE": "env", "AWS_REGION": "us-east-2", "DOCKER_HOST": "tcp://127.0.0.1:2375",
           "KUBECONFIG": "/env/kubeconfig", "OPSCONSOLE_READ_ONLY": "1"}
    out = apply_overrides(cfg, env)
    # the environment beats the file, as documented (the file used to win)
    assert out.aws.profile == "env" and out.aws.region == "us-east-2"
    assert out.docker.host == "tcp://127.0.0.1:2375" and out.kubernetes.kubeconfig == "/env/kubeconfig"
    assert out.kubernetes.context == "file-ctx"  # no environment variable for it: the file stays
    assert out.general.read_only
    out = apply_overrides(cfg, env, profile="flag", region="ap-south-1", docker_host="unix:///flag.sock",
                          context="ctx", theme="opsconsole-light")
    assert (out.aws.profile, out.aws.region, out.docker.host) == ("flag", "ap-south-1", "unix:///flag.sock")
    assert out.kubernetes.context == "ctx" and out.general.theme == "opsconsole-light"
    assert apply_overrides(cfg, {}).aws.profile == "file"  # no env: the file beats the defaults


def test_aws_region_beats_aws_default_region():
    out = apply_overrides(Config(), {"AWS_DEFAULT_REGION": "eu-west-1", "AWS_REGION": "eu-central-1"})
    assert out.aws.region == "eu-central-1"
    assert apply_overrides(Config(), {"AWS_DEFAULT_REGION": "eu-west-1"}).aws.region == "eu-west-1"


def test_read_only_is_a_latch():
    cfg = parse_config({"general": {"read_only": True}}, "f.toml")
    assert apply_overrides(cfg, {"OPSCONSOLE_READ_ONLY": "0"}).general.read_only
    with pytest.raises(InvalidInput, match="OPSCONSOLE_READ_ONLY"):
        apply_overrides(Config(), {"OPSCONSOLE_READ_ONLY": "maybe"})


def test_production_patterns():
    cfg = parse_config({"production": {"contexts": ["prod-*", "*-live"], "profiles": ["billing"]}})
    assert cfg.is_production_context("prod-eu") and cfg.is_production_context("shop-live")
    assert not cfg.is_production_context("staging")
    assert cfg.is_production_profile("billing") and not cfg.is_production_profile("dev")
    assert Config().is_production_context("k8s-prod-1")  # default pattern *prod*


def test_broken_file_starts_read_only_with_notice(tmp_path):
    p = write(tmp_path, "[general]\nread_only = 'no'\n")
    args = build_parser().parse_args(["--config", str(p)])
    cfg, notices = resolve_config(args)
    assert cfg.general.read_only
    assert notices and str(p) in notices[0] and "general.read_only" in notices[0]


def test_all_flags_parse():
    args = build_parser().parse_args(["--sandbox", "--read-only", "--context", "c", "--namespace", "n", "--profile", "p",
                                      "--region", "r", "--docker-host", "unix:///x.sock", "--theme", "opsconsole-ansi"])
    cfg, notices = resolve_config(args)
    assert notices == []
    assert cfg.sandbox and cfg.general.read_only and cfg.docker.host == "unix:///x.sock"
    assert (cfg.kubernetes.context, cfg.kubernetes.namespace, cfg.aws.profile, cfg.aws.region) == ("c", "n", "p", "r")


def test_every_problem_is_reported_at_once(tmp_path):
    p = write(tmp_path, "[general]\nread_only = 'yes'\ncolour = 1\n[docker]\nhosts = 'ssh://x'\n[costs]\ncache_ttl_seconds = -5\n")
    with pytest.raises(InvalidInput) as err:
        load_config(p)
    lines = str(err.value).splitlines()
    assert any("general.read_only: expected boolean" in line for line in lines)
    assert any("general.colour: unknown key" in line for line in lines)
    assert any("docker.hosts: expected list of string" in line for line in lines)
    assert all(str(p) in line for line in lines)


@pytest.mark.parametrize(
    "content, expected",
    [
        (bytes(range(256)) * 40, "not UTF-8 text"),
        (b"a = " + b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b"[general]\nread_only = true\x00\n", "NUL bytes"),
        (b"# " + b"x" * (2 << 20), "larger than"),
        (b"[keys]\n" + b"a = " + b"[" * 50 + b"]" * 50 + b"\n", "[keys]: expected a table of strings"),
        (b"[general]\ntheme = " + b"[" * 50 + b"]" * 50 + b"\n", "general.theme: expected string"),
    ],
    ids=["binary", "deep-array", "nul", "huge", "deep-keys", "deep-value"],
)
def test_hostile_files_are_named_not_a_traceback(tmp_path, content, expected):
    p = tmp_path / "config.toml"
    p.write_bytes(content)
    with pytest.raises(InvalidInput) as err:
        load_config(p)
    msg = str(err.value)
    assert expected in msg and str(p) in msg and len(msg) < 2000
    args = build_parser().parse_args(["--config", str(p)])
    cfg, notices = resolve_config(args)  # the console starts read-only on defaults, saying why
    assert cfg.general.read_only and str(p) in notices[0] and expected in notices[0]


def test_a_directory_as_config_file_is_named(tmp_path):
    with pytest.raises(InvalidInput, match="not a regular file"):
        load_config(tmp_path)
