"""``kamengine sources check``: a whole export read through its map, per file and per account, each mistake named."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from kamengine.cli import main
from support import REPO

EXPORT = REPO / "examples" / "salesforce-export"
ACME, GLOBEX = "001Dn0000001Ab1IAE", "001Dn0000002Ab1IAE"


def _check(folder: Path, *args: str, column_map: str = "salesforce") -> tuple[int, str, str]:
    words = ["--config", "/dev/null", "sources", "check", "--source", f"csv:{folder}", "--map", column_map, *args]
    result = CliRunner().invoke(main, words)
    return result.exit_code, result.stdout, result.stderr


def _export(tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    shutil.copytree(EXPORT, folder)
    return folder


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_a_clean_export_is_reported_per_file_and_per_account() -> None:
    code, stdout, stderr = _check(EXPORT, "-f", "json")
    assert code == 0, stderr
    report = json.loads(stdout)
    files = {Path(f["name"]).name: f for f in report["files"]}
    assert (files["Task.csv"]["read"], files["Task.csv"]["skipped"]) == (6, "IsDeleted = true ×1")
    assert files["Task.csv"]["unmapped"] == {"Type 'Webinar'": 1}
    assert files["AccountTeamMember.csv"]["skipped"] == "its User has IsActive = false ×1"
    assert files["Account.csv"]["skipped"] == "IsDeleted = true ×1"
    accounts = {a["name"]: a for a in report["accounts"]}
    assert set(accounts) == {ACME, GLOBEX}
    assert accounts[ACME]["counts"] == {"contacts": 4, "deals": 2, "decision roles": 3, "activities": 5, "team": 4}
    assert "1 contact owner(s) not on the account team" in accounts[ACME]["detail"]  # Tom Keller's: inactive
    assert report["errors"] == []


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "csv", "markdown"])
def test_every_output_format(fmt: str) -> None:
    code, stdout, _ = _check(EXPORT, "-f", fmt)
    assert code == 0
    if fmt == "jsonl":
        rows = [json.loads(line) for line in stdout.splitlines()]
        assert {row["kind"] for row in rows} == {"file", "account"}
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(stdout)))
        assert [r["name"] for r in rows if r["kind"] == "account"] == [ACME, GLOBEX]
    else:
        assert ACME in stdout and "Task.csv" in stdout


def _errors(tmp_path: Path, folder: Path, *args: str, column_map: str = "salesforce") -> list[str]:
    code, stdout, stderr = _check(folder, "-f", "json", *args, column_map=column_map)
    assert code == 1, stdout + stderr
    return json.loads(stdout)["errors"]


def test_an_unknown_value_fails_its_row_naming_file_line_column_and_the_known_values(tmp_path: Path) -> None:
    folder = _export(tmp_path)
    _edit(folder / "Opportunity.csv", '"Proposal/Price Quote"', '"Discovery"')
    errors = _errors(tmp_path, folder)
    assert errors == [
        f"{folder}/Opportunity.csv:2: StageName: unknown value 'Discovery'; the map knows 'Prospecting', "
        "'Qualification', 'Needs Analysis', 'Value Proposition', 'Id. Decision Makers', 'Perception Analysis', "
        "'Proposal/Price Quote', 'Negotiation/Review', 'Closed Won', 'Closed Lost'; the row is left out"
    ]
    code, stdout, _ = _check(folder, "-f", "json")
    assert code == 1
    acme = next(a for a in json.loads(stdout)["accounts"] if a["name"] == ACME)  # the account is still read
    assert acme["counts"]["deals"] == 1 and "3 decision-group member(s) of a deal" in acme["detail"]
    assert acme["left_out"] == 1


def test_a_value_map_is_case_insensitive(tmp_path: Path) -> None:
    folder = _export(tmp_path)
    _edit(folder / "Opportunity.csv", '"Proposal/Price Quote"', '"PROPOSAL/price quote"')
    assert _check(folder)[0] == 0


def test_a_bad_date_fails_its_row(tmp_path: Path) -> None:
    folder = _export(tmp_path)
    _edit(folder / "Opportunity.csv", '"2027-01-15"', '"15/01/2027"')
    assert _errors(tmp_path, folder) == [
        f"{folder}/Opportunity.csv:4: CloseDate: expected a date like YYYY-MM-DD, found '15/01/2027'; "
        "the row is left out"
    ]


def test_a_date_and_a_number_in_the_maps_locale(tmp_path: Path) -> None:
    folder = _export(tmp_path)
    _edit(folder / "Opportunity.csv", '"2027-01-15"', '"15.01.2027"')
    _edit(folder / "Opportunity.csv", '"12000000.00"', '"12.000.000,00 €"')
    _edit(folder / "Opportunity.csv", '"800000.00"', '"800000,00"')  # thousands without their mark
    _edit(folder / "Opportunity.csv", '"9000000.00"', '"EUR 9.000.000"')
    column_map = tmp_path / "salesforce-de.toml"
    bundled = (REPO / "plugins" / "crm_maps" / "salesforce.toml").read_text(encoding="utf-8")
    column_map.write_text('locale = "de-DE"\n' + bundled, encoding="utf-8")
    code, stdout, stderr = _check(folder, "-f", "json", column_map=str(column_map))
    assert code == 0, stdout + stderr
    _edit(folder / "Opportunity.csv", '"12.000.000,00 €"', '"12,000,000.00"')  # the other locale's way
    assert _errors(tmp_path, folder, column_map=str(column_map)) == [
        f"{folder}/Opportunity.csv:2: Amount: expected a number written like 1.234,56, found '12,000,000.00'; "
        "the row is left out"
    ]


def test_a_file_in_another_encoding_than_the_map_says(tmp_path: Path) -> None:
    folder = _export(tmp_path)
    contacts = folder / "Contact.csv"
    contacts.write_bytes(contacts.read_text(encoding="utf-8").replace('"Ruiz"', '"Ruíz"').encode("cp1252"))
    column_map = tmp_path / "salesforce-utf8.toml"
    bundled = (REPO / "plugins" / "crm_maps" / "salesforce.toml").read_text(encoding="utf-8")
    column_map.write_text('encoding = "utf-8"\n' + bundled, encoding="utf-8")
    assert _errors(tmp_path, folder, column_map=str(column_map)) == [f"{contacts}:3: name: not UTF-8 text"]
    assert _check(folder)[0] == 0  # without it, the encoding is detected


def test_a_missing_file(tmp_path: Path) -> None:
    folder = _export(tmp_path)
    (folder / "Account.csv").unlink()
    code, stdout, stderr = _check(folder)
    assert (code, stdout) == (1, "")
    assert stderr == f"Error: {folder}: expected a directory containing Account.csv\n"
    folder = _export(tmp_path / "again")
    (folder / "User.csv").unlink()
    code, _, stderr = _check(folder)
    assert code == 1 and stderr.endswith(f"Error: {folder}: no User.csv, which the map joins rows to\n")


def test_a_duplicate_id_names_file_line_and_column(tmp_path: Path) -> None:
    folder = _export(tmp_path)
    contacts = folder / "Contact.csv"
    lines = contacts.read_text(encoding="utf-8").splitlines()
    berg = next(i for i, line in enumerate(lines) if '"Berg"' in line)
    lines.insert(berg + 1, lines[berg].replace('"Jonas"', '"Jon"'))
    contacts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _errors(tmp_path, folder) == [f"{contacts}:6: contacts[3].id: duplicate id '003Dn0000003Ab1IAE'"]
    report = json.loads(_check(folder, "-f", "json")[1])
    acme = next(a for a in report["accounts"] if a["name"] == ACME)  # the account that cannot be advised is listed
    assert acme["detail"].startswith(f"not read: 1 error(s), the first: {contacts}:6: contacts[3].id: duplicate id")


def test_a_table_shows_files_accounts_and_errors(tmp_path: Path) -> None:
    folder = _export(tmp_path)
    _edit(folder / "Opportunity.csv", '"Proposal/Price Quote"', '"Discovery"')
    code, stdout, _ = _check(folder)
    assert code == 1
    assert "1 error(s):" in stdout and f"{folder}/Opportunity.csv:2: StageName: unknown value 'Discovery'" in stdout
    assert "values not in the map: StageName 'Discovery' ×1" in stdout


def test_advise_leaves_the_row_out_says_why_and_advises_every_account(tmp_path: Path) -> None:
    folder = _export(tmp_path)
    _edit(folder / "AccountTeamMember.csv", '"Delivery Manager"', '"Mascot"')
    words = ["--config", "/dev/null", "advise", "-f", "json", "--source", f"csv:{folder}", "--map", "salesforce"]
    result = CliRunner().invoke(main, words)
    assert result.exit_code == 1
    assert {rec["account_id"] for rec in json.loads(result.stdout)} == {ACME, GLOBEX}
    assert f"{folder}/AccountTeamMember.csv:4: TeamMemberRole: unknown value 'Mascot'; the map knows " in result.stderr


def test_the_layout_s_own_files_are_found_whatever_their_case_without_a_map(tmp_path: Path) -> None:
    folder = tmp_path / "crm"
    shutil.copytree(REPO / "examples" / "exports", folder)
    (folder / "accounts.csv").rename(folder / "Accounts.csv")
    (folder / "contacts.csv").rename(folder / "CONTACTS.csv")
    column_map = REPO / "examples" / "exports" / "crm-columns.toml"
    words = ["--config", "/dev/null", "sources", "check", "--source", f"csv:{folder}", "--map", str(column_map)]
    result = CliRunner().invoke(main, [*words, "-f", "json"])
    assert result.exit_code == 0, result.stderr
    accounts = {a["name"]: a["counts"] for a in json.loads(result.stdout)["accounts"]}
    assert set(accounts) == {"acme-tel", "globex-energy", "initech", "umbrella-health", "vandelay-industries"}
    assert accounts["acme-tel"]["contacts"] > 0
