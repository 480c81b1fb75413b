"""The Salesforce export as a workbook (a sheet per file, as a team pastes it into Excel) through --map salesforce."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from kamengine.plugins.csv_source import CsvSource
from kamengine.plugins.xlsx_source import XlsxSource
from openpyxl import Workbook
from support import REPO

EXPORT = REPO / "examples" / "salesforce-export"


def _workbook(path: Path) -> Path:
    book = Workbook()
    book.remove(book.active)
    for file in sorted(EXPORT.glob("*.csv")):
        sheet = book.create_sheet(file.stem.upper() if file.stem == "Account" else file.stem)  # case ignored
        with file.open(encoding="utf-8", newline="") as stream:
            rows = list(csv.reader(stream))
        sheet.append(rows[0])
        for row in rows[1:]:  # Excel keeps dates and amounts as such
            cells: list[object] = list(row)
            for index, column in enumerate(rows[0]):
                if column in ("CloseDate", "ActivityDate") and row[index]:
                    cells[index] = dt.datetime.fromisoformat(row[index])
                elif column == "Amount" and row[index]:
                    cells[index] = float(row[index])
            sheet.append(cells)
    book.save(path)
    return path


def test_the_workbook_reads_as_the_csv_files_do(tmp_path: Path) -> None:
    from_csv = CsvSource(str(EXPORT))
    from_csv.use_column_map("salesforce")
    from_xlsx = XlsxSource(str(_workbook(tmp_path / "export.xlsx")))
    from_xlsx.use_column_map("salesforce")
    expected = [r.snapshot for r in from_csv.records()]
    records = list(from_xlsx.records())
    assert [r.error for r in records] == [None, None]
    assert [r.snapshot for r in records] == expected
    assert any("kept as 'other'" in n and "'Webinar' ×1" in n for n in from_xlsx.notices)
