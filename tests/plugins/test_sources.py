"""The built-in data sources: each gives what the snapshot file gives, and skips only bad accounts."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
import sqlite_utils
from kamengine import Snapshot, SnapshotError
from kamengine.plugins.csv_source import CsvSource
from kamengine.plugins.file_source import FileSource
from kamengine.plugins.jsonl_source import JsonLinesSource
from kamengine.plugins.sqlite_source import SqliteSource
from kamengine.toolkit import load_snapshot
from support import builtin_advisor, write_csv_dir, write_sqlite


def _second(example: Snapshot) -> Snapshot:
    return example.model_copy(
        update={"account": example.account.model_copy(update={"id": "acme-2", "name": "ACME Two"})}
    )


def _advice(snapshots: list[Snapshot]) -> list[list[dict]]:
    return [[r.to_dict() for r in builtin_advisor().advise(s).recommendations] for s in snapshots]


@pytest.fixture
def examples(example_path: str) -> list[Snapshot]:
    example = load_snapshot(example_path)
    return [example, _second(example)]


def _read(source: object) -> list[Snapshot]:
    records = list(source.records())  # type: ignore[attr-defined]
    assert [r.error for r in records] == [None] * len(records)
    return [r.snapshot for r in records]  # type: ignore[misc]


def test_every_source_gives_the_same_recommendations_as_the_snapshot_file(
    tmp_path: Path, examples: list[Snapshot], example_path: str
) -> None:
    expected = _advice(examples)
    folder = tmp_path / "files"
    folder.mkdir()
    for index, snapshot in enumerate(examples):
        (folder / f"{index}-{snapshot.account.id}.json").write_text(snapshot.model_dump_json(), encoding="utf-8")
    jsonl = tmp_path / "all.jsonl"
    jsonl.write_text("".join(s.model_dump_json() + "\n" for s in examples), encoding="utf-8")
    sources = {
        "file": FileSource(str(folder)),
        "jsonl": JsonLinesSource(str(jsonl)),
        "csv": CsvSource(str(write_csv_dir(tmp_path / "csv", examples))),
        "sqlite": SqliteSource(str(write_sqlite(tmp_path / "crm.db", examples))),
    }
    for name, source in sources.items():
        assert _advice(_read(source)) == expected, name
    assert _read(FileSource(example_path)) == examples[:1]


def test_tabular_sources_rebuild_the_snapshot_exactly(tmp_path: Path, examples: list[Snapshot]) -> None:
    assert _read(CsvSource(str(write_csv_dir(tmp_path / "csv", examples)))) == examples
    assert _read(SqliteSource(str(write_sqlite(tmp_path / "crm.db", examples)))) == examples


def test_a_bad_csv_row_names_file_and_line_and_skips_only_its_account(tmp_path: Path, examples: list[Snapshot]) -> None:
    folder = write_csv_dir(tmp_path / "csv", examples)
    contacts = folder / "contacts.csv"
    lines = contacts.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",-1,", ",very negative,")  # c-eng of acme-tel, on line 4
    contacts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    records = list(CsvSource(str(folder)).records())
    assert [r.snapshot is not None for r in records] == [False, True]
    assert records[0].error is not None
    assert records[0].error.problems == [f"{contacts}:4: stance: expected a whole number, found 'very negative'"]


def test_csv_integrity_errors_point_at_the_row(tmp_path: Path, examples: list[Snapshot]) -> None:
    folder = write_csv_dir(tmp_path / "csv", examples[:1])
    groups = folder / "decision_groups.csv"
    groups.write_text(groups.read_text(encoding="utf-8").replace("c-arch", "c-nobody", 1), encoding="utf-8")
    (record,) = CsvSource(str(folder)).records()
    assert record.error is not None
    assert record.error.problems == [
        f"{groups}:3: opportunities[0].decision_groups[0].members[1].contact_id: unknown contact 'c-nobody'"
    ]


def test_csv_header_typos_and_orphans(tmp_path: Path, examples: list[Snapshot]) -> None:
    folder = write_csv_dir(tmp_path / "csv", examples[:1])
    team = folder / "team.csv"
    team.write_text(team.read_text(encoding="utf-8").replace("level", "levle", 1), encoding="utf-8")
    source = CsvSource(str(folder))
    (record,) = source.records()  # a header typo is told, not a reason to drop the whole file
    assert record.snapshot is not None and {m.level for m in record.snapshot.team} == {"middle"}  # the default
    assert source.notices == [f"{team}: 1 column(s) not in the team layout, left out: 'levle' (did you mean 'level'?)"]
    folder = write_csv_dir(tmp_path / "csv2", examples[:1])
    with (folder / "team.csv").open("a", encoding="utf-8") as stream:
        stream.write("ghost-account,u-x,X,AR,middle\n")
    records = list(CsvSource(str(folder)).records())
    assert records[-1].error is not None
    assert records[-1].error.problems == [f"{folder}/team.csv:6: account_id 'ghost-account' is not in accounts.csv"]
    with pytest.raises(SnapshotError, match=r"expected a directory containing accounts.csv"):
        list(CsvSource(str(tmp_path)).records())


def test_a_bad_jsonl_line_is_skipped_with_its_line_number(tmp_path: Path, examples: list[Snapshot]) -> None:
    path = tmp_path / "all.jsonl"
    broken = json.loads(examples[0].model_dump_json())
    broken["contacts"][0]["stance"] = 7
    path.write_text(
        "\n".join([json.dumps(broken), "{not json", "", examples[1].model_dump_json()]) + "\n", encoding="utf-8"
    )
    records = list(JsonLinesSource(str(path)).records())
    assert [r.origin for r in records] == [f"{path}:1", f"{path}:2", f"{path}:4"]
    assert records[0].error is not None and records[0].error.problems == [
        f"{path}:1: contacts[0].stance: Input should be -1, 0, 1, 2 or 3 (found 7)"
    ]
    assert records[1].error is not None and records[1].error.problems == [
        f"{path}:2: invalid JSON at column 2: Expecting property name enclosed in double quotes"
    ]
    assert records[2].snapshot == examples[1]


def test_jsonl_is_streamed_not_loaded_whole(tmp_path: Path, examples: list[Snapshot]) -> None:
    path = tmp_path / "all.jsonl"
    path.write_text(examples[0].model_dump_json() + "\n" + "{broken\n" * 3, encoding="utf-8")
    records = JsonLinesSource(str(path)).records()
    first = next(records)
    assert first.snapshot == examples[0]  # yielded before the rest of the file was parsed


def test_a_bad_sqlite_row_names_table_and_row(tmp_path: Path, examples: list[Snapshot]) -> None:
    path = write_sqlite(tmp_path / "crm.db", examples)
    db = sqlite_utils.Database(path)
    db.execute("update activities set date = 'soon' where id = ? and account_id = ?", ["a-3", "acme-2"])
    db.conn.commit()
    records = list(SqliteSource(str(path)).records())
    assert [r.snapshot is not None for r in records] == [True, False]
    assert records[1].error is not None
    assert records[1].error.problems == [f"{path}: activities row 19: date: expected a date YYYY-MM-DD, found 'soon'"]


def test_missing_locations_are_errors(tmp_path: Path) -> None:
    for source in (
        FileSource(str(tmp_path / "x")),
        JsonLinesSource(str(tmp_path / "x.jsonl")),
        SqliteSource(str(tmp_path / "x.db")),
    ):
        with pytest.raises(SnapshotError):
            list(source.records())


def test_a_folder_without_a_snapshot_is_an_error_that_points_at_a_crm_export(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="no snapshot file") as empty:
        list(FileSource(str(tmp_path)).records())
    assert "csv:" not in str(empty.value)
    (tmp_path / "accounts.csv").write_text("id,name\n", encoding="utf-8")
    with pytest.raises(SnapshotError, match=f"a CRM export \\(accounts.csv\\)\\? read it with csv:{tmp_path}"):
        list(FileSource(str(tmp_path)).records())


def test_jsonl_hands_raw_lines_over_for_parsing_elsewhere(tmp_path: Path, examples: list[Snapshot]) -> None:
    path = tmp_path / "all.jsonl"
    path.write_text("".join(s.model_dump_json() + "\n" for s in examples), encoding="utf-8")
    source = JsonLinesSource(str(path))
    raw = list(source.raw_records())
    assert [(r.origin, r.snapshot, r.error) for r in raw] == [(f"{path}:1", None, None), (f"{path}:2", None, None)]
    in_a_worker = pickle.loads(pickle.dumps(raw))  # as a batch worker receives them
    assert [source.parse(r).snapshot for r in in_a_worker] == examples == _read(source)


def test_a_source_without_its_own_parsing_gives_parsed_records(tmp_path: Path, example_path: str) -> None:
    source = FileSource(example_path)
    (record,) = source.raw_records()
    assert record.raw is None and record.snapshot == load_snapshot(example_path)
    assert source.parse(record) is record


def test_a_sqlite_table_with_columns_of_its_own_is_read_with_a_notice(tmp_path: Path, examples: list[Snapshot]) -> None:
    path = write_sqlite(tmp_path / "crm.db", examples)
    db = sqlite_utils.Database(path)
    db["accounts"].add_column("Created By", str)
    db["team"].add_column("Last Modified", str)
    db.execute("update accounts set [Created By] = 'etl'")
    db.conn.commit()
    source = SqliteSource(str(path))
    snapshots = _read(source)
    assert [s.account.extra for s in snapshots] == [{"region": "EU", "Created By": "etl"}] * 2
    assert [s.model_copy(update={"account": e.account}) for s, e in zip(snapshots, examples, strict=True)] == examples
    assert source.notices == [
        f"{path}: table accounts: 1 column(s) not in the accounts layout, kept in extra: 'Created By'",
        f"{path}: table team: 1 column(s) not in the team layout, left out: 'Last Modified'",
    ]
