"""Read JSON or YAML documents safely, remembering the line of every field for error messages."""

from __future__ import annotations

import json
import stat
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


#: A settings or column-map file: a few hundred lines at most; a megabyte is plenty.
SETTINGS_BYTES = 1024 * 1024


def read_text(
    path: str, error: type[InputError] = InputError, max_bytes: int | None = None, limit: str = "[limits] snapshot_mb"
) -> tuple[str, str]:
    """Return ``(text, display name)`` for a regular file of at most ``max_bytes``, ``-`` meaning standard input.

    A FIFO, a device (``/dev/zero``) or a file over the limit is refused before it is read:
    reading it could take forever or take all the memory. ``limit`` says where the limit is set.
    """
    if path == "-":
        data = sys.stdin.buffer.read(max_bytes + 1) if max_bytes is not None else sys.stdin.buffer.read()
        source = "<stdin>"
    else:
        source = path
        file = Path(path)
        try:
            status = file.stat()
        except FileNotFoundError:
            raise error([f"{path}: no such file"]) from None
        except OSError as exc:
            raise error([f"{path}: cannot read ({exc.strerror})"]) from None
        if stat.S_ISDIR(status.st_mode):
            raise error([f"{path}: is a directory, expected a JSON or YAML file"])
        if not stat.S_ISREG(status.st_mode):
            raise error([f"{path}: not a regular file (a pipe or a device)"])
        if max_bytes is not None and status.st_size > max_bytes:
            raise error([f"{path}: {_mb(status.st_size)} is over the limit of {_mb(max_bytes)} ({limit})"])
        try:
            with file.open("rb") as stream:
                data = stream.read(max_bytes + 1) if max_bytes is not None else stream.read()
        except OSError as exc:
            raise error([f"{path}: cannot read ({exc.strerror})"]) from None
    if max_bytes is not None and len(data) > max_bytes:  # it grew while we read it, or came on stdin
        raise error([f"{source}: over the limit of {_mb(max_bytes)} ({limit})"])
    try:
        return data.decode("utf-8"), source
    except UnicodeDecodeError as exc:
        raise error([f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})"]) from None


def parse(text: str, source: str, error: type[InputError] = InputError, aliases: bool = True) -> Document:
    """Parse JSON (when it looks like JSON) or YAML through the safe loader.

    Duplicate keys are an error in both. YAML aliases are refused where ``aliases`` is False
    (snapshots: data has no use for them) and bounded elsewhere (playbooks): expanded, they
    may not exceed ``MAX_EXPANDED_NODES``, nor refer to themselves.
    """
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return Document(parse_json(text, source, error), source, text=text)
    try:
        node, data = _compose(text, source, error, aliases)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise error([f"{source}{line}: invalid YAML: {exc.problem or exc.context}"]) from None
    except (yaml.YAMLError, ValueError) as exc:
        raise error([f"{source}: invalid YAML: {exc}"]) from None
    except RecursionError:
        raise error([f"{source}: invalid YAML: nested too deeply"]) from None
    lines: Lines = {}
    duplicates: list[str] = []
    if node is not None:
        try:
            _walk(node, data, (), lines, duplicates, set())
        except RecursionError:
            raise error([f"{source}: invalid YAML: nested too deeply"]) from None
    if duplicates:
        raise error([f"{source}:{d}" for d in duplicates])
    return Document(data, source, lines)


def parse_json(text: str, source: str, error: type[InputError] = InputError, one_line: bool = False) -> Any:
    """JSON data; a duplicate key, NaN or Infinity, a number of thousands of digits or nesting
    deeper than Python can follow are errors naming the line, not a silent last-one-wins or a crash.

    ``one_line``: the text is one line of a file and ``source`` already names it (``file:12``).
    """
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        where = f"{source}: invalid JSON at column {exc.colno}" if one_line else f"{source}:{exc.lineno}: invalid JSON"
        raise error([f"{where}: {exc.msg}"]) from None
    except _Duplicate as exc:
        found = [] if one_line else [d for d in _duplicates_by_line(text) if f"'{exc.key}'" in d]
        raise error([f"{source}:{found[0]}" if found else f"{source}: duplicate key '{exc.key}'"]) from None
    except _Constant as exc:
        raise error([f"{source}: invalid JSON: {exc.name} is not a number kamengine accepts"]) from None
    except RecursionError:
        raise error([f"{source}: invalid JSON: nested too deeply"]) from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise error([f"{source}: invalid JSON: {exc}"]) from None


def load(
    path: str, error: type[InputError] = InputError, max_bytes: int | None = None, aliases: bool = True
) -> Document:
    """Read and parse one file (or ``-`` for standard input)."""
    text, source = read_text(path, error, max_bytes)
    return parse(text, source, error, aliases)


#: How many values YAML aliases may add to a playbook when expanded: far more than any playbook needs,
#: far less than a "billion laughs" document (a kilobyte that expands to gigabytes). A document's own
#: values are bounded by its size ([limits]), not by this.
MAX_EXPANDED_NODES = 100_000


def _compose(
    text: str, source: str = "", error: type[InputError] = InputError, aliases: bool = True
) -> tuple[yaml.Node | None, Any]:
    """The node tree (for lines) and the data built from it: the text is parsed once."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_aliases(node, source, error, aliases)
        return node, loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def _check_aliases(root: yaml.Node, source: str, error: type[InputError], allowed: bool) -> None:
    """Refuse aliases (or bound what they expand to) before the document is built from the nodes."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            if not allowed:
                raise error(
                    [f"{source}:{node.start_mark.line + 1}: YAML aliases (*name) are not allowed in a snapshot"]
                )
            return sizes[key]
        if key in open_:
            raise error([f"{source}:{node.start_mark.line + 1}: a YAML alias refers to itself"])
        open_.add(key)
        children = node.value if isinstance(node, yaml.SequenceNode) else ()
        if isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        total = 1 + sum(size(child) for child in children)  # each node once: linear, however much it expands
        open_.discard(key)
        sizes[key] = total
        return total

    # Expanded, the document has size(root) values; written, len(sizes): aliases add the difference.
    if size(root) - len(sizes) > MAX_EXPANDED_NODES:
        raise error([f"{source}: YAML aliases expand to more than {MAX_EXPANDED_NODES:,} values more than are written"])


class _Duplicate(ValueError):
    def __init__(self, key: str) -> None:
        self.key = key


class _Constant(ValueError):
    def __init__(self, name: str) -> None:
        self.name = name


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        key = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise _Duplicate(key)
    return data


def _no_constant(name: str) -> Any:
    raise _Constant(name)


def _duplicates_by_line(text: str) -> list[str]:
    """``line: duplicate key 'x'`` for each duplicate, found by composing the JSON as YAML (errors only)."""
    try:
        node, data = _compose(text)
    except (yaml.YAMLError, ValueError, InputError, RecursionError):
        return []
    found: list[str] = []
    if node is not None:
        _walk(node, data, (), {}, found, set())
    return found


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.3g} MB"


def _json_lines(text: str) -> Lines:
    # JSON is (nearly) YAML, so the YAML composer gives JSON files line numbers too; a message it cannot
    # place is still said, without a line (never the composer's own complaint instead of it).
    try:
        node, data = _compose(text)
    except (yaml.YAMLError, ValueError, InputError, RecursionError):
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
