"""The published edition and the draft.

``ecoreport build`` makes the published edition: what a region puts on its website, with no
tool text in it (no command, file path, YAML, commit hash, placeholder or unchecked
licence) and without chapters that would be empty (conclusions nobody has written yet, a
strategy follow-up without a strategy). ``ecoreport build --draft`` shows every chapter,
with the placeholders and instructions in place. In both, what the analyst still has to do
is a checklist that the build prints and writes beside the report (:data:`CHECKLIST_FILE`).

Notebooks learn the edition from the build info saved with the results
(:data:`DRAFT_KEY`, see :func:`is_draft`); a book built by ``jupyter-book build .`` is the
published edition.
"""

from __future__ import annotations

import re
from pathlib import Path

from ecoreport.data.profiles import PROFILE_DIR, load_profile
from ecoreport.data.vocab import RIKET_CODE
from ecoreport.errors import IssueCode
from ecoreport.report.outline import CONCLUSIONS
from ecoreport.report.commentary import chapter_name, commentary_root, read_commentary
from ecoreport.report.texts import text

#: Key of the build info (saved with the results) that says the book is a draft.
DRAFT_KEY = "draft"
#: The checklist beside the report (``<out>/<year>/<code>-<slug>/``).
CHECKLIST_FILE = "att-gora.md"
TARGETS_CHAPTER = "notebooks/maluppfoljning"
CHANGES_CHAPTER = "notebooks/andringar"

#: A licence that nobody has checked yet (sources.yaml says "unverified" in the English
#: field, "ej kontrollerad/-at/-ade" in the Swedish one).
_UNCHECKED = re.compile(r"\bunverified\b|\bej kontroller(ad|at|ade)\b", re.IGNORECASE)
#: "… at commit 0123abc…" in a source's table field (a repository the data came from).
_AT_COMMIT = re.compile(r"\s*\bat commit [0-9a-f]{7,40}\b", re.IGNORECASE)


def is_draft(report) -> bool:
    """Whether the report is built as a draft (``ecoreport build --draft``)."""
    return bool((getattr(report, "build_info", None) or {}).get(DRAFT_KEY))


def licence_unchecked(source) -> bool:
    """Whether a source's licence is marked as not yet checked."""
    return any(_UNCHECKED.search(str(text or ""))
               for text in (getattr(source, "licence", None),
                            getattr(source, "licence_sv", None)))


def without_commit(text: str) -> str:
    """A source's table without the commit it was copied at (for the published edition)."""
    return _AT_COMMIT.sub("", str(text or ""))


def _profile(dataset, region_code: str):
    codes = {r.code for r in dataset.regions if r.code != RIKET_CODE}
    return load_profile(region_code, dataset.data_dir, region_codes=codes,
                        indicator_ids=set(dataset.catalogue.indicators))


def empty_chapters(dataset, region_code: str, year: int,
                   commentary_dir: Path | None = None, *,
                   previous_edition: bool = True) -> dict[str, str]:
    """The chapters the published edition leaves out, each with the reason (Swedish): the
    conclusions when the analyst has written none, the strategy follow-up when the län has
    no strategy, targets or projects in its profile, the changes since the last edition
    when there is none (``previous_edition`` False)."""
    empty = {}
    if not previous_edition:
        empty[CHANGES_CHAPTER] = text("draft", "left-out-changes")
    if read_commentary(CONCLUSIONS, region_code, year, commentary_dir) is None:
        empty[CONCLUSIONS] = text("draft", "left-out-conclusions")
    profile = _profile(dataset, region_code)
    if profile is None or (profile.strategy is None and not profile.targets
                           and not profile.projects):
        empty[TARGETS_CHAPTER] = text("draft", "left-out-targets")
    return empty


def analyst_checklist(dataset, region_code: str, year: int,
                      commentary_dir: Path | None = None) -> list[str]:
    """What the analyst still has to do before the report is published (Swedish, one
    item each): conclusions, measurable targets, unchecked licences of the sources the
    report cites, and observed values flagged as abrupt jumps that no commentary of the
    indicator's chapter discusses."""
    root = commentary_dir or commentary_root()
    items = []
    if read_commentary(CONCLUSIONS, region_code, year, commentary_dir) is None:
        path = root / str(year) / region_code / f"{chapter_name(CONCLUSIONS)}.md"
        items.append(text("draft", "todo-conclusions", path=path))
    profile = _profile(dataset, region_code)
    if profile is None or not profile.targets:
        items.append(text("draft", "todo-targets", path=f"data/{PROFILE_DIR}/{region_code}.yaml"))
    catalogue = dataset.catalogue
    for source_id in cited_sources(dataset, region_code):
        source = catalogue.sources.get(source_id)
        if source is not None and licence_unchecked(source):
            items.append(text("draft", "todo-licence", source_id=source_id,
                              producer=source.producer, title=source.title))
    for warning in dataset.report.warnings:
        if warning.code != IssueCode.ABRUPT_JUMP or warning.region_code != region_code:
            continue
        indicator = catalogue.indicators.get(warning.indicator_id)
        if indicator is None:
            continue
        chapter = f"notebooks/dimensioner/{indicator.dimension}"
        if read_commentary(chapter, region_code, year, commentary_dir) is not None:
            continue
        path = root / str(year) / region_code / f"{chapter_name(chapter)}.md"
        when = f" {warning.period}" if warning.period else ""
        items.append(text("draft", "todo-jump", indicator=indicator.name_sv, when=when,
                          path=path))
    return items


def cited_sources(dataset, region_code: str) -> list[str]:
    """The source ids the län's report rests on: the catalogue's indicators, the values
    (every län is compared) and the län's own survey answers, in sources.yaml order."""
    named = {i.source for i in dataset.catalogue.indicators.values()}
    named |= set(dataset.values["source_id"].dropna().astype(str))
    survey = dataset.survey
    named |= set(survey.loc[survey["region_code"] == region_code, "source_id"]
                 .dropna().astype(str))
    ordered = [s for s in dataset.catalogue.sources if s in named]
    return ordered + sorted(named - set(ordered))


def checklist_markdown(items: list[str], region_name: str, year: int, *, draft: bool) -> str:
    built_as = text("draft", "checklist-built-as-draft" if draft else "checklist-built-as-published")
    head = text("draft", "checklist-heading", region=region_name, year=year)
    body = "\n".join(f"- [ ] {item}" for item in items) if items else text("draft", "checklist-done")
    return f"{head}\n\n{built_as}\n\n{body}\n"


def write_checklist(folder: Path, items: list[str], region_name: str, year: int, *,
                    draft: bool) -> Path:
    """Write the checklist beside the report; return its path."""
    target = Path(folder) / CHECKLIST_FILE
    target.write_text(checklist_markdown(items, region_name, year, draft=draft),
                      encoding="utf-8")
    return target
