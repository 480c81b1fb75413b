"""kamengine for plugin authors: ``from kamengine import hookimpl, Source, ...`` is all a plugin imports.

A plugin module implements ``kamengine_register_*`` hooks with ``@hookimpl`` and returns the
classes below (docs/plugins.md); ``kamengine.toolkit`` holds the helpers the built-in plugins use.

- ``hookimpl``: decorate your ``kamengine_register_*`` functions with it.
- ``Source``: subclass it (``PLUGIN_NAME``, ``records``) to read accounts from a new kind of place.
- ``SourceRecord``: what ``Source.records`` yields: one account's snapshot, or why it could not be read.
- ``Emitter``: subclass it (``PLUGIN_NAME``, ``emit``) to deliver recommendations to a new target.
- ``EmitContext``: what ``Emitter.emit`` receives besides the recommendations (stdout, actions, limits).
- ``Outgoing``: what ``Emitter.emit_changes`` receives: one nightly delivery's changes.
- ``Change``: one recommendation in an ``Outgoing`` delivery, with the ``Event`` that happened to it.
- ``Event``: new, changed or closed: what a ``Change`` says happened since the last delivery.
- ``Enricher``: subclass it (``PLUGIN_NAME``, ``FIELDS``, ``values``) to add fields rules can test.
- ``FieldSpec``: declare one field an ``Enricher`` adds (name, type, meaning).
- ``ActionType``: return these from ``kamengine_register_action_types`` to add actions rules can recommend.
- ``Mode``: the occasion an ``ActionType`` is (meeting, event, invitation...), which the plan reads.
- ``Compliance``: how compliance rules treat an ``ActionType`` (private activity, gift).
- ``Snapshot``: one account as of one date: what sources yield and enrichers read.
- ``Recommendation``: one ranked, explained, owned action: what emitters deliver.
- ``Engine``: advise accounts from your own code or tests, with your plugins installed.
- ``RunOptions``: the settings of one run (playbooks, params, language, as-of...) that ``Engine`` takes.
- ``KamengineError``: the root of every error kamengine reports to a user without a traceback.
- ``InputError``: raise it when a file or setting a user gave is missing or invalid (one line per problem).
- ``SnapshotError``: raise it when an account does not match the snapshot contract (docs/snapshot.md).

The names load on first use (PEP 562), so ``import kamengine`` and the command line's start stay fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # What type checkers and editors see; at run time ``__getattr__`` imports each name when first used.
    from kamengine.engine.api import Engine
    from kamengine.engine.api.options import RunOptions
    from kamengine.engine.errors import InputError, KamengineError, SnapshotError
    from kamengine.engine.model.actions import ActionType, Compliance, Mode
    from kamengine.engine.model.fields import FieldSpec
    from kamengine.engine.model.recommendation import Recommendation
    from kamengine.engine.model.snapshot import Snapshot
    from kamengine.engine.plugin.emitters import EmitContext, Emitter
    from kamengine.engine.plugin.enrichers import Enricher
    from kamengine.engine.plugin.hookspecs import hookimpl
    from kamengine.engine.plugin.outgoing import Change, Event, Outgoing
    from kamengine.engine.plugin.sources import Source, SourceRecord

__all__ = [
    "ActionType",
    "Change",
    "Compliance",
    "EmitContext",
    "Emitter",
    "Engine",
    "Enricher",
    "Event",
    "FieldSpec",
    "InputError",
    "KamengineError",
    "Mode",
    "Outgoing",
    "Recommendation",
    "RunOptions",
    "Snapshot",
    "SnapshotError",
    "Source",
    "SourceRecord",
    "hookimpl",
]

#: Where each name lives; the face imports it from there when it is first asked for.
_HOMES = {
    "ActionType": "kamengine.engine.model.actions",
    "Change": "kamengine.engine.plugin.outgoing",
    "Compliance": "kamengine.engine.model.actions",
    "EmitContext": "kamengine.engine.plugin.emitters",
    "Emitter": "kamengine.engine.plugin.emitters",
    "Engine": "kamengine.engine.api",
    "Enricher": "kamengine.engine.plugin.enrichers",
    "Event": "kamengine.engine.plugin.outgoing",
    "FieldSpec": "kamengine.engine.model.fields",
    "InputError": "kamengine.engine.errors",
    "KamengineError": "kamengine.engine.errors",
    "Mode": "kamengine.engine.model.actions",
    "Outgoing": "kamengine.engine.plugin.outgoing",
    "Recommendation": "kamengine.engine.model.recommendation",
    "RunOptions": "kamengine.engine.api.options",
    "Snapshot": "kamengine.engine.model.snapshot",
    "SnapshotError": "kamengine.engine.errors",
    "Source": "kamengine.engine.plugin.sources",
    "SourceRecord": "kamengine.engine.plugin.sources",
    "hookimpl": "kamengine.engine.plugin.hookspecs",
}


def __getattr__(name: str) -> object:
    """Import a face name from its home on first use (PEP 562) and keep it here for the next."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'kamengine' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The face's names with the module's own, for ``dir(kamengine)`` and completion."""
    return sorted({*globals(), *__all__})
