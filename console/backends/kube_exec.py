"""A kubeconfig ``exec`` credential plugin, run once with a deadline before the SDK runs it.

The kubernetes client runs exec plugins (``aws eks get-token``, ``kubelogin``, an SSO or
MFA helper) with no timeout: a plugin waiting for a browser login or a prompt left the
Clusters tab on "connecting" forever. ``check_exec_plugin`` runs the plugin in its own
session with the plugin's env and ``KUBERNETES_EXEC_INFO`` (non-interactive), kills the
whole process group at the deadline and raises ``TimedOut`` naming the context and the
plugin. Plugins cache their credential, so the SDK's own run right after is quick.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from typing import Any

from console.errors import Denied, InvalidInput, TimedOut, Unconfigured

SOURCE = "kubernetes.kubeconfig"


def _command(context: str, exec_config: dict[str, Any]) -> list[str]:
    command = exec_config.get("command")
    args = exec_config.get("args") or []
    if not isinstance(command, str) or not command or not isinstance(args, list):
        raise InvalidInput(f"context {context!r}: exec plugin needs a command and a list of args", source=SOURCE)
    return [command, *(str(a) for a in args)]


def _env(exec_config: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for item in exec_config.get("env") or []:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            env[item["name"]] = str(item.get("value", ""))
    api_version = str(exec_config.get("apiVersion") or "client.authentication.k8s.io/v1beta1")
    env["KUBERNETES_EXEC_INFO"] = json.dumps(
        {"apiVersion": api_version, "kind": "ExecCredential", "spec": {"interactive": False}})
    return env


def check_exec_plugin(context: str, exec_config: dict[str, Any], timeout: float) -> None:
    """Run the plugin once; it must print a credential within ``timeout`` seconds."""
    argv = _command(context, exec_config)
    plugin = os.path.basename(argv[0])
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=_env(exec_config), start_new_session=True)
    except OSError as exc:
        raise Unconfigured(f"context {context!r}: exec credential plugin {plugin!r} cannot run: {exc.strerror}",
                           source=SOURCE) from None
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it ended by itself between the timeout and the kill
        proc.communicate()
        raise TimedOut(f"context {context!r}: exec credential plugin {plugin!r} gave no credential within "
                       f"{timeout:g}s (is it waiting for a login, SSO or MFA prompt? run it in a shell first)",
                       source=SOURCE) from None
    if proc.returncode != 0:
        tail = err.decode("utf-8", errors="replace").strip().splitlines()[-1:] or ["no message"]
        raise Denied(f"context {context!r}: exec credential plugin {plugin!r} exited with {proc.returncode}: "
                     f"{tail[0][:200]}", source=SOURCE)
