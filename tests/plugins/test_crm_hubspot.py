"""A HubSpot export (examples/hubspot-export/) read through the bundled map: labels, ;-lists, owners by name."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner
from kamengine import Snapshot
from kamengine.cli import main
from kamengine.plugins.csv_source import CsvSource
from support import REPO

EXPORT = REPO / "examples" / "hubspot-export"
INITECH, UMBRELLA = "18412345671", "18412345672"


def _read(folder: Path = EXPORT) -> tuple[dict[str, Snapshot], list[str], CsvSource]:
    source = CsvSource(str(folder))
    source.use_column_map("hubspot")
    records = list(source.records())
    assert [r.error for r in records] == [None] * len(records)
    return {r.snapshot.account.id: r.snapshot for r in records if r.snapshot}, source.notices, source


def test_every_company_of_the_export_is_advised_through_the_bundled_map() -> None:
    result = CliRunner().invoke(
        main, ["--config", "/dev/null", "advise", "-f", "json", "--source", f"csv:{EXPORT}", "--map", "hubspot"]
    )
    assert result.exit_code == 0, result.output
    assert {rec["account_id"] for rec in json.loads(result.stdout)} == {INITECH, UMBRELLA}


def test_the_export_reads_as_the_method_sees_it() -> None:
    accounts, notices, source = _read()
    umbrella, initech = accounts[UMBRELLA], accounts[INITECH]
    assert (umbrella.account.tier, umbrella.account.currency, initech.account.tier) == ("key", "CNY", "standard")
    people = {c.name: c for c in umbrella.contacts}
    assert set(people) == {"Fang Wang", "Lei Zhao", "Min Liu"}
    assert (people["Min Liu"].stance, people["Min Liu"].role, people["Fang Wang"].public_official) == (3, "E", True)
    assert people["Lei Zhao"].rising_star and people["Min Liu"].owner == "Sam Lee"
    (platform,) = umbrella.opportunities
    assert (platform.stage, platform.value, str(platform.close_date)) == ("won", 3_200_000.5, "2026-10-15")
    groups = {g.group: [m.contact_id for m in g.members] for g in platform.decision_groups}
    assert groups == {"final": [people["Fang Wang"].id], "selection": [people["Min Liu"].id]}
    assert {(m.id, m.role) for m in umbrella.team} == {("Zhou Min", "AR"), ("Sam Lee", "SR"), ("Chen Jing", "AD")}
    activities = {a.id: a for a in umbrella.activities}
    assert activities["70002"].contact_ids == [] and activities["70002"].type == "other"  # a call to nobody
    assert activities["80001"].type == "regular_office_visit" and len(activities["80001"].contact_ids) == 2
    assert str(activities["80001"].date) == "2026-09-09"
    # Bill Lumbergh's owner left the company: the owner is left out, Bill is not.
    bill = next(c for c in initech.contacts if c.name == "Bill Lumbergh")
    assert bill.owner is None
    assert (
        f"{EXPORT}/companies.csv:2 ({INITECH}): left out, as the export does not have what they name: "
        "1 contact owner(s) not on the account team" in notices
    )
    # contacts.csv serves two tables: the contacts, and the buying roles on their deals.
    assert source.file_reports[str(EXPORT / "contacts.csv")].skipped == {"Associated Company ID is empty": 1}
    roles = source.file_reports[f"{EXPORT / 'contacts.csv'} (decision_groups)"]
    assert dict(roles.skipped) == {"Buying Role is empty": 2}


def test_a_multi_line_note_and_a_quoted_comma_are_one_cell(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(EXPORT, folder)
    calls = folder / "calls.csv"
    assert '"Discussed the migration waves.\nNext: send a proposal, ""phase 1"" first."' in calls.read_text("utf-8")
    accounts, _, _ = _read(folder)
    assert {a.id for a in accounts[INITECH].activities} == {"70001", "80002"}
