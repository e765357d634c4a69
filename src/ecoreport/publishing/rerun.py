"""Re-run an executed notebook of a report and compare its results with the report's.

``ecoreport rerun notebooks/dimensioner/fou.ipynb`` (in the report folder)
executes the notebook again with papermill, with the parameters the build injected (they
are in the notebook), in the notebook's folder (its ``results_path`` is relative to it) and
with the chart settings the build used, then compares every code cell's outputs (the glued
values, the review tables, the text) with the executed notebook the book was built from.
It prints ``same results`` or the cells that differ, and exits 0 or 1.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from ecoreport.errors import EcoreportError
from ecoreport.publishing.kernels import scoped_environment
from ecoreport.report.render import STATIC_CHARTS_ENV, VALIDATE_CHARTS_ENV

#: Output fields that say how, not what (papermill's timing lives in cell metadata).
_IGNORED_OUTPUT_KEYS = ("execution_count",)


def static_charts_of(notebook: dict) -> str:
    """The static chart format the notebook was run with (see ``render.STATIC_MIME``)."""
    mimes = {mime.removeprefix("application/papermill.record/")
             for cell in notebook.get("cells", []) for output in cell.get("outputs", [])
             for mime in output.get("data", {})}
    if "application/pdf" in mimes:
        return "pdf"
    if "image/png" in mimes:
        return "png"
    return "none"


def cell_outputs(notebook: dict) -> list[tuple[int, str]]:
    """(cell index, outputs as canonical JSON) of every code cell but the parameters."""
    found = []
    for index, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        outputs = [{k: v for k, v in output.items() if k not in _IGNORED_OUTPUT_KEYS}
                   for output in cell.get("outputs", [])]
        found.append((index, json.dumps(outputs, sort_keys=True, ensure_ascii=False)))
    return found


def differences(first: dict, second: dict) -> list[str]:
    """The code cells whose outputs differ between two runs of a notebook (empty: none)."""
    a, b = cell_outputs(first), cell_outputs(second)
    if len(a) != len(b):
        return [f"{len(a)} code cells against {len(b)}"]
    cells = first.get("cells", [])
    found = []
    for (index, left), (_, right) in zip(a, b):
        if left != right:
            source = "".join(cells[index].get("source", "")).strip().splitlines()
            found.append(f"cell {index}: {source[-1] if source else ''}")
    return found


def rerun(notebook_path: Path, output_path: Path | None = None,
          kernel_name: str | None = None) -> tuple[dict, dict]:
    """Execute ``notebook_path`` again (papermill, same parameters, in its folder, with the
    chart settings of the build); returns (the report's notebook, the new one)."""
    import papermill

    notebook_path = Path(notebook_path).resolve()
    if not notebook_path.is_file():
        raise EcoreportError(f"{notebook_path}: no such notebook; give the path of an "
                             "executed notebook in a report folder (notebooks/…/x.ipynb)")
    original = json.loads(notebook_path.read_text(encoding="utf-8"))
    parameters = (original.get("metadata", {}).get("papermill", {}) or {}).get("parameters")
    if parameters is None:
        raise EcoreportError(f"{notebook_path}: not a notebook executed by a build (it has "
                             "no papermill parameters)")
    settings = {STATIC_CHARTS_ENV: static_charts_of(original),
                VALIDATE_CHARTS_ENV: "0"}  # the same spec, checked or not
    with tempfile.TemporaryDirectory() as tmp, scoped_environment(settings):
        target = Path(output_path) if output_path else Path(tmp) / notebook_path.name
        # the injected parameters are in the notebook: passing them again re-injects the
        # same cell
        papermill.execute_notebook(str(notebook_path), str(target), parameters=parameters,
                                   cwd=str(notebook_path.parent), kernel_name=kernel_name,
                                   progress_bar=False, log_output=False)
        again = json.loads(target.read_text(encoding="utf-8"))
    return original, again
