"""The plugin wing's index: the contracts plugins implement (hooks, sources, emitters, enrichers, outgoing).

Plugin authors do not import from here: ``from kamengine import hookimpl, Source, ...`` is their face
and ``kamengine.toolkit`` their helpers (docs/plugins.md); those names come from these modules. The
engine finds and runs plugins with the private registry and manager (``_registry``, ``_manager``).
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
