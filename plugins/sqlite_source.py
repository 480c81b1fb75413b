"""Built-in source ``sqlite``: a SQLite database with the tables of the csv source."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kamengine import SnapshotError, Source, SourceRecord, hookimpl

if TYPE_CHECKING:  # the layout's row models load when a source is read, not with every command's plugins
    from .tabular import Header, Located


class SqliteSource(Source):
    PLUGIN_NAME = "sqlite"
    DESCRIPTION = "a SQLite database with an accounts table and, optionally, the other tables of the csv source"

    def records(self) -> Iterator[SourceRecord]:
        if not Path(self.location).is_file():
            raise SnapshotError([f"{self.location}: no such database file"])
        import sqlite_utils  # only when this source is used: it costs every process that imports it

        from .tabular import Header
        from .tabular_columns import TABLES

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
            accounts: set[str | None] = set()
            for account in db.table("accounts").rows_where(select="rowid, *", order_by="rowid"):
                accounts.add(account_key(account.get("id")))
                yield self._record(db, headers, account)
            yield from self._orphans(db, headers, accounts)
        finally:
            db.close()

    def _record(self, db: Any, headers: dict[str, Header], account: dict[str, Any]) -> SourceRecord:
        from .tabular import build_record

        account_id = account.get("id")
        # A CRM keys its tables as it likes: 42 in accounts may be '42' in contacts (or the reverse), which
        # SQLite never finds equal in a column without a type. Both forms of the id are asked for.
        forms = _forms(account_key(account_id))
        marks = ", ".join("?" * len(forms))
        children: dict[str, list[Located]] = {}
        for table, header in headers.items():
            if table == "accounts":
                continue
            rows = db[table].rows_where(f"account_id IN ({marks})", forms, select="rowid, *", order_by="rowid")
            children[table] = [(self._where(table, row.pop("rowid")), header.rename(row)) for row in rows]
        where = self._where("accounts", account.pop("rowid"))
        snapshot, error = build_record((where, headers["accounts"].rename(account)), children, self.actions, where)
        return SourceRecord(f"{where} ({account_id})", snapshot, error)

    def _orphans(self, db: Any, headers: dict[str, Header], accounts: set[str | None]) -> Iterator[SourceRecord]:
        """An error for each account id of a child table that is no account's, at its first row: those rows
        would otherwise be left out without a word (one pass over each table, after the accounts)."""
        for table in headers:
            if table == "accounts" or "account_id" not in {c.name for c in db[table].columns}:
                continue
            reported: set[str | None] = set()
            for row in db[table].rows_where(select="rowid, account_id", order_by="rowid"):
                key = account_key(row["account_id"])
                if key not in accounts and key not in reported:
                    reported.add(key)
                    where = self._where(table, row["rowid"])
                    said = "is empty" if key is None else f"'{key}' is not in table accounts"
                    yield SourceRecord(where, error=SnapshotError([f"{where}: account_id {said}"]))

    def _where(self, table: str, rowid: object) -> str:
        return f"{self.location}: {table} row {rowid}"


def account_key(value: object) -> str | None:
    """An account id as text, whichever way a table stores it: 42, 42.0 and '42' are one account."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _forms(key: str | None) -> list[Any]:
    """The values an account id of ``key`` may be stored as: the text, and the number it spells exactly."""
    if key is None:
        return [None]
    try:
        number = float(key)
    except ValueError:
        return [key]
    if not math.isfinite(number):  # 'nan', 'inf': names, not numbers
        return [key]
    if number.is_integer() and key == str(int(number)):  # '42', not '042' nor '42.0' (those stay text)
        return [key, int(number)]
    return [key, number] if key == repr(number) else [key]


@hookimpl
def kamengine_register_sources() -> list[type[Source]]:
    return [SqliteSource]
