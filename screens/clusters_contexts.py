"""Clusters over several contexts at once: ``:ctx a,b`` / ``:ctx *`` (patterns too).

Each context gets its own adapter from ``Services.kubernetes_for`` with its own watch
caches; a refresh reads every context in parallel and waits at most ``FAST`` seconds
for any one of them, so a dead or slow context never delays the table: it keeps its
last rows (if any) and shows its state and reason in the header. Rows carry their
``context`` (the CONTEXT column); an action on a row targets that row's context through
its own adapter, and the confirmation names it. ``:ctx NAME`` goes back to one context.
Mixed into ClustersTab (a BackendTab with BACKEND "kubernetes").
"""

from __future__ import annotations

import dataclasses
import fnmatch
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from rich.text import Text
from textual import work

from console import clock
from console.errors import OpsError, Unavailable
from console.models.kubernetes import KubeRow, Severity, WatchState
from console.text import safe_text
from screens.base import age_text, describe_error
from screens.table_notes import count_text

FAST = 1.5  # seconds a multi-context refresh waits for any one context


class ClusterContexts:
    kind: str
    rows: dict[str, KubeRow]

    def init_contexts(self) -> None:
        self.multi: tuple[str, ...] = ()
        self.context_states: dict[str, tuple[str, float | None]] = {}  # context -> (reason or "", data time)
        self._infos: dict[str, Any] = {}
        self._ctx_rows: dict[str, tuple[KubeRow, ...]] = {}
        self._ctx_seen: dict[tuple[str, str], tuple[KubeRow, KubeRow]] = {}
        self._pool: ThreadPoolExecutor | None = None

    # -- choosing ---------------------------------------------------------------------
    @staticmethod
    def is_multi_spec(spec: str) -> bool:
        return "," in spec or any(ch in spec for ch in "*?[")

    @work(thread=True, exclusive=True, group="kube-contexts", exit_on_error=False)
    def show_contexts(self, spec: str) -> None:
        patterns = [p.strip() for p in spec.split(",") if p.strip()]
        try:
            names = [c.name for c in self.services.get("kubernetes").contexts()]
        except OpsError as exc:
            self.app.call_from_thread(self.notify, describe_error(exc, "kubernetes.contexts"), severity="error")
            return
        chosen = tuple(n for n in names if any(fnmatch.fnmatch(n, p) for p in patterns))
        if not chosen:
            self.app.call_from_thread(self.notify, f"no context matches {spec} (known: {', '.join(names)})",
                                      severity="warning")
            return
        self.app.call_from_thread(self._use_contexts, chosen)

    def _use_contexts(self, contexts: tuple[str, ...]) -> None:
        self.multi = contexts if len(contexts) > 1 else ()
        if not self.multi:
            self.switch_context(contexts[0])
            return
        self.context_states, self._ctx_rows, self._ctx_seen = {}, {}, {}
        self.forget_rows()
        self.notify(f"Kubernetes contexts: {', '.join(contexts)}", timeout=3)
        self.request_refresh()

    # -- reading (THREAD) ---------------------------------------------------------------
    def fetch_contexts(self, kind: str) -> tuple[str, tuple[KubeRow, ...], WatchState, dict, dict]:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="kube-contexts")
        contexts = self.multi
        futures = {ctx: self._pool.submit(self._read_context, ctx, kind) for ctx in contexts}
        deadline = time.monotonic() + FAST
        rows: list[KubeRow] = []
        states: dict[str, tuple[str, float | None]] = {}
        infos: dict[str, Any] = {}
        for ctx, future in futures.items():
            before = self.context_states.get(ctx, ("", None))[1]
            try:
                got, info = future.result(timeout=max(0.0, deadline - time.monotonic()))
            except FutureTimeout:
                rows += self._ctx_rows.get(ctx, ())
                states[ctx] = ("still loading", before)
                continue
            except OpsError as exc:
                rows += self._ctx_rows.get(ctx, ())
                states[ctx] = (describe_error(exc, f"kubernetes {ctx}"), before)
                continue
            self._ctx_rows[ctx] = got
            infos[ctx] = info
            rows += got
            states[ctx] = ("", clock.now())
        synced = any(not reason for reason, _ in states.values())
        return kind, tuple(rows), WatchState(kind, "*", synced=synced), states, infos

    def _read_context(self, ctx: str, kind: str) -> tuple[tuple[KubeRow, ...], Any]:
        adapter = self.services.kubernetes_for(ctx)
        info = self._infos.get(ctx)
        if info is None:
            info = adapter.connect()
        cache = adapter.watch(kind, None, on_change=self._watch_event, keep_others=True)
        deadline = time.monotonic() + self.config.kubernetes.timeout
        while not cache.wait_synced(0.1):
            if cache.state().stale or time.monotonic() > deadline:
                raise Unavailable(cache.state().reason or f"listing {kind} took too long", source=f"kubernetes {ctx}")
        if cache.state().stale:
            raise Unavailable(f"watch disconnected: {cache.state().reason}", source=f"kubernetes {ctx}")
        out = []
        for r in cache.rows():
            seen = self._ctx_seen.get((ctx, r.key))
            if seen is None or seen[0] is not r:  # keep the identity of unchanged rows (the tab's row cache)
                seen = self._ctx_seen[(ctx, r.key)] = (r, dataclasses.replace(r, context=ctx))
            out.append(seen[1])
        return tuple(out), info

    def took_contexts(self, states: dict, infos: dict) -> None:
        """MAIN thread: what a multi-context refresh learned about each context."""
        self.context_states = states
        self._infos.update(infos)

    # -- targets ------------------------------------------------------------------------
    def target_of(self, row: KubeRow) -> tuple[Any, KubeRow, Any]:
        """(adapter, row, info) an action on ``row`` must use: its own context's."""
        if row.context:
            return self.services.kubernetes_for(row.context), row, self._infos.get(row.context)
        return self.adapter, row, self.info

    def refused_elsewhere(self, row: KubeRow, action: str) -> bool:
        """Deploy/rollback wizards work on the current context only."""
        here = self.adapter.context if self.adapter is not None else self.config.kubernetes.context
        if row.context and row.context != here and action in ("deploy", "rollback", "history", "watch_rollout"):
            self.notify(f"{action.replace('_', ' ')}: switch to {row.context} first (:ctx {row.context})",
                        severity="warning", timeout=4)
            return True
        return False

    # -- header ---------------------------------------------------------------------------
    def _update_header(self) -> None:
        info = self.info
        text = Text()
        if self.multi:
            now = clock.now()
            for i, ctx in enumerate(self.multi):
                reason, at = self.context_states.get(ctx, ("connecting…", None))
                if i:
                    text.append(" · ")
                if self.config.is_production_context(ctx):
                    text.append(" PROD ", style=f"bold reverse {self._theme('error')}")
                    text.append(" ")
                mark, style = ("✗ ", self._theme("error")) if reason else ("● ", self._theme("success"))
                text.append(mark, style=style)
                text.append_text(safe_text(ctx + (f": {reason}" if reason else "")))
                if at is not None:
                    text.append(f" {age_text(now - at)}", style="dim")
        else:
            if info is not None and info.production:
                text.append(" PRODUCTION ", style=f"bold reverse {self._theme('error')}")
                text.append(" ")
            ctx = (info.extra.get("context") if info else None) or self.config.kubernetes.context or "?"
            ns = (info.extra.get("namespace") if info else None) or "?"
            ns = "all namespaces" if ns == "*" else f"ns {ns}"
            text.append_text(safe_text(f"{ctx} · {ns}"))
        tables = self.query(f"#table-{self.kind}")
        table = tables.first() if tables else None
        if table is not None:  # an empty table says what is empty and where
            where = f"in contexts {', '.join(self.multi)}" if self.multi else f"in {ns}"
            loaded = self.watch_state is not None and self.watch_state.kind == self.kind
            table.describe_empty(self.kind, where, "" if loaded else f"loading {self.kind}…")
        if self.rows:
            errors = sum(1 for r in self.rows.values() if r.severity is Severity.ERROR)
            warnings = sum(1 for r in self.rows.values() if r.severity is Severity.WARNING)
            filtered = table is not None and bool(table.filter_text)
            text.append(" · " + count_text(table.row_count if table else len(self.rows), len(self.rows), self.kind,
                                           filtered))  # 12 of 340 pods
            if errors:
                text.append(f" · {errors} failing", style=f"bold {self._theme('error')}")
            if warnings:
                text.append(f" · {warnings} warning{'s' if warnings > 1 else ''}", style=self._theme("warning"))
        else:
            text.append(f" · {self.kind}")
        state = self.watch_state
        if state is not None and state.kind == self.kind:
            if state.loading:
                text.append(" · listing… (more pages coming)", style="dim")
            else:
                text.append(f" · live (watch{f', {state.relists} relists' if state.relists else ''})", style="dim")
        if self.read_only:
            text.append(f" · read-only: {self.read_only_reason}", style="dim")
        self.query_one("#kube-header").update(text)

    def close_contexts(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
