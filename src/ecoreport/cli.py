"""The ``ecoreport`` command line: build reports, validate data (and more, see ``--help``)."""

from __future__ import annotations

import argparse
import contextlib
import logging
import shlex
import sys
import time
from pathlib import Path

from ecoreport import __version__
from ecoreport.errors import EcoreportError
from ecoreport.data.regions import lan_regions, resolve_region
from ecoreport.publishing import cache
from ecoreport.publishing.folders import BuildLock, check_out_dir, report_dir_for
from ecoreport.report.commentary import copy_commentary

# The commands import their modules when run: the analysis stack takes seconds to import,
# and a rebuild with nothing changed should not wait for it.

logger = logging.getLogger("ecoreport")


def _add_build(sub) -> None:
    p = sub.add_parser("build", help="build a län's report (HTML, optionally PDF)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--region", default="24",
                       help="län code or name, e.g. 24, Västerbotten, 'Västerbottens län' "
                            "(default: 24)")
    where.add_argument("--all", action="store_true", help="build every län (21 reports)")
    p.add_argument("--year", type=int, default=None,
                   help="report year (default: the latest year in the data)")
    p.add_argument("--out", type=Path, default=Path("reports"),
                   help="folder for the reports (default: ./reports)")
    p.add_argument("--pdf", action="store_true", help="also build the PDF (needs xelatex)")
    p.add_argument("--jobs", type=_count, default=None, metavar="N",
                   help="notebooks run in parallel (default: number of CPU cores)")
    p.add_argument("--strict", action="store_true",
                   help="fail on any Sphinx warning (as CI does)")
    p.add_argument("--data", type=Path, default=None, help="data folder (default: data/)")
    p.add_argument("--only", action="append", default=None, metavar="CHAPTER",
                   help="only this chapter, e.g. notebooks/metod (repeat; default: all): "
                        "a smaller book for checks")
    p.add_argument("--force", action="store_true",
                   help="run every notebook and build every book again, ignoring the cache "
                        "(<out>/.cache) and unchanged reports")
    p.add_argument("--draft", action="store_true",
                   help="the draft: every chapter, with placeholders and instructions "
                        "(default: the published edition, without them and without empty "
                        "chapters); either way the analyst's checklist is printed and "
                        "written beside the report (att-gora.md)")
    p.set_defaults(func=_cmd_build)


def _cmd_build(args) -> int:
    start = time.perf_counter()
    regions = lan_regions(args.data) if args.all else [resolve_region(args.region, args.data)]
    command = shlex.join(["ecoreport", *sys.argv[1:]])
    only = set(args.only) if args.only else None
    if only:
        _check_chapters(only, args.data)
    check_out_dir(args.out)
    created = not Path(args.out).exists()
    with contextlib.ExitStack() as held:
        for region in regions:  # before anything slow: a second build fails at once
            held.enter_context(BuildLock(args.out, region))
        try:
            return _build_locked(args, regions, command, only, start)
        finally:
            if created:  # (with the locks held: no other build is in the folder)
                _remove_if_only_locks(Path(args.out))


def _remove_if_only_locks(out: Path) -> None:
    """A build that made ``--out`` and wrote nothing into it (bad data, an interrupt) leaves
    no folder behind: only its lock files are in it, and they are removed with it."""
    try:
        entries = list(out.iterdir())
        if all(e.is_file() and e.name.endswith(".build.lock") for e in entries):
            for e in entries:
                e.unlink()
            out.rmdir()
    except OSError:
        pass  # another build is using the folder, or it is gone: leave it


def _build_locked(args, regions, command: str, only, start: float) -> int:
    if not args.force:
        # unchanged reports are found without loading the data or the analysis stack
        inputs = cache.BuildInputs(data_dir=args.data, command=command, year=args.year,
                                   pdf=args.pdf, strict=args.strict, only=only,
                                   draft=args.draft)
        reused, todo = cache.reuse_unchanged(args.out, regions, inputs)
        if not todo:
            paths = []
            for number, (region, stamp) in enumerate(reused, 1):
                _progress(f"[{number}/{len(reused)}] "
                          f"{cache.reuse_message(region, stamp, args.out)}")
                paths += cache.stamp_paths(stamp, args.out)
            _print_checklists([args.out / stamp["report_dir"] for _, stamp in reused])
            if args.all:
                from ecoreport.publishing.landing import write_landing_page
                paths.append(write_landing_page(args.out, reused[0][1]["year"]))
            return _report_build(paths, 0, len(reused), [], time.perf_counter() - start)
    from ecoreport.publishing.workers import BuildProcesses

    with BuildProcesses(args.out, args.jobs) as processes:
        processes.start()  # the kernels import the library while this process imports it
        from ecoreport.publishing.build import build_reports  # the analysis stack: slow to import

        summary = build_reports(regions, args.year, args.out, pdf=args.pdf, strict=args.strict,
                                data_dir=args.data, force=args.force, only=only,
                                command=command, landing_page=args.all, log=_progress,
                                processes=processes, draft=args.draft)
    paths = [path for result in summary.results for path in (result.html_index, result.pdf)]
    _print_checklists([result.report_dir for result in summary.results])
    built = sum(not result.reused for result in summary.results)
    return _report_build([*paths, summary.landing_page], built, len(summary.results) - built,
                         summary.failures, time.perf_counter() - start)


def _check_chapters(only: set[str], data_dir) -> None:
    """``--only`` must name chapters of the report (before anything is started)."""
    from ecoreport.data.catalogue import load_catalogue
    from ecoreport.report.outline import report_parts

    known = [chapter.path for part in report_parts(load_catalogue(data_dir))
             for chapter in part.chapters]
    unknown = sorted(only - set(known))
    if unknown:
        raise EcoreportError(f"--only {unknown[0]}: not a chapter of the report; expected "
                             "one of: " + ", ".join(known))


def _print_checklists(report_dirs: list) -> None:
    """What the analyst still has to do per report (its checklist file, see
    ecoreport.report.draft), on stderr."""
    from ecoreport.report.draft import CHECKLIST_FILE

    for folder in report_dirs:
        path = Path(folder) / CHECKLIST_FILE
        if not path.is_file():
            continue
        items = [line[6:] for line in path.read_text(encoding="utf-8").splitlines()
                 if line.startswith("- [ ] ")]
        if items:
            _progress(f"Att göra före publicering ({path}):")
            for item in items:
                _progress(f"  - {item}")


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _report_build(paths: list, built: int, reused: int, failures: list,
                  seconds: float) -> int:
    """Print the built files (stdout) and a summary with every failure (stderr)."""
    for path in paths:
        if path is not None:
            print(Path(path).resolve())
    _progress(f"{built} built, {reused} reused unchanged, {len(failures)} failed "
              f"in {seconds:.0f} s")
    for failure in failures:
        print(f"ecoreport: error: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _add_validate(sub) -> None:
    p = sub.add_parser("validate", help="check the data against the catalogue; show coverage")
    p.add_argument("--data", type=Path, default=None, help="data folder (default: data/)")
    p.add_argument("--coverage", action="store_true",
                   help="per indicator: observed share 2013–2024, how it is updated (fetch "
                        "service, template/import, survey) and its source's address")
    p.set_defaults(func=_cmd_validate)


def _cmd_validate(args) -> int:
    from ecoreport.data.validate import (format_coverage_statement, format_report,
                                         run_coverage, run_validation)

    if args.coverage:
        print(format_coverage_statement(run_coverage(args.data)))
        return 0
    report, coverage = run_validation(args.data)
    print(format_report(report, coverage))
    return 0 if report.ok else 1


def _add_import(sub) -> None:
    p = sub.add_parser("import", help="merge a downloaded spreadsheet (xlsx/CSV) into the data")
    p.add_argument("file", type=Path, nargs="?", default=None,
                   help="xlsx or CSV file (wide: years as columns; long: län, år, värde)")
    p.add_argument("--indicator", default=None, help="catalogue id of the values in FILE")
    p.add_argument("--region", default=None,
                   help="only this län (code or name); required when FILE has no län column")
    p.add_argument("--source", default=None,
                   help="sources.yaml key (default: the indicator's source in the catalogue)")
    p.add_argument("--sheet", default=None, help="xlsx sheet name (default: the first)")
    p.add_argument("--header-row", type=_row_number, default=1, metavar="N",
                   help="row with the column names, e.g. 2 when a title or merged cells "
                        "fill row 1 (default: 1)")
    p.add_argument("--mapping", type=Path, default=None,
                   help="YAML naming several files/sheets/columns, one indicator each")
    p.add_argument("--replace", action="store_true",
                   help="overwrite observed values that differ (default: report them)")
    p.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    p.add_argument("--strict", action="store_true",
                   help="refuse the import when there is any warning")
    p.add_argument("--data", type=Path, default=None, help="data folder (default: data/)")
    p.set_defaults(func=_cmd_import)


def _row_number(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a row number (1, 2, …)")
    return int(text)


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 1")
    return int(text)


def _cmd_import(args) -> int:
    from ecoreport.ingest.importer import (ImportSpec, format_import_summary, import_specs,
                                           load_mapping)

    specs = load_mapping(args.mapping) if args.mapping else []
    if args.file is not None:
        if not args.indicator:
            print("ecoreport import: error: --indicator is required with FILE", file=sys.stderr)
            return 2
        specs.append(ImportSpec(path=args.file, indicator_id=args.indicator,
                                source_id=args.source, region=args.region, sheet=args.sheet,
                                header_row=args.header_row))
    if not specs:
        print("ecoreport import: error: give FILE --indicator ID, or --mapping MAP.yaml",
              file=sys.stderr)
        return 2
    result = import_specs(specs, data_dir=args.data, replace=args.replace,
                          dry_run=args.dry_run, strict=args.strict)
    print(format_import_summary(result))
    return 1 if result.has_conflicts else 0


def _add_fetch(sub) -> None:
    p = sub.add_parser("fetch", help="fetch indicators from SCB, Kolada, Eurostat and "
                                     "Tillväxtanalys into the data")
    p.add_argument("--check", action="store_true",
                   help="only ask the services whether every declared table/KPI, variable and "
                        "code exists (metadata calls; run it first in a new year)")
    p.add_argument("--indicator", action="append", default=None, metavar="ID",
                   help="catalogue id with an 'api' entry (repeat; default: all of them)")
    p.add_argument("--region", action="append", default=None, metavar="R",
                   help="län code or name (repeat; default: Riket and all 21 län)")
    p.add_argument("--replace", action="store_true",
                   help="overwrite observed values that differ (default: report them)")
    p.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    p.add_argument("--timeout", type=float, default=10.0,
                   help="seconds to wait for each API call (default: 10)")
    p.add_argument("--data", type=Path, default=None, help="data folder (default: data/)")
    p.set_defaults(func=_cmd_fetch)


def _cmd_fetch(args) -> int:
    from ecoreport.ingest.fetch import check_apis, fetch_indicators, format_check
    from ecoreport.ingest.importer import format_import_summary

    if args.check:
        results = check_apis(args.indicator, data_dir=args.data, timeout=args.timeout)
        print(format_check(results))
        return 0 if all(result.ok for result in results) else 1
    result = fetch_indicators(args.indicator, args.region, data_dir=args.data,
                              timeout=args.timeout, dry_run=args.dry_run, replace=args.replace)
    print(format_import_summary(result))
    return 1 if result.has_conflicts else 0


def _add_update(sub) -> None:
    p = sub.add_parser("update", help="the yearly round: check the services, fetch what can "
                                      "be fetched, one template workbook for the rest, a "
                                      "before/after table")
    p.add_argument("--from", dest="first_year", type=int, default=2013,
                   help="first year to bring up to date (default: 2013)")
    p.add_argument("--to", dest="last_year", type=int, default=None,
                   help="last year (default: last calendar year)")
    p.add_argument("--out", type=Path, default=None,
                   help="the template workbook for what is left (default: "
                        "ecoreport-mallar-<year>.xlsx beside the data folder)")
    p.add_argument("--replace", action="store_true",
                   help="overwrite observed values that differ (default: report them)")
    p.add_argument("--dry-run", action="store_true",
                   help="ask the services and show what would change; write nothing")
    p.add_argument("--timeout", type=float, default=10.0,
                   help="seconds to wait for each API call (default: 10)")
    p.add_argument("--data", type=Path, default=None, help="data folder (default: data/)")
    p.set_defaults(func=_cmd_update)


def _cmd_update(args) -> int:
    from ecoreport.ingest.update import format_update, run_update

    result = run_update(data_dir=args.data, first_year=args.first_year,
                        last_year=args.last_year, out=args.out, dry_run=args.dry_run,
                        replace=args.replace, timeout=args.timeout)
    print(format_update(result))
    return 0 if result.ok else 1


def _add_template(sub) -> None:
    p = sub.add_parser("template", help="an Excel sheet per indicator to fill in and import")
    p.add_argument("indicator", nargs="+", metavar="INDICATOR", help="catalogue id(s)")
    p.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")
    p.add_argument("--data", type=Path, default=None, help="data folder (default: data/)")
    p.set_defaults(func=_cmd_template)


def _cmd_template(args) -> int:
    from ecoreport.ingest.template import write_template

    path = write_template(args.indicator, args.out, data_dir=args.data)
    print(f"wrote {path}: one sheet per indicator; after filling in, run "
          f"'ecoreport import {path} --indicator ID --sheet ID'")
    return 0


def _add_diff(sub) -> None:
    p = sub.add_parser("diff", help="what changed between two editions of a län's report")
    p.add_argument("--from", dest="from_year", type=int, required=True,
                   help="year of the older edition")
    p.add_argument("--to", dest="to_year", type=int, required=True,
                   help="year of the newer edition")
    p.add_argument("--region", default="24", help="län code or name (default: 24)")
    p.add_argument("--out", type=Path, default=Path("reports"),
                   help="folder the reports were built into (default: ./reports)")
    p.add_argument("--data", type=Path, default=None, help="data folder (default: data/)")
    p.set_defaults(func=_cmd_diff)


def _cmd_diff(args) -> int:
    from ecoreport.data.catalogue import load_catalogue
    from ecoreport.report.editions import diff_editions, format_diff, load_edition

    region = resolve_region(args.region, args.data)
    old = load_edition(report_dir_for(args.out, region, args.from_year))
    new = load_edition(report_dir_for(args.out, region, args.to_year))
    diff = diff_editions(old, new, region.code, load_catalogue(args.data))
    print(format_diff(diff))
    return 0


def _add_commentary(sub) -> None:
    p = sub.add_parser("commentary", help="the analyst's own text (commentary/<year>/<code>/)")
    actions = p.add_subparsers(dest="action", required=True)
    copy = actions.add_parser("copy", help="copy last year's commentary forward, on purpose")
    copy.add_argument("--region", default="24", help="län code or name (default: 24)")
    copy.add_argument("--from", dest="from_year", type=int, required=True,
                      help="year whose commentary is copied")
    copy.add_argument("--to", dest="to_year", type=int, required=True,
                      help="year it is copied to (files already there are kept)")
    copy.set_defaults(func=_cmd_commentary_copy)


def _cmd_commentary_copy(args) -> int:
    region = resolve_region(args.region)
    copied, kept = copy_commentary(region.code, args.from_year, args.to_year)
    for path in copied:
        print(f"copied {path}")
    for path in kept:
        print(f"kept {path} (already written for {args.to_year})")
    if copied:
        print("Read every copied text against the new numbers before you build.")
    return 0


def _add_rerun(sub) -> None:
    p = sub.add_parser("rerun", help="re-run a built report's executed notebooks and compare "
                                     "their results with the report's")
    p.add_argument("notebooks", nargs="+", type=Path, help="executed notebooks (.ipynb)")
    p.add_argument("--kernel", default=None, help="Jupyter kernel (default: the notebook's)")
    p.add_argument("--out", type=Path, default=None,
                   help="keep the re-run notebook here (one notebook only)")
    p.set_defaults(func=_cmd_rerun)


def _cmd_rerun(args) -> int:
    from ecoreport.publishing.rerun import differences, rerun

    if args.out and len(args.notebooks) > 1:
        raise EcoreportError("--out takes one notebook")
    failed = False
    for path in args.notebooks:
        original, again = rerun(path, args.out, args.kernel)
        found = differences(original, again)
        failed = failed or bool(found)
        print(f"{path}: " + ("results differ in " + "; ".join(found) if found else "same results"))
    return 1 if failed else 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ecoreport",
        description="Reproducible METRIC innovation-ecosystem reports for Swedish län.")
    parser.add_argument("--version", action="version", version=f"ecoreport {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_build(sub)
    _add_validate(sub)
    _add_import(sub)
    _add_fetch(sub)
    _add_update(sub)
    _add_template(sub)
    _add_diff(sub)
    _add_commentary(sub)
    _add_rerun(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except EcoreportError as exc:
        print(f"ecoreport: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a folder that cannot be written, a full disk, …
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"ecoreport: error:{where}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # the build has already removed its unfinished folders
        print("ecoreport: interrupted; earlier reports are as they were", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
