"""No screen calls a mutating adapter method directly: every change goes through the runner.

The rule, kept simple:

1. The mutating method names are collected, without importing any SDK, by parsing
   ``console/backends/*.py`` for class attributes ``MUTATIONS = frozenset({...})``
   (every string constant in the assigned expression counts).
2. In ``screens/*.py`` every call ``<something>.<name>(...)`` with ``<name>`` in that set
   is a violation, unless the call sits inside the function handed to the runner: a
   ``lambda`` (or a ``def`` in the same module, referenced by name) passed as
   ``execute=`` (or 4th positional argument) to ``ActionSpec(...)``.
3. Only calls on an adapter count: a receiver whose source mentions adapter, backend,
   services, docker, kube, k8s, aws, ecs, rollout or client, or a local name assigned
   from such an expression (``a = self.adapter; a.restart(...)``). Mutation names are
   common words (``start``, ``stop``, ``remove``): ``timer.stop()``, ``match.start()``
   or a spec builder ``actions.scale(adapter, row, 5)`` that returns an ActionSpec
   are not mutations.

Dry runs for previews belong in non-mutating adapter methods (not listed in MUTATIONS).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ADAPTER_RECEIVER = re.compile(r"adapter|backend|services|docker|kube|k8s|aws|ecs|rollout|client", re.IGNORECASE)


def mutation_names(backends: Path = ROOT / "console" / "backends") -> set[str]:
    names: set[str] = set()
    for path in sorted(backends.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            for stmt in cls.body:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(
                    stmt, ast.AnnAssign) and stmt.value is not None else []
                if any(isinstance(t, ast.Name) and t.id == "MUTATIONS" for t in targets):
                    names |= {c.value for c in ast.walk(stmt.value)
                              if isinstance(c, ast.Constant) and isinstance(c.value, str)}
    return names


def _is_action_spec(call: ast.Call) -> bool:
    func = call.func
    return (isinstance(func, ast.Name) and func.id == "ActionSpec") or (
        isinstance(func, ast.Attribute) and func.attr == "ActionSpec")


def _executors(tree: ast.AST) -> tuple[set[int], set[str]]:
    """ids of lambdas passed as execute=, and names of functions passed as execute=."""
    lambdas: set[int] = set()
    names: set[str] = set()
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call) and _is_action_spec(n)):
        values = [k.value for k in call.keywords if k.arg == "execute"]
        if len(call.args) >= 4:
            values.append(call.args[3])
        for value in values:
            if isinstance(value, ast.Lambda):
                lambdas.add(id(value))
            elif isinstance(value, ast.Name):
                names.add(value.id)
            elif isinstance(value, ast.Attribute):
                names.add(value.attr)
    return lambdas, names


def violations(path: Path, mutations: set[str]) -> list[str]:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    lambdas, executor_names = _executors(tree)
    aliases = {t.id for n in ast.walk(tree) if isinstance(n, ast.Assign)
               and ADAPTER_RECEIVER.search(ast.get_source_segment(source, n.value) or "")
               for t in n.targets if isinstance(t, ast.Name)}
    found: list[str] = []

    def adapter_like(receiver: ast.expr) -> bool:
        root = receiver
        while isinstance(root, (ast.Attribute, ast.Call, ast.Subscript)):
            root = root.func if isinstance(root, ast.Call) else root.value
        text = ast.get_source_segment(source, receiver) or ""
        return bool(ADAPTER_RECEIVER.search(text)) or (isinstance(root, ast.Name) and root.id in aliases)

    def visit(node: ast.AST, allowed: bool) -> None:
        if isinstance(node, ast.Lambda) and id(node) in lambdas:
            allowed = True
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in executor_names:
            allowed = True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not allowed:
            name = node.func.attr
            receiver = ast.get_source_segment(source, node.func.value) or ""
            if name in mutations and adapter_like(node.func.value):
                where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
                found.append(f"{where}:{node.lineno}: {receiver}.{name}(...) outside an "
                             "ActionSpec execute=")
        for child in ast.iter_child_nodes(node):
            visit(child, allowed)

    visit(tree, False)
    return found


def test_mutations_are_found():
    names = mutation_names()
    assert names, "no MUTATIONS found in console/backends/*.py"


def test_no_screen_calls_a_mutation_directly():
    mutations = mutation_names()
    bad = [v for path in sorted((ROOT / "screens").glob("*.py")) for v in violations(path, mutations)]
    assert bad == [], "screens must hand mutations to the runner (ActionSpec + run_guarded):\n" + "\n".join(bad)


def test_the_rule_itself(tmp_path):
    backends = tmp_path / "backends"
    backends.mkdir()
    (backends / "fake.py").write_text("class B:\n    MUTATIONS = frozenset({'restart', 'stop'})\n")
    mutations = mutation_names(backends)
    assert mutations == {"restart", "stop"}
    screen = tmp_path / "probe_screen.py"
    screen.write_text(
        "def direct(self):\n    self.adapter.restart('x', timeout=5)\n"
        "def timer(self):\n    self._timer.stop()\n"
        "def builder(self):\n    self.run_guarded(actions.restart(self.adapter, row))\n"
        "def alias(self):\n    a = self.adapter\n    a.stop('x', timeout=5)\n"
        "def adapter_stop(self):\n    self.services.docker().stop('x', timeout=5)\n"
        "def guarded(self, docker):\n"
        "    self.run_guarded(ActionSpec(verb='restart', targets=(), risk=None,\n"
        "        execute=lambda t, timeout: docker.restart(t.id, timeout=timeout)))\n"
        "def do_it(t, timeout):\n    return ADAPTER.restart(t.id, timeout=timeout)\n"
        "SPEC = ActionSpec('restart', (), None, do_it)\n"
    )
    found = violations(screen, mutations)
    assert [line.split(":")[1] for line in found] == ["2", "9", "11"], found
