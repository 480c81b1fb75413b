"""Built-in source ``xlsx``: an Excel workbook with one sheet per table of the csv source (docs/sources.md).

Read with openpyxl in read-only mode, values only (a formula gives the value Excel saved); a
sheet's first row names its columns. Sheets are matched to tables by name, ignoring case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from kamengine import SnapshotError, Source, SourceRecord, hookimpl
from kamengine.toolkit import did_you_mean, regular_file

from .column_map import MappedSource

if TYPE_CHECKING:  # the reading's modules (the map's rows, the layout's row models) load when a source is read
    from .crm_rows import Lookups
    from .tabular import Located


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

        from .crm_rows import Lookups
        from .tabular import assemble
        from .tabular_columns import TABLES

        path = regular_file(self.location)
        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
            raise SnapshotError([f"{self.location}: not an Excel workbook (.xlsx): {exc}"]) from None
        try:
            sheets = {name.strip().lower(): name for name in book.sheetnames}

            def named(names: list[str]) -> list[str]:
                """The sheets of these names (a map's file names without .csv), case ignored."""
                keys = [name.strip().lower().removesuffix(".csv") for name in names]
                return [sheets[key] for key in keys if key in sheets]

            def tables(table: str) -> list[str]:
                return named(self.crm_map.table(table).files or [table])

            if not tables("accounts"):
                wanted = " or ".join(f"'{n}'" for n in self.crm_map.table("accounts").files or ["accounts"])
                raise SnapshotError([f"{self.location}: no sheet {wanted}; sheets: {', '.join(book.sheetnames)}"])
            used = {name for table in TABLES for name in tables(table)}
            used |= {name for lookup in self.crm_map.lookups.values() for name in named(lookup.files)}
            others = [name for name in book.sheetnames if name not in used]
            if others:
                listed = ", ".join(f"'{name}'{did_you_mean(name.strip().lower(), TABLES)}" for name in others)
                self.notice(f"{self.location}: sheet(s) not in the layout, not read: {listed}")
            lookups = Lookups(self.crm_map, lambda files: self._raw_rows([book[name] for name in named(files)]))

            def read(table: str) -> Iterator[Located] | None:
                names = tables(table)
                return (row for name in names for row in self._rows(book[name], table, lookups)) if names else None

            yield from assemble(read, self.actions, "sheet accounts", self.crm_map.prune_references, self.notice)
        finally:
            book.close()

    def _raw_rows(self, sheets: list[Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        """The rows of lookup sheets by their own column names (a join only needs its keys)."""
        for sheet in sheets:
            rows: Iterator[tuple[Any, ...]] = sheet.iter_rows(values_only=True)
            columns = [_text(cell).strip() for cell in next(rows, ())]
            for number, values in enumerate(rows, start=2):
                yield f"{sheet.title}, row {number}", dict(zip(columns, map(_value, values), strict=False))

    def _rows(self, sheet: Any, table: str, lookups: Lookups | None = None) -> Iterator[Located]:
        """Every non-blank row of a sheet, located by sheet and row number, its cells named by the first row."""
        from .crm_rows import FileReport, MappedRows
        from .tabular import OVERFLOW, PROBLEM, Header

        where = f"{self.location}: sheet {sheet.title}"
        rows: Iterator[tuple[Any, ...]] = sheet.iter_rows(values_only=True)
        columns = [_text(cell) for cell in next(rows, ())]
        while columns and not columns[-1].strip():
            columns.pop()  # read-only rows reach the sheet's last used column: a cell past the header is extra
        mapped = None
        if self.crm_map.converts and lookups is not None:
            report = self.file_reports.setdefault(f"{where} ({table})", FileReport(table=table))
            mapped = MappedRows(self.crm_map, table, where, lookups, self.actions, report)
        table_map = self.crm_map.table(table)
        added = mapped.extra_columns(columns) if mapped else []
        header = Header(table, [*columns, *added], where, table_map.renames, table_map.drop_other_columns)
        if header.notice:
            self.notice(header.notice)
        sources = {target: column for column, target in header.targets.items() if target}
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
            if mapped is None:
                yield located, header.rename(row)
            elif (joined := mapped.before(row)) is not None:  # None: a row the map skips
                yield located, mapped.after(header.rename(joined), located, sources)
        notice = mapped.notice() if mapped else None
        if notice:
            self.notice(notice)


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
