"""The pipeline's architecture, enforced: layers (pyproject's import-linter contracts) and
no import cycle anywhere in the package, imports inside functions included."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]


def find_cycle(graph: grimp.ImportGraph, modules: set[str]) -> list[str] | None:
    """A cycle of direct imports among ``modules`` (depth-first search), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        stack.append(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module) & modules):
            if state.get(imported) == 1:
                return stack[stack.index(imported):] + [imported]
            if imported not in state and (cycle := visit(imported)):
                return cycle
        stack.pop()
        state[module] = 2
        return None

    for module in sorted(modules):
        if module not in state and (cycle := visit(module)):
            return cycle
    return None


def test_find_cycle_detects_a_planted_cycle() -> None:
    graph = grimp.ImportGraph()
    for name in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(name)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.z")
    assert find_cycle(graph, {"a.x", "a.y", "a.z"}) is None
    graph.add_import(importer="a.z", imported="a.x")
    assert find_cycle(graph, {"a.x", "a.y", "a.z"}) == ["a.x", "a.y", "a.z", "a.x"]


def test_no_import_cycle_between_modules() -> None:
    graph = grimp.build_graph("ecoreport")
    modules = {m for m in graph.modules if m.startswith("ecoreport")}
    # A package's __init__ importing its own submodules is not a cycle of the design.
    packages = {m for m in modules if (ROOT / "src" / m.replace(".", "/") / "__init__.py").exists()}
    assert find_cycle(graph, modules - packages) is None


def test_layer_contracts_hold() -> None:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.fail("lint-imports (import-linter) is not installed; run `make install`")
    proc = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
