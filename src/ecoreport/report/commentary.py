"""The analyst's own words: ``commentary/<year>/<code>/<chapter>.md``, read into the
chapter at its ``<!-- commentary -->`` marker, checked as text that may not pull in files,
and carried over from one year to the next (``ecoreport commentary copy``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ecoreport.errors import EcoreportError
from ecoreport.paths import project_root
from ecoreport.data.files import inside

COMMENTARY_MARKER = "<!-- commentary -->"
COMMENTARY_HEADING = "## Kommentar"
# In the conclusions chapter, the text between these markers is replaced by the commentary.
NO_COMMENTARY_START = "<!-- no commentary -->"
NO_COMMENTARY_END = "<!-- end no commentary -->"


def commentary_root() -> Path:
    """Where analysts keep their own words: ``commentary/<year>/<code>/<chapter>.md``.

    ``ECOREPORT_COMMENTARY_DIR`` points elsewhere (tests, a region's own repository).
    """
    return Path(os.environ.get("ECOREPORT_COMMENTARY_DIR") or project_root() / "commentary")


def chapter_name(path: str) -> str:
    """The chapter's file name without folder and suffix ("notebooks/dimensioner/fou" -> "fou")."""
    return path.rsplit("/", 1)[-1]


def commentary_path(chapter_path: str, region_code: str, year: int,
                    root: Path | None = None) -> Path:
    return (root or commentary_root()) / str(year) / region_code / f"{chapter_name(chapter_path)}.md"


#: MyST directives and roles that pull another file into the page (or run reST that can):
#: refused in commentary, which is text and may not read files outside it.
FILE_DIRECTIVES = ("include", "literalinclude", "eval-rst", "raw", "csv-table", "image",
                   "figure", "bibliography")
#: Directives that would make the commentary a code cell of the notebook: refused too.
CODE_DIRECTIVES = ("code-cell", "code-block-cell")
FILE_ROLES = ("download",)
_DIRECTIVE_RE = re.compile(r"^\s*(?:`{3,}|~{3,}|:{3,})\s*\{([A-Za-z0-9_:-]+)\}", re.MULTILINE)
_RST_DIRECTIVE_RE = re.compile(r"^\s*\.\.\s+([A-Za-z0-9_:-]+)::", re.MULTILINE)
_ROLE_RE = re.compile(r"\{([A-Za-z0-9_:-]+)\}`")
_LOCAL_IMAGE_RE = re.compile(r"!\[[^\]]*\]\(\s*<?(?!https?://)([^)\s>]+)")


def check_commentary_text(text: str, path: Path) -> None:
    """Refuse commentary that would pull in another file (``{include}``,
    ``{literalinclude}``, ``{image}``, a local ``![](…)``, ``{download}``…) or become a
    code cell (``{code-cell}``): the book is built from the commentary's own words only."""
    found = []
    for pattern, kind in ((_DIRECTIVE_RE, "directive"), (_RST_DIRECTIVE_RE, "directive")):
        for match in pattern.finditer(text):
            name = match.group(1).lower()
            if name in FILE_DIRECTIVES:
                found.append((match.start(), f"the {kind} {{{match.group(1)}}} pulls "
                                             "another file into the report"))
            elif name in CODE_DIRECTIVES:
                found.append((match.start(), f"the {kind} {{{match.group(1)}}} would run "
                                             "code in the report"))
    for match in _ROLE_RE.finditer(text):
        if match.group(1).lower() in FILE_ROLES:
            found.append((match.start(), f"the role {{{match.group(1)}}} pulls another "
                                         "file into the report"))
    for match in _LOCAL_IMAGE_RE.finditer(text):
        found.append((match.start(), f"the image {match.group(1)!r} pulls another file "
                                     "into the report"))
    if found:
        position, what = min(found)
        line = text.count("\n", 0, position) + 1
        raise EcoreportError(
            f"{path}, line {line}: {what}; commentary is text: it may not include files or "
            "code (write the text itself and cite the chapter's figures with {numref})")


def read_commentary(chapter_path: str, region_code: str, year: int,
                    root: Path | None = None) -> str | None:
    """The analyst's text for one chapter, or None when there is none. The file (and its
    year and län folders) must lie inside the commentary folder, and it may not pull in
    other files (see :func:`check_commentary_text`)."""
    root = root or commentary_root()
    path = commentary_path(chapter_path, region_code, year, root)
    if not path.is_file():
        return None
    inside(path, root, "the commentary folder")
    text = path.read_text(encoding="utf-8").strip()
    check_commentary_text(text, path)
    return text or None


def copy_commentary(region_code: str, from_year: int, to_year: int,
                    root: Path | None = None) -> tuple[list[Path], list[Path]]:
    """Copy one län's commentary files from one year to another; never overwrite.

    Returns (copied, kept): the new files, and those already written for ``to_year``.
    Commentary is never carried over by a build: the analyst does it on purpose, and then
    reads it against the new numbers.
    """
    root = root or commentary_root()
    source = root / str(from_year) / region_code
    if not source.is_dir():
        raise EcoreportError(f"no commentary for {region_code} {from_year}: {source} does "
                             "not exist")
    what = "the commentary folder"
    inside(source, root, what)
    target = root / str(to_year) / region_code
    # every folder on the way must stay inside (a symlinked year folder pointing out is
    # refused before anything is written)
    inside(target, root, what)
    plan = []
    for path in sorted(source.glob("*.md")):
        inside(path, root, what)
        destination = target / path.name
        if destination.is_symlink():
            inside(destination, root, what)
        plan.append((path, destination))
    copied, kept = [], []
    for path, destination in plan:
        if destination.exists() or destination.is_symlink():
            kept.append(destination)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        inside(destination.parent, root, what)  # created just now: check again
        text = path.read_text(encoding="utf-8")
        # O_EXCL: never through a link created meanwhile, never over a file
        fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                     | getattr(os, "O_NOFOLLOW", 0), 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        copied.append(destination)
    return copied, kept


def insert_commentary(text: str, commentary: str | None) -> str:
    """Put the analyst's text at the chapter's commentary marker (nothing when None)."""
    block = f"{COMMENTARY_HEADING}\n\n{commentary}\n" if commentary else ""
    if COMMENTARY_MARKER in text:
        return text.replace(COMMENTARY_MARKER, block)
    return text.rstrip("\n") + ("\n\n" + block if block else "\n")
