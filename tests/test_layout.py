"""The package's layering: no import cycle between modules (imports at module level; a
deferred import inside a function is how a lower layer reaches a heavy or optional one) nor
between folders, and the Istio core imports no cloud."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ingresslib"


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, *, deferred: bool) -> set[str]:
    """ingresslib modules `path` imports: at module level, or (deferred) anywhere; `from a
    import b` counts as `a.b` (resolved to `a` when b is not a module: `_graph`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = ast.walk(tree) if deferred else iter(tree.body)
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.If):  # `if TYPE_CHECKING:` blocks import nothing at run time
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("ingresslib")}
        elif (isinstance(node, ast.ImportFrom) and node.module and node.level == 0
              and node.module.startswith("ingresslib")):
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def _graph(*, deferred: bool) -> dict[str, set[str]]:
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for imported in _imports(path, deferred=deferred):
            target = imported
            while target not in modules and "." in target:  # `from module import name`
                target = target.rsplit(".", 1)[0]
            if target in modules and target != name:
                targets.add(target)
        graph[name] = targets
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph` as a path, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def _folder(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 else parts[0]  # ingresslib.<folder>


def test_no_module_import_cycle() -> None:
    assert _cycle(_graph(deferred=False)) is None


def test_no_folder_import_cycle() -> None:
    """Folders (ingresslib.config, ingresslib.manifests, ingresslib.aws...) form no cycle,
    counting deferred imports too. The top-level modules (edge.py, rules.py...) are checked
    one by one, by the module test."""
    folders: dict[str, set[str]] = {}
    for module, targets in _graph(deferred=True).items():
        src = _folder(module)
        for t in targets:
            dst = _folder(t)
            if "ingresslib" not in (src, dst) and dst != src:
                folders.setdefault(src, set()).add(dst)
    assert _cycle(folders) is None


@pytest.mark.parametrize("core", ["config", "manifests", "components"])
def test_the_istio_core_imports_no_cloud(core: str) -> None:
    for path in (PACKAGE / core).rglob("*.py"):
        clouds = {m for m in _imports(path, deferred=True)
                  if m.startswith(("ingresslib.aws", "ingresslib.azure"))}
        assert not clouds, f"{path.relative_to(ROOT)} imports {sorted(clouds)}"


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
