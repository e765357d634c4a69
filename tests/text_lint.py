"""Text a published report must not contain, as patterns over a page's visible text (the
HTML pages' text without scripts, see ``tests.html_audit``, and the PDF's text)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

#: Tool text: what the analyst's tools say, not what a reader needs (ecoreport.report.draft).
TOOL_TEXT: dict[str, re.Pattern] = {
    "command line": re.compile(r"\becoreport (build|validate|import|fetch|update|diff|template)\b"
                               r"|\bjupyter-book\b|\bmake (report|test|html|data)\b"
                               r"|\bpip install\b|\bgit (checkout|clone)\b"),
    "YAML file": re.compile(r"\.ya?ml\b"),
    "repository path": re.compile(r"\b(notebooks|src|commentary|_build)/\S+"
                                  r"|\bdata/[\w/-]+\.\w+"),
    "commit hash": re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,40}\b"),
    "NaN": re.compile(r"\bNaN\b"),
    "unchecked licence": re.compile(r"\bej kontroller(ad|at|ade)\b", re.IGNORECASE),
    "ASCII län": re.compile(r"\(alla lan\)"),
}

#: Pages for reviewers, where commands, commits and file names are the content (the
#: reproducibility chapter: how to rebuild this very report). Web only; not in the PDF.
REVIEW_PAGES = frozenset({"notebooks/reproducerbarhet.html"})
#: The executed notebooks as read-only pages (``publishing.review_pages``): code, English
#: comments, file names and every value the notebook used, synthetic ones with their status,
#: like the data downloads. Web only; not in the PDF.
REVIEW_FOLDER = "granskning/"


def findings(texts: dict[str, str], patterns: dict[str, re.Pattern],
             skip: frozenset[str] = frozenset()) -> list[str]:
    """``page: kind: …context…`` for every match."""
    found = []
    for page, text in texts.items():
        if page in skip or page.startswith(REVIEW_FOLDER):
            continue
        for kind, pattern in patterns.items():
            for match in pattern.finditer(text):
                context = " ".join(text[max(0, match.start() - 50):match.end() + 30].split())
                found.append(f"{page}: {kind}: …{context}…")
    return found


#: Swedish an editor would not pass: English or jargon, a second word for rank ("plats")
#: or for the confidence interval ("95 % konfidensintervall"), ranges with a hyphen
#: instead of an en dash, broken sentences reported by readers.
LANGUAGE: dict[str, re.Pattern] = {
    "rang (say plats)": re.compile(r"\b(median)?rang(en|er|ordning)?\b", re.IGNORECASE),
    "interval (say 95 % konfidensintervall)": re.compile(
        r"\d\s?%-intervall|\d\s%\sintervall\b|\d+-procentig\w* (konfidens)?intervall"),
    "hyphen in a range (use –)": re.compile(r"(?<![\w./:-])\d{1,4}-\d{1,4}(?![\w/-])"),
    "English": re.compile(r"\bnotebook\w*|\bjoint ventures?\b|\bblock-?bootstrap\w*|cos²"
                          r"|\bMyST\b", re.IGNORECASE),
    "sentence without verb": re.compile(r"och ingen uppgift om länet"),
    "the education rose": re.compile(
        r"\bhar eftergymnasial utbildning om minst tre år (stigit|sjunkit|ökat|minskat)"),
    "value named as a unit": re.compile(r"\d indexvärde\b"),
    "too precise (≥ 4 significant figures with decimals)": re.compile(
        r"(?<![\d,])\d{1,3}(?:[\s]\d{3})+,\d|(?<![\d,\s])\d{3,},\d"),
}


class _Prose(HTMLParser):
    """A page's running text: paragraphs, list items and headings of the article, without
    tables, code, scripts or the theme's navigation."""

    SKIP = {"table", "script", "style", "nav", "pre", "code", "header", "footer", "svg"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self.SKIP:
            self.depth += 1
        if tag in ("p", "li", "h1", "h2", "h3", "br", "div"):
            self.parts.append("\n")

    def handle_endtag(self, tag) -> None:
        if tag in self.SKIP and self.depth:
            self.depth -= 1

    def handle_data(self, data) -> None:
        if not self.depth:
            self.parts.append(data)


def prose(html_text: str) -> str:
    """The running text of a page (see :class:`_Prose`)."""
    start = html_text.find("<article")
    parser = _Prose()
    parser.feed(html_text[start:] if start >= 0 else html_text)
    return "".join(parser.parts)


def page_prose(folder: Path) -> dict[str, str]:
    """The running text of every HTML page under ``folder``, by relative path."""
    return {str(p.relative_to(folder)): prose(p.read_text(encoding="utf-8"))
            for p in sorted(Path(folder).rglob("*.html"))}
