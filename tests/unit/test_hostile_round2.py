"""Hostile input and process faults, second round (issue 21): files outside their folder,
alias bombs, lost columns, implausible values, damaged cache entries, lost Ctrl-C, region
profiles in validate, the header row of a spreadsheet.

Each test reproduces the failure as the issue describes it, then checks the clear refusal.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ecoreport import cli
from ecoreport.data.files import MAX_YAML_ALIASES, read_yaml
from ecoreport.data.profiles import load_profile
from ecoreport.errors import DataError, EcoreportError, Issue
from ecoreport.locks import FileLock
from ecoreport.publishing import cache
from ecoreport.publishing import interrupts
from ecoreport.publishing.checksums import checked_bytes, write_checked
from ecoreport.report.commentary import check_commentary_text, copy_commentary, read_commentary
from tests.unit.test_hostile_inputs import (append_value, assert_refused, data, import_args,
                                            run, snapshot, wide)

__all__ = ["data"]  # the fixture, shared with test_hostile_inputs

FOU = "notebooks/dimensioner/fou"


# --- 1. nothing outside: commentary, profiles -------------------------------------------

@pytest.fixture()
def commentary(tmp_path) -> Path:
    root = tmp_path / "commentary"
    (root / "2023" / "24").mkdir(parents=True)
    (root / "2023" / "24" / "fou.md").write_text("Förra årets text.\n", encoding="utf-8")
    return root


@pytest.fixture()
def secret(tmp_path) -> Path:
    path = tmp_path / "elsewhere" / "secret.md"
    path.parent.mkdir()
    path.write_text("HEMLIGT\n", encoding="utf-8")
    return path


def test_a_commentary_file_symlinked_out_is_refused_naming_it(commentary, secret):
    link = commentary / "2024" / "24" / "fou.md"
    link.parent.mkdir(parents=True)
    link.symlink_to(secret)
    with pytest.raises(EcoreportError) as err:
        read_commentary(FOU, "24", 2024, commentary)
    assert f"{link} is a symlink to {secret}" in str(err.value)
    assert "HEMLIGT" not in str(err.value)


def test_a_commentary_year_folder_symlinked_out_is_refused(commentary, secret):
    (secret.parent / "24").mkdir()
    (secret.parent / "24" / "fou.md").write_text("HEMLIGT\n", encoding="utf-8")
    (commentary / "2024").symlink_to(secret.parent)
    with pytest.raises(EcoreportError, match="2024 is a symlink to .*outside the commentary"):
        read_commentary(FOU, "24", 2024, commentary)


def test_a_symlink_inside_the_commentary_folder_is_followed(commentary):
    (commentary / "2024").symlink_to(commentary / "2023")
    assert read_commentary(FOU, "24", 2024, commentary) == "Förra årets text."


def test_commentary_copy_never_writes_through_a_symlinked_target(commentary, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (commentary / "2024").symlink_to(outside)
    with pytest.raises(EcoreportError, match="2024 is a symlink"):
        copy_commentary("24", 2023, 2024, commentary)
    assert list(outside.rglob("*")) == []


def test_commentary_copy_never_writes_through_a_dangling_symlinked_file(commentary, tmp_path):
    target = commentary / "2024" / "24"
    target.mkdir(parents=True)
    (target / "fou.md").symlink_to(tmp_path / "planted.md")  # does not exist yet
    with pytest.raises(EcoreportError, match="fou.md is a symlink"):
        copy_commentary("24", 2023, 2024, commentary)
    assert not (tmp_path / "planted.md").exists()


def test_commentary_copy_cli_refuses_with_a_message(commentary, tmp_path, monkeypatch, capsys):
    outside = tmp_path / "outside"
    outside.mkdir()
    (commentary / "2024").symlink_to(outside)
    monkeypatch.setenv("ECOREPORT_COMMENTARY_DIR", str(commentary))
    code, out = run(["commentary", "copy", "--from", "2023", "--to", "2024"], capsys)
    assert code == 2 and "is a symlink" in out and "Traceback" not in out
    assert list(outside.rglob("*")) == []


@pytest.mark.parametrize("text, named", [
    ("Se nedan.\n\n```{include} /etc/passwd\n```\n", "{include}"),
    ("Text\n:::{literalinclude} ../../secret.md\n:::\n", "{literalinclude}"),
    ("```{eval-rst}\n.. include:: /etc/passwd\n```\n", "{eval-rst}"),
    ("![bild](../../../secret.png)\n", "'../../../secret.png'"),
    ("Ladda ner {download}`filen <../secret.md>`.\n", "{download}"),
    ("```{code-cell} ipython3\nimport os\n```\n", "{code-cell}"),
])
def test_commentary_that_pulls_in_files_or_code_is_refused_not_dropped(commentary, text,
                                                                       named):
    path = commentary / "2023" / "24" / "fou.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EcoreportError) as err:
        read_commentary(FOU, "24", 2023, commentary)
    assert named in str(err.value) and str(path) in str(err.value)


def test_commentary_citing_figures_and_web_images_passes():
    check_commentary_text("Se {numref}`fig-fou_utgifter` och ![logga](https://example.org/"
                          "a.png).\n\n```{note}\nEn not.\n```\n", Path("fou.md"))


def test_a_region_profile_symlinked_out_is_refused(data, secret):
    (data / "regions").mkdir()
    outside = secret.parent / "24.yaml"
    outside.write_text('region_code: "24"\n', encoding="utf-8")
    (data / "regions" / "24.yaml").symlink_to(outside)
    with pytest.raises(EcoreportError, match="24.yaml is a symlink to"):
        load_profile("24", data)


# --- 2. bounded parsing ----------------------------------------------------------------------

def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """A YAML alias bomb: width**levels strings once expanded (9**9 = 387 million)."""
    lines = ["    a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels):
        refs = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"    a{level}: &a{level} [{refs}]")
    return "\n".join(lines)


def test_an_alias_bomb_inside_an_indicator_entry_is_refused(data, capsys):
    path = data / "indicators.yaml"
    text = path.read_text(encoding="utf-8")
    first = text.index("  - id: ", text.index("indicators:"))
    bomb = "    note_bomb:\n" + alias_bomb().replace("    a", "      a")
    path.write_text(text[:first] + text[first:].replace("\n", "\n" + bomb + "\n", 1),
                    encoding="utf-8")
    before = snapshot(data)
    code, out = run(["validate", "--data", str(data)], capsys)
    assert_refused(data, before, code, out, "indicators.yaml", "aliases")
    assert len(out) < 2000


def test_a_bomb_within_the_alias_count_is_refused_by_its_expanded_size(tmp_path):
    # few aliases, each doubling: 2**(MAX_YAML_ALIASES / 2) values once expanded
    lines = ["a0: &a0 [x, x]"] + [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]"
                                  for i in range(1, MAX_YAML_ALIASES // 2)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="expands to more than"):
        read_yaml(path)


def test_yaml_with_a_few_aliases_still_loads(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text("base: &base {a: 1}\nother: *base\n", encoding="utf-8")
    assert read_yaml(path) == {"base": {"a": 1}, "other": {"a": 1}}


def test_a_huge_yaml_file_is_refused_unread(tmp_path, monkeypatch):
    from ecoreport.data import files

    monkeypatch.setattr(files, "MAX_YAML_BYTES", 100)
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 200 + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="more than ecoreport reads"):
        read_yaml(path)


def test_an_error_message_never_builds_a_whole_repr_of_a_value():
    value = ["lol"] * 9
    for _ in range(40):  # 9**41 strings if written out
        value = [value] * 9
    text = str(Issue(message="bad", file="indicators.yaml", value=value))
    assert len(text) < 400 and text.endswith("…)")
    assert len(str(Issue(message="bad", value="x" * 10**6))) < 400


# --- 3. import never loses a column --------------------------------------------------------

def test_import_refuses_values_csv_with_an_unknown_column(tmp_path, data, capsys):
    path = data / "values.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",kommentar"] + [line + ",viktig" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = snapshot(data)
    source = wide(tmp_path, "2022", "Västerbottens län;1500")
    code, out = run(import_args(source, "nystartade_foretag", data), capsys)
    assert_refused(data, before, code, out, "values.csv", "kommentar",
                   "an import would drop them", "exactly the columns")


def test_import_names_a_missing_column_without_a_traceback(tmp_path, data, capsys):
    import pandas as pd

    path = data / "values.csv"
    pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns="source_id").to_csv(
        path, index=False)
    before = snapshot(data)
    source = wide(tmp_path, "2022", "Västerbottens län;1500")
    code, out = run(import_args(source, "nystartade_foretag", data), capsys)
    assert_refused(data, before, code, out, "values.csv", "missing column(s): source_id")
    assert "KeyError" not in out


def test_a_lock_that_cannot_be_created_is_a_clear_error(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(EcoreportError, match="cannot create the lock file .*Permission denied"):
        FileLock(tmp_path / ".x.lock", "busy").acquire()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root writes into read-only folders")
def test_build_into_a_read_only_out_is_a_clear_error(tmp_path, capsys):
    out = tmp_path / "reports"
    out.mkdir()
    out.chmod(0o555)
    try:
        code, text = run(["build", "--region", "24", "--out", str(out)], capsys)
    finally:
        out.chmod(0o755)
    assert code == 2 and "cannot create the lock file" in text and "Traceback" not in text


def test_cli_imports_without_fcntl():
    code = ("import sys; sys.modules['fcntl'] = None\n"
            "from ecoreport import cli, locks\n"
            "assert locks.fcntl is None\n"
            "cli.make_parser().parse_args(['validate'])\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ})
    assert result.returncode == 0, result.stderr


# --- 4. a plausible range for every unit ----------------------------------------------------

@pytest.mark.parametrize("kind", ["index", "ratio", "score", "count", "amount", "share"])
def test_every_unit_kind_has_a_plausible_maximum(kind):
    from ecoreport.data.schema import plausible_limit

    assert 0 < plausible_limit(kind, None) < 1e308
    assert plausible_limit(kind, 5.0) == 5.0


def test_1e308_for_an_index_unit_is_refused_by_validate_and_import(tmp_path, data, capsys):
    edit = yaml.safe_load((data / "indicators.yaml").read_text(encoding="utf-8"))
    assert "max_plausible" not in edit["units"]["index"]  # the unit states none
    append_value(data, "24,internationaliseringsindex,2010,1e308,observed,"
                       "synthetic_never,")
    code, out = run(["validate", "--data", str(data)], capsys)
    assert code == 1
    assert "'1e308' is implausibly large for 'internationaliseringsindex'" in out
    data_values = (data / "values.csv").read_text(encoding="utf-8").splitlines()
    (data / "values.csv").write_text("\n".join(data_values[:-1]) + "\n", encoding="utf-8")
    before = snapshot(data)
    source = wide(tmp_path, "2010", "Västerbottens län;1e308")
    code, out = run(import_args(source, "internationaliseringsindex", data), capsys)
    assert_refused(data, before, code, out, "implausibly large", "at most 1e+06")


# --- 5. a self-healing cache ------------------------------------------------------------------

def test_a_damaged_cache_entry_is_reported_once_discarded_and_made_again(tmp_path, caplog):
    notebooks = cache.NotebookCache(tmp_path)
    executed = tmp_path / "run.ipynb"
    executed.write_text(json.dumps({"cells": [], "nbformat": 4}), encoding="utf-8")
    notebooks.put("k1", executed)
    assert notebooks.get("k1", tmp_path / "copy.ipynb")
    entry = notebooks.path("k1")
    for damage in (lambda b: b[: len(b) // 2], lambda b: b.replace(b"cells", b"cellz")):
        entry.write_bytes(damage(executed.read_bytes()))
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            assert not notebooks.get("k1", tmp_path / "copy.ipynb")
            assert not notebooks.get("k1", tmp_path / "copy.ipynb")  # reported once
        assert [r.getMessage() for r in caplog.records if "discarded" in r.getMessage()] \
            == [f"cache: discarded {entry}: it does not match its checksum (truncated or "
                "garbled); it is made again"]
        assert not entry.exists()
        notebooks.put("k1", executed)  # the build runs the notebook and stores it again
        assert notebooks.get("k1", tmp_path / "copy.ipynb")


def test_a_cache_entry_without_its_checksum_is_not_used(tmp_path):
    path = tmp_path / "entry.json"
    write_checked(path, b'{"a": 1}')
    assert checked_bytes(path) == b'{"a": 1}'
    path.with_name("entry.json.sha256").unlink()
    assert checked_bytes(path) is None and not path.exists()


def test_a_damaged_report_index_or_stamp_means_a_rebuild(tmp_path):
    from ecoreport.data.regions import resolve_region

    region = resolve_region("24")
    report_dir = tmp_path / "2024" / "24-vasterbotten"
    (report_dir / "_build" / "html").mkdir(parents=True)
    (report_dir / "_build" / "html" / "index.html").write_text("x", encoding="utf-8")
    stamp = {"key": "k", "year": 2024, "report_dir": "2024/24-vasterbotten",
             "html": "_build/html/index.html", "pdf": None, "earlier_editions": "none"}
    cache.write_stamp(report_dir, tmp_path, stamp)
    assert cache.reusable_report(tmp_path, region, "k") == stamp
    index = tmp_path / cache.CACHE_DIR / "reports" / "k.json"
    index.write_bytes(index.read_bytes()[:10])
    assert cache.reusable_report(tmp_path, region, "k") is None and not index.exists()
    cache.write_stamp(report_dir, tmp_path, stamp)
    (report_dir / cache.STAMP).write_text('{"key": "k", "year": "x"}', encoding="utf-8")
    assert cache.reusable_report(tmp_path, region, "k") is None
    (report_dir / cache.STAMP).write_text("[1, 2", encoding="utf-8")
    assert cache.reusable_report(tmp_path, region, "k") is None


# --- 7. no lost Ctrl-C -------------------------------------------------------------------------

@pytest.fixture
def interactive_ctrl_c():
    """SIGINT as an interactive Python has it (a run started as a background job of a
    shell inherits it ignored, and the build then keeps ignoring it: see the test below)."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


@pytest.mark.parametrize("attempt", range(20))
def test_a_swallowed_ctrl_c_still_ends_the_build(attempt, interactive_ctrl_c):
    with interrupts.catching():
        try:  # a KeyboardInterrupt raised where exceptions are ignored (a finaliser, …)
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(10**6):  # the handler runs at the next bytecode
                pass
        except KeyboardInterrupt:
            pass
        with pytest.raises(KeyboardInterrupt):
            interrupts.check()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_build_started_with_ctrl_c_ignored_keeps_ignoring_it():
    """A background job of a non-interactive shell (or nohup) starts with SIGINT ignored:
    the Ctrl-C that reaches it is meant for the foreground command, not the build."""
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with interrupts.catching():
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(10**6):
                pass
            interrupts.check()  # nothing recorded, nothing raised
            assert not interrupts.interrupted()
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)


@pytest.mark.parametrize("attempt", range(20))
def test_a_ctrl_c_while_the_book_server_starts_is_delivered_after(attempt, interactive_ctrl_c):
    received = []
    with interrupts.catching():
        with pytest.raises(KeyboardInterrupt):
            with interrupts.deferred():
                os.kill(os.getpid(), signal.SIGINT)  # blocked here: held, not lost
                received.append("still running")
        assert interrupts.interrupted()
    assert received == ["still running"]


def test_a_process_started_while_ctrl_c_is_deferred_does_not_see_it(tmp_path, interactive_ctrl_c):
    with interrupts.catching():
        with pytest.raises(KeyboardInterrupt):
            with interrupts.deferred():
                child = subprocess.Popen(
                    [sys.executable, "-c", "import os, signal, time; "
                     "os.kill(os.getpid(), signal.SIGINT); time.sleep(0.2); print('alive')"],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                out, err = child.communicate(timeout=60)
                os.kill(os.getpid(), signal.SIGINT)
    assert out.strip() == "alive" and "KeyboardInterrupt" not in err


# --- 8. validate reads the region profiles; the header row of a spreadsheet --------------

def test_validate_reports_a_bad_region_profile(data, capsys):
    (data / "regions").mkdir()
    shutil.copy2(Path(__file__).resolve().parents[2] / "data" / "regions" / "24.yaml",
                 data / "regions" / "24.yaml")
    code, out = run(["validate", "--data", str(data)], capsys)
    assert code == 0 and "regions/24.yaml" in out
    path = data / "regions" / "24.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('code: "25"', 'code: "99"'),
                    encoding="utf-8")
    code, out = run(["validate", "--data", str(data)], capsys)
    assert code == 1
    assert "regions/24.yaml" in out and "'99' is not another län" in out


def xlsx(path: Path, rows: list[list]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize("rows, row", [
    ([["Tabell 1"], [None], ["Län", 2022, 2023], ["Västerbottens län", 1500, 1600]], 3),
    ([["Tabell 1"], ["Län", 2022, None], ["Västerbottens län", 1500, None]], 2),
    ([["Tabell 1"], ["Län", "År", "Värde"], ["Västerbottens län", 2022, 1500]], 2),
])
def test_import_suggests_the_header_row_where_the_years_are(tmp_path, data, capsys, rows, row):
    source = xlsx(tmp_path / "in.xlsx", rows)
    before = snapshot(data)
    code, out = run(import_args(source, "nystartade_foretag", data), capsys)
    assert_refused(data, before, code, out, f"rerun with --header-row {row}")


def test_import_header_row_beyond_the_sheet_is_a_clear_error(tmp_path, data, capsys):
    source = xlsx(tmp_path / "in.xlsx", [["Län", 2022], ["Västerbottens län", 1500]])
    before = snapshot(data)
    code, out = run(import_args(source, "nystartade_foretag", data, "--header-row", "9"),
                    capsys)
    assert_refused(data, before, code, out, "header row 9 is beyond the last row")
    assert "Passed header" not in out


# --- other tracebacks a user could trigger --------------------------------------------------

def test_build_only_an_unknown_chapter_is_a_clear_error(tmp_path, capsys):
    code, out = run(["build", "--only", "notebooks/nosuch", "--out", str(tmp_path / "r")],
                    capsys)
    assert code == 2 and "--only notebooks/nosuch: not a chapter" in out
    assert "notebooks/metod" in out and not (tmp_path / "r").exists()


@pytest.mark.parametrize("jobs", ["0", "-1", "two"])
def test_build_jobs_must_be_a_whole_number_from_1(tmp_path, capsys, jobs):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["build", "--jobs", jobs, "--out", str(tmp_path / "r")])
    assert exit_.value.code == 2
    assert "is not a whole number from 1" in capsys.readouterr().err


def test_an_os_error_is_a_clear_error_not_a_traceback(tmp_path, capsys, monkeypatch):
    def full(args):
        raise OSError(28, "No space left on device", str(tmp_path / "values.csv"))

    monkeypatch.setattr(cli, "_cmd_validate", full)
    code, out = run(["validate"], capsys)
    assert code == 2 and out.strip() == (f"ecoreport: error: {tmp_path / 'values.csv'}: "
                                          "No space left on device")
