"""Read-only HTML pages of the executed notebooks, in the web book (``granskning/``).

A reviewer follows a link in the reproducibility chapter to a page showing one executed
notebook as Jupyter shows it: its parameters, every code cell with its outputs (tables,
text, the glued values) and the Markdown cells as written, with the command that re-runs
it. The cells the book leaves out are marked. The pages are written after the book is
built, beside it in ``_build/html/granskning/<chapter path>.html``, so links work offline,
and they use no script and nothing from the network.

Code and outputs that may scroll sideways (wide tables, long lines) can be reached with the
keyboard: each is a named region (``tabindex="0"``, ``role="region"``, an ``aria-label``
naming the cell, "Kod, cell 3" or "Utdata 1 av cell 3"); a ``pre`` inside an output does not
scroll by itself, and the command and Markdown code wrap.

Charts are not drawn again here: each chart output names the chart and links to the
chapter page where it is drawn (its numbers are in the book's CSV links, ``results/``
and the data workbook). Drawing them here as well would double the charts' size in the
report folder, which must stay within its budget.

Markdown is rendered with markdown-it (raw HTML in it escaped); code is shown as written
(plain, to keep the pages small). Output HTML comes from the library (tables from pandas, the glued charts),
which escapes the data it shows.
"""

from __future__ import annotations

import html
import json
import os
import posixpath
import re
from pathlib import Path

from markdown_it import MarkdownIt

from ecoreport.report.outline import REVIEW_DIR, rerun_command, review_page_path

STYLESHEET = "granskning.css"

_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
_CHART = re.compile(r'<div\b[^>]*\bclass="ecoreport-chart\b[^"]*"[^>]*>')
_LABEL = re.compile(r'\baria-label="([^"]*)"')
_CSS = """
body { font-family: system-ui, sans-serif; max-width: 70rem; margin: 1.5rem auto;
       padding: 0 1rem; color: #1a1a1a; line-height: 1.45; }
header { border-bottom: 1px solid #ccc; margin-bottom: 1rem; }
pre { background: #f6f6f6; padding: .6rem; overflow-x: auto; font-size: .85rem; }
.cell { margin: 1rem 0; }
.cell.code > .input { border-left: 3px solid #4a78b0; }
.prompt { color: #666; font-size: .8rem; font-family: monospace; }
.tag { font-size: .75rem; background: #eee; border-radius: 3px; padding: 0 .3rem;
       margin-left: .4rem; }
.output { margin: .3rem 0 .3rem 1rem; overflow-x: auto; }
.output pre { overflow: visible; }
.output:focus, pre.input:focus { outline: 2px solid #4a78b0; outline-offset: 2px; }
pre.command, .markdown pre { white-space: pre-wrap; overflow-wrap: anywhere; }
.output table { border-collapse: collapse; font-size: .85rem; }
.output th, .output td { border: 1px solid #ddd; padding: .15rem .4rem; text-align: right; }
.chart { background: #f3f7fb; padding: .4rem .6rem; }
.markdown { color: #333; }
"""


def _escape(text: object) -> str:
    return html.escape(str(text), quote=True)


def _text(value: object) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def output_html(output: dict, chapter_href: str) -> str:
    """One cell output as HTML: the first representation the page can show."""
    kind = output.get("output_type")
    if kind == "stream":
        return f'<pre class="stream">{_escape(_text(output.get("text")))}</pre>'
    if kind == "error":
        return (f'<pre class="error">{_escape(output.get("ename"))}: '
                f'{_escape(output.get("evalue"))}</pre>')
    data = output.get("data", {})
    html_data = _text(data.get("text/html", ""))
    if html_data:
        chart = _CHART.search(html_data)
        if chart:  # the description is escaped in the chart's markup already
            found = _LABEL.search(chart.group(0))
            label = found.group(1) if found else "Diagram"
            if not label.startswith("Diagram"):
                label = f"Diagram: {label}"
            return (f'<p class="chart">{label} '
                    f'(<a href="{_escape(chapter_href)}">visas i kapitlet</a>)</p>')
        return html_data
    if "text/markdown" in data:
        return f'<div class="markdown">{_markdown.render(_text(data["text/markdown"]))}</div>'
    if "text/plain" in data:
        return f'<pre>{_escape(_text(data["text/plain"]))}</pre>'
    return ""  # only representations for print (PDF, PNG) or glued records


def _scrollable(label: str) -> str:
    """The attributes that let a keyboard reach a region that may scroll, with its name."""
    return f'tabindex="0" role="region" aria-label="{_escape(label)}"'


def notebook_page(notebook: dict, chapter_path: str, title: str, *, chapter_href: str,
                  notebook_href: str | None, stylesheet_href: str) -> str:
    """The HTML page of one executed notebook."""
    parameters = (notebook.get("metadata", {}).get("papermill", {}) or {}).get("parameters", {})
    parts = [
        "<!DOCTYPE html>", '<html lang="sv"><head><meta charset="utf-8">',
        f"<title>{_escape(title)} – notebook</title>",
        f'<link rel="stylesheet" href="{_escape(stylesheet_href)}"></head><body>',
        "<header>", f"<h1>{_escape(title)}: körd notebook</h1>",
        f'<p>Notebooken <code>{_escape(chapter_path)}.ipynb</code> som den kördes när '
        f'rapporten byggdes, med kod och utdata. <a href="{_escape(chapter_href)}">'
        "Kapitlet i boken</a>"
        + (f' · <a href="{_escape(notebook_href)}">ladda ner notebooken (.ipynb)</a>'
           if notebook_href else "") + ".</p>",
    ]
    if parameters:
        rows = "".join(f"<tr><th>{_escape(k)}</th><td><code>{_escape(json.dumps(v, ensure_ascii=False))}"
                       "</code></td></tr>" for k, v in parameters.items())
        parts.append(f"<p>Parametrar:</p><table>{rows}</table>")
    parts.append("<p>Kör om den i rapportens mapp och jämför med rapportens resultat:</p>"
                 f'<pre class="command">{_escape(rerun_command(chapter_path))}</pre>'
                 "</header><main>")
    number = 0
    for cell in notebook.get("cells", []):
        source = _text(cell.get("source"))
        tags = (cell.get("metadata", {}) or {}).get("tags", [])
        if cell.get("cell_type") == "markdown":
            parts.append(f'<div class="cell markdown">{_markdown.render(source)}</div>')
            continue
        if cell.get("cell_type") != "code":
            continue
        labels = []
        if "remove-cell" in tags:
            labels.append("visas inte i boken")
        elif "remove-output" in tags:
            labels.append("utdata visas inte i boken")
        if "parameters" in tags:
            labels.append("parametrar")
        if "injected-parameters" in tags:
            labels.append("parametrar från bygget")
        number += 1
        count = cell.get("execution_count")
        prompt = f"In [{count if count is not None else ' '}]"
        tag_html = "".join(f'<span class="tag">{_escape(t)}</span>' for t in labels)
        pieces = [piece for piece in (output_html(o, chapter_href)
                                      for o in cell.get("outputs", [])) if piece]
        outputs = "".join(f'<div class="output" {_scrollable(f"Utdata {i} av cell {number}")}>'
                          f'{piece}</div>' for i, piece in enumerate(pieces, start=1))
        parts.append(f'<div class="cell code"><div class="prompt">{prompt}{tag_html}</div>'
                     f'<pre class="input" {_scrollable(f"Kod, cell {number}")}>'
                     f'{_escape(source)}</pre>{outputs}</div>')
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


def stylesheet() -> str:
    """The pages' one stylesheet."""
    return _CSS.lstrip()


def notebook_title(notebook: dict, fallback: str) -> str:
    """The notebook's first ``# `` heading (its chapter title)."""
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "markdown":
            for line in _text(cell.get("source")).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def _downloaded_copy(html_dir: Path, notebook: Path) -> Path | None:
    """The book's download copy of an executed notebook (``_downloads/<hash>/``)."""
    size = notebook.stat().st_size
    for candidate in sorted((html_dir / "_downloads").glob(f"*/{notebook.name}")):
        if candidate.stat().st_size == size and candidate.read_bytes() == notebook.read_bytes():
            return candidate
    return None


def write_review_pages(report_dir: Path, html_dir: Path | None = None) -> list[Path]:
    """Write a review page for every executed notebook under ``report_dir/notebooks`` into
    the book (``html_dir``, by default ``report_dir/_build/html``), with its stylesheet."""
    report_dir = Path(report_dir)
    html_dir = Path(html_dir or report_dir / "_build" / "html")
    folder = html_dir / REVIEW_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / STYLESHEET).write_text(stylesheet(), encoding="utf-8")
    written = []
    for path in sorted(report_dir.glob("notebooks/**/*.ipynb")):
        chapter_path = path.relative_to(report_dir).with_suffix("").as_posix()
        notebook = json.loads(path.read_text(encoding="utf-8"))
        page = html_dir / review_page_path(chapter_path)
        here = posixpath.dirname(review_page_path(chapter_path))

        def href(target: str) -> str:
            return posixpath.relpath(target, here)

        copy = _downloaded_copy(html_dir, path)
        text = notebook_page(
            notebook, chapter_path, notebook_title(notebook, path.stem),
            chapter_href=href(f"{chapter_path}.html"),
            notebook_href=href(copy.relative_to(html_dir).as_posix()) if copy else None,
            stylesheet_href=href(f"{REVIEW_DIR}/{STYLESHEET}"))
        page.parent.mkdir(parents=True, exist_ok=True)
        tmp = page.with_name(page.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, page)
        written.append(page)
    return written
