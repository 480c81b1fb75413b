"""Built-in source ``file``: one snapshot file (JSON or YAML), or a directory of them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kamengine import InputError, SnapshotError, Source, SourceRecord, hookimpl
from kamengine.toolkit import load_snapshot

SUFFIXES = (".json", ".yaml", ".yml")


class FileSource(Source):
    PLUGIN_NAME = "file"
    DESCRIPTION = "a snapshot file (JSON or YAML), - for stdin, or a directory of *.json/*.yaml/*.yml"

    def records(self) -> Iterator[SourceRecord]:
        path = Path(self.location)
        if self.location != "-" and not path.exists():
            raise SnapshotError([f"{self.location}: no such file or directory"])
        files = sorted(str(p) for p in path.iterdir() if p.suffix in SUFFIXES) if path.is_dir() else [self.location]
        if path.is_dir() and not files:  # nothing to advise is a mistake, and a batch would expire everything
            tables = sorted(p.name for p in path.iterdir() if p.suffix in (".csv", ".xlsx"))
            hint = f"; a CRM export ({', '.join(tables[:3])})? read it with csv:{self.location}" if tables else ""
            raise SnapshotError([f"{self.location}: no snapshot file (*.json, *.yaml, *.yml) in it{hint}"])
        for file in files:
            try:
                yield SourceRecord(file, snapshot=load_snapshot(file, self.actions, self.limits.snapshot_bytes))
            except InputError as exc:
                yield SourceRecord(file, error=exc)


@hookimpl
def kamengine_register_sources() -> list[type[Source]]:
    return [FileSource]
