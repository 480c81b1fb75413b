"""``kamengine batch`` refuses a night dated before an account's last or too far ahead; a what-if goes into a copy."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import yaml
from click.testing import CliRunner, Result
from kamengine.cli import main
from support import REPO

EXAMPLE = REPO / "examples" / "acme-telecom.yaml"


def _export(folder: Path, as_of: str, accounts: int = 2) -> Path:
    """The bundled account ``accounts`` times, exported on ``as_of``."""
    folder.mkdir(parents=True, exist_ok=True)
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for index in range(accounts):
        data["as_of"] = as_of
        data["account"]["id"] = f"acct-{index}"
        (folder / f"{index}.json").write_text(json.dumps(data, default=str), encoding="utf-8")
    return folder


def _batch(folder: Path, db: Path, *options: str, config: str = "/dev/null") -> Result:
    return CliRunner().invoke(
        main, ["--config", config, "batch", "--source", f"file:{folder}", "--db", str(db), "--workers", "1", *options]
    )


def _advice(db: Path) -> list[tuple[str, str, str]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("select id, status, as_of from recommendations order by id").fetchall()


def test_a_night_dated_before_the_last_is_refused_per_account_naming_both_dates(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    assert _batch(_export(tmp_path / "late", "2026-11-25"), db).exit_code == 0
    before = _advice(db)
    early = _batch(_export(tmp_path / "early", "2026-11-20"), db)
    assert early.exit_code == 1 and "Traceback" not in early.output
    for account in ("acct-0", "acct-1"):
        assert f"account '{account}' is dated 2026-11-20, before its last one in the store (2026-11-25)" in early.stderr
    assert "failed 2" in early.stderr
    assert _advice(db) == before


def test_a_night_dated_past_future_days_is_refused_unless_the_settings_allow_it(tmp_path: Path) -> None:
    db, folder = tmp_path / "k.db", _export(tmp_path / "export", "2026-11-20")
    ahead = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    refused = _batch(folder, db, "--as-of", ahead)
    assert refused.exit_code == 1
    assert f"is dated {ahead}, more than 2 days after today ({dt.date.today().isoformat()})" in refused.stderr
    assert "[limits] future_days" in refused.stderr and _advice(db) == []
    settings = tmp_path / "kamengine.toml"
    settings.write_text("[limits]\nfuture_days = 40\n", encoding="utf-8")
    allowed = _batch(folder, db, "--as-of", ahead, config=str(settings))
    assert allowed.exit_code == 0, allowed.output
    assert {as_of for _, _, as_of in _advice(db)} == {ahead}


def test_allow_backdate_refuses_the_live_store_and_writes_into_a_copy(tmp_path: Path) -> None:
    live, copy = tmp_path / "k.db", tmp_path / "what-if.db"
    assert _batch(_export(tmp_path / "late", "2026-11-25"), live).exit_code == 0
    before = _advice(live)
    early = _export(tmp_path / "early", "2026-11-20")
    refused = _batch(early, live, "--allow-backdate")
    assert refused.exit_code == 2 and "Traceback" not in refused.output
    assert f"--allow-backdate writes only into a copy of the store, never into {live}" in refused.output
    assert f"--copy-from {live} --db what-if.db" in refused.output
    what_if = _batch(early, copy, "--allow-backdate", "--copy-from", str(live))
    assert what_if.exit_code == 0, what_if.output
    with closing(sqlite3.connect(copy)) as conn:  # each account's latest snapshot is the what-if's
        latest = conn.execute(
            "select account_id, as_of from snapshots where id in (select max(id) from snapshots group by account_id)"
        ).fetchall()
    assert sorted(latest) == [("acct-0", "2026-11-20"), ("acct-1", "2026-11-20")]
    assert _advice(live) == before  # the live store is untouched
    again = _batch(_export(tmp_path / "earlier", "2026-11-10"), copy, "--allow-backdate")  # the copy stays one
    assert again.exit_code == 0, again.output
    twice = _batch(early, copy, "--allow-backdate", "--copy-from", str(live))
    assert twice.exit_code == 1 and f"{copy} exists: a copy goes into a new file" in twice.stderr
    alone = _batch(early, copy, "--copy-from", str(live))
    assert alone.exit_code == 2 and "--copy-from is for a what-if with --allow-backdate" in alone.output
