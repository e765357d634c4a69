"""The house, measured: package sizes, function lengths, and Swedish prose kept out of Python
(it lives in the MyST documents: notebooks/, book/, book/texts/). The measures are those of
the project's house-metrics tool; the caps are where the code is, so they can only go down."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "ecoreport"

MAX_PACKAGE_SHARE = 0.35
MAX_FUNCTION_LINES = 80
# Lines of Swedish prose in string literals outside the phrase table (narrative.py); most of
# what is left is English CLI help naming "län", and UI labels of the theme.
MAX_SWEDISH_LITERAL_LINES = 82  # the issue aimed at <= 100; 725 before prose moved to book/texts

_SWEDISH = re.compile(r"[åäöÅÄÖ]|\b(och|att|som|för|det|är|inte|län|värde)\b")


def _modules():
    return sorted(PACKAGE.rglob("*.py"))


def _tree(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"))


def package_shares() -> dict[str, float]:
    lines: dict[str, int] = {}
    for path in _modules():
        top = path.relative_to(PACKAGE).parts[0]
        top = top if (PACKAGE / top).is_dir() else "(top level)"
        lines[top] = lines.get(top, 0) + len(path.read_text(encoding="utf-8").splitlines())
    total = sum(lines.values())
    return {name: count / total for name, count in lines.items()}


def long_functions(limit: int = MAX_FUNCTION_LINES) -> list[str]:
    return [f"{path.relative_to(PACKAGE)}:{node.name} ({node.end_lineno - node.lineno + 1})"
            for path in _modules() for node in ast.walk(_tree(path))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > limit]


def swedish_literal_lines(source: str) -> int:
    """Lines of string literals over 40 characters that read as Swedish (docstrings aside)."""
    tree = ast.parse(source)
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
            and n.body and isinstance(n.body[0], ast.Expr)}
    return sum(n.end_lineno - n.lineno + 1 for n in ast.walk(tree)
               if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs
               and len(n.value) > 40 and _SWEDISH.search(n.value))


def test_the_measure_counts_swedish_prose_and_nothing_else():
    assert swedish_literal_lines('x = "Länet har plats 3 av 21 bland länen i jämförelsen."\n') == 1
    assert swedish_literal_lines('x = ("Länet har plats 3 av 21 "\n     "bland länen i jämförelsen.")\n') == 2
    assert swedish_literal_lines('def f():\n    """Här står en docstring om länet och dess värde."""\n') == 0
    assert swedish_literal_lines('x = "An English sentence that is long enough to count."\n') == 0


def test_no_package_holds_more_than_a_third_of_the_code():
    over = {name: f"{share:.1%}" for name, share in package_shares().items()
            if share > MAX_PACKAGE_SHARE}
    assert over == {}


def test_no_function_is_longer_than_a_screen():
    assert long_functions() == []


def test_swedish_prose_lives_in_the_documents_not_in_python():
    counts = {str(path.relative_to(PACKAGE)): swedish_literal_lines(path.read_text(encoding="utf-8"))
              for path in _modules() if not re.search(r"phrase|narrative", path.stem)}
    total = sum(counts.values())
    worst = sorted(((n, f) for f, n in counts.items() if n), reverse=True)[:5]
    assert total <= MAX_SWEDISH_LITERAL_LINES, f"{total} lines; most in {worst}"
