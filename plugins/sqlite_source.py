"""Built-in source ``sqlite``: a SQLite database with the tables of the csv source."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kamengine.engine.plugin import SnapshotError, Source, SourceRecord, hookimpl

from .tabular import Header, Located, build_record
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
            headers = {}
            for table in (t for t in TABLES if t in tables):
                headers[table] = Header(table, [c.name for c in db[table].columns], f"{self.location}: table {table}")
                if headers[table].notice:
                    self.notice(str(headers[table].notice))
            for account in db.table("accounts").rows_where(select="rowid, *", order_by="rowid"):
                yield self._record(db, headers, account)
        finally:
            db.close()

    def _record(self, db: Any, headers: dict[str, Header], account: dict[str, Any]) -> SourceRecord:
        account_id = account.get("id")
        children: dict[str, list[Located]] = {}
        for table, header in headers.items():
            if table == "accounts":
                continue
            rows = db[table].rows_where("account_id = ?", [account_id], select="rowid, *", order_by="rowid")
            children[table] = [(self._where(table, row.pop("rowid")), header.rename(row)) for row in rows]
        where = self._where("accounts", account.pop("rowid"))
        snapshot, error = build_record((where, headers["accounts"].rename(account)), children, self.actions, where)
        return SourceRecord(f"{where} ({account_id})", snapshot, error)

    def _where(self, table: str, rowid: object) -> str:
        return f"{self.location}: {table} row {rowid}"


@hookimpl
def kamengine_register_sources() -> list[type[Source]]:
    return [SqliteSource]
