"""The escaping functions: hostile text renders literally in each target format."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from ecoreport.markup.escape import (
    escape_html, escape_latex, escape_myst, escape_script_json, escape_url,
)

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(4)">',
    "[klicka](javascript:alert(2))",
    "<javascript:alert(3)>",
    "{sub-ref}`today` {{ region_name }}",
    "```{raw} html\n<script>alert(5)</script>\n```",
    ":::{danger}\nx\n:::",
    "$\\input{/etc/passwd}$",
    "# rubrik\n- lista\n1. nummer\n% kommentar",
    "**fet** _kursiv_ ~~struken~~ a|b &amp; &#60;script&#62;",
]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)


def _render(markdown: str) -> str:
    return MarkdownIt("commonmark").render(markdown)


def _text_of(html: str) -> str:
    parser = HTMLParser(convert_charrefs=True)
    chunks: list[str] = []
    parser.handle_data = chunks.append
    parser.feed(html)
    return "".join(chunks)


@pytest.mark.parametrize("text", HOSTILE)
def test_escape_myst_renders_the_text_literally_as_one_paragraph(text):
    html = _render(escape_myst(text))
    collector = _Collector()
    collector.feed(html)
    assert collector.tags == ["p"]  # no link, image, emphasis, code, heading or list
    assert _text_of(html).strip() == " ".join(text.split())


@pytest.mark.parametrize("text", HOSTILE)
def test_escape_myst_leaves_no_myst_syntax(text):
    escaped = escape_myst(text)
    assert "\n" not in escaped
    assert not escaped.startswith((":", "#", "%", "-", "1."))  # block syntax starts a line
    for syntax in ("{sub", "{{", "`", "$", "[", "<"):
        # every occurrence is preceded by a backslash
        position = escaped.find(syntax)
        while position != -1:
            assert escaped[position - 1] == "\\", (syntax, escaped)
            position = escaped.find(syntax, position + 1)


def test_escape_myst_keeps_plain_swedish_text():
    assert escape_myst("Västerbottens län – 3,5 % av BRP (2014–2017)") == \
        "Västerbottens län – 3,5 % av BRP (2014–2017)"


def test_escape_html_escapes_tags_and_quotes():
    assert escape_html('<a href="x">&') == "&lt;a href=&quot;x&quot;&gt;&amp;"


def test_escape_script_json_cannot_close_the_script():
    value = {"title": "</script><script>alert(1)</script><!--", "n": 1}
    text = escape_script_json(value)
    assert "<" not in text and ">" not in text
    assert json.loads(text) == value


def test_escape_latex_disables_commands_groups_and_math():
    escaped = escape_latex(r"\input{/etc/passwd} $x$ 50% a_b #1 & ~^")
    assert "\\input" not in escaped
    assert escaped == (r"\textbackslash{}input\{/etc/passwd\} \$x\$ 50\% a\_b \#1 \& "
                       r"\textasciitilde{}\textasciicircum{}")


def test_escape_url_encodes_what_would_end_an_autolink():
    assert escape_url('https://scb.se/a?b=1&c=2') == "https://scb.se/a?b=1&c=2"
    assert escape_url('https://x.se/"><script>') == "https://x.se/%22%3E%3Cscript%3E"
