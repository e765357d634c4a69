"""Bringing a warm kernel back to a fresh kernel's state before the next notebook.

Imported here (in the kernel) when it starts, so the warning filters recorded below are the
ones a fresh kernel has. Module-level state that a notebook changes is reset here; caches
that only depend on file contents (the catalogue and regions, keyed by file and mtime) stay.
The kernel makes the report's charts, so the reset also asks for Altair's speed-ups
(:func:`ecoreport.report.render.apply_altair_speedups`; once per kernel, they stay).
"""

from __future__ import annotations

import os
import warnings

from ecoreport.report import render

_FRESH_WARNING_FILTERS = list(warnings.filters)


def reset(cwd: str, static_charts: str, validate_charts: bool = True) -> None:
    """Empty namespace, execution count 1, ``cwd``, fresh warnings, figure numbers from 1,
    the charts' static format and validation for this notebook, Altair's speed-ups."""
    from IPython import get_ipython

    # first: the folder of the previous notebook may be gone (another län's build failed
    # and its staging folder was removed), and IPython's reset asks for the working
    # directory
    os.chdir(cwd)
    shell = get_ipython()
    if shell is not None:
        shell.reset(new_session=True)
    warnings.filters[:] = _FRESH_WARNING_FILTERS
    warnings.onceregistry.clear()
    warnings._filters_mutated()  # forget "already shown" in every module's registry
    render.reset_state(static_charts, validate_charts)
    render.apply_altair_speedups()
