"""The plugin API, the one import surface for plugin authors: hooks and the classes plugins implement.

A plugin module implements ``kamengine_register_*`` hooks (see ``hookspecs``) with
``@hookimpl`` and returns sources, emitters, enrichers, action types or playbook paths::

    from kamengine.engine.plugin import Enricher, FieldSpec, hookimpl
"""

from ..errors import InputError, KamengineError, SnapshotError
from ..model.actions import ActionCatalogue, ActionType, Compliance
from ..model.documents import Document
from ..model.fields import FieldSpec
from ..model.loading import load_snapshot, snapshot_from_document, snapshot_from_json
from ..model.recommendation import Recommendation
from ..model.snapshot import Snapshot
from .emitters import EmitContext, Emitter, printable, write_atomically
from .enrichers import Enricher
from .hookspecs import hookimpl, hookspec
from .sources import Source, SourceRecord, read_lines, regular_file

__all__ = [
    "ActionCatalogue",
    "ActionType",
    "Compliance",
    "Document",
    "EmitContext",
    "Emitter",
    "Enricher",
    "FieldSpec",
    "InputError",
    "KamengineError",
    "Recommendation",
    "Snapshot",
    "SnapshotError",
    "Source",
    "SourceRecord",
    "hookimpl",
    "hookspec",
    "load_snapshot",
    "printable",
    "read_lines",
    "regular_file",
    "snapshot_from_document",
    "snapshot_from_json",
    "write_atomically",
]
