"""Built-in source ``csv``: a directory of CRM-export CSV files (layout in docs/sources.md).

The child tables are read once and grouped by account (memory grows with the export);
accounts are then validated and yielded one at a time, a bad one skipped with its rows named.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from kamengine.engine.plugin import SnapshotError, Source, SourceRecord, hookimpl

from .tabular import Located, build_record, check_columns
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
        for table in TABLES:
            if table == "accounts" or not (folder / f"{table}.csv").is_file():
                continue
            for where, row in _rows(folder / f"{table}.csv", table):
                children[str(row.get("account_id") or "")][table].append((where, row))
        accounts = list(_rows(folder / "accounts.csv", "accounts"))
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


def _rows(path: Path, table: str) -> Iterator[Located]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        check_columns(table, reader.fieldnames or [], str(path))
        for row in reader:
            yield f"{path}:{reader.line_num}", row


@hookimpl
def kamengine_register_sources() -> list[type[Source]]:
    return [CsvSource]
