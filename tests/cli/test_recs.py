"""kamengine recs: the user's story from batch to a decision, lists in pages, show, several ids, mistakes."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from durable_marker import prints_as_on_durable
from kamengine.cli import main
from kamengine.engine.store import time_order
from support import REPO

PORTFOLIO = REPO / "examples" / "portfolio"


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _batch(folder: Path, db: Path) -> None:
    result = _invoke("batch", "--source", f"file:{folder}", "--db", str(db), "--workers", "1")
    assert result.exit_code == 0, result.output


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A store after one nightly run over the bundled portfolio."""
    path = tmp_path / "k.db"
    _batch(PORTFOLIO, path)
    return path


def _later(folder: Path, as_of: str) -> Path:
    """The bundled portfolio exported again on a later day."""
    folder.mkdir()
    for snapshot in PORTFOLIO.glob("*.yaml"):
        text = snapshot.read_text(encoding="utf-8").replace("as_of: 2026-11-20", f"as_of: {as_of}")
        (folder / snapshot.name).write_text(text, encoding="utf-8")
    return folder


def test_the_top_of_advise_is_the_top_of_the_list_and_stays_accepted_with_a_fresh_due_date(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(time_order, "machine_today", lambda: dt.date(2026, 12, 20))  # the later export's night
    advised = json.loads(_invoke("advise", str(PORTFOLIO / "globex-energy.yaml"), "-f", "json").stdout)
    listed = json.loads(_invoke("recs", "list", "--db", str(db), "--account", "globex-energy", "-f", "json").stdout)
    top = advised[0]
    assert listed[0]["id"] == top["id"] and listed[0]["status"] == "open"
    accepted = _invoke("recs", "accept", top["id"][4:12], "--by", "lukas", "--db", str(db))  # a prefix, no reason
    assert accepted.exit_code == 0, accepted.output
    assert accepted.output.startswith(f"{top['id']}: accepted")
    _batch(_later(tmp_path / "december", "2026-12-20"), db)  # a month on, the reason still holds
    shown = json.loads(_invoke("recs", "show", top["id"], "--db", str(db), "-f", "json").stdout)
    assert shown["status"] == "accepted" and shown["as_of"] == "2026-12-20"
    assert shown["due"] >= "2026-12-20" > top["due"]
    assert [(h["status"], h["by"]) for h in shown["history"]] == [("open", "kamengine"), ("accepted", "lukas")]


def test_the_list_comes_in_pages_and_says_how_to_get_the_rest(db: Path) -> None:
    everything = json.loads(_invoke("recs", "list", "--db", str(db), "--limit", "0", "-f", "json").stdout)
    assert len(everything) > 30
    first = _invoke("recs", "list", "--db", str(db))
    assert len(first.stdout.splitlines()) == 2 + 30  # the header and its underline, then a page
    assert first.stderr == f"Showing 1-30 of {len(everything)}; the next with --page 2, all with --limit 0.\n"
    second = _invoke("recs", "list", "--db", str(db), "--page", "2", "-f", "json")
    assert [r["id"] for r in json.loads(second.stdout)] == [r["id"] for r in everything[30:]]
    assert second.stderr == ""
    dues = [r["due"] for r in everything]
    assert dues == sorted(dues)
    mine = json.loads(_invoke("recs", "list", "--db", str(db), "--owner", "u-lw", "-L", "0", "-f", "json").stdout)
    assert mine and {r["owner"]["id"] for r in mine} == {"u-lw"}  # Lukas Weber, Globex AR


def test_show_prints_every_field_and_the_history(db: Path) -> None:
    rec_id = json.loads(_invoke("recs", "list", "--db", str(db), "-f", "json").stdout)[0]["id"]
    later = (dt.date.today() + dt.timedelta(days=30)).isoformat()  # a snooze ends within a year
    until = ("--until", later, "--reason", "after the budget round", "--by", "li.wei")
    assert _invoke("recs", "snooze", rec_id, *until, "--db", str(db)).exit_code == 0
    shown = _invoke("recs", "show", rec_id[:10], "--db", str(db))
    assert shown.exit_code == 0
    lines = [line.split() for line in shown.output.splitlines()]
    assert ["id", rec_id] in lines and ["snoozed_until", later] in lines
    assert lines[-1][1:] == ["snoozed", "li.wei", "after", "the", "budget", "round"]


def test_several_ids_each_reported_and_one_failure_exits_1(db: Path) -> None:
    ids = [r["id"] for r in json.loads(_invoke("recs", "list", "--db", str(db), "-f", "json").stdout)[:2]]
    result = _invoke("recs", "done", ids[0], "rec-nope", ids[1], "--db", str(db))
    assert result.exit_code == 1
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ids
    assert result.stderr.startswith(f"Error: no recommendation 'rec-nope' in {db}")  # maybe a "did you mean"
    again = _invoke("recs", "done", ids[0], "--db", str(db))  # already done: nothing changes, no error
    assert again.exit_code == 0 and again.output.startswith(f"{ids[0]}: done")


def test_a_dismissal_without_a_reason_and_a_snooze_in_the_past_are_usage_errors(db: Path) -> None:
    rec_id = json.loads(_invoke("recs", "list", "--db", str(db), "-f", "json").stdout)[0]["id"]
    dismissed = _invoke("recs", "dismiss", rec_id, "--db", str(db))
    assert dismissed.exit_code == 2 and "a dismissal needs a reason (--reason)" in dismissed.stderr
    snoozed = _invoke("recs", "snooze", rec_id, "--until", "2020-01-01", "--db", str(db))
    assert snoozed.exit_code == 2 and "--until 2020-01-01 is in the past" in snoozed.stderr
    ambiguous = _invoke("recs", "accept", "rec-", "--db", str(db))
    assert ambiguous.exit_code == 1 and "'rec-' is the start of more than one id (rec-" in ambiguous.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["recs", "list"],
        ["recs", "show", "rec-1"],
        ["recs", "accept", "rec-1"],
        ["recs", "snooze", "rec-1", "--until", "2099-01-01"],
        ["recs", "activities"],
        ["report", "effectiveness"],
        pytest.param(["report", "coverage"], marks=prints_as_on_durable),
        ["deliver"],
    ],
)
def test_a_store_that_does_not_exist_is_an_error_not_a_new_empty_one(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "nowhere.db"
    result = _invoke(*command, "--db", str(missing))
    assert result.exit_code == 1
    assert result.stderr == f"Error: no store at {missing}; run kamengine batch first\n"
    assert not missing.exists()


def test_batch_creates_the_store(tmp_path: Path) -> None:
    folder = tmp_path / "one"
    folder.mkdir()
    shutil.copy(PORTFOLIO / "initech.yaml", folder)
    _batch(folder, tmp_path / "new.db")
    assert _invoke("recs", "list", "--db", str(tmp_path / "new.db")).exit_code == 0


def test_an_account_gone_from_the_export_expires_and_comes_back_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(time_order, "machine_today", lambda: dt.date(2027, 1, 20))  # the later export's night
    export, db = tmp_path / "exports", tmp_path / "k.db"
    _batch(_later(export, "2026-11-20"), db)
    shutil.rmtree(export)
    _later(export, "2027-01-20")  # the same export two months on, without initech for a while
    (export / "initech.yaml").rename(tmp_path / "initech.yaml")
    gone = _invoke("batch", "--source", f"file:{export}", "--db", str(db), "--workers", "1")
    expired = json.loads(
        _invoke("recs", "list", "--db", str(db), "--status", "expired", "-L", "0", "-f", "json").stdout
    )
    assert expired and {r["account_id"] for r in expired} == {"initech"}
    assert gone.exit_code == 0 and f"expired {len(expired)}," in gone.stderr
    (tmp_path / "initech.yaml").rename(export / "initech.yaml")
    _batch(export, db)
    given = {r["id"] for r in json.loads(_invoke("advise", str(export / "initech.yaml"), "-f", "json").stdout)}
    listed = json.loads(_invoke("recs", "list", "--db", str(db), "--status", "open", "-L", "0", "-f", "json").stdout)
    again = {r["id"] for r in expired} & {r["id"] for r in listed}
    assert again and again == {r["id"] for r in expired} & given  # back with its reason, and only then
