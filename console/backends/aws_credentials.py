"""AWS credentials resolved with a deadline: a credential helper never hangs a tab.

An AWS profile's ``credential_process`` (or an SSO / MFA flow) may wait forever for a
prompt nobody sees in a TUI. :func:`bounded_session` builds the boto3 session with

- the ``credential_process`` provider replaced (through botocore's public
  ``CredentialResolver``) by one whose helper runs with no terminal (stdin from
  /dev/null, its own session, so it cannot read the console's keys) and is killed when it
  has not answered within the timeout;
- the whole credential chain (SSO, assume-role, helpers) resolved in a thread with the
  same deadline; past it the caller gets ``TimedOut`` naming the profile.
"""

from __future__ import annotations

import subprocess
import threading
from typing import Any

import boto3
import botocore.session
from botocore.credentials import ProcessProvider

from console.errors import TimedOut


class HelperTimedOut(TimedOut):
    """The profile's credential_process did not answer in time (it was killed)."""


def helper_popen(profile: str, limit: float) -> type[subprocess.Popen]:
    """A Popen for credential helpers: no terminal, killed after ``limit`` seconds."""

    class HelperPopen(subprocess.Popen):
        def __init__(self, args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("stdin", subprocess.DEVNULL)
            kwargs.setdefault("start_new_session", True)
            super().__init__(args, **kwargs)

        def communicate(self, input: Any = None, timeout: float | None = None) -> tuple[Any, Any]:  # noqa: A002
            try:
                return super().communicate(input, timeout=limit if timeout is None else min(timeout, limit))
            except subprocess.TimeoutExpired:
                self.kill()
                super().communicate()
                raise HelperTimedOut(
                    f"AWS profile {profile!r}: its credential_process did not answer within {limit:g}s "
                    "and was stopped (does it wait for an MFA or SSO prompt? run it in a shell)",
                    source="aws.credentials") from None

    return HelperPopen


def bounded_session(profile: str | None, region: str | None, timeout: float) -> boto3.Session:
    """A boto3 session whose credentials are resolved now, within ``timeout`` seconds."""
    core = botocore.session.Session(profile=profile)
    name = profile or "default"
    resolver = core.get_component("credential_provider")
    if "custom-process" in [p.METHOD for p in resolver.providers]:
        bounded = ProcessProvider(name, lambda: core.full_config, popen=helper_popen(name, timeout))
        bounded.METHOD = "custom-process-bounded"
        resolver.insert_before("custom-process", bounded)
        resolver.remove("custom-process")
    session = boto3.Session(botocore_session=core, region_name=region)
    _resolve_with_deadline(core, name, timeout)
    return session


def _resolve_with_deadline(core: Any, profile: str, timeout: float) -> None:
    outcome: dict[str, BaseException] = {}

    def resolve() -> None:
        try:
            core.get_credentials()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread below
            outcome["error"] = exc

    worker = threading.Thread(target=resolve, daemon=True, name=f"aws-credentials-{profile}")
    worker.start()
    worker.join(timeout + 1.0)  # the helper's own kill comes first; this bounds SSO and the rest
    if worker.is_alive():
        raise TimedOut(f"AWS profile {profile!r}: resolving credentials (credential_process, SSO or "
                       f"assume-role) did not finish within {timeout:g}s", source="aws.credentials")
    if "error" in outcome:
        raise outcome["error"]
