"""Reading input files safely: bounded YAML, and files that must stay inside their folder.

Every YAML file ecoreport reads (the catalogue, regions, region profiles, import mappings)
goes through :func:`read_yaml`: a safe loader (no tags that run code) with limits on the
file's size, the number of aliases and the size of the document once its aliases are
expanded, so an alias bomb anywhere in a file (at the top or inside one entry) is refused
in milliseconds instead of growing without bound in whatever reads the values later.

Files that come with a project but are edited by others (commentary, region profiles,
templates) must resolve inside their folder: :func:`inside` refuses a symlink that points
out of it, naming the link and where it points.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ecoreport.errors import DataError, EcoreportError

#: Larger YAML files are refused unread (the catalogue is about 100 kB).
MAX_YAML_BYTES = 5_000_000
#: Aliases (``*name``) a YAML file may use; the data files use none.
MAX_YAML_ALIASES = 100
#: Nodes of a document with every alias expanded (the catalogue has about 10 000).
MAX_YAML_NODES = 1_000_000


class _BoundedComposer:
    """Counts aliases while composing and checks the expanded size of each document."""

    def compose_node(self, parent, index):  # noqa: D102 - PyYAML's hook
        if self.check_event(yaml.AliasEvent):
            self._ecoreport_aliases = getattr(self, "_ecoreport_aliases", 0) + 1
            if self._ecoreport_aliases > MAX_YAML_ALIASES:
                raise yaml.constructor.ConstructorError(
                    None, None, f"more than {MAX_YAML_ALIASES} aliases",
                    self.peek_event().start_mark)
        return super().compose_node(parent, index)

    def compose_document(self):  # noqa: D102 - PyYAML's hook
        node = super().compose_document()
        nodes = expanded_size(node, MAX_YAML_NODES)
        if nodes > MAX_YAML_NODES:
            raise yaml.constructor.ConstructorError(
                None, None, f"the document expands to more than {MAX_YAML_NODES:,} values "
                            "(aliases repeating aliases?)", node.start_mark)
        return node


class BoundedSafeLoader(_BoundedComposer, yaml.SafeLoader):
    """PyYAML's SafeLoader with the limits above."""


def expanded_size(node: yaml.Node, limit: int) -> int:
    """Nodes of ``node`` with every alias expanded, counted once per shared node (linear
    time); stops counting above ``limit``."""
    sizes: dict[int, int] = {}
    # iterative post-order walk (a deep document must not exhaust the stack)
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        current, done = stack.pop()
        key = id(current)
        if key in sizes and not done:
            continue
        children = _children(current)
        if not done:
            sizes[key] = -1  # in progress: a cycle (a recursive alias) counts as large
            stack.append((current, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        total = 1
        for child in children:
            size = sizes.get(id(child), 1)
            total += limit + 1 if size < 0 else size
            if total > limit:
                total = limit + 1
                break
        sizes[key] = total
    return sizes[id(node)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def read_yaml(path: Path, *, file: str | None = None, expected: str = "well-formed YAML",
              loader: type = BoundedSafeLoader) -> Any:
    """The YAML document in ``path``, with the limits above. Errors are ``DataError``
    naming ``file`` (default: the file name)."""
    path = Path(path)
    name = file or path.name
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DataError("file not found", file=str(path), expected=expected) from None
    if size > MAX_YAML_BYTES:
        raise DataError(f"the file is {size:,} bytes, more than ecoreport reads "
                        f"({MAX_YAML_BYTES:,})", file=name, expected=expected)
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=loader)  # noqa: S506 - a SafeLoader subclass
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", file=name,
                        expected=expected) from None
    except yaml.YAMLError as exc:
        raise DataError(f"not valid YAML: {exc}".replace("\n", " "), file=name,
                        expected=expected) from None
    except RecursionError:
        raise DataError("not valid YAML: nested too deeply", file=name,
                        expected=expected) from None


def inside(path: Path, folder: Path, what: str) -> Path:
    """``path`` resolved, when it lies inside ``folder`` (resolved); otherwise an error
    naming the link: a file or folder of ``what`` that is a symlink pointing out."""
    path, folder = Path(path), Path(folder)
    resolved = path.resolve()
    base = folder.resolve()
    if resolved != base and base not in resolved.parents:
        below = [p for p in (path, *path.parents) if p != folder and folder in p.parents]
        link = next((p for p in below if p.is_symlink()), path)
        raise EcoreportError(f"{link} is a symlink to {link.resolve()}, outside {what} "
                             f"({base}); ecoreport reads and writes {what} only inside it: "
                             "replace the link with the file itself")
    return resolved
