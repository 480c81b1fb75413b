"""``kamengine store prune`` removes what ``[retention]`` no longer keeps, and the nightly batch does after a night."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner
from kamengine.cli import main
from kamengine.engine.model.rows import AccountAdvice
from kamengine.engine.store.store import Store
from support import REPO

EXAMPLE = REPO / "examples" / "acme-telecom.yaml"
TODAY = dt.datetime.now(dt.UTC).date()
OLD = TODAY - dt.timedelta(days=200)
SETTINGS = "[retention]\nclosed_recommendation_days = 90\nrun_days = 90\n"


def _row(rec_id: str, action: str) -> tuple[object, ...]:
    return (
        rec_id, "old-acc", action, "contact", "c1", f"synthetic/{action}", "title", "why", 1.0, TODAY.isoformat(),
        "AR", "[]", None, "u-ar", "Ann", None, None, None, "Old", None,
    )  # fmt: skip


def _aged_store(path: Path) -> None:
    """A run 200 days old of a source run again since, and two pieces of advice dismissed 200 days ago: one whose
    30-day cooldown has passed, one whose action's (birthday greeting, 300 days) still holds it closed."""
    store = Store(path)
    for started in (OLD, TODAY):
        run_id, _ = store.start_run("file:old/")
        rows = (_row("rec-cooled", "regular_office_visit"), _row("rec-cooling", "birthday_greeting"))
        store.apply(run_id, AccountAdvice("old-acc", TODAY.isoformat(), (("c1", 1),), rows if started == OLD else ()))
        store.finish_run(run_id, {})
        with store.writing():
            store.db.execute("update runs set started_at = ? where id = ?", [f"{started}T02:00:00+00:00", run_id])
    for rec_id in ("rec-cooled", "rec-cooling"):
        store.change(rec_id, "dismissed", "u-ar", "not now", on=OLD)
    store.close()


def _count(path: Path, table: str) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute(f"select count(*) from {table}").fetchone()[0])


def _prune(tmp_path: Path, settings: str, *args: str) -> tuple[int, str]:
    (tmp_path / "kamengine.toml").write_text(settings, encoding="utf-8")
    config = ["--config", str(tmp_path / "kamengine.toml")]
    result = CliRunner().invoke(main, [*config, "store", "prune", "--db", str(tmp_path / "k.db"), *args])
    return result.exit_code, result.output


def test_a_dry_run_counts_and_a_prune_removes_what_retention_no_longer_keeps(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    _aged_store(db)
    code, dry = _prune(tmp_path, SETTINGS, "--dry-run")
    assert code == 0, dry
    lines = [" ".join(line.split()) for line in dry.splitlines()]
    assert "recommendations would remove 1" in lines and "runs would remove 1" in lines
    assert "run_accounts would remove 1" in lines and "status_history would remove 3" in lines
    assert (_count(db, "recommendations"), _count(db, "runs")) == (2, 2)  # nothing removed
    code, done = _prune(tmp_path, SETTINGS)
    assert code == 0, done
    assert "recommendations removed 1" in [" ".join(line.split()) for line in done.splitlines()]
    assert "stop serve and batch and run kamengine store prune --vacuum" in done
    with closing(sqlite3.connect(db)) as conn:
        assert [r[0] for r in conn.execute("select id from recommendations")] == ["rec-cooling"]  # cooling down
        assert conn.execute("select started_at from runs").fetchone()[0].startswith(TODAY.isoformat())
    code, vacuumed = _prune(tmp_path, SETTINGS, "--vacuum")
    assert code == 0 and "vacuum: the file shrank by" in vacuumed


def test_without_retention_settings_nothing_goes(tmp_path: Path) -> None:
    _aged_store(tmp_path / "k.db")
    code, output = _prune(tmp_path, "")
    assert code == 0, output
    assert all(line.split()[-1] == "0" for line in output.splitlines()[:7])


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ("[retention]\nrun_days = 0\n", "retention.run_days: input should be greater than or equal to 1, found 0"),
        ('[retention]\nsnapshot_days = "30"\n', "retention.snapshot_days: input should be a valid integer"),
        (
            "[retention]\nclosed_days = 30\n",
            "retention.closed_days: unknown setting; expected one of closed_recommendation_days,",
        ),
    ],
)
def test_a_wrong_setting_is_one_line_naming_it(tmp_path: Path, settings: str, message: str) -> None:
    _aged_store(tmp_path / "k.db")
    code, output = _prune(tmp_path, settings)
    assert code == 1 and message in output and "Traceback" not in output
    assert _count(tmp_path / "k.db", "recommendations") == 2


def _batch(tmp_path: Path) -> tuple[int, str]:
    (tmp_path / "kamengine.toml").write_text(SETTINGS, encoding="utf-8")
    args = ["--config", str(tmp_path / "kamengine.toml"), "batch", "--source", f"file:{EXAMPLE}", "--workers", "1"]
    result = CliRunner().invoke(main, [*args, "--db", str(tmp_path / "k.db")])
    return result.exit_code, result.output


def test_the_nightly_batch_prunes_after_a_finished_night(tmp_path: Path) -> None:
    _aged_store(tmp_path / "k.db")
    code, output = _batch(tmp_path)
    assert code == 0, output
    with closing(sqlite3.connect(tmp_path / "k.db")) as conn:
        assert conn.execute("select count(*) from recommendations where account_id = 'old-acc'").fetchone()[0] == 1
        assert conn.execute("select count(*) from runs where source = 'file:old/'").fetchone()[0] == 1


def test_a_failed_prune_is_a_warning_not_a_failed_night(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def busy(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr("kamengine.engine.api.runs.prune", busy)
    _aged_store(tmp_path / "k.db")
    code, output = _batch(tmp_path)
    assert code == 0, output
    assert "the store was not pruned after the run ([retention]): database is locked" in output
    assert _count(tmp_path / "k.db", "recommendations") > 2  # the night's advice is there, nothing pruned
