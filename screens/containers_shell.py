"""The Containers tab's `s`: an interactive shell in the container, audited before and after.

The argv comes from the adapter (``docker exec -it`` for the current host), the
``requested`` audit record is written before the app suspends (an unwritable journal
refuses the shell), and the session's outcome with its duration after it returns.
"""

from __future__ import annotations

import subprocess
from typing import Any

from textual import work

from console.actions.docker import shell_session
from console.actions.journal import JournalUnwritable
from console.actions.records import Operator, current_operator
from console.actions.sessions import Session, close_session, open_session
from console.models.docker import ContainerSummary
from screens.base import describe_error


class ContainerShell:
    """Mixin for ContainersTab (uses its ``adapter``, ``info``, ``host_label`` and ``current``)."""

    adapter: Any
    info: Any
    app: Any

    def action_shell(self) -> None:
        c = self.current()
        if c is None or self.adapter is None:
            return
        if c.state != "running":
            self.notify(f"shell: {c.name} is {c.state}, not running", severity="warning")
            return
        self._shell_worker(c)

    @work(thread=True, exclusive=True, group="docker-shell", exit_on_error=False, description="shell argv")
    def _shell_worker(self, c: ContainerSummary) -> None:
        """THREAD: the argv, then the "requested" audit record; an unwritable journal refuses."""
        from screens.guarded import journal_for

        operator = current_operator(self.info.identity if self.info is not None else "")
        try:
            argv = self.adapter.exec_command(c.id)
            production = bool(self.info.production) if self.info is not None else False
            session = open_session(shell_session(self.adapter, c, self.host_label, argv, production),
                                   journal_for(self.app), operator)
        except JournalUnwritable as exc:
            self.app.call_from_thread(self.notify, f"shell refused: the audit log cannot be written: {exc.body}",
                                      severity="error")
            return
        except Exception as exc:  # noqa: BLE001 - shown as a notification
            self.app.call_from_thread(self.notify, describe_error(exc, "docker.exec_command"), severity="error")
            return
        self.app.call_from_thread(self.run_shell, argv, session, operator)

    def run_shell(self, argv: list[str], session: Session, operator: Operator) -> None:
        """MAIN thread: suspend the app, run the interactive shell, come back, record it."""
        from textual.app import SuspendNotSupported

        code: int | None = None
        error = ""
        try:
            with self.app.suspend():
                code = subprocess.call(argv)  # noqa: S603 - argv built by the adapter, no shell
        except SuspendNotSupported:
            error = "this terminal cannot suspend the app: run " + " ".join(argv)
        except OSError as exc:
            error = f"shell failed: {exc}"
        self._close_session(session, operator, code, error)
        if error:
            self.notify(error, severity="warning")
            return
        self.notify(f"shell exited with {code}", timeout=2)
        self.request_refresh()

    @work(thread=True, group="docker-shell-record", exit_on_error=False, description="shell record")
    def _close_session(self, session: Session, operator: Operator, code: int | None, error: str) -> None:
        from screens.guarded import journal_for

        try:
            close_session(session, journal_for(self.app), operator, code, error)
        except JournalUnwritable as exc:
            self.app.call_from_thread(self.notify, f"the end of the shell session could not be recorded: {exc.body}",
                                      severity="error")
