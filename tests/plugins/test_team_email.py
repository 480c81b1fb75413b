"""A team member's e-mail (contract §5) comes in from a CSV export's team file and from Salesforce's User."""

from __future__ import annotations

from pathlib import Path

from kamengine.plugins.csv_source import CsvSource
from kamengine.toolkit import load_snapshot
from support import REPO, write_csv_dir

EXAMPLE = REPO / "examples" / "acme-telecom.yaml"


def test_a_team_csv_with_an_email_column_gives_the_member_their_address(tmp_path: Path) -> None:
    example = load_snapshot(EXAMPLE)
    folder = write_csv_dir(tmp_path / "csv", [example])
    team = folder / "team.csv"
    lines = team.read_text(encoding="utf-8").splitlines()
    rows = [lines[0] + ",email"] + [f"{line},{line.split(',')[1]}@ourco.example" for line in lines[1:]]
    team.write_text("\n".join(rows) + "\n", encoding="utf-8")
    source = CsvSource(str(folder))
    (record,) = source.records()
    assert record.snapshot is not None
    assert {m.id: m.email for m in record.snapshot.team} == {m.id: f"{m.id}@ourco.example" for m in example.team}
    assert source.notices == []  # email is a column of the team layout, not one left out


def test_the_salesforce_map_reads_each_member_s_email_from_user() -> None:
    source = CsvSource(str(REPO / "examples" / "salesforce-export"))
    source.use_column_map("salesforce")
    members = [m for r in source.records() if r.snapshot for m in r.snapshot.team]
    assert members and all(m.email and m.email.endswith("@ourco.example") for m in members)
