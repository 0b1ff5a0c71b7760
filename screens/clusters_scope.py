"""What the Clusters tab looks at: context, namespace and kind, and the `:` jumps.

``:deploy``, ``:pods app=web`` (kind, then a filter), ``:ctx NAME`` / ``:ctx`` (a list
with each context's reachability, production ones marked), ``:ns NAME`` / ``:ns all`` /
``:ns``. Switching the context or namespace replaces the Kubernetes adapter in
``Services`` and reconnects the tab; an unreachable context shows as unavailable there
without affecting the other tabs.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from textual import work

from console.errors import Denied, OpsError
from console.models.kubernetes import KINDS, canonical_kind
from screens.base import describe_error
from screens.pipelines_prompt import ChoicePrompt, ReasonPrompt

ALL_NAMESPACES = ("*", "all", "-A", "--all-namespaces")
PROBE_TIMEOUT = 2.0
ALL_LABEL = "all namespaces"
TYPE_NAMESPACE = "type a namespace…"
RECENT_NAMESPACES = 8


class ClusterScope:
    """Mixed into ClustersTab (a BackendTab with BACKEND "kubernetes")."""

    kind: str
    _recent_namespaces: list[str]

    def jump(self, arg: str) -> bool:
        word, _, rest = arg.strip().partition(" ")
        rest = rest.strip()
        if word.lower() in ("ctx", "context", "contexts"):
            if rest and self.is_multi_spec(rest):
                self.show_contexts(rest)  # several at once: screens.clusters_contexts
            else:
                self.switch_context(rest) if rest else self.choose_context()
            return True
        if word.lower() in ("ns", "namespace", "namespaces"):
            if not rest:
                self.choose_namespace()
            elif rest in ALL_NAMESPACES or self.adapter is None:
                self.switch_namespace(rest)
            else:
                self.check_namespace(rest)  # a typo must not show an empty, healthy-looking table
            return True
        kind = canonical_kind(word)
        if kind is None:
            return False
        self.show_kind(kind, rest)
        return True

    # -- kind ------------------------------------------------------------------------
    def action_choose_kind(self) -> None:
        def chosen(value: str | None) -> None:
            if value:
                self.show_kind(value, None)

        self.app.push_screen(ChoicePrompt("Show which resources?", KINDS), chosen)

    # -- context -----------------------------------------------------------------------
    def action_choose_context(self) -> None:
        self.choose_context()

    @work(thread=True, exclusive=True, group="kube-contexts", exit_on_error=False)
    def choose_context(self) -> None:
        adapter = self.services.get("kubernetes")
        try:
            contexts = adapter.contexts()
        except OpsError as exc:
            self.app.call_from_thread(self.notify, describe_error(exc, "kubernetes.contexts"), severity="error")
            return
        with ThreadPoolExecutor(max_workers=min(8, max(1, len(contexts)))) as pool:
            reasons = list(pool.map(lambda c: adapter.probe_context(c.name, PROBE_TIMEOUT), contexts))
        labels = []
        for ctx, reason in zip(contexts, reasons, strict=True):
            mark = " [PRODUCTION]" if self.config.is_production_context(ctx.name) else ""
            state = f" — unreachable: {reason}" if reason else ""
            labels.append(f"{ctx.name}{mark} ({ctx.namespace or 'default'}){state}")
        names = tuple(c.name for c in contexts)
        self.app.call_from_thread(self._offer_contexts, names, tuple(labels))

    def _offer_contexts(self, names: tuple[str, ...], labels: tuple[str, ...]) -> None:
        def chosen(label: str | None) -> None:
            if label is not None:
                self.switch_context(names[labels.index(label)])

        self.app.push_screen(ChoicePrompt("Switch Kubernetes context", labels), chosen)

    def switch_context(self, name: str) -> None:
        self.multi = ()
        self._replace_adapter(context=name, namespace=None)
        self.notify(f"Kubernetes context: {name}", timeout=3)

    # -- namespace ---------------------------------------------------------------------
    def action_choose_namespace(self) -> None:
        self.choose_namespace()

    @work(thread=True, exclusive=True, group="kube-namespaces", exit_on_error=False)
    def choose_namespace(self) -> None:
        if self.adapter is None:
            self.app.call_from_thread(self.notify, "not connected to Kubernetes", severity="warning")
            return
        try:
            names, note = self.adapter.namespace_choices(tuple(getattr(self, "_recent_namespaces", ())))
        except OpsError as exc:
            self.app.call_from_thread(self.notify, describe_error(exc, "kubernetes.namespaces"), severity="error")
            return
        choices = (*names, TYPE_NAMESPACE) if note else (ALL_LABEL, *names)
        self.app.call_from_thread(self._offer_namespaces, choices, note)

    def _offer_namespaces(self, names: tuple[str, ...], note: str = "") -> None:
        def typed(value: str | None) -> None:
            if value and value.strip():
                self.switch_namespace(value.strip())

        def chosen(value: str | None) -> None:
            if value == TYPE_NAMESPACE:
                self.app.push_screen(ReasonPrompt("Namespace to show", placeholder="namespace name"), typed)
            elif value:
                self.switch_namespace("*" if value == ALL_LABEL else value)

        if note:
            self.notify(note, severity="warning", timeout=6)
        self.app.push_screen(ChoicePrompt("Show which namespace?", names), chosen)

    @work(thread=True, exclusive=True, group="kube-namespaces", exit_on_error=False)
    def check_namespace(self, name: str) -> None:
        """THREAD: `:ns NAME` switches only to a namespace that exists; one the user may not
        read is switched to with a note (a namespace-scoped user cannot look it up)."""
        adapter = self.adapter
        try:
            if name not in adapter.namespaces():
                self.app.call_from_thread(self.notify, f"namespace {name} does not exist in context {adapter.context}: "
                                          "staying where you are (n lists the namespaces)", severity="warning")
                return
        except Denied:
            self.app.call_from_thread(self.notify, f"cannot check namespace {name} (not allowed to read namespaces): "
                                      "switching anyway", severity="warning")
        except OpsError as exc:
            self.app.call_from_thread(self.notify, describe_error(exc, "kubernetes.get namespace"), severity="error")
            return
        self.app.call_from_thread(self.switch_namespace, name)

    def switch_namespace(self, name: str) -> None:
        namespace = "*" if name in ALL_NAMESPACES else name
        if namespace != "*":  # offered again when the user may not list namespaces
            recent = [n for n in getattr(self, "_recent_namespaces", []) if n != namespace]
            self._recent_namespaces = [namespace, *recent][:RECENT_NAMESPACES]
        context = self.adapter.context if self.adapter is not None else self.config.kubernetes.context
        self._replace_adapter(context=context, namespace=namespace)
        self.notify(f"namespace: {'all' if namespace == '*' else namespace}", timeout=3)

    def show_object(self, context: str, namespace: str | None, kind: str, filter_text: str) -> None:
        """Show ``kind`` rows matching ``filter_text`` in ``context``/``namespace`` (Triage's enter),
        switching context or namespace only when the tab is not already looking there."""
        here = self.adapter.context if self.adapter is not None else self.config.kubernetes.context
        scope = self.adapter.namespace if self.adapter is not None else None
        if context and (context != here or (namespace and scope not in ("*", namespace))):
            self._replace_adapter(context=context, namespace=namespace)
        self.show_kind(kind, filter_text)

    def _replace_adapter(self, context: str | None, namespace: str | None) -> None:
        self.services.switch("kubernetes", context=context, namespace=namespace)  # every tab follows

    def on_switched(self) -> None:
        self.forget_rows()
