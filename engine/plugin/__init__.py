"""The plugin API, the one import surface for plugin authors: hooks and the classes plugins implement.

A plugin module implements ``kamengine_register_*`` hooks (see ``hookspecs``) with
``@hookimpl`` and returns sources, emitters, enrichers, action types or playbook paths::

    from kamengine.engine.plugin import Enricher, FieldSpec, hookimpl
"""

from ..errors import InputError, KamengineError, SnapshotError
from ..model.actions import ActionCatalogue, ActionType, Compliance, Mode
from ..model.documents import Document
from ..model.fields import FieldSpec
from ..model.loading import load_snapshot, snapshot_from_document, snapshot_from_json
from ..model.recommendation import Recommendation
from ..model.snapshot import Snapshot
from .emitters import EmitContext, Emitter, open_atomically, printable, write_atomically
from .enrichers import Enricher
from .hookspecs import hookimpl, hookspec
from .outgoing import Change, Event, Outgoing
from .sources import Source, SourceRecord, read_lines, regular_file

__all__ = [
    "ActionCatalogue",
    "ActionType",
    "Change",
    "Compliance",
    "Document",
    "EmitContext",
    "Emitter",
    "Enricher",
    "Event",
    "FieldSpec",
    "InputError",
    "KamengineError",
    "Mode",
    "Outgoing",
    "Recommendation",
    "Snapshot",
    "SnapshotError",
    "Source",
    "SourceRecord",
    "hookimpl",
    "hookspec",
    "load_snapshot",
    "open_atomically",
    "printable",
    "read_lines",
    "regular_file",
    "snapshot_from_document",
    "snapshot_from_json",
    "write_atomically",
]
