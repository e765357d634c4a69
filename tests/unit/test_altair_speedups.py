"""Altair's speed-ups (ecoreport.report.render) change Altair only when asked for.

Importing any module of the package leaves Altair as it was (its classes, functions and
settings, compared by identity in a fresh interpreter); the speed-ups are applied by an
explicit call, only on the Altair versions they were tested on, and can be reverted.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from ecoreport.report import render

ROOT = Path(__file__).resolve().parents[2]

#: Run in a fresh interpreter: a snapshot of every Altair module's namespace and of every
#: class's own attributes in it (by identity), plus the settings the speed-ups touch.
_SNAPSHOT = r'''
import json, sys, types
import altair, altair.utils.schemapi, altair.utils.data
from altair.utils import schemapi

def snapshot():
    state = {}
    for name, module in sorted(sys.modules.items()):
        if not (name == "altair" or name.startswith("altair.")) or module is None:
            continue
        for attr, value in list(vars(module).items()):
            if isinstance(value, types.ModuleType):
                continue  # (importing a submodule adds it to its package)
            state[f"{name}.{attr}"] = id(value)
            if isinstance(value, type) and value.__module__ == name:
                for key, member in list(vars(value).items()):
                    state[f"{name}.{attr}.{key}"] = id(member)
    state["transformer"] = altair.data_transformers.active
    state["transformers"] = sorted(altair.data_transformers.names())
    state["debug_mode"] = schemapi.DEBUG_MODE
    return state

def changed(before, after):
    return sorted(key for key in before if before[key] != after.get(key))
'''


def _run(code: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"),
           render.VALIDATE_CHARTS_ENV: "0"}  # (so following it would show, too)
    done = subprocess.run([sys.executable, "-c", _SNAPSHOT + code], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_every_module_leaves_altair_as_it_was():
    result = _run(r'''
import importlib, pkgutil, ecoreport
before = snapshot()
modules = [info.name for info in pkgutil.walk_packages(ecoreport.__path__, "ecoreport.")]
for name in modules:
    importlib.import_module(name)
after = snapshot()
print(json.dumps({"modules": modules, "changed": changed(before, after),
                  "checked": len(before)}))
''')
    assert "ecoreport.report.render" in result["modules"]
    assert "ecoreport.publishing.notebook_state" in result["modules"]
    assert result["checked"] > 1000  # the snapshot covers Altair's classes
    assert result["changed"] == []


def test_speedups_change_altair_when_applied_and_revert_restores_it():
    result = _run(r'''
from ecoreport.report import render
before = snapshot()
applied = render.apply_altair_speedups()
again = render.apply_altair_speedups()
during = snapshot()
render.revert_altair_speedups()
after = snapshot()
with render.altair_speedups() as in_context:
    context = snapshot()
after_context = snapshot()
print(json.dumps({"applied": applied, "again": again, "during": changed(before, during),
                  "after": changed(before, after), "in_context": in_context,
                  "context": changed(before, context),
                  "after_context": changed(before, after_context)}))
''')
    assert result["applied"] and result["again"] and result["in_context"]
    patched = {"altair.utils.schemapi._FromDict.__init__",
               "altair.utils.schemapi.SchemaBase.copy",
               "altair.utils.schemapi.SchemaBase.validate_property",
               "altair.utils.schemapi.DEBUG_MODE", "transformer", "transformers", "debug_mode"}
    assert set(result["during"]) == patched
    assert set(result["context"]) == patched
    assert result["after"] == [] and result["after_context"] == []


def test_other_altair_versions_are_left_alone():
    assert render.altair_speedups_supported(render.ALTAIR_TESTED[0])
    assert not render.altair_speedups_supported((render.ALTAIR_TESTED[0][0] - 1, 0))
    assert not render.altair_speedups_supported(render.ALTAIR_TESTED[1])
    assert not render.altair_speedups_supported((99, 0))
    result = _run(r'''
import logging
logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
from ecoreport.report import render
altair.__version__ = "99.0.0"
before = snapshot()
applied = render.apply_altair_speedups()
print(json.dumps({"applied": applied, "changed": changed(before, snapshot())}))
''')
    assert result == {"applied": False, "changed": []}


def test_the_tested_versions_cover_the_pinned_altair_and_pyproject_bounds_them():
    pin = re.search(r"^altair==(\d+)\.(\d+)\.", (ROOT / "requirements.txt").read_text(),
                    re.MULTILINE)
    assert pin, "requirements.txt pins altair"
    assert render.altair_speedups_supported((int(pin.group(1)), int(pin.group(2))))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    altair = [d for d in project["dependencies"] if re.match(r"altair\b", d)]
    assert len(altair) == 1 and ">=" in altair[0] and "<" in altair[0].replace("<=", "")


def test_kernels_use_renders_setting_names():
    from ecoreport.publishing import kernels

    assert kernels.STATIC_CHARTS_ENV == render.STATIC_CHARTS_ENV
    assert kernels.VALIDATE_CHARTS_ENV == render.VALIDATE_CHARTS_ENV
