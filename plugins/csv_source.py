"""Built-in source ``csv``: a directory of CRM-export CSV files (layout in docs/sources.md).

Each file's separator (comma, semicolon or tab) is read from its header line, and a byte-order
mark is skipped, as spreadsheets write them. The child tables are read once and grouped by
account (memory grows with the export); accounts are then validated and yielded one at a time,
a bad one skipped with its rows named. A ``--map`` may name the files (case is ignored anyway), give
their encoding (else it is detected) and read the CRM's values (crm_rows.py).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kamengine import SnapshotError, Source, SourceRecord, hookimpl
from kamengine.toolkit import regular_file

from .column_map import MappedSource

if TYPE_CHECKING:  # the reading's modules (the map's rows, the layout's row models) load when a source is read
    from .crm_rows import Lookups, MappedRows
    from .tabular import Header, Located

SEPARATORS = ",;\t"  # the first is taken on a tie
_QUOTED = re.compile(r'"[^"]*"')


class CsvSource(MappedSource):
    PLUGIN_NAME = "csv"
    DESCRIPTION = (
        "a directory with accounts.csv and, optionally, contacts, opportunities, decision_groups, activities, team .csv"
    )

    def records(self) -> Iterator[SourceRecord]:
        from .crm_rows import Lookups, open_files
        from .tabular import assemble

        folder = Path(self.location)
        names = self._file_names("accounts")
        if not folder.is_dir() or not open_files(folder, names):
            raise SnapshotError([f"{self.location}: expected a directory containing {' or '.join(names)}"])
        lookups = Lookups(self.crm_map, lambda files: self._raw_rows(self._lookup_files(folder, files)))

        def read(table: str) -> Iterator[Located] | None:
            paths = open_files(folder, self._file_names(table))
            return (row for path in paths for row in self._rows(path, table, lookups)) if paths else None

        yield from assemble(read, self.actions, names[0], self.crm_map.prune_references, self.notice)

    def _file_names(self, table: str) -> list[str]:
        """The names a table's files may have (case ignored): the map's ``files``, else the layout's."""
        return self.crm_map.table(table).files or [f"{table}.csv"]

    def _open(self, path: Path) -> Any:
        """A file as text in its encoding (a detected one is named in a notice); bytes that are not of it
        become lone surrogates, reported per row, instead of ending the file."""
        from .crm_encoding import file_encoding
        from .crm_rows import FileReport

        encoding, detected = file_encoding(path, self.crm_map.encoding, detect=self.crm_map.converts)
        report = self.file_reports.setdefault(str(path), FileReport())
        told, report.encoding = bool(report.encoding), encoding
        if detected and not told:  # once per file, though a file read as a lookup too is opened twice
            self.notice(f"{path}: not UTF-8; read as {encoding} (detected; set encoding in the map to be sure)")
        return regular_file(str(path)).open(encoding=encoding, errors="surrogateescape", newline="")

    def _lookup_files(self, folder: Path, names: list[str]) -> list[Path]:
        from .crm_rows import open_files

        paths = open_files(folder, names)
        if not paths:  # every row joined to it would be skipped: the export is not what the map expects
            raise SnapshotError([f"{folder}: no {' or '.join(names)}, which the map joins rows to"])
        return paths

    def _raw_rows(self, paths: list[Path]) -> Iterator[tuple[str, dict[str, str]]]:
        """The rows of lookup files by their own column names, read leniently (a join only needs its keys)."""
        for path in paths:
            with self._open(path) as stream:
                separator = _separator(stream.readline(self.limits.line_bytes))
                stream.seek(0)
                reader = csv.reader(stream, delimiter=separator)
                columns = [column.strip() for column in next(reader, [])]
                report = self.file_reports[str(path)]
                for number, cells in enumerate(reader, start=2):
                    report.looked_up += 1
                    yield f"{path}:{number}", dict(zip(columns, cells, strict=False))

    def _rows(self, path: Path, table: str, lookups: Lookups | None = None) -> Iterator[Located]:
        """Every row of a table, located by the line it begins on; a row that cannot be read (too long,
        not UTF-8, more cells than the header, a quote that never closes) comes with a problem instead,
        so that only its account fails."""
        from .crm_rows import FileReport, MappedRows
        from .tabular import Header

        csv.field_size_limit(self.limits.line_bytes)
        with self._open(path) as stream:
            separator = _separator(stream.readline(self.limits.line_bytes))
            stream.seek(0)
            lines = _Lines(stream)
            # strict: text after a closing quote, or the end of the file inside quotes, is an error
            # (not a field that silently runs on over the rows after it).
            reader = csv.reader(lines, delimiter=separator, strict=True)
            try:
                columns = next(reader, [])
            except csv.Error as exc:
                raise SnapshotError([f"{path}:1: cannot read the header ({exc})"]) from None
            mapped = None
            if self.crm_map.converts and lookups is not None:
                report = self.file_reports.setdefault(str(path), FileReport())
                if report.table not in ("", table):  # the file read as another table already: a report of its own
                    report = self.file_reports.setdefault(f"{path} ({table})", FileReport(encoding=report.encoding))
                report.table = table
                mapped = MappedRows(self.crm_map, table, str(path), lookups, self.actions, report)
            added = mapped.extra_columns(columns) if mapped else []
            table_map = self.crm_map.table(table)
            header = Header(table, [*columns, *added], str(path), table_map.renames, table_map.drop_other_columns)
            if header.notice:
                self.notice(header.notice)
            key = "id" if table == "accounts" else "account_id"
            rows = _Rows(str(path), columns, header, separator, key, mapped)
            while True:
                first = lines.begin()
                try:
                    cells = next(reader)
                except StopIteration:
                    notice = mapped.notice() if mapped else None
                    if notice:
                        self.notice(notice)
                    return
                except csv.Error as exc:  # e.g. a field over the limit: this row fails, reading goes on
                    yield rows.unreadable(first, lines, f"{exc}, on line {lines.number}" if lines.many else str(exc))
                    continue
                located = rows.row(first, lines, cells) if cells else None  # a blank line is no row
                if located is not None:  # nor is a row the map skips (deleted, an inactive user's)
                    yield located


class _Rows:
    """Cells into the rows of one table: a row over several lines is checked for rows it swallowed."""

    def __init__(
        self, where: str, columns: list[str], header: Header, separator: str, key: str, mapped: MappedRows | None
    ) -> None:
        self.where, self.columns, self.header, self.separator, self.mapped = where, columns, header, separator, mapped
        self.sources = {target: column for column, target in header.targets.items() if target}
        targets = [header.targets.get(column) for column in columns]
        self.key = targets.index(key) if key in targets else None  # the column saying whose row it is
        self.seen: set[str] = set()  # the accounts of the rows read so far
        self.accounts = key == "id"  # the accounts table itself

    def row(self, first: int, lines: _Lines, cells: list[str]) -> Located | None:
        """A row csv read; one whose quoted cell runs over lines that read as rows of their own is unreadable;
        None for one the map skips."""
        from .tabular import OVERFLOW

        if lines.many:
            if len(cells) != len(self.columns):
                why = f"{len(cells)} cells for the header's {len(self.columns)} columns, down to line {lines.number}"
                return self.unreadable(first, lines, why)
            own = self._account(self._alone(lines.row[0]))  # this row's account, not yet seen
            inner = enumerate(lines.row[1:], first + 1)
            swallowed = next((n for n, line in inner if self._a_row(line, own)), None)
            if swallowed is not None:
                return self.unreadable(first, lines, f"line {swallowed} reads as a row of its own")
        row: dict[str, Any] = dict(zip(self.columns, cells, strict=False))
        row.update(dict.fromkeys(self.columns[len(cells) :]))  # cells missing at the end: empty
        if len(cells) > len(self.columns):
            row[OVERFLOW] = cells[len(self.columns) :]
        self.seen.add(self._account(cells))
        where = f"{self.where}:{first}"
        if self.mapped is None:
            return where, self.header.rename(row)
        joined = self.mapped.before(row)
        return None if joined is None else (where, self.mapped.after(self.header.rename(joined), where, self.sources))

    def _a_row(self, line: str, own: str) -> bool:
        """Whether one line inside a quoted cell is a row of this table: all its cells, and an account already
        seen (the header's count alone would take a note's line with as many commas for a row)."""
        cells = self._alone(line)
        account = self._account(cells)
        # Accounts are each other's rows: any line with an id of its own is one.
        known = account == own or account in self.seen  # (no copy of seen: rows over several lines may be many)
        return len(cells) == len(self.columns) and (known or (self.accounts and account != ""))

    def _account(self, cells: list[str]) -> str:
        return cells[self.key] if self.key is not None and len(cells) > self.key else ""

    def unreadable(self, first: int, lines: _Lines, why: str) -> Located:
        """A row csv cannot read, named by the line it begins on and kept to its account (so that the account
        fails, not the rows after it). A row that ran on over several lines had a quote that did not close
        where a row can end: the lines after its first are read again, as the rows they are."""
        from .tabular import PROBLEM

        if lines.many:
            lines.give_back()
            problem = f'a quote (") opens a field on this line and does not close where a row can end ({why})'
        else:
            problem = f"cannot read this row ({why})"
        known = self.header.rename(dict(zip(self.columns, self._alone(lines.row[0]), strict=False)))
        row: dict[str, Any] = {key: known[key] for key in ("account_id", "id") if known.get(key)}
        row[PROBLEM] = problem
        return f"{self.where}:{first}", row

    def _alone(self, line: str) -> list[str]:
        """One line's cells, read leniently on its own."""
        return next(csv.reader([line], delimiter=self.separator), [])


class _Lines:
    """The lines of a file as csv reads them, keeping the lines of the row being read, so that a row a stray
    quote ran on past its own line can be given back and its lines read again as rows of their own."""

    def __init__(self, stream: Iterable[str]) -> None:
        self._stream = iter(stream)
        self._again: list[str] = []  # lines to read again, the next one last
        self.row: list[str] = []  # the lines of the row being read
        self.number = 0  # the number of the last line read

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._again.pop() if self._again else next(self._stream)
        self.number += 1
        self.row.append(line)
        return line

    @property
    def many(self) -> bool:
        """Whether the row being read runs over more than one line."""
        return len(self.row) > 1

    def begin(self) -> int:
        """A row begins: the number of its first line."""
        self.row = []
        return self.number + 1

    def give_back(self) -> None:
        """The row's lines after its first are read again."""
        again = self.row[1:]
        self._again.extend(reversed(again))
        self.number -= len(again)
        del self.row[1:]


def _separator(header: str) -> str:
    """The separator of a header line: the most frequent of comma, semicolon and tab outside quotes."""
    unquoted = _QUOTED.sub("", header)
    return max(SEPARATORS, key=unquoted.count)


@hookimpl
def kamengine_register_sources() -> list[type[Source]]:
    return [CsvSource]
