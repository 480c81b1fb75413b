"""kamengine batch, recs and deliver: nightly runs into the store, failures, resume, outbox."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from durable_marker import prints_as_on_durable
from kamengine.cli import main
from support import REPO

EXAMPLE = REPO / "examples" / "acme-telecom.yaml"
SCRIPT = Path(sys.executable).parent / "kamengine"


def _portfolio(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for index in range(count):
        data["account"]["id"] = f"acct-{index:02d}"
        data["account"]["name"] = f"Account {index}"
        (folder / f"{index:02d}.json").write_text(json.dumps(data, default=str), encoding="utf-8")
    return folder


def _batch(db: Path, folder: Path, *args: str) -> object:
    return CliRunner().invoke(main, ["batch", "--source", f"file:{folder}", "--db", str(db), "--workers", "2", *args])


def _rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_two_runs_leave_the_same_open_recommendations(tmp_path: Path) -> None:
    folder, db = _portfolio(tmp_path / "p", 3), tmp_path / "k.db"
    first = _batch(db, folder)
    assert first.exit_code == 0, first.output
    open_after_first = _rows(db, "select id, title from recommendations where status = 'open' order by id")
    second = _batch(db, folder)
    assert second.exit_code == 0
    assert _rows(db, "select id, title from recommendations where status = 'open' order by id") == open_after_first
    assert "new 0, refreshed" in second.stderr
    assert len(open_after_first) == _rows(db, "select count(*) from recommendations")[0][0]


def test_done_does_not_come_back_and_a_vanished_reason_resolves(tmp_path: Path) -> None:
    folder, db = _portfolio(tmp_path / "p", 2), tmp_path / "k.db"
    _batch(db, folder)
    (rec_id,) = _rows(
        db,
        "select id from recommendations where account_id = 'acct-00' and action = 'hq_tour' and subject_id = 'c-eng'",
    )[0]
    done = CliRunner().invoke(
        main, ["recs", "done", rec_id, "--reason", "toured on Friday", "--by", "li.wei", "--db", str(db)]
    )
    assert done.exit_code == 0 and done.output.startswith(f"{rec_id}: done")
    data = json.loads((folder / "00.json").read_text(encoding="utf-8"))
    next(c for c in data["contacts"] if c["id"] == "c-eng")["stance"] = 1  # the evaluator came round
    (folder / "00.json").write_text(json.dumps(data), encoding="utf-8")
    _batch(db, folder)
    assert _rows(db, f"select status from recommendations where id = '{rec_id}'") == [("done",)]
    resolved = _rows(
        db,
        "select action from recommendations where account_id = 'acct-00' and subject_id = 'c-eng' and status = 'resolved'",
    )
    assert resolved == [("exhibition_invite",)]
    listed = CliRunner().invoke(
        main, ["recs", "list", "--db", str(db), "--account", "acct-00", "--status", "done", "-f", "json"]
    )
    assert [row["id"] for row in json.loads(listed.output)] == [rec_id]


def test_a_worker_that_segfaults_costs_only_its_account(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, db = _portfolio(tmp_path / "p", 4), tmp_path / "k.db"
    monkeypatch.setenv("KAMENGINE_FAULT_INJECT", "crash:acct-01")
    result = _batch(db, folder)
    assert result.exit_code == 1
    assert "failed 1" in result.stderr and "worker process died (killed by SIGSEGV)" in result.stderr
    assert _rows(db, "select account_id, status from run_accounts order by account_id") == [
        ("acct-00", "done"), ("acct-01", "failed"), ("acct-02", "done"), ("acct-03", "done"),
    ]  # fmt: skip
    assert _rows(db, "select count(distinct account_id) from recommendations") == [(3,)]
    assert json.loads(_rows(db, "select summary from runs")[0][0])["worker_restarts"] == 1


def test_a_worker_dying_on_an_unparsed_line_records_that_account(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, db, lines = _portfolio(tmp_path / "p", 3), tmp_path / "k.db", tmp_path / "p.jsonl"
    lines.write_text("".join(f.read_text(encoding="utf-8") + "\n" for f in sorted(folder.iterdir())), "utf-8")
    monkeypatch.setenv("KAMENGINE_FAULT_INJECT", "crash:acct-01")
    result = CliRunner().invoke(main, ["batch", "--source", f"jsonl:{lines}", "--db", str(db), "--workers", "1"])
    assert result.exit_code == 1
    assert f"{lines}:2: worker process died (killed by SIGSEGV)" in result.stderr
    assert _rows(db, "select account_id, origin, status from run_accounts order by account_id") == [
        ("acct-00", f"{lines}:1", "done"), ("acct-01", f"{lines}:2", "failed"), ("acct-02", f"{lines}:3", "done"),
    ]  # fmt: skip


def test_a_bad_playbook_stops_the_run_before_any_worker_starts(tmp_path: Path) -> None:
    folder, db, bad = _portfolio(tmp_path / "p", 1), tmp_path / "k.db", tmp_path / "bad.yaml"
    bad.write_text("playbook: bad\nrules:\n  - id: x\n    subject: contact\n", encoding="utf-8")
    result = _batch(db, folder, "--rules", str(bad))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{bad}:3: rules[0]: required key 'rationale' is missing" in result.output
    assert not db.exists()


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("start:raise", "a worker process could not start: fault injected at start"),
        ("start:crash", "a worker process died while starting (killed by SIGSEGV)"),
    ],
)
def test_a_worker_that_cannot_start_stops_the_run_for_resume(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str, message: str
) -> None:
    folder, db = _portfolio(tmp_path / "p", 2), tmp_path / "k.db"
    monkeypatch.setenv("KAMENGINE_FAULT_INJECT", fault)
    result = _batch(db, folder)
    assert result.exit_code == 1 and message in result.output
    assert _rows(db, "select status from runs") == [("running",)]  # --resume finishes it
    assert _rows(db, "select count(*) from run_accounts") == [(0,)]  # no account blamed


def test_a_killed_run_resumes_without_duplicates_or_losses(tmp_path: Path) -> None:
    folder, db, reference = _portfolio(tmp_path / "p", 6), tmp_path / "k.db", tmp_path / "ref.db"
    env = {**os.environ, "KAMENGINE_FAULT_INJECT": "sleep:0.4"}
    args = [str(SCRIPT), "batch", "--source", f"file:{folder}", "--db", str(db), "--workers", "1"]
    process = subprocess.Popen(args, env=env, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if db.exists() and _count_done(db) >= 2:
            break
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    done_before = _count_done(db)
    assert 2 <= done_before < 6
    resumed = subprocess.run([*args, "--resume"], capture_output=True, text=True, timeout=120, check=False)
    assert resumed.returncode == 0, resumed.stderr
    assert _rows(db, "select count(*), count(distinct account_id) from run_accounts where status = 'done'") == [(6, 6)]
    assert _rows(db, "select count(*) from runs") == [(1,)] and _rows(db, "select status from runs") == [("finished",)]
    uninterrupted = subprocess.run(
        [*args[:5], str(reference), "--workers", "1"], capture_output=True, text=True, timeout=120, check=False
    )
    assert uninterrupted.returncode == 0
    query = "select id, account_id, action, status, title, priority, due from recommendations order by id"
    assert _rows(db, query) == _rows(reference, query)
    assert _rows(db, "select count(*) from status_history") == _rows(reference, "select count(*) from status_history")


def _count_done(db: Path) -> int:
    try:
        return int(_rows(db, "select count(*) from run_accounts where status = 'done'")[0][0])
    except sqlite3.OperationalError:
        return 0


def test_a_failed_delivery_stays_pending_and_deliver_retries_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kamengine.plugins.webhook_emitter import WebhookEmitter

    monkeypatch.setattr(WebhookEmitter, "BACKOFF", 0.01)
    folder, db, out = _portfolio(tmp_path / "p", 1), tmp_path / "k.db", tmp_path / "out.jsonl"
    dead = "webhook:http://127.0.0.1:9/hook"  # the discard port: nothing listens
    result = _batch(db, folder, "--emit", dead, "--emit", f"jsonl:{out}")
    assert result.exit_code == 1
    assert len(out.read_text(encoding="utf-8").splitlines()) == _rows(db, "select count(*) from recommendations")[0][0]
    assert _rows(db, "select emitter, status, attempts from deliveries order by id") == [
        (dead, "pending", 1),
        (f"jsonl:{out}", "delivered", 1),
    ]
    db_conn = sqlite3.connect(db)
    db_conn.execute("update deliveries set emitter = ? where emitter = ?", [f"json:{tmp_path / 'late.json'}", dead])
    db_conn.commit()
    db_conn.close()
    retried = CliRunner().invoke(main, ["deliver", "--db", str(db)])
    assert retried.exit_code == 0, retried.output
    assert _rows(db, "select status, attempts from deliveries order by id") == [("delivered", 2), ("delivered", 1)]
    assert len(json.loads((tmp_path / "late.json").read_text(encoding="utf-8"))) > 0


def test_dask_on_a_local_cluster_gives_the_same_store(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    folder = _portfolio(tmp_path / "p", 5)
    local, on_dask = tmp_path / "local.db", tmp_path / "dask.db"
    assert _batch(local, folder).exit_code == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = CliRunner().invoke(
            main,
            [
                "batch",
                "--source",
                f"file:{folder}",
                "--db",
                str(on_dask),
                "--executor",
                "dask",
                "--scheduler",
                cluster.scheduler_address,
            ],
        )
    assert result.exit_code == 0, result.output
    query = "select id, account_id, action, status, title, priority, due, evidence from recommendations order by id"
    assert _rows(on_dask, query) == _rows(local, query)
    assert _rows(on_dask, "select account_id, status from run_accounts order by account_id") == [
        (f"acct-{i:02d}", "done") for i in range(5)
    ]


def test_dask_needs_a_scheduler(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["batch", "--source", f"file:{tmp_path}", "--db", str(tmp_path / "k.db"), "--executor", "dask"]
    )
    assert result.exit_code == 2 and "--executor dask needs --scheduler ADDRESS" in result.stderr


def test_a_store_path_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "notes.db").write_text("these are my notes, not a database\n" * 100, encoding="utf-8")
    for db in (tmp_path, tmp_path / "notes.db"):
        result = CliRunner().invoke(main, ["recs", "list", "--db", str(db)])
        assert result.exit_code == 1
        assert result.stderr.startswith(f"Error: {db}: cannot use as the kamengine store (")


def test_resume_needs_the_same_source(tmp_path: Path) -> None:
    from kamengine.engine.store.store import Store

    store = Store(tmp_path / "k.db")
    store.start_run("file:/data/monday")
    store.close()
    result = _batch(tmp_path / "k.db", tmp_path, "--resume")
    assert result.exit_code == 1
    assert "read file:/data/monday, not file:" in result.stderr


@prints_as_on_durable
def test_recs_list_gives_advise_s_json_shape_plus_the_lifecycle(tmp_path: Path) -> None:
    folder, db = _portfolio(tmp_path / "p", 1), tmp_path / "k.db"
    assert _batch(db, folder).exit_code == 0
    listed = json.loads(CliRunner().invoke(main, ["recs", "list", "--db", str(db), "-f", "json"]).output)
    advised = json.loads(CliRunner().invoke(main, ["advise", str(folder / "00.json"), "-f", "json"]).output)
    by_id = {rec["id"]: rec for rec in advised}
    assert listed and {row["id"] for row in listed} == set(by_id)
    lifecycle = {"as_of", "first_run", "last_run", "status", "status_at", "status_by", "status_reason", "snoozed_until"}
    for row in listed:
        assert set(row) == set(by_id[row["id"]]) | lifecycle
        assert {k: v for k, v in row.items() if k not in lifecycle} == by_id[row["id"]]
