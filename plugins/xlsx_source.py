"""Built-in source ``xlsx``: an Excel workbook with one sheet per table of the csv source (docs/sources.md).

Read with openpyxl in read-only mode, values only (a formula gives the value Excel saved); a
sheet's first row names its columns. Sheets are matched to tables by name, ignoring case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from kamengine.engine.errors import did_you_mean
from kamengine.engine.plugin import SnapshotError, Source, SourceRecord, hookimpl, regular_file

from .column_map import MappedSource
from .tabular import OVERFLOW, PROBLEM, Header, Located, assemble
from .tabular_columns import TABLES


class XlsxSource(MappedSource):
    PLUGIN_NAME = "xlsx"
    DESCRIPTION = (
        "an Excel workbook (.xlsx) with a sheet accounts and, optionally, contacts, opportunities, "
        "decision_groups, activities, team"
    )

    def records(self) -> Iterator[SourceRecord]:
        import zipfile

        from openpyxl import load_workbook  # only when this source is used
        from openpyxl.utils.exceptions import InvalidFileException

        path = regular_file(self.location)
        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
            raise SnapshotError([f"{self.location}: not an Excel workbook (.xlsx): {exc}"]) from None
        try:
            sheets = {name.strip().lower(): name for name in book.sheetnames}
            if "accounts" not in sheets:
                raise SnapshotError([f"{self.location}: no sheet 'accounts'; sheets: {', '.join(book.sheetnames)}"])
            others = [name for key, name in sheets.items() if key not in TABLES]
            if others:
                listed = ", ".join(f"'{name}'{did_you_mean(name.strip().lower(), TABLES)}" for name in others)
                self.notice(f"{self.location}: sheet(s) not in the layout, not read: {listed}")

            def read(table: str) -> Iterator[Located] | None:
                return self._rows(book[sheets[table]], table) if table in sheets else None

            yield from assemble(read, self.actions, "sheet accounts")
        finally:
            book.close()

    def _rows(self, sheet: Any, table: str) -> Iterator[Located]:
        """Every non-blank row of a sheet, located by sheet and row number, its cells named by the first row."""
        where = f"{self.location}: sheet {sheet.title}"
        rows: Iterator[tuple[Any, ...]] = sheet.iter_rows(values_only=True)
        columns = [_text(cell) for cell in next(rows, ())]
        while columns and not columns[-1].strip():
            columns.pop()  # read-only rows reach the sheet's last used column: a cell past the header is extra
        header = Header(table, columns, where, self.renames.get(table))
        if header.notice:
            self.notice(header.notice)
        for number, values in enumerate(rows, start=2):
            if all(_blank(value) for value in values):
                continue  # Excel keeps rows that were only formatted
            located = f"{where}, row {number}"
            if sum(len(str(value)) for value in values if value is not None) > self.limits.line_bytes:
                yield located, {PROBLEM: f"the row is longer than {self.limits.line_mb:.3g} MB ([limits] line_mb)"}
                continue
            row: dict[str, Any] = {column: _value(value) for column, value in zip(columns, values, strict=False)}
            beyond = [value for value in values[len(columns) :] if not _blank(value)]
            if beyond:
                row[OVERFLOW] = beyond
            yield located, header.rename(row)


def _text(cell: Any) -> str:
    return "" if cell is None else str(cell)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _value(value: Any) -> Any:
    """A cell as the layout reads it: a date cell (Excel stores dates as times of day) as a date."""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    return value


@hookimpl
def kamengine_register_sources() -> list[type[Source]]:
    return [XlsxSource]
