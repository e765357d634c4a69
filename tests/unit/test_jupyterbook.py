"""A failed book build names its cause, even when the cause is far above the traceback."""

from __future__ import annotations

from ecoreport.publishing.jupyterbook import TAIL_LINES, failure_excerpt


def test_failure_excerpt_keeps_the_cause_above_the_traceback():
    cause = ("sphinx.errors.ExtensionError: [etoc] `external_toc_path` does not exist: "
             "/tmp/book/_toc_pdf.yml")
    output = "\n".join(["Running Sphinx v7", "Extension error:", cause,
                        *[f'  File "/x/site-packages/click/core.py", line {i}'
                          for i in range(3 * TAIL_LINES)],
                        "RuntimeError:", "There was an error in building your book."])
    excerpt = failure_excerpt(output)
    assert cause in excerpt and "Extension error:" in excerpt
    assert excerpt.endswith("There was an error in building your book.")
    assert "Running Sphinx" not in excerpt
    # a short output is shown whole, once
    assert failure_excerpt("one\ntwo error") == "one\ntwo error"


def test_book_config_and_toc_are_passed_as_absolute_paths(tmp_path, monkeypatch):
    """``--out reports`` (relative, as `make report` runs it) once made Jupyter Book look
    for the print toc under the book folder twice."""
    from ecoreport.publishing import jupyterbook

    seen = {}
    monkeypatch.setattr(jupyterbook, "_run", lambda args, env: seen.setdefault("args", args)
                        and (0, ""))
    monkeypatch.chdir(tmp_path)
    jupyterbook.run_jupyter_book("reports/book", "latex", config="reports/book/_config_pdf.yml",
                                 toc="reports/book/_toc_pdf.yml")
    args = seen["args"]
    for flag in ("--config", "--toc"):
        value = args[args.index(flag) + 1]
        assert value == str(tmp_path / "reports" / "book" / f"_{flag[2:]}_pdf.yml")
    assert args[1] == str(tmp_path / "reports" / "book")
