"""Built-in source ``jsonl``: JSON Lines, one snapshot per line, read as a stream."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from kamengine.engine.plugin import InputError, SnapshotError, Source, SourceRecord, hookimpl, snapshot_from_json


class JsonLinesSource(Source):
    PLUGIN_NAME = "jsonl"
    DESCRIPTION = "a JSON Lines file (one snapshot per line; blank lines skipped), - for stdin"

    def records(self) -> Iterator[SourceRecord]:
        return map(self.parse, self.raw_records())

    def raw_records(self) -> Iterator[SourceRecord]:
        if self.location == "-":
            yield from self._lines(sys.stdin, "<stdin>")
            return
        path = Path(self.location)
        if not path.is_file():
            raise SnapshotError([f"{self.location}: no such file"])
        with path.open(encoding="utf-8") as stream:
            yield from self._lines(stream, self.location)

    def parse(self, record: SourceRecord) -> SourceRecord:
        if record.raw is None:
            return record
        origin = record.origin
        try:
            # The whole document is one line, so every field's location is that line.
            snapshot = snapshot_from_json(record.raw, origin, self.actions)
        except json.JSONDecodeError as exc:
            message = f"{origin}: invalid JSON at column {exc.colno}: {exc.msg}"
            return SourceRecord(origin, error=SnapshotError([message]))
        except InputError as exc:
            return SourceRecord(origin, error=exc)
        return SourceRecord(origin, snapshot=snapshot)

    def _lines(self, stream: Iterable[str], name: str) -> Iterator[SourceRecord]:
        for number, line in enumerate(stream, start=1):
            if line.strip():
                yield SourceRecord(f"{name}:{number}", raw=line)


@hookimpl
def kamengine_register_sources() -> list[type[Source]]:
    return [JsonLinesSource]
