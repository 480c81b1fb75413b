"""kamengine plan from the store: each account's region and team e-mails come from its last kept snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import icalendar
import yaml
from click.testing import CliRunner
from kamengine.cli import main
from support import REPO

#: Martin Luther King Jr. Day, a Monday: a public holiday of Initech's region (US), no weekend, no year-end break.
HOLIDAY = "2027-01-18"


def _stored(tmp_path: Path) -> Path:
    """A store a nightly batch filled from Initech (US), whose AR has an e-mail on the team."""
    document = yaml.safe_load((REPO / "examples" / "portfolio" / "initech.yaml").read_text(encoding="utf-8"))
    assert document["account"]["extra"]["region"] == "US"
    document["team"][0]["email"] = "peter.gibbons@example.com"
    snapshot = tmp_path / "initech.yaml"
    snapshot.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    db = tmp_path / "k.db"
    ran = CliRunner().invoke(main, ["--config", "/dev/null", "batch", "--source", f"file:{snapshot}", "--db", str(db)])
    assert ran.exit_code == 0, ran.output
    return db


def _plan(db: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["--config", "/dev/null", "plan", "--db", str(db), "--as-of", HOLIDAY, *args])


def test_a_stored_account_is_not_booked_on_its_region_s_public_holiday(tmp_path: Path) -> None:
    db = _stored(tmp_path)
    result = _plan(db, "--week", "all", "-f", "json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)
    # Everything the batch advised (as of 2026-11-20) is past due by then: due now, so from the plan's today on.
    assert items and all(item["overdue_since"] for item in items)
    assert all(item["day"] > HOLIDAY for item in items)  # not on the holiday: the first working day after it
    assert min(item["day"] for item in items) == "2027-01-19"
    assert all(item["owner"]["email"] == "peter.gibbons@example.com" for item in items if item["owner"])


def test_a_calendar_from_the_store_invites_people_by_their_team_e_mail(tmp_path: Path) -> None:
    db = _stored(tmp_path)
    result = _plan(db, "--ics", str(tmp_path / "cal"))
    assert result.exit_code == 0, result.output
    events = icalendar.Calendar.from_ical((tmp_path / "cal" / "u-pg.ics").read_bytes()).walk("VEVENT")
    assert events and {str(e["organizer"]) for e in events} == {"mailto:peter.gibbons@example.com"}
