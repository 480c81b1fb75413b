"""The sample CRM export in examples/exports/: the README's line runs as written, and docs/sources.md tells its truth."""

from __future__ import annotations

import json
import re
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from durable_marker import prints_as_on_durable
from kamengine.cli import main
from support import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
SOURCES_DOC = (REPO / "docs" / "sources.md").read_text(encoding="utf-8")
EXPORT = REPO / "examples" / "exports"
NOTICES = [
    "Notice: examples/exports/contacts.csv: 1 column(s) not in the contacts layout, kept in extra: 'Email'",
    "Notice: examples/exports/accounts.csv: 1 column(s) not in the accounts layout, kept in extra: 'Annual Revenue'",
]


def _readme_command() -> list[str]:
    (line,) = [line for line in README.splitlines() if line.startswith("kamengine advise --source csv:")]
    return shlex.split(line.partition("#")[0])


def test_the_sample_is_shaped_like_a_crm_export() -> None:
    accounts = (EXPORT / "accounts.csv").read_bytes()
    assert accounts.startswith(b"\xef\xbb\xbfAccount ID;Snapshot Date;")  # Excel's "CSV UTF-8", semicolons
    assert (EXPORT / "activities.csv").read_text(encoding="utf-8").startswith("Account ID\tActivity ID\t")
    for table in ("accounts", "contacts", "opportunities", "decision_groups", "activities", "team"):
        header = (EXPORT / f"{table}.csv").read_text(encoding="utf-8-sig").splitlines()[0]
        separator = header[len("Account ID")]
        assert header.endswith(f"Created By{separator}Last Modified"), table


@prints_as_on_durable
def test_the_readme_line_runs_as_written_from_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    command = _readme_command()
    assert command[:3] == ["kamengine", "advise", "--source"] and "--map" in command
    monkeypatch.chdir(REPO)  # where the README's commands run (its first line: kamengine advise examples/...)
    result = CliRunner().invoke(main, ["--config", "/dev/null", *command[1:], "-f", "json"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == NOTICES
    # The export holds the bundled accounts: the same advice as their snapshot files.
    files = ["--source", "file:examples/acme-telecom.yaml", "--source", "file:examples/portfolio/"]
    from_files = CliRunner().invoke(main, ["--config", "/dev/null", "advise", *files, "-f", "json"])
    assert json.loads(result.stdout) == json.loads(from_files.stdout)
    assert len({r["account_id"] for r in json.loads(result.stdout)}) == 5


@prints_as_on_durable
def test_the_readme_line_runs_with_the_installed_command() -> None:
    command = _readme_command()
    script = Path(sys.executable).parent / command[0]
    result = subprocess.run(
        [str(script), "--config", "/dev/null", *command[1:]], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert result.returncode == 0, result.stderr
    # The table shows 10 approaches per account (issue 21) and says on stderr how many more there are.
    assert result.stderr.splitlines() == [*NOTICES, "Not shown: 7 more approaches (at most 10 per account; --all)"]
    accounts = {line.split()[0] for line in result.stdout.splitlines()[2:] if not line.startswith(" ")}
    assert accounts == {"acme-tel", "globex-energy", "initech", "umbrella-health", "vandelay-industries"}


@prints_as_on_durable
def test_the_nightly_batch_reads_the_sample_export_with_its_map(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    db = tmp_path / "kamengine.db"
    args = ["--config", "/dev/null", "batch", "--source", "csv:examples/exports/"]
    result = CliRunner().invoke(
        main, [*args, "--map", "examples/exports/crm-columns.toml", "--db", str(db), "--workers", "1"]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[:2] == NOTICES
    with sqlite3.connect(db) as connection:
        accounts = {row[0] for row in connection.execute("select distinct account_id from recommendations")}
    assert accounts == {"acme-tel", "globex-energy", "initech", "umbrella-health", "vandelay-industries"}
    without_map = CliRunner().invoke(main, [*args, "--db", str(tmp_path / "other.db"), "--workers", "1"])
    assert without_map.exit_code == 1
    assert "required column 'account_id' is missing (did you mean 'Account ID'?)" in without_map.stderr


def test_the_sources_doc_quotes_the_shipped_map_and_real_messages(tmp_path: Path) -> None:
    (toml,) = re.findall(r"```toml\n(.*?)```", SOURCES_DOC, flags=re.S)
    shipped = (EXPORT / "crm-columns.toml").read_text(encoding="utf-8").splitlines()
    assert [line for line in toml.splitlines() if line not in shipped] == []
    assert NOTICES[0] in SOURCES_DOC
    column_map = tmp_path / "crm-columns.toml"
    column_map.write_text('[contacts]\n"Full Name" = "nmae"\n', encoding="utf-8")
    result = CliRunner().invoke(
        main, ["--config", "/dev/null", "advise", "--source", f"csv:{EXPORT}", "--map", str(column_map)]
    )
    message = result.stderr.removeprefix("Error: ").strip().replace(str(tmp_path) + "/", "")
    assert " ".join(f"`{message}`".split()) in " ".join(SOURCES_DOC.split())
