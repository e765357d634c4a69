"""JupyterLab (the optional ``lab`` extra, installed by ``make lab`` and ``make test``):
the kernel "ecoreport" is registered, the server starts headless and lists it, and the
MyST notebooks open as notebooks (jupytext)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from ecoreport.paths import project_root

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(importlib.util.find_spec("jupyterlab") is None,
                                 reason="needs the lab extra: make lab-install")]

STARTUP_SECONDS = 120  # a generous bound: the machine may be busy


def makefile_kernel_command() -> list[str]:
    """The command ``make lab`` registers the kernel with (read from the Makefile)."""
    text = (project_root() / "Makefile").read_text(encoding="utf-8")
    kernel = re.search(r"^KERNEL := (\S+)", text, flags=re.M).group(1)
    line = next(line.strip() for line in text.splitlines() if "ipykernel install" in line)
    words = shlex.split(line.replace("$(KERNEL)", kernel))
    return words[words.index("-m"):]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read().decode("utf-8"))


def test_jupyterlab_lists_the_ecoreport_kernel_and_opens_myst_notebooks(tmp_path):
    # register the kernel as make lab does, into a private prefix instead of the venv's
    command = makefile_kernel_command()
    assert command[:3] == ["-m", "ipykernel", "install"] and "--sys-prefix" in command
    command = [c for c in command if c != "--sys-prefix"] + ["--prefix", str(tmp_path)]
    subprocess.run([sys.executable, *command], check=True, capture_output=True, timeout=120)
    env = dict(os.environ, JUPYTER_PATH=str(tmp_path / "share" / "jupyter"),
               JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    jupyter = [sys.executable, "-m", "jupyter"]
    listed = subprocess.run([*jupyter, "kernelspec", "list", "--json"], env=env, check=True,
                            capture_output=True, text=True, timeout=120)
    specs = json.loads(listed.stdout)["kernelspecs"]
    assert "ecoreport" in specs
    assert Path(json.loads(Path(specs["ecoreport"]["resource_dir"], "kernel.json").read_text(
        encoding="utf-8"))["argv"][0]).resolve() == Path(sys.executable).resolve()

    port, token = free_port(), "ecoreport-test-token"
    server = subprocess.Popen(
        [*jupyter, "lab", "--no-browser", "--allow-root", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={project_root()}", "--ServerApp.open_browser=False"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                kernelspecs = get(f"{base}/api/kernelspecs?token={token}")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("JupyterLab did not start: "
                                         + (server.stderr.read() if server.poll() is not None
                                            else "no answer"))
                time.sleep(0.5)
        assert "ecoreport" in kernelspecs["kernelspecs"]
        assert kernelspecs["kernelspecs"]["ecoreport"]["spec"]["display_name"] == \
            "Python (ecoreport)"
        # jupytext: the MyST chapter is served as a notebook, with its code cells
        model = get(f"{base}/api/contents/notebooks/pca.md?type=notebook&content=1"
                    f"&token={token}")
        assert model["type"] == "notebook"
        code = [cell["source"] for cell in model["content"]["cells"]
                if cell["cell_type"] == "code"]
        assert any("glue_pca" in source for source in code)
        assert any("parameters" in cell["metadata"].get("tags", [])
                   for cell in model["content"]["cells"])
        # the JupyterLab page itself is served
        with urllib.request.urlopen(f"{base}/lab?token={token}", timeout=10) as response:
            assert response.status == 200
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
