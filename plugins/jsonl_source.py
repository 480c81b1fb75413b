"""Built-in source ``jsonl``: JSON Lines, one snapshot per line, read as a stream."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import BinaryIO

from kamengine import InputError, SnapshotError, Source, SourceRecord, hookimpl
from kamengine.toolkit import read_lines, regular_file, snapshot_from_json


class JsonLinesSource(Source):
    PLUGIN_NAME = "jsonl"
    DESCRIPTION = "a JSON Lines file (one snapshot per line; blank lines skipped), - for stdin"

    def records(self) -> Iterator[SourceRecord]:
        return map(self.parse, self.raw_records())

    def raw_records(self) -> Iterator[SourceRecord]:
        if self.location == "-":
            yield from self._lines(sys.stdin.buffer, "<stdin>")
            return
        with regular_file(self.location).open("rb") as stream:
            yield from self._lines(stream, self.location)

    def parse(self, record: SourceRecord) -> SourceRecord:
        if record.raw is None:
            return record
        origin = record.origin
        try:
            # The whole document is one line, so every field's location is that line.
            snapshot = snapshot_from_json(record.raw, origin, self.actions)
        except InputError as exc:
            return SourceRecord(origin, error=exc)
        return SourceRecord(origin, snapshot=snapshot)

    def _lines(self, stream: BinaryIO, name: str) -> Iterator[SourceRecord]:
        for origin, text, problem in read_lines(stream, name, self.limits.line_bytes):
            yield (
                SourceRecord(origin, raw=text)
                if problem is None
                else SourceRecord(origin, error=SnapshotError([problem]))
            )


@hookimpl
def kamengine_register_sources() -> list[type[Source]]:
    return [JsonLinesSource]
