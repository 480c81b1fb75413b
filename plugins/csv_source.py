"""Built-in source ``csv``: a directory of CRM-export CSV files (layout in docs/sources.md).

Each file's separator (comma, semicolon or tab) is read from its header line, and a byte-order
mark is skipped, as spreadsheets write them. The child tables are read once and grouped by
account (memory grows with the export); accounts are then validated and yielded one at a time,
a bad one skipped with its rows named.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from kamengine.engine.plugin import SnapshotError, Source, SourceRecord, hookimpl, regular_file

from .column_map import MappedSource
from .tabular import OVERFLOW, PROBLEM, Header, Located, assemble

SEPARATORS = ",;\t"  # the first is taken on a tie
_QUOTED = re.compile(r'"[^"]*"')


class CsvSource(MappedSource):
    PLUGIN_NAME = "csv"
    DESCRIPTION = (
        "a directory with accounts.csv and, optionally, contacts, opportunities, decision_groups, activities, team .csv"
    )

    def records(self) -> Iterator[SourceRecord]:
        folder = Path(self.location)
        if not (folder / "accounts.csv").is_file():
            raise SnapshotError([f"{self.location}: expected a directory containing accounts.csv"])

        def read(table: str) -> Iterator[Located] | None:
            path = folder / f"{table}.csv"
            return self._rows(path, table) if path.is_file() else None

        yield from assemble(read, self.actions, "accounts.csv")

    def _rows(self, path: Path, table: str) -> Iterator[Located]:
        """Every row of a table, located; a row that cannot be read (too long, not UTF-8, more cells
        than the header) comes with a problem instead, so that only its account fails."""
        csv.field_size_limit(self.limits.line_bytes)
        # Undecodable bytes become lone surrogates, reported per row, instead of ending the file.
        with regular_file(str(path)).open(encoding=_encoding(path), errors="surrogateescape", newline="") as stream:
            separator = _separator(stream.readline(self.limits.line_bytes))
            stream.seek(0)
            reader = csv.DictReader(stream, restkey=OVERFLOW, delimiter=separator)
            header = Header(table, reader.fieldnames or [], str(path), self.renames.get(table))
            if header.notice:
                self.notice(header.notice)
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:  # e.g. a field over the limit: this row fails, reading goes on
                    yield f"{path}:{reader.line_num}", {PROBLEM: f"cannot read this row ({exc})"}
                    continue
                yield f"{path}:{reader.line_num}", header.rename(row)


def _encoding(path: Path) -> str:
    """UTF-16 when the file starts with its byte-order mark (Excel's "Unicode text"), else UTF-8,
    with or without a byte-order mark."""
    with path.open("rb") as stream:
        start = stream.read(2)
    return "utf-16" if start in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"


def _separator(header: str) -> str:
    """The separator of a header line: the most frequent of comma, semicolon and tab outside quotes."""
    unquoted = _QUOTED.sub("", header)
    return max(SEPARATORS, key=unquoted.count)


@hookimpl
def kamengine_register_sources() -> list[type[Source]]:
    return [CsvSource]
