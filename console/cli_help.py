"""The command line's flags and its `--help` text, detailed enough to replace a man page.

``add_console_flags`` is shared by `opsconsole` and `opsconsole config`, so the
settings command accepts exactly the flags the console does and shows their effect.
"""

from __future__ import annotations

import argparse

from console.config import THEME_NAMES

DESCRIPTION = """\
A keyboard-driven terminal console for on-call operators: containers (Docker), clusters
(Kubernetes), pipelines and costs (AWS) and compliance checks in one UI. Every change goes
through one guarded path: preview, confirmation naming the target and its context,
execution with a timeout, verification, and an entry in the changelog and audit log."""

USAGE = """opsconsole [-h] [--version] [--sandbox] [--read-only] [--context CTX] [--namespace NS]
                  [--profile PROFILE] [--region REGION] [--docker-host HOST] [--theme THEME] [--config FILE]
       opsconsole check PATH... [options]   |   opsconsole config [FLAGS] [--json]
       opsconsole completion bash|zsh|fish"""

EPILOG = """\
subcommands:
  opsconsole check PATH... [--format text|json|sarif|junit] [--output FILE] [--fail-on SEV]
                           compliance checks for CI (see `opsconsole check -h`);
                           exit 0 clean, 1 findings at or above --fail-on, 2 error
  opsconsole config [FLAGS] [--json]
                           the config file in use, every effective setting with its
                           source (flag / env / file / default) and the file's validation;
                           exit 0 valid, 1 the file has problems, 2 usage error
  opsconsole completion bash|zsh|fish
                           print a shell completion script, e.g.
                           `opsconsole completion bash > ~/.local/share/bash-completion/completions/opsconsole`

precedence:
  flags > environment > config file > defaults. Read-only is a latch: a flag, the
  environment or the file turns it on and nothing turns it off again.

environment:
  DOCKER_HOST              Docker engine (unix://, tcp://, ssh://user@host[:port]);
                           ssh:// runs the system `ssh` binary, so ~/.ssh/config, agents,
                           jump hosts and known_hosts apply as with `docker -H ssh://`;
                           the remote needs the `docker` CLI (`docker system dial-stdio`)
  DOCKER_CONTEXT, DOCKER_CONFIG
                           the docker CLI context used when no host is given
  KUBECONFIG               kubeconfig files, `:`-separated (default ~/.kube/config)
  AWS_PROFILE, AWS_REGION, AWS_DEFAULT_REGION, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE
                           AWS profile and region (SSO and assume-role profiles work)
  OPSCONSOLE_READ_ONLY=1   disable every action
  OPSCONSOLE_THEME         colour theme (auto | """ + " | ".join(THEME_NAMES) + """)
  NO_COLOR                 monochrome: reverse video, bold and underline instead of colour
  TERM                     TERM=dumb refuses the full-screen console (use the subcommands)
  XDG_CONFIG_HOME, XDG_STATE_HOME, XDG_CACHE_HOME
                           where the config, the changelog/audit and the caches live

files:
  $XDG_CONFIG_HOME/opsconsole/config.toml    settings (or --config FILE)
  $XDG_STATE_HOME/opsconsole/changelog.md    operations changelog (or [changelog] path)
  $XDG_STATE_HOME/opsconsole/audit.jsonl     audit log (or [changelog] audit_path)
  $XDG_CACHE_HOME/opsconsole/                Cost Explorer and parse caches
  state and cache files are created 0600 in 0700 directories.

paid calls:
  Cost Explorer costs $0.01 per request; no request is made before the Costs tab is
  opened, results are cached for [costs] cache_ttl_seconds, and the status bar counts
  the requests made and their cost.

exit status:
  0 normal quit, 2 usage or configuration error (the message names the file or flag).

examples:
  opsconsole --sandbox                      try it on the embedded sandbox (needs the
                                            extra: pip install 'opsconsole[sandbox]')
  opsconsole --read-only --context prod-eu --profile prod --region eu-west-1
  DOCKER_HOST=ssh://deploy@build-1 opsconsole
  opsconsole config --profile prod          which settings win, and why
  opsconsole check infra/ --format sarif --output findings.sarif --fail-on high
"""


def add_console_flags(p: argparse.ArgumentParser) -> None:
    """The flags that select backends and behaviour (shared with `opsconsole config`)."""
    p.add_argument("--sandbox", action="store_true",
                   help="run on the embedded sandbox (in-process AWS and Kubernetes; needs opsconsole[sandbox])")
    p.add_argument("--read-only", action="store_true", help="disable every action (also OPSCONSOLE_READ_ONLY=1)")
    p.add_argument("--context", help="Kubernetes context (default: the kubeconfig's current context)")
    p.add_argument("--namespace", "-n", help="Kubernetes namespace ('*' for all)")
    p.add_argument("--profile", help="AWS profile (default: AWS_PROFILE, then 'default')")
    p.add_argument("--region", help="AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's)")
    p.add_argument("--docker-host", help="Docker host: unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host")
    p.add_argument("--theme", choices=("auto", *THEME_NAMES),
                   help="colour theme (auto: 16 colours on plain terminals and with NO_COLOR)")
    p.add_argument("--config", metavar="FILE", help="config file (default: $XDG_CONFIG_HOME/opsconsole/config.toml)")


def build_parser() -> argparse.ArgumentParser:
    from console import __version__

    p = argparse.ArgumentParser(prog="opsconsole", description=DESCRIPTION, epilog=EPILOG, usage=USAGE,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"opsconsole {__version__}")
    add_console_flags(p)
    return p
