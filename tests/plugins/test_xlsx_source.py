"""The xlsx source: an Excel workbook, one sheet per table, read like the csv source's files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from durable_marker import prints_as_on_durable
from kamengine import Snapshot, SnapshotError
from kamengine.cli import main
from kamengine.plugins.xlsx_source import XlsxSource
from kamengine.toolkit import load_snapshot
from support import export_tables, write_csv_dir


@pytest.fixture
def examples(example_path: str) -> list[Snapshot]:
    example = load_snapshot(example_path)
    second = example.model_copy(update={"account": example.account.model_copy(update={"id": "acme-2"})})
    return [example, second]


def _cell(value: Any) -> Any:
    """A cell as Excel keeps it: numbers as numbers, dates as dates (openpyxl writes datetimes)."""
    if isinstance(value, str) and len(value) == 10 and value[4] == value[7] == "-":
        return dt.datetime.fromisoformat(value)
    return value


def _workbook(path: Path, snapshots: list[Snapshot], renames: dict[str, dict[str, str]] | None = None) -> Path:
    """The snapshots as a CRM's workbook: a sheet per table, titled as people title them."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    merged: dict[str, list[dict[str, Any]]] = {}
    for snapshot in snapshots:
        for table, rows in export_tables(snapshot).items():
            merged.setdefault(table, []).extend(rows)
    for table, rows in merged.items():
        sheet = book.create_sheet(table.capitalize())
        columns = list(dict.fromkeys(k for row in rows for k in row))
        sheet.append([(renames or {}).get(table, {}).get(c, c) for c in columns])
        for row in rows:
            sheet.append([_cell(row.get(c)) if row.get(c) != "" else None for c in columns])
        sheet.append([])  # a blank row Excel keeps
    book.save(path)
    return path


def _read(source: XlsxSource) -> list[Snapshot]:
    records = list(source.records())
    assert [r.error for r in records] == [None] * len(records)
    return [r.snapshot for r in records if r.snapshot is not None]


def test_a_workbook_gives_the_snapshots_its_sheets_hold(tmp_path: Path, examples: list[Snapshot]) -> None:
    source = XlsxSource(str(_workbook(tmp_path / "crm.xlsx", examples)))
    assert _read(source) == examples
    assert source.notices == []


def test_a_bad_cell_names_its_sheet_and_row_and_fails_only_its_account(
    tmp_path: Path, examples: list[Snapshot]
) -> None:
    path = _workbook(tmp_path / "crm.xlsx", examples)
    book = openpyxl.load_workbook(path)
    book["Contacts"]["H4"] = "very negative"  # the stance of c-eng, acme-tel's third contact
    book.save(path)
    records = list(XlsxSource(str(path)).records())
    assert [r.snapshot is not None for r in records] == [False, True]
    assert records[0].error is not None
    assert records[0].error.problems == [
        f"{path}: sheet Contacts, row 4: stance: expected a whole number, found 'very negative'"
    ]


def test_extra_columns_other_sheets_and_cells_beyond_the_header(tmp_path: Path, examples: list[Snapshot]) -> None:
    path = _workbook(tmp_path / "crm.xlsx", examples)
    book = openpyxl.load_workbook(path)
    accounts = book["Accounts"]
    extra_column = accounts.max_column + 1
    accounts.cell(1, extra_column, "Created By")
    accounts.cell(2, extra_column, "Integration User")
    book["Team"]["Z8"] = "stray"  # in acme-2's first team row
    book.create_sheet("Contact")
    book.save(path)
    source = XlsxSource(str(path))
    first, second = source.records()
    assert first.snapshot is not None
    assert first.snapshot.account.extra == {"region": "EU", "Created By": "Integration User"}
    assert second.error is not None
    assert second.error.problems == [f"{path}: sheet Team, row 8: 1 more cell(s) than the header has columns"]
    assert source.notices == [
        f"{path}: sheet(s) not in the layout, not read: 'Contact' (did you mean 'contacts'?)",
        f"{path}: sheet Accounts: 1 column(s) not in the accounts layout, kept in extra: 'Created By'",
    ]


@prints_as_on_durable
def test_the_map_renames_a_workbooks_columns(tmp_path: Path, examples: list[Snapshot]) -> None:
    renames = {"accounts": {"id": "Account ID"}, "contacts": {"name": "Full Name"}}
    path = _workbook(tmp_path / "crm.xlsx", examples, renames)
    column_map = tmp_path / "crm-columns.toml"
    column_map.write_text('[accounts]\n"Account ID" = "id"\n[contacts]\n"Full Name" = "name"\n', encoding="utf-8")
    source = XlsxSource(str(path))
    source.use_column_map(str(column_map))
    assert _read(source) == examples
    args = ["--config", "/dev/null", "advise", "-f", "json", "--source", f"xlsx:{path}", "--map", str(column_map)]
    from_excel = CliRunner().invoke(main, args)
    assert (from_excel.exit_code, from_excel.stderr) == (0, "")
    csv_args = [
        "--config",
        "/dev/null",
        "advise",
        "-f",
        "json",
        "--source",
        f"csv:{write_csv_dir(tmp_path / 'c', examples)}",
    ]
    assert json.loads(from_excel.stdout) == json.loads(CliRunner().invoke(main, csv_args).stdout)


@prints_as_on_durable
def test_a_file_that_is_no_workbook_or_has_no_accounts_sheet(tmp_path: Path) -> None:
    not_a_book = tmp_path / "crm.xlsx"
    not_a_book.write_text("id,as_of\n", encoding="utf-8")
    with pytest.raises(SnapshotError, match=r"crm.xlsx: not an Excel workbook \(.xlsx\): File is not a zip file"):
        list(XlsxSource(str(not_a_book)).records())
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    book.save(not_a_book)
    with pytest.raises(SnapshotError) as caught:
        list(XlsxSource(str(not_a_book)).records())
    assert caught.value.problems == [f"{not_a_book}: no sheet 'accounts'; sheets: Sheet1"]
    result = CliRunner().invoke(main, ["--config", "/dev/null", "advise", "--source", f"xlsx:{tmp_path / 'no.xlsx'}"])
    assert (result.exit_code, result.stderr) == (1, f"Error: {tmp_path / 'no.xlsx'}: no such file\n")


def test_a_row_over_the_line_limit_fails_only_its_account(tmp_path: Path, examples: list[Snapshot]) -> None:
    from kamengine.engine.model.limits import Limits

    path = _workbook(tmp_path / "crm.xlsx", examples)
    book = openpyxl.load_workbook(path)
    book["Accounts"]["C3"] = "x" * 2000  # acme-2's name
    book.save(path)
    source = XlsxSource(str(path))
    source.limits = Limits(line_mb=0.001)
    first, second, orphans = source.records()  # acme-2's rows have no readable account left
    assert first.snapshot == examples[0]
    assert second.error is not None
    assert second.error.problems == [
        f"{path}: sheet Accounts, row 3: the row is longer than 0.001 MB ([limits] line_mb)"
    ]
    assert orphans.error is not None and "account_id 'acme-2' is not in sheet accounts" in str(orphans.error)


def test_workbook_xml_is_parsed_with_defusedxml() -> None:
    """docs/security.md: openpyxl refuses entity expansion only when defusedxml is installed."""
    from openpyxl.xml import functions

    assert openpyxl.DEFUSEDXML is True
    assert functions.iterparse.__module__.startswith("defusedxml")
