"""The account page as one file to keep or mail: a snapshot advised by the engine, rendered standalone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from kamengine import Source, SourceRecord
from kamengine.engine.errors import SnapshotError
from kamengine.engine.model.loading import load_snapshot
from kamengine.engine.model.snapshot import Snapshot

from .account import render_account_page

if TYPE_CHECKING:
    from kamengine.engine.api import Engine


class _Read(Source):
    """A snapshot already read: the page and the advice must describe the same one (stdin is read once)."""

    PLUGIN_NAME = "read"

    def __init__(self, location: str, snapshot: Snapshot) -> None:
        super().__init__(location)
        self.snapshot = snapshot

    def records(self) -> Iterator[SourceRecord]:
        yield SourceRecord(self.location, snapshot=self.snapshot)


def account_report(engine: Engine, path: str, as_of: dt.date | None = None) -> str:
    """The standalone account page of the snapshot file at ``path`` (``-``: stdin), with the engine's advice.

    Raises ``SnapshotError`` naming the file when it cannot be read or advised.
    """
    snapshot = load_snapshot(path, engine.registry.actions, engine.config.limits.snapshot_bytes)
    result = engine.advise([_Read(path, snapshot)], as_of=as_of)
    if result.failures:
        raise SnapshotError(result.failures)
    return render_account_page(snapshot, result.recommendations, standalone=True)
