"""Process faults (issue 21): a build killed outright leaves no process behind, a second
build of the same län sees the lock before anything slow starts, and a damaged cache heals.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from ecoreport import cli
from ecoreport.data.regions import resolve_region
from ecoreport.publishing.build import build_report
from ecoreport.publishing.cache import CACHE_DIR
from ecoreport.publishing.folders import BuildLock

pytestmark = pytest.mark.integration

REGION = resolve_region("24")
MARKER = "ECOREPORT_TEST_BUILD"


def marked_processes(token: str) -> dict[int, str]:
    """Live processes whose environment carries ``MARKER=token``: pid -> command line."""
    found = {}
    needle = f"{MARKER}={token}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            status = (entry / "status").read_text()
            if "\nState:\tZ" in status:  # a zombie has ended; its parent has not reaped it
                continue
            found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(
                b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kill_9_of_a_build_leaves_no_process_behind(tmp_path):
    token = uuid.uuid4().hex
    out = tmp_path / "reports"
    proc = subprocess.Popen(
        [sys.executable, "-m", "ecoreport.cli", "build", "--region", "24", "--out", str(out),
         "--only", "notebooks/dimensioner/fou", "--jobs", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        env={**os.environ, MARKER: token})
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:  # until the notebooks run in their kernels
            assert proc.poll() is None, "the build ended before it could be killed"
            kernels = [cmd for cmd in marked_processes(token).values() if "ipykernel" in cmd]
            if list(out.glob("2024/.*staging*")) and kernels:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the build never got to its notebooks")
        helpers = marked_processes(token)
        assert len(helpers) >= 4  # the build, its workers, their kernels, the book server
        proc.kill()  # kill -9: the build cannot end anything itself
        proc.wait()
        deadline = time.monotonic() + 60
        left = marked_processes(token)
        while left and time.monotonic() < deadline:
            time.sleep(0.2)
            left = marked_processes(token)
        assert left == {}, f"still running after the build was killed: {left}"
    finally:
        for pid in marked_processes(token):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def test_a_second_build_of_the_same_lan_fails_before_anything_slow_starts(tmp_path, capsys):
    out = tmp_path / "reports"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import time; from pathlib import Path; from ecoreport.publishing.folders import "
         "BuildLock; from ecoreport.data.regions import resolve_region;"
         f"BuildLock(Path({str(out)!r}), resolve_region('24')).acquire();"
         "print('locked', flush=True); time.sleep(120)"],
        stdout=subprocess.PIPE, text=True, env={**os.environ})
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.perf_counter()
        code = cli.main(["build", "--region", "24", "--out", str(out), "--force"])
        seconds = time.perf_counter() - started
        err = capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
    assert code == 2, err
    assert f"another build of Västerbottens län is running (pid {holder.pid})" in err
    # nothing slow had started: no worker wrote its log, no cache, no report folder
    assert not (out / CACHE_DIR).exists() and not (out / "2024").exists()
    print(f"the second build stopped after {seconds:.2f} s")
    with BuildLock(out, REGION):  # released when its holder died
        pass


def test_a_damaged_cache_is_reported_discarded_and_rebuilt(tmp_path, caplog):
    out = tmp_path / "reports"
    only = {"notebooks/metod"}
    first = build_report(REGION, 2024, out, only=only, workers=2)
    cached = [path for path in (out / CACHE_DIR).rglob("*")
              if path.is_file() and path.suffix in (".ipynb", ".json", ".js")]
    assert any(p.suffix == ".ipynb" for p in cached) and any(p.suffix == ".js" for p in cached)
    for number, path in enumerate(cached):  # a crash or a full disk: truncated, garbled
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2] if number % 2 else data.replace(b"e", b"3"))
    with caplog.at_level(logging.WARNING, logger="ecoreport.publishing.checksums"):
        second = build_report(REGION, 2024, out, only=only, workers=2)
    discarded = [r.getMessage() for r in caplog.records if "discarded" in r.getMessage()]
    for path in cached:
        if path.suffix != ".js":  # the Vega bundle is checked in the book's own process
            assert sum(str(path) in message for message in discarded) == 1, (path, discarded)
    assert not second.reused and sorted(second.notebooks_run) == sorted(first.notebooks_run)
    page = (second.html_index.parent / "notebooks" / "metod.html").read_text(encoding="utf-8")
    assert "Metod" in page
    bundle = next(p for p in (second.html_index.parent / "_static").rglob("*.js")
                  if p.name.startswith("vega"))
    assert b"3" in bundle.read_bytes() and bundle.read_bytes().count(b"e") > 1000
