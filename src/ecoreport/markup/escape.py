"""Escaping of text that comes from data files, one function per target format.

Names, descriptions, citations and notes come from files an analyst receives from others
and edits by hand (``indicators.yaml``, ``sources.yaml``, ``regions.yaml``, ``values.csv``),
so they are untrusted: rendered as they are, ``<script>`` would run in the web book,
``[x](javascript:…)`` would become a link, ``{role}`` or a code fence would be executed by
MyST and ``\\input{…}`` by LaTeX. Every place that puts such text into a format applies
that format's function here, at the point of rendering:

- :func:`escape_myst`: MyST Markdown (notebook output, static pages' substitutions, tables);
- :func:`escape_html`: raw HTML that the package writes itself (attributes, text);
- :func:`escape_script_json`: JSON placed inside an HTML ``<script>`` (the Vega specs);
- :func:`escape_latex`: LaTeX that Sphinx inserts unescaped (the PDF's title and author);
- :func:`escape_url`: a URL shown as a Markdown autolink.

The loaders also refuse markup in names (``data.schema``); escaping here is what makes
free text (descriptions, citations, notes) and anything that slips past them harmless.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import quote

# ASCII punctuation that starts Markdown, MyST or dollarmath syntax anywhere in a line:
# emphasis, code, links and images, raw HTML, entities, roles and substitutions ({...}),
# math ($), tables (|) and the backslash itself. CommonMark renders a backslash-escaped
# punctuation character literally.
_MYST_INLINE = re.compile(r"([\\`*_{}\[\]<>$|~^&])")
# Whitespace with a line break: block syntax (headings, lists, fences, directives, "---",
# "%" comments, setext underlines) only starts a line, so the text is kept on one line...
_LINE_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029\x0b\x0c\x85]\s*")
# ... and only its start needs these escaped: "# heading", "% comment", ":::" fences,
# "- item", "+++" breaks, "=" underlines, "1. item", "2) item".
_BLOCK_START = re.compile(r"^(\s*)([#%:+=-]|\d+[.)])")
_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "%": r"\%", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}", "\"": r"\textquotedbl{}",
}
_LATEX_RE = re.compile("|".join(re.escape(char) for char in _LATEX_SPECIAL))
# Characters that URLs keep literally; everything else (<, >, ", space, `, {, }) is encoded.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


def escape_myst(text: object) -> str:
    """``text`` as MyST Markdown that renders literally, on one line (so it can be a
    table cell, a heading or part of a sentence)."""
    flat = _LINE_BREAKS.sub(" ", str(text)).strip()
    escaped = _MYST_INLINE.sub(r"\\\1", flat)
    return _BLOCK_START.sub(_escape_block_start, escaped)


def _escape_block_start(match: re.Match) -> str:
    marker = match.group(2)
    return match.group(1) + (marker[:-1] + "\\" + marker[-1] if marker[0].isdigit()
                              else "\\" + marker)


def escape_html(text: object) -> str:
    """``text`` as HTML text or a quoted attribute value (``<``, ``>``, ``&``, quotes)."""
    return html.escape(str(text), quote=True)


def escape_script_json(value: Any) -> str:
    """``value`` as JSON that is safe inside an HTML ``<script>`` element.

    ``<`` is written as ``\\u003c`` so that neither ``</script>`` nor ``<!--`` in a string
    can end or change the script; ``&`` and the JavaScript line separators likewise.
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                       ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return text


def escape_latex(text: object) -> str:
    """``text`` as LaTeX that typesets literally (no commands, groups or math)."""
    flat = _LINE_BREAKS.sub(" ", str(text))
    return _LATEX_RE.sub(lambda match: _LATEX_SPECIAL[match.group(0)], flat)


def escape_url(url: object) -> str:
    """A URL with every character that could end a Markdown autolink or an HTML attribute
    percent-encoded."""
    return quote(str(url).strip(), safe=_URL_SAFE)
