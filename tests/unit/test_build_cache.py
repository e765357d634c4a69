"""Report folders (lock, stale folders, --out), cache keys and the landing page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest

from ecoreport import cli
from ecoreport.data.regions import resolve_region
from ecoreport.errors import EcoreportError
from ecoreport.publishing import cache
from ecoreport.publishing.folders import ReportLock, check_out_dir, clean_stale, report_dir_for
from ecoreport.publishing.landing import index_rank, key_figures, write_landing_page

REGION = resolve_region("24")


def test_a_second_build_of_the_same_report_fails_naming_the_first(tmp_path):
    target = report_dir_for(tmp_path, REGION, 2024)
    # the first build is another process holding the lock
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path;"
         "from ecoreport.publishing.folders import ReportLock;"
         f"ReportLock(Path({str(target)!r}), 'x').acquire(); print('locked', flush=True);"
         "time.sleep(60)"],
        stdout=subprocess.PIPE, text=True, env={**os.environ})
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(EcoreportError) as err:
            ReportLock(target, "Västerbottens län 2024").acquire()
        assert str(err.value).startswith(
            f"another build of Västerbottens län 2024 is running (pid {holder.pid})")
    finally:
        holder.kill()
        holder.wait()
    with ReportLock(target, "Västerbottens län 2024"):  # released when its holder died
        pass


def test_stale_staging_and_old_folders_are_cleaned(tmp_path):
    target = report_dir_for(tmp_path, REGION, 2024)
    stale = [target.with_name(f".{target.name}.staging-123"),
             target.with_name(f".{target.name}.old-456")]
    other = target.with_name(".25-norrbotten.staging-123")
    for folder in (*stale, other):
        folder.mkdir(parents=True)
    assert sorted(clean_stale(target)) == sorted(stale)
    assert other.exists() and not any(p.exists() for p in stale)


def test_out_pointing_at_a_file_is_a_clear_error(tmp_path, capsys):
    afile = tmp_path / "reports.txt"
    afile.write_text("x")
    with pytest.raises(EcoreportError, match="is a file, not a folder"):
        check_out_dir(afile / "sub")
    assert cli.main(["build", "--region", "24", "--out", str(afile)]) == 2
    err = capsys.readouterr().err
    assert "is a file, not a folder" in err and "Traceback" not in err


def test_tree_digest_follows_contents_not_times(tmp_path):
    (tmp_path / "a.csv").write_text("1")
    first = cache.tree_digest(tmp_path)
    os.utime(tmp_path / "a.csv", (0, 0))
    assert cache.tree_digest(tmp_path) == first
    (tmp_path / "a.csv").write_text("2")
    assert cache.tree_digest(tmp_path) != first
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "x.pyc").write_text("ignored")
    (tmp_path / "a.csv").write_text("1")
    assert cache.tree_digest(tmp_path) == first


def test_notebook_key_ignores_paths_but_not_parameters(tmp_path):
    inputs = cache.BuildInputs(command="ecoreport build")
    nb = tmp_path / "fou.md"
    nb.write_text("# FoU\n")
    params = {"region": "24", "year": 2024, "results_path": "../results.pkl"}
    key = inputs.notebook_key(nb, params, "none", "none")
    assert inputs.notebook_key(nb, {**params, "results_path": "/x/r.pkl"}, "none", "none") == key
    assert inputs.notebook_key(nb, {**params, "region": "25"}, "none", "none") != key
    assert inputs.notebook_key(nb, params, "png", "none") != key
    # the build command matters only for a notebook that shows it
    other = cache.BuildInputs(command="ecoreport build --all")
    assert other.notebook_key(nb, params, "none", "none") == key
    nb.write_text("# Reproducerbarhet\nappendix.show_build_info(report)\n")
    assert other.notebook_key(nb, params, "none", "none") != \
        inputs.notebook_key(nb, params, "none", "none")


def test_prune_keeps_referenced_and_recent_notebooks(tmp_path):
    store = cache.NotebookCache(tmp_path)
    source = tmp_path / "nb.ipynb"
    source.write_text("{}")
    for key in ("used", "recent", "old"):
        store.put(key, source)
    long_ago = time.time() - cache.KEEP_UNUSED_SECONDS - 10
    for key in ("used", "old"):
        os.utime(store.path(key), (long_ago, long_ago))
    assert store.prune({"used"}) == 1
    assert sorted(p.stem for p in store.dir.glob("*.ipynb")) == ["recent", "used"]


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.links, self.handlers = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        if tag == "a":
            self.links.append(dict(attrs)["href"])


def _stamp(folder, code, name, pdf=True, **summary):
    folder.mkdir(parents=True)
    (folder / cache.STAMP).write_text(json.dumps({
        "year": 2024, "region_code": code, "region_name": name,
        "html": "_build/html/index.html", "pdf": "_build/latex/ecoreport.pdf" if pdf else None,
        "summary": summary}), encoding="utf-8")


def test_landing_page_links_every_report_and_escapes_names(tmp_path):
    hostile = '<script>alert(1)</script><img src=x onerror=alert(4)>'
    _stamp(tmp_path / "2024" / "24-vasterbotten", "24", "Västerbottens län", strengths=3,
           weaknesses=2, strongest={"name": hostile, "rank": 2, "of": 21},
           share_synthetic=0.25)
    _stamp(tmp_path / "2024" / "01-stockholm", "01", hostile, pdf=False)
    (tmp_path / "2024" / "01-stockholm" / "results").mkdir()
    (tmp_path / "2024" / "01-stockholm" / "results" / "summary.json").write_text(
        json.dumps({"index": {"rank": 1, "of": 21}}))
    page = write_landing_page(tmp_path, 2024).read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(page)
    assert "script" not in parser.tags and "img" not in parser.tags and not parser.handlers
    assert parser.links == ["01-stockholm/_build/html/index.html",
                            "24-vasterbotten/_build/html/index.html",
                            "24-vasterbotten/_build/latex/ecoreport.pdf"]
    assert "1 av 21" in page and "25 %" in page and "&lt;script&gt;" in page


def test_index_rank_is_optional(tmp_path):
    assert index_rank(tmp_path) is None
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "summary.json").write_text(json.dumps({"index": 4}))
    assert index_rank(tmp_path) == "4"


def test_key_figures_count_strengths_and_weaknesses():
    import pandas as pd

    profile = pd.DataFrame({"name_sv": ["A", "B", "C"], "rank": [2, 20, 10],
                            "n_regions": [21, 21, 21],
                            "profile": ["strength", "weakness", "middle"],
                            "share_synthetic": [0.0, 0.5, 0.25]})
    figures = key_figures(SimpleNamespace(profile=profile))
    assert figures == {"strengths": 1, "weaknesses": 1,
                       "strongest": {"name": "A", "rank": 2, "of": 21},
                       "share_synthetic": 0.25}
    # with the findings, the report's one observed share decides the column
    found = SimpleNamespace(share_observed=0.23)
    figures = key_figures(SimpleNamespace(profile=profile, findings=found))
    assert figures["share_synthetic"] == pytest.approx(0.77)
