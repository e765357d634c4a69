"""The report's fixed wording in book/texts/: parsing, placeholders, and every text used."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ecoreport.errors import EcoreportError
from ecoreport.report import texts
from ecoreport.report.texts import load_texts, parse_texts, text

ROOT = Path(__file__).resolve().parents[2]


def write(root: Path, family: str, source: str) -> None:
    folder = root / texts.TEXTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{family}.md").write_text(source, encoding="utf-8")


def test_texts_are_sections_with_their_wording(tmp_path):
    write(tmp_path, "demo", "# Texter\n\nOm filen.\n\n## first\n\nEn mening om {{ name }}.  \n"
                            "Andra raden.\n\n## second\n\n**Rubrik**\n")
    assert load_texts("demo", tmp_path) == {"first": "En mening om {{ name }}.\nAndra raden.",
                                           "second": "**Rubrik**"}
    assert text("demo", "first", root=tmp_path, name="Västerbotten") == \
        "En mening om Västerbotten.\nAndra raden."


def test_a_placeholder_left_over_or_given_in_vain_is_an_error(tmp_path):
    write(tmp_path, "demo", "## first\n\n{{ a }} och {{b}}\n")
    with pytest.raises(EcoreportError, match="not filled: b"):
        text("demo", "first", root=tmp_path, a=1)
    with pytest.raises(EcoreportError, match="without a placeholder: c"):
        text("demo", "first", root=tmp_path, a=1, b=2, c=3)
    with pytest.raises(EcoreportError, match="no text 'other'"):
        text("demo", "other", root=tmp_path)
    with pytest.raises(EcoreportError, match="no such file"):
        text("missing", "first", root=tmp_path)


def test_a_key_written_twice_names_its_line(tmp_path):
    with pytest.raises(EcoreportError, match=r"demo.md, line 5: the text 'a' is written twice"):
        parse_texts("## a\n\nx\n\n## a\n\ny\n", tmp_path / "demo.md")


def test_an_edited_file_is_read_again(tmp_path):
    write(tmp_path, "demo", "## a\n\nförst\n")
    assert text("demo", "a", root=tmp_path) == "först"
    write(tmp_path, "demo", "## a\n\nsedan, och längre\n")
    assert text("demo", "a", root=tmp_path) == "sedan, och längre"


def _keys(node: ast.AST) -> list[str]:
    """The literal keys an argument can be: a string, or either branch of a conditional."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _keys(node.body) + _keys(node.orelse)
    return []


def _text_calls() -> set[tuple[str, str]]:
    """Every ``text("family", "key", ...)`` call with literal arguments in the library."""
    calls = set()
    for path in (ROOT / "src" / "ecoreport").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "text"
                    and len(node.args) >= 2 and isinstance(node.args[0], ast.Constant)):
                calls |= {(node.args[0].value, key) for key in _keys(node.args[1])}
    return calls


def test_every_text_the_library_asks_for_exists_and_every_text_is_asked_for():
    calls = _text_calls()
    written = {(path.stem, key) for path in (ROOT / texts.TEXTS_DIR).glob("*.md")
               for key in load_texts(path.stem, ROOT)}
    assert calls - written == set(), "texts asked for but not written"
    # a text may also be asked for with a computed key: such keys are listed in the file's
    # family as <prefix>-<name>; only texts no call can reach are dead
    dynamic = {(family, key) for family, key in written
               if any(f == family and key.startswith(prefix) for f, prefix in _dynamic_prefixes())}
    assert written - calls - dynamic == set(), "texts no code asks for"


def _dynamic_prefixes() -> set[tuple[str, str]]:
    """``text("family", f"prefix-{...}")`` calls: the family and the literal prefix."""
    found = set()
    for path in (ROOT / "src" / "ecoreport").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "text"
                    and len(node.args) >= 2 and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[1], ast.JoinedStr) and node.args[1].values
                    and isinstance(node.args[1].values[0], ast.Constant)):
                found.add((node.args[0].value, node.args[1].values[0].value))
    return found
