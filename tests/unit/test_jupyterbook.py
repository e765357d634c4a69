"""A failed book build names its cause, even when the cause is far above the traceback."""

from __future__ import annotations

from ecoreport.report.jupyterbook import TAIL_LINES, failure_excerpt


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
