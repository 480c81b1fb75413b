"""Turn a snapshot file into a validated ``Snapshot``, or a ``SnapshotError`` naming where."""

from __future__ import annotations

import itertools
from typing import Any

from pydantic import ValidationError

from ..errors import SnapshotError, brief, did_you_mean
from . import documents, json_mode
from .actions import ActionCatalogue
from .documents import Document
from .limits import Limits
from .snapshot import Snapshot, integrity_problems
from .sound import surely_sound
from .validation import fields_at

_MAX_PROBLEMS = 20


def load_snapshot(path: str, actions: ActionCatalogue | None = None, max_bytes: int | None = None) -> Snapshot:
    """Read a JSON or YAML snapshot file (``-`` for stdin) of at most ``max_bytes`` and validate it."""
    limit = Limits().snapshot_bytes if max_bytes is None else max_bytes
    return snapshot_from_text(*documents.read_text(path, SnapshotError, limit), actions)


def snapshot_from_text(text: str, source: str, actions: ActionCatalogue | None = None) -> Snapshot:
    """A snapshot file's text (JSON or YAML, read from ``source``) validated: JSON through pydantic's JSON mode
    where that gives what the checked parse gives, else (YAML, or any problem to name) the checked parse."""
    if text.lstrip().startswith("{"):
        snapshot = json_mode.validated(text)
        if snapshot is not None:  # its integrity problems are placed on the text's lines, found only if needed
            return _checked(snapshot, Document(None, source, text=text), actions)
    return snapshot_from_document(documents.parse(text, source, SnapshotError, aliases=False), actions)


def snapshot_from_document(doc: Document, actions: ActionCatalogue | None = None) -> Snapshot:
    """Validate parsed data against the snapshot contract and its integrity rules."""
    if not isinstance(doc.data, dict):
        found = type(doc.data).__name__ if doc.data is not None else "an empty document"
        raise SnapshotError([f"{doc.source}: expected a mapping with 'as_of' and 'account', found {found}"])
    try:
        snapshot = Snapshot.model_validate(doc.data)
    except ValidationError as exc:
        located = _describe(exc)
        problems = [f"{doc.where(path)}: {message}" for path, message in located]
        raise SnapshotError(problems, [path for path, _ in located]) from None
    return _checked(snapshot, doc, actions)


def snapshot_from_json(text: str, origin: str, actions: ActionCatalogue | None = None) -> Snapshot:
    """``snapshot_from_document`` for one line of JSON (``origin`` names it, ``file:12``).

    Validated by pydantic's faster JSON mode where it gives what ``parse_json`` and ``model_validate``
    give (``json_mode.validated``: no duplicate key, which it would keep the last of without a word, no NaN);
    anything else, every problem to name included, goes the checked way.
    """
    snapshot = json_mode.validated(text)
    if snapshot is not None:  # a one-line document's problems are placed on its line, ``origin``
        return _checked(snapshot, Document(None, origin), actions)
    return snapshot_from_document(
        Document(documents.parse_json(text, origin, SnapshotError, one_line=True), origin), actions
    )


def _checked(snapshot: Snapshot, doc: Document, actions: ActionCatalogue | None) -> Snapshot:
    catalogue = actions or ActionCatalogue()
    if surely_sound(snapshot, catalogue):  # set operations in C; the item-by-item walk only to name problems
        return snapshot
    # The first problems only: with thousands of dangling ids, naming each (and its closest
    # match) would take minutes; the first twenty say what is wrong.
    found = list(itertools.islice(integrity_problems(snapshot, catalogue), _MAX_PROBLEMS + 1))
    problems = [f"{doc.where(path)}: {message}" for path, message in found[:_MAX_PROBLEMS]]
    paths: list[tuple[str | int, ...] | None] = [tuple(path) for path, _ in found[:_MAX_PROBLEMS]]
    if len(found) > _MAX_PROBLEMS:
        problems.append(f"{doc.source}: and more problems after these {_MAX_PROBLEMS}")
        paths.append(None)
    if problems:
        raise SnapshotError(problems, paths)
    return snapshot


def _describe(exc: ValidationError) -> list[tuple[tuple[str | int, ...], str]]:
    """(field path, message) per problem pydantic found."""
    located = []
    for error in exc.errors()[:_MAX_PROBLEMS]:
        path = tuple(error["loc"])
        located.append((path, _message(error, path)))
    return located


def _message(error: Any, path: tuple[str | int, ...]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        known = fields_at(Snapshot, path[:-1])
        return f"unknown field '{path[-1]}'{did_you_mean(str(path[-1]), known)}; expected one of {', '.join(known)}"
    if kind == "missing":
        return "required field is missing"
    if kind == "value_error":  # our own validators' messages say what was found
        return str(error["ctx"]["error"])
    found = error.get("input")
    return f"{error['msg']} (found {brief(repr(found))})"
