"""Read JSON or YAML documents safely, remembering the line of every field for error messages."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError, format_path

Path_ = tuple[str | int, ...]
Lines = dict[Path_, int | str]

# libyaml's safe loader parses our playbooks some twenty times faster than the pure-Python
# one; the pure-Python one is the fallback where PyYAML was built without libyaml.
_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc]
    """The safe loader, minus implicit timestamps: dates stay text so that a bad date like
    2026-13-01 is reported by the model with its field path instead of crashing the parser."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class Document:
    """Parsed data plus the 1-based line on which each field path starts."""

    data: Any
    source: str
    # path -> line in ``source``, or a whole location ("contacts.csv:7") when the data was
    # assembled from several files, as the CSV and SQLite sources do.
    lines: Lines = field(default_factory=dict)
    # JSON is read with the json module; its lines are found (by composing the text as YAML)
    # only if a message needs one.
    text: str | None = field(default=None, repr=False)

    def line_map(self) -> Lines:
        """``lines``, found first if this is JSON whose lines nobody needed yet."""
        if self.text is not None:
            self.lines, self.text = _json_lines(self.text), None
        return self.lines

    def where(self, path: Path_) -> str:
        """``file:line: path`` for a field, using the nearest known ancestor's line."""
        self.line_map()
        probe = tuple(path)
        while probe and probe not in self.lines:
            probe = probe[:-1]
        line = self.lines.get(probe)
        location = line if isinstance(line, str) else f"{self.source}:{line}" if line else self.source
        return f"{location}: {format_path(path)}" if path else location


def read_text(path: str, error: type[InputError] = InputError) -> tuple[str, str]:
    """Return ``(text, display name)`` for a path, ``-`` meaning standard input."""
    if path == "-":
        return sys.stdin.read(), "<stdin>"
    file = Path(path)
    if not file.exists():
        raise error([f"{path}: no such file"])
    if file.is_dir():
        raise error([f"{path}: is a directory, expected a JSON or YAML file"])
    try:
        return file.read_text(encoding="utf-8"), path
    except UnicodeDecodeError as exc:
        raise error([f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"]) from None
    except OSError as exc:
        raise error([f"{path}: cannot read ({exc.strerror})"]) from None


def parse(text: str, source: str, error: type[InputError] = InputError) -> Document:
    """Parse JSON (when it looks like JSON) or YAML through the safe loader."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise error([f"{source}:{exc.lineno}: invalid JSON: {exc.msg}"]) from None
        return Document(data, source, text=text)
    try:
        node, data = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise error([f"{source}{line}: invalid YAML: {exc.problem or exc.context}"]) from None
    except (yaml.YAMLError, ValueError) as exc:
        raise error([f"{source}: invalid YAML: {exc}"]) from None
    lines: Lines = {}
    duplicates: list[str] = []
    if node is not None:
        _walk(node, data, (), lines, duplicates, set())
    if duplicates:
        raise error([f"{source}:{d}" for d in duplicates])
    return Document(data, source, lines)


def load(path: str, error: type[InputError] = InputError) -> Document:
    """Read and parse one file (or ``-`` for standard input)."""
    text, source = read_text(path, error)
    return parse(text, source, error)


def _compose(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for lines) and the data built from it: the text is parsed once."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return node, loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def _json_lines(text: str) -> Lines:
    # JSON is (nearly) YAML, so the YAML composer gives JSON files line numbers too.
    try:
        node, data = _compose(text)
    except (yaml.YAMLError, ValueError):
        return {}
    lines: Lines = {}
    if node is not None:
        _walk(node, data, (), lines, [], set())
    return lines


def _walk(node: yaml.Node, data: Any, path: Path_, lines: Lines, dups: list[str], seen: set[int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if id(node) in seen:  # an alias: the anchor's lines were taken where it stands
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode) and isinstance(data, dict):
        keys: set[str] = set()
        values = list(data.items())
        pairs = [(k, v) for k, v in node.value if k.tag != "tag:yaml.org,2002:merge"]
        for key_node, _ in pairs:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in keys:
                    dups.append(f"{key_node.start_mark.line + 1}: duplicate key '{key_node.value}'")
                keys.add(key_node.value)
        if len(pairs) != len(values):
            return
        for (key_node, value_node), (key, value) in zip(pairs, values, strict=True):
            child = (*path, key if isinstance(key, str | int) else str(key))
            lines[child] = key_node.start_mark.line + 1
            _walk(value_node, value, child, lines, dups, seen)
    elif isinstance(node, yaml.SequenceNode) and isinstance(data, list):
        for index, (item_node, item) in enumerate(zip(node.value, data, strict=False)):
            child = (*path, index)
            lines[child] = item_node.start_mark.line + 1
            _walk(item_node, item, child, lines, dups, seen)
