"""A nightly batch prunes the decision log past ``[retention] decision_log_days``."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from pathlib import Path

from click.testing import CliRunner
from kamengine.cli import main
from kamengine.engine.store.decisions import log_decision
from kamengine.engine.store.store import Store
from support import REPO

EXAMPLE = REPO / "examples" / "acme-telecom.yaml"


def test_a_finished_run_removes_decisions_older_than_the_retention(tmp_path: Path) -> None:
    db, settings = tmp_path / "k.db", tmp_path / "kamengine.toml"
    store = Store(db)
    for days in (45, 20):
        decision = log_decision(store, "refresh", "acme-tel", "rev", "tok", b"{}", [])
        at = (dt.datetime.now(dt.UTC) - dt.timedelta(days=days)).isoformat(timespec="milliseconds")
        store.db.execute("update decisions set at = ? where id = ?", [at, decision])
        store.db.conn.commit()
    store.close()
    settings.write_text("[retention]\ndecision_log_days = 30\n", encoding="utf-8")
    ran = CliRunner().invoke(
        main, ["--config", str(settings), "batch", "--source", f"file:{EXAMPLE}", "--db", str(db), "--workers", "1"]
    )
    assert ran.exit_code == 0, ran.output
    with closing(sqlite3.connect(db)) as conn:
        kept = [row[0][:10] for row in conn.execute("select at from decisions")]
    assert kept == [(dt.datetime.now(dt.UTC) - dt.timedelta(days=20)).date().isoformat()]
