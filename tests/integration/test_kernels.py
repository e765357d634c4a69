"""Warm kernels: notebooks run one after another in one kernel come out as from fresh ones."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest

from ecoreport.errors import BuildError
from ecoreport.paths import project_root
from ecoreport.publishing.build import RESULTS_FILE
from ecoreport.publishing.kernels import NotebookJob, WarmKernel, execute_notebook

pytestmark = pytest.mark.integration


def _comparable(path: Path) -> str:
    """The executed notebook without what varies run to run (timings, papermill's record,
    random cell ids)."""
    nb = nbformat.read(path, 4)
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.pop("id", None)
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    return json.dumps(nb, sort_keys=True, indent=1)


def _job(small_book, chapter: str, target: Path, static_charts: str = "none") -> NotebookJob:
    params = {"region": "24", "year": 2024,
              "results_path": str(small_book.report_dir / RESULTS_FILE)}
    if chapter.startswith("notebooks/dimensioner/"):
        params["dimension"] = chapter.rsplit("/", 1)[1]
    return NotebookJob(source=str(project_root() / f"{chapter}.md"), target=str(target),
                       parameters=params, cwd=str(target.parent), static_charts=static_charts)


def test_warm_kernel_gives_the_same_notebooks_as_fresh_kernels(small_book, tmp_path):
    # FoU twice: figure numbers, execution counts and names must start afresh each time;
    # PCA in between with PNGs, FoU after it without: the chart format follows each job.
    plan = [("notebooks/dimensioner/fou", "none"), ("notebooks/pca", "png"),
            ("notebooks/dimensioner/fou", "none")]
    kernel = WarmKernel()
    try:
        for i, (chapter, charts) in enumerate(plan):
            warm, fresh = tmp_path / f"warm{i}" / "nb.ipynb", tmp_path / f"fresh{i}" / "nb.ipynb"
            warm.parent.mkdir(), fresh.parent.mkdir()
            kernel.execute(_job(small_book, chapter, warm, charts))
            execute_notebook(_job(small_book, chapter, fresh, charts))
            assert _comparable(warm) == _comparable(fresh), f"{chapter} differs warm vs fresh"
            has_png = 'image/png"' in warm.read_text(encoding="utf-8")  # glued: with a prefix
            assert has_png == (charts == "png")
    finally:
        kernel.shutdown()
    assert kernel.starts == 1


NOTEBOOK = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
  language: python
---

# Metod och källor

```{{code-cell}} ipython3
:tags: [parameters]

fail = False
```

```{{code-cell}} ipython3
print(sorted(k for k in globals() if not k.startswith("_") and k not in {{"In", "Out", "exit", "quit", "get_ipython", "open"}}))
leak = 1
```

## Del två

```{{code-cell}} ipython3
if fail:
    raise RuntimeError("boom")
```
"""


def test_failure_names_lan_notebook_code_cell_and_heading_then_kernel_restarts(tmp_path):
    source = tmp_path / "metod.md"
    source.write_text(NOTEBOOK.format(), encoding="utf-8")

    def job(fail: bool, name: str) -> NotebookJob:
        return NotebookJob(source=str(source), target=str(tmp_path / f"{name}.ipynb"),
                           parameters={"fail": fail}, cwd=str(tmp_path),
                           label="Västerbottens län (24)", name="notebooks/metod.md")

    kernel = WarmKernel()
    try:
        kernel.execute(job(False, "first"))
        with pytest.raises(BuildError) as err:
            kernel.execute(job(True, "second"))
        assert str(err.value) == ('Västerbottens län (24), notebooks/metod.md, code cell 3 '
                                  '("Del två"): RuntimeError: boom')
        assert kernel.km is None  # the failed kernel is gone
        kernel.execute(job(False, "third"))
    finally:
        kernel.shutdown()
    assert kernel.starts == 2
    for name in ("first", "third"):
        nb = nbformat.read(tmp_path / f"{name}.ipynb", 4)
        printed = nb.cells[3].outputs[0]["text"]  # after the injected parameter cell
        assert printed.strip() == "['fail']", f"{name}: namespace not clean: {printed}"


def test_worker_kernel_starts_with_the_library_imported(tmp_path, monkeypatch):
    # a build's workers start their kernels before the notebooks are ready (init_worker);
    # the first notebook then runs in that kernel, in a clean namespace
    from ecoreport.publishing import kernels

    monkeypatch.setattr(kernels, "_worker_kernel", None)
    kernels.start_worker_kernel(str(tmp_path))
    kernel = kernels._worker_kernel
    try:
        assert kernel.starts == 1
        reply = kernel._run_silently(
            "import sys\nassert 'ecoreport.report.chapters' in sys.modules", 60)
        assert reply["status"] == "ok"
        source = tmp_path / "metod.md"
        source.write_text(NOTEBOOK.format(), encoding="utf-8")
        kernels.run_in_worker(NotebookJob(source=str(source), target=str(tmp_path / "nb.ipynb"),
                                          parameters={"fail": False}, cwd=str(tmp_path)))
        assert kernel.starts == 1
        printed = nbformat.read(tmp_path / "nb.ipynb", 4).cells[3].outputs[0]["text"]
        assert printed.strip() == "['fail']"
    finally:
        kernel.shutdown()


def test_a_removed_folder_of_the_previous_notebook_does_not_fail_the_next(tmp_path):
    # --all: a notebook of one län fails, its staging folder is removed while a kernel still
    # sits in it after running another of its notebooks; the next notebook, another län's,
    # must still run in that kernel (it failed with "could not prepare a kernel …
    # FileNotFoundError" when the reset asked for the removed working directory)
    source = tmp_path / "metod.md"
    source.write_text(NOTEBOOK.format(), encoding="utf-8")
    kernel = WarmKernel()
    try:
        for attempt in range(20):
            folders = [tmp_path / f"lan-{attempt}-{k}" for k in (1, 2)]
            for folder in folders:
                folder.mkdir()
            jobs = [NotebookJob(source=str(source), target=str(folder / "nb.ipynb"),
                                parameters={"fail": False}, cwd=str(folder),
                                label=f"län {k}", name="notebooks/metod.md")
                    for k, folder in enumerate(folders, 1)]
            kernel.execute(jobs[0])  # the kernel's working directory is now folders[0]
            shutil.rmtree(folders[0])  # that län failed elsewhere: its folder goes
            kernel.execute(jobs[1])
            assert (folders[1] / "nb.ipynb").is_file()
    finally:
        kernel.shutdown()
    assert kernel.starts == 1  # no notebook failed, the kernel was never replaced


def test_warm_kernels_apply_altair_speedups_and_leave_the_callers_environment(
        small_book, tmp_path, monkeypatch):
    import dataclasses

    from ecoreport.report import render

    monkeypatch.delenv(render.VALIDATE_CHARTS_ENV, raising=False)
    monkeypatch.setenv(render.STATIC_CHARTS_ENV, "png")
    job = dataclasses.replace(_job(small_book, "notebooks/pca", tmp_path / "nb.ipynb"),
                              validate_charts=False)
    kernel = WarmKernel()
    try:
        kernel.execute(job)
        check = kernel._run_silently(
            "import altair, ecoreport.report.render as r\n"
            "assert r.altair_speedups_applied() == r.altair_speedups_supported()\n"
            "assert altair.data_transformers.active == ('ecoreport' if "
            "r.altair_speedups_supported() else 'default')\n", 60)
        assert check.get("status") == "ok", check
    finally:
        kernel.shutdown()
    execute_notebook(job)  # a fresh kernel: the settings are for its start only
    assert render.VALIDATE_CHARTS_ENV not in os.environ
    assert os.environ[render.STATIC_CHARTS_ENV] == "png"
