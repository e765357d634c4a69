"""The fixed wording of the generated parts of the report, kept in MyST documents.

Sentences, headings and paragraphs that the library puts on a page live in ``book/texts/``,
one file per chapter family, one text per ``## key`` section::

    ## no-rank-period

    {{ name }} har ingen placering bland länen: det finns ingen period till och med
    {{ year }} då minst {{ k }} av de {{ n }} länen har observerade värden.

A text may hold ``{{ name }}`` placeholders (the form of MyST substitutions); the caller
fills every one of them, and a name left over or given in vain is an error, so a text and
its caller cannot drift apart unnoticed. Values are put in as given: whatever comes from a
data file is escaped by the caller (``markup.escape``) before it is passed here. The files
are part of the build's sources (``book/``), so editing a text rebuilds what shows it.
Generated sentences that vary with the numbers stay in Python (the phrase table in
``narrative.py``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from ecoreport.data.files import inside
from ecoreport.errors import EcoreportError
from ecoreport.paths import project_root

TEXTS_DIR = "book/texts"

_SECTION = re.compile(r"^## ([a-z0-9][a-z0-9-]*)[ \t]*$", re.MULTILINE)
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def texts_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / TEXTS_DIR


def parse_texts(source: str, path: Path) -> dict[str, str]:
    """The texts of one file by key (what precedes the first ``## key`` is the file's own
    note to its readers and is not a text)."""
    heads = list(_SECTION.finditer(source))
    texts: dict[str, str] = {}
    for head, following in zip(heads, heads[1:] + [None]):
        key = head.group(1)
        if key in texts:
            line = source.count("\n", 0, head.start()) + 1
            raise EcoreportError(f"{path}, line {line}: the text {key!r} is written twice")
        body = source[head.end():following.start() if following else len(source)]
        texts[key] = "\n".join(row.rstrip() for row in body.strip("\n").splitlines())
    return texts


@lru_cache(maxsize=64)
def _load(path: Path, stamp: tuple[int, int]) -> dict[str, str]:
    return parse_texts(path.read_text(encoding="utf-8"), path)


def load_texts(family: str, root: Path | None = None) -> dict[str, str]:
    """All texts of one family (``book/texts/<family>.md``)."""
    folder = texts_dir(root)
    path = folder / f"{family}.md"
    if not path.is_file():
        raise EcoreportError(f"{path}: no such file of texts (family {family!r})")
    path = inside(path, folder, "the report's texts")
    stat = path.stat()
    return _load(path, (stat.st_mtime_ns, stat.st_size))


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def text(family: str, key: str, /, root: Path | None = None, **values: object) -> str:
    """The text ``key`` of ``book/texts/<family>.md`` with its placeholders filled in."""
    texts = load_texts(family, root)
    if key not in texts:
        raise EcoreportError(f"{texts_dir(root) / (family + '.md')}: no text {key!r}")
    body = texts[key]
    wanted = placeholders(body)
    missing, unused = wanted - values.keys(), values.keys() - wanted
    if missing or unused:
        raise EcoreportError(
            f"{texts_dir(root) / (family + '.md')}, text {key!r}: "
            + "; ".join(filter(None, [
                f"placeholders not filled: {', '.join(sorted(missing))}" if missing else "",
                f"values without a placeholder: {', '.join(sorted(unused))}" if unused else ""])))
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), body)
