"""Every third-party package the code imports is a declared, bounded dependency.

The imports of ``src/`` (every ``import``/``from … import``, also inside functions) are
read with ``ast``; each top-level module that is neither the standard library nor the
project's own maps to a distribution (:data:`DISTRIBUTION`) that ``pyproject.toml``
declares with a lower and an upper bound, which the version ``requirements.txt`` pins
satisfies.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
OWN = {"ecoreport", "ecoreport_bundle"}

#: Import name -> distribution, where they differ (lower-case, "-" for "_" and ".").
DISTRIBUTION = {"IPython": "ipython", "yaml": "pyyaml", "vl_convert": "vl-convert-python",
                "markdown_it": "markdown-it-py", "jupyter_book": "jupyter-book",
                "jupyter_client": "jupyter-client", "jupyter_core": "jupyter-core",
                "myst_nb": "myst-nb", "pydantic_core": "pydantic-core",
                "sklearn": "scikit-learn", "PIL": "pillow", "bs4": "beautifulsoup4"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_modules(folder: Path) -> dict[str, set[str]]:
    """Top-level module -> the files importing it (absolute imports only)."""
    found: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(
                    path.relative_to(folder).as_posix())
    return found


def third_party(found: dict[str, set[str]]) -> dict[str, set[str]]:
    return {name: files for name, files in found.items()
            if name not in sys.stdlib_module_names and name not in OWN}


def declared() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [Requirement(spec) for spec in project["dependencies"]]
    return {canonical(req.name): req for req in requirements}


def pins() -> dict[str, Version]:
    found = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line.strip())
        if match:
            found[canonical(match.group(1))] = Version(match.group(2))
    return found


def bounded(req: Requirement) -> bool:
    operators = {spec.operator for spec in req.specifier}
    return "==" in operators or ({">=", ">"} & operators and {"<", "<="} & operators)


def test_the_scan_finds_imports_at_module_level_and_inside_functions(tmp_path):
    (tmp_path / "a.py").write_text("import os\nimport numpy as np\nfrom yaml import safe_load\n"
                                   "from . import sibling\nfrom ecoreport import errors\n"
                                   "def f():\n    import IPython.display\n", encoding="utf-8")
    assert set(third_party(imported_modules(tmp_path))) == {"numpy", "yaml", "IPython"}


def test_every_imported_package_is_a_declared_bounded_dependency_matching_the_pins():
    modules = third_party(imported_modules(ROOT / "src"))
    assert {"numpy", "scipy", "altair", "IPython", "jupyter_client", "nbformat",
            "myst_nb"} <= set(modules)  # (the scan sees them)
    dependencies, pinned = declared(), pins()
    problems = []
    for module, files in sorted(modules.items()):
        name = canonical(DISTRIBUTION.get(module, module))
        req = dependencies.get(name)
        where = f"{module} (imported in {', '.join(sorted(files)[:3])})"
        if req is None:
            problems.append(f"{where}: {name} is not in pyproject's dependencies")
        elif not bounded(req):
            problems.append(f"{where}: {req} needs a lower and an upper bound")
    for name, req in sorted(dependencies.items()):
        if not bounded(req):
            problems.append(f"{req}: needs a lower and an upper bound")
        if name not in pinned:
            problems.append(f"{req}: not pinned in requirements.txt")
        elif pinned[name] not in req.specifier:
            problems.append(f"{req}: requirements.txt pins {pinned[name]}, outside the bounds")
    assert problems == []
