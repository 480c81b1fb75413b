"""Helpers for plugin authors (``from kamengine.toolkit import write_atomically, ...``): what the built-ins use.

Files and text:

- ``write_atomically(path, data)``: write a file whole or not at all (a crash leaves yesterday's file).
- ``open_atomically(path)``: the same for writing in pieces: a context manager yielding a binary stream.
- ``regular_file(location)``: the ``Path`` at a source's location; ``SnapshotError`` if it is not a regular file.
- ``read_lines(stream, name, max_bytes)``: a byte stream's non-blank lines as ``(origin, text, problem)``.
- ``read_text(path, error, max_bytes, limit)``: a small settings file's ``(text, display name)``, refused when too big.
- ``SETTINGS_BYTES``: the size limit for a settings file of your plugin (``read_text``'s ``max_bytes``).
- ``printable(text)``: ``text`` with control characters escaped, for a terminal or a table.
- ``brief(text, limit)``: ``text`` shortened for an error message that quotes it.
- ``did_you_mean(word, choices)``: `` (did you mean 'x'?)`` for an unknown name, or ``""``.

Snapshots and actions (for sources):

- ``load_snapshot(path, actions)``: read and validate one snapshot file (JSON or YAML).
- ``snapshot_from_document(doc, actions)``: validate a parsed ``Document``; problems name its lines.
- ``snapshot_from_json(text, origin, actions)``: validate one snapshot given as JSON text.
- ``Document(data, source, lines)``: parsed data with the line of each field, for messages naming lines.
- ``snapshot_choices(record, field)``: the values an enumerated snapshot field allows, as text.
- ``OTHER_ACTIVITY``: the activity type of contact that is none of the action types (``"other"``).
- ``ActionCatalogue``: the action types a run knows (``Source.actions``, ``EmitContext.actions``).
- ``BUILTIN_ACTIONS``: the built-in action types by id, to base yours on one (``dataclasses.replace``).
- ``Owner``: the team member a recommendation is for (``Recommendation.owner``).
- ``calendar_for(region)``: a region's calendar: public holidays, working days, ``festivals(start, end)``.
- ``Festival``: one festival (name, date, regions), as ``calendar_for(...).festivals`` and kamengine.toml give them.

Delivery (for emitters):

- ``pages(items, size)``: ``items`` in lists of at most ``size``, to deliver a large ``Outgoing`` in parts.
- ``in_thread(call, seconds, what)``: run ``call`` with a deadline; ``DeadlineExceeded`` when it is late.
- ``DeadlineExceeded``: what ``in_thread`` raises when the deadline passes.
- ``redact(text)``: ``text`` with URLs' credentials (user info, key-like segments, secret query values) as ``***``.
- ``REDACTED``: what ``redact`` puts in place of a secret.
- ``has_redacted_query(url)``: whether a URL lost a secret to ``redact`` (read back from the store: not sendable).

The names load on first use (PEP 562), as in ``kamengine`` itself.
"""

from __future__ import annotations

import importlib
import typing
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # What type checkers and editors see; at run time ``__getattr__`` imports each name when first used.
    from kamengine.engine.delivery.deadlines import DeadlineExceeded, in_thread
    from kamengine.engine.delivery.secrets import REDACTED, has_redacted_query, redact
    from kamengine.engine.errors import brief, did_you_mean, printable
    from kamengine.engine.model.actions import BUILTIN_ACTIONS, ActionCatalogue
    from kamengine.engine.model.config import Festival
    from kamengine.engine.model.documents import SETTINGS_BYTES, Document, read_text
    from kamengine.engine.model.loading import load_snapshot, snapshot_from_document, snapshot_from_json
    from kamengine.engine.model.recommendation import Owner
    from kamengine.engine.model.snapshot import OTHER_ACTIVITY
    from kamengine.engine.plan.calendar import calendar_for
    from kamengine.engine.plugin.emitters import open_atomically, write_atomically
    from kamengine.engine.plugin.outgoing import pages
    from kamengine.engine.plugin.sources import read_lines, regular_file

__all__ = [
    "BUILTIN_ACTIONS",
    "OTHER_ACTIVITY",
    "REDACTED",
    "SETTINGS_BYTES",
    "ActionCatalogue",
    "DeadlineExceeded",
    "Document",
    "Festival",
    "Owner",
    "brief",
    "calendar_for",
    "did_you_mean",
    "has_redacted_query",
    "in_thread",
    "load_snapshot",
    "open_atomically",
    "pages",
    "printable",
    "read_lines",
    "read_text",
    "redact",
    "regular_file",
    "snapshot_choices",
    "snapshot_from_document",
    "snapshot_from_json",
    "write_atomically",
]

#: Where each name lives; the toolkit imports it from there when it is first asked for.
_HOMES = {
    "BUILTIN_ACTIONS": "kamengine.engine.model.actions",
    "OTHER_ACTIVITY": "kamengine.engine.model.snapshot",
    "REDACTED": "kamengine.engine.delivery.secrets",
    "SETTINGS_BYTES": "kamengine.engine.model.documents",
    "ActionCatalogue": "kamengine.engine.model.actions",
    "DeadlineExceeded": "kamengine.engine.delivery.deadlines",
    "Document": "kamengine.engine.model.documents",
    "Festival": "kamengine.engine.model.config",
    "Owner": "kamengine.engine.model.recommendation",
    "brief": "kamengine.engine.errors",
    "calendar_for": "kamengine.engine.plan.calendar",
    "did_you_mean": "kamengine.engine.errors",
    "has_redacted_query": "kamengine.engine.delivery.secrets",
    "in_thread": "kamengine.engine.delivery.deadlines",
    "load_snapshot": "kamengine.engine.model.loading",
    "open_atomically": "kamengine.engine.plugin.emitters",
    "pages": "kamengine.engine.plugin.outgoing",
    "printable": "kamengine.engine.errors",
    "read_lines": "kamengine.engine.plugin.sources",
    "read_text": "kamengine.engine.model.documents",
    "redact": "kamengine.engine.delivery.secrets",
    "regular_file": "kamengine.engine.plugin.sources",
    "snapshot_from_document": "kamengine.engine.model.loading",
    "snapshot_from_json": "kamengine.engine.model.loading",
    "write_atomically": "kamengine.engine.plugin.emitters",
}

#: The records of a snapshot by the names its documentation uses (docs/snapshot.md), for ``snapshot_choices``.
_RECORDS = {
    "account": "Account",
    "contact": "Contact",
    "opportunity": "Opportunity",
    "decision_group": "DecisionGroup",
    "team_member": "TeamMember",
}


def snapshot_choices(record: str, field: str) -> tuple[str, ...]:
    """The values ``field`` of a snapshot ``record`` (``account``, ``contact``, ``opportunity``, ``decision_group``,
    ``team_member``) allows, as text in the contract's order: ``snapshot_choices("contact", "level")`` is
    ``("executive", "senior", "middle", "staff")``; ``()`` for a field that takes any value."""
    model = getattr(importlib.import_module("kamengine.engine.model.snapshot"), _RECORDS[record])
    return tuple(str(value) for value in _literal_values(model.model_fields[field].annotation))


def _literal_values(annotation: object) -> tuple[object, ...]:
    # The Literal inside an optional (``Tier | None``); pydantic has already moved Annotated's validators aside.
    if typing.get_origin(annotation) is typing.Literal:
        return typing.get_args(annotation)
    return tuple(value for arg in typing.get_args(annotation) for value in _literal_values(arg))


def __getattr__(name: str) -> object:
    """Import a toolkit name from its home on first use (PEP 562) and keep it here for the next."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'kamengine.toolkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The toolkit's names with the module's own, for ``dir(kamengine.toolkit)`` and completion."""
    return sorted({*globals(), *__all__})
