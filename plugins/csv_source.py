"""Built-in source ``csv``: a directory of CRM-export CSV files (layout in docs/sources.md).

The child tables are read once and grouped by account (memory grows with the export);
accounts are then validated and yielded one at a time, a bad one skipped with its rows named.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from kamengine.engine.plugin import SnapshotError, Source, SourceRecord, hookimpl, regular_file

from .tabular import OVERFLOW, PROBLEM, Located, build_record, check_columns
from .tabular_columns import TABLES


class CsvSource(Source):
    PLUGIN_NAME = "csv"
    DESCRIPTION = (
        "a directory with accounts.csv and, optionally, contacts, opportunities, decision_groups, activities, team .csv"
    )

    def records(self) -> Iterator[SourceRecord]:
        folder = Path(self.location)
        if not (folder / "accounts.csv").is_file():
            raise SnapshotError([f"{self.location}: expected a directory containing accounts.csv"])
        children: dict[str, dict[str, list[Located]]] = defaultdict(lambda: defaultdict(list))
        unreadable: list[SourceRecord] = []  # rows that could not be read, so whose account is unknown
        for table in TABLES:
            if table == "accounts" or not (folder / f"{table}.csv").is_file():
                continue
            for where, row in _rows(folder / f"{table}.csv", table, self.limits.line_bytes):
                if PROBLEM in row:
                    unreadable.append(SourceRecord(where, error=SnapshotError([f"{where}: {row[PROBLEM]}"])))
                else:
                    children[str(row.get("account_id") or "")][table].append((where, row))
        yield from unreadable
        accounts = list(_rows(folder / "accounts.csv", "accounts", self.limits.line_bytes))
        known = {str(row.get("id")) for _, row in accounts}
        for where, row in accounts:
            account_id = str(row.get("id") or "")
            snapshot, error = build_record((where, row), children.get(account_id, {}), self.actions, where)
            yield SourceRecord(f"{where} ({account_id})", snapshot, error)
        for account_id in sorted(set(children) - known):
            first = next(iter(children[account_id].values()))[0][0]
            yield SourceRecord(
                first, error=SnapshotError([f"{first}: account_id '{account_id}' is not in accounts.csv"])
            )


def _rows(path: Path, table: str, max_bytes: int) -> Iterator[Located]:
    """Every row of a table, located; a row that cannot be read (too long, not UTF-8, more cells
    than the header) comes with a problem instead, so that only its account fails."""
    csv.field_size_limit(max_bytes)
    # Undecodable bytes become lone surrogates, reported per row, instead of ending the file.
    with regular_file(str(path)).open(encoding="utf-8-sig", errors="surrogateescape", newline="") as stream:
        reader = csv.DictReader(stream, restkey=OVERFLOW)
        check_columns(table, reader.fieldnames or [], str(path))
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # e.g. a field over the limit: this row fails, reading goes on
                yield f"{path}:{reader.line_num}", {PROBLEM: f"cannot read this row ({exc})"}
                continue
            yield f"{path}:{reader.line_num}", row


@hookimpl
def kamengine_register_sources() -> list[type[Source]]:
    return [CsvSource]
