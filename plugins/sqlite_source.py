"""Built-in source ``sqlite``: a SQLite database with the tables of the csv source."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kamengine.engine.plugin import SnapshotError, Source, SourceRecord, hookimpl

from .tabular import Located, build_record, check_columns
from .tabular_columns import TABLES


class SqliteSource(Source):
    PLUGIN_NAME = "sqlite"
    DESCRIPTION = "a SQLite database with an accounts table and, optionally, the other tables of the csv source"

    def records(self) -> Iterator[SourceRecord]:
        if not Path(self.location).is_file():
            raise SnapshotError([f"{self.location}: no such database file"])
        import sqlite_utils  # only when this source is used: it costs every process that imports it

        db = sqlite_utils.Database(self.location)
        try:
            tables = set(db.table_names())
            if "accounts" not in tables:
                raise SnapshotError([f"{self.location}: no 'accounts' table"])
            present = [t for t in TABLES if t in tables]
            for table in present:
                check_columns(table, [c.name for c in db[table].columns], f"{self.location}: table {table}")
            for account in db.table("accounts").rows_where(select="rowid, *", order_by="rowid"):
                yield self._record(db, present, account)
        finally:
            db.close()

    def _record(self, db: Any, tables: list[str], account: dict[str, object]) -> SourceRecord:
        account_id = account.get("id")
        children: dict[str, list[Located]] = {}
        for table in tables:
            if table == "accounts":
                continue
            rows = db[table].rows_where("account_id = ?", [account_id], select="rowid, *", order_by="rowid")
            children[table] = [(self._where(table, row.pop("rowid")), row) for row in rows]
        where = self._where("accounts", account.pop("rowid"))
        snapshot, error = build_record((where, account), children, self.actions, where)
        return SourceRecord(f"{where} ({account_id})", snapshot, error)

    def _where(self, table: str, rowid: object) -> str:
        return f"{self.location}: {table} row {rowid}"


@hookimpl
def kamengine_register_sources() -> list[type[Source]]:
    return [SqliteSource]
