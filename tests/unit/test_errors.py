"""Every exception class lives in errors.py, and user-facing failures are project errors."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path
from types import SimpleNamespace

import pytest

import ecoreport
from ecoreport.analysis.results import open_report
from ecoreport.errors import EcoreportError, UsageError

SOURCE = Path(ecoreport.__file__).parent


def test_exception_classes_are_declared_only_in_errors_py():
    elsewhere = []
    for path in [*SOURCE.rglob("*.py"), *(SOURCE.parent / "ecoreport_bundle").rglob("*.py")]:
        if path.name == "errors.py" and path.parent == SOURCE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                    getattr(base, "id", getattr(base, "attr", "")).endswith(("Error", "Exception"))
                    for base in node.bases):
                elsewhere.append(f"{path.relative_to(SOURCE.parent)}: {node.name}")
    assert elsewhere == []


def test_results_for_another_lan_are_a_usage_error(tmp_path):
    path = tmp_path / "results.pkl"
    results = SimpleNamespace(region_code="01", year=2020)
    path.write_bytes(pickle.dumps({"results": results, "dataset": None, "build_info": {}}))
    with pytest.raises(UsageError, match="holds results for 01 2020, not 24"):
        open_report("24", 2020, results_path=str(path))
    assert issubclass(UsageError, EcoreportError)


def test_saved_results_are_compressed_and_read_back(tmp_path):
    from ecoreport.analysis.results import save_results

    results = SimpleNamespace(region_code="24", year=2020)
    path = tmp_path / "results.pkl.gz"
    save_results(results, path, build_info={"command": "x"})
    assert path.read_bytes()[:2] == b"\x1f\x8b"
    first = path.read_bytes()
    save_results(results, path, build_info={"command": "x"})
    assert path.read_bytes() == first  # no time stamp in the file
    with pytest.raises(UsageError, match="holds results for 24 2020, not 01"):
        open_report("01", 2020, results_path=str(path))
