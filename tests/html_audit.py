"""Audit built HTML for markup that came from data: scripts, event handlers, javascript: URLs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"}
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


@dataclass
class Finding:
    page: str
    problem: str


@dataclass
class _Audit(HTMLParser):
    page: str
    allowed_handlers: frozenset[str] = frozenset()
    findings: list[Finding] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    _script: list[str] | None = None

    def __post_init__(self) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on") and value not in self.allowed_handlers:
                self.findings.append(Finding(self.page, f"<{tag} {name}={value!r}>"))
            if name in _URL_ATTRIBUTES and value is not None:
                scheme = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                if scheme.startswith(("javascript:", "vbscript:", "data:text/html")):
                    self.findings.append(Finding(self.page, f"<{tag} {name}={value!r}>"))
        if tag in ("iframe", "object", "embed"):
            self.findings.append(Finding(self.page, f"<{tag}> element"))
        if tag == "script":
            source = dict(attrs).get("src")
            if source is not None and re.match(r"^([a-z]+:)?//", source, re.I):
                self.findings.append(Finding(self.page, f"remote script {source!r}"))
            self._script = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            code = _JSON_STRING.sub('""', "".join(self._script))  # data in strings is inert
            if "alert(" in code:
                self.findings.append(Finding(self.page, f"script runs data: {code[:80]!r}"))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)
        else:
            self.text.append(data)


def audit_html(folder: Path, allowed_handlers: frozenset[str] = frozenset()
               ) -> tuple[list[Finding], dict[str, str]]:
    """Every finding in the HTML pages under ``folder``, and each page's visible text.

    ``allowed_handlers``: event-handler attribute values the book ships itself."""
    findings: list[Finding] = []
    texts: dict[str, str] = {}
    for page in sorted(folder.rglob("*.html")):
        audit = _Audit(str(page.relative_to(folder)), frozenset(allowed_handlers))
        audit.feed(page.read_text(encoding="utf-8"))
        audit.close()
        findings.extend(audit.findings)
        texts[audit.page] = "".join(audit.text)
    return findings, texts
