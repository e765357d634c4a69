"""Text a published report must not contain, as patterns over a page's visible text (the
HTML pages' text without scripts, see ``tests.html_audit``, and the PDF's text)."""

from __future__ import annotations

import re

#: Tool text: what the analyst's tools say, not what a reader needs (ecoreport.report.publish).
TOOL_TEXT: dict[str, re.Pattern] = {
    "command line": re.compile(r"\becoreport (build|validate|import|fetch|update|diff|template)\b"
                               r"|\bjupyter-book\b|\bmake (report|test|html|data)\b"
                               r"|\bpip install\b|\bgit (checkout|clone)\b"),
    "YAML file": re.compile(r"\.ya?ml\b"),
    "commit hash": re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,40}\b"),
    "NaN": re.compile(r"\bNaN\b"),
    "unchecked licence": re.compile(r"\bej kontroller(ad|at|ade)\b", re.IGNORECASE),
    "ASCII län": re.compile(r"\(alla lan\)"),
}

#: Pages for reviewers, where commands, commits and file names are the content (the
#: reproducibility chapter: how to rebuild this very report). Web only; not in the PDF.
REVIEW_PAGES = frozenset({"notebooks/reproducerbarhet.html"})


def findings(texts: dict[str, str], patterns: dict[str, re.Pattern],
             skip: frozenset[str] = frozenset()) -> list[str]:
    """``page: kind: …context…`` for every match."""
    found = []
    for page, text in texts.items():
        if page in skip:
            continue
        for kind, pattern in patterns.items():
            for match in pattern.finditer(text):
                context = " ".join(text[max(0, match.start() - 50):match.end() + 30].split())
                found.append(f"{page}: {kind}: …{context}…")
    return found
