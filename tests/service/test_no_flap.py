"""A nightly batch with the team's playbooks and a service without them do not take turns opening and resolving.

Issue 23: ``batch --rules team/`` opened a team rule's advice, the CRM's next ``PUT`` to a ``serve``
without those rules resolved it ("its rule no longer fires"), and the next night opened it again.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from kamengine.cli import main
from kamengine.engine.model.config import Config
from kamengine.engine.store.store import Store
from serving import serving
from support import REPO

TEAM = """\
playbook: team
rules:
  - id: visit-supporters
    rationale: Supporters hear from us.
    subject: contact
    when: [{stance: 1}]
    actions: [{action: regular_office_visit, title: "Visit {name}"}]
"""


def _batch(tmp_path: Path, *args: str) -> str:
    ran = CliRunner().invoke(
        main,
        ["--config", "/dev/null", "batch", "--source", f"file:{tmp_path / 'export'}", "--db", str(tmp_path / "k.db"),
         "--workers", "1", "--rules", str(tmp_path / "team"), *args],
    )  # fmt: skip
    assert ran.exit_code == 0, ran.output
    return ran.stderr


def _team_advice(db: Path) -> dict[str, tuple[str, list[str]]]:
    """Each team rule's advice: its status and the reasons of its history."""
    store = Store(db)
    try:
        return {
            row["id"]: (row["status"], [h["reason"] for h in store.history(row["id"])])
            for row in store.find()
            if row["rule"].startswith("team/")
        }
    finally:
        store.close()


@pytest.fixture
def nightly(tmp_path: Path) -> Path:
    """The bundled account, and the team's playbook next to it."""
    (tmp_path / "export").mkdir()
    shutil.copy(REPO / "examples" / "acme-telecom.yaml", tmp_path / "export")
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "team.yaml").write_text(TEAM, encoding="utf-8")
    return tmp_path


def test_a_refresh_without_the_team_s_rules_leaves_their_advice_and_the_next_night_keeps_it(
    nightly: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _batch(nightly)
    opened = _team_advice(nightly / "k.db")
    assert len(opened) >= 2 and {status for status, _ in opened.values()} == {"open"}

    snapshot = yaml.safe_load((REPO / "examples" / "acme-telecom.yaml").read_text(encoding="utf-8"))
    snapshot["as_of"] = "2026-11-21"  # the CRM's next snapshot of the account
    with caplog.at_level(logging.WARNING, "kamengine.store"), serving(nightly / "k.db", config=Config()) as running:
        running.token("crm", "crm", "admin")
        assert not any(rule.startswith("team/") for rule in running.service.loaded_rules)
        with running.client("crm") as client:
            answer = client.put("/v1/accounts/acme-tel/snapshot", content=json.dumps(snapshot, default=str))
    assert answer.status_code == 200, answer.text
    refreshed = answer.json()
    assert refreshed["outcome"]["resolved"] == 0
    left = [n for n in refreshed["notices"] if "not resolved: this server has not loaded its rule" in n]
    assert len(left) == len(opened) and all("(team/visit-supporters) left open" in n for n in left)
    revision = refreshed["revision"]
    changed = next(n for n in refreshed["notices"] if n.startswith("the playbooks' revision"))
    assert f"revision {revision} is not the last run's" in changed and "file:" in changed
    assert any("not resolved" in record.getMessage() for record in caplog.records)  # and in the service's log
    assert _team_advice(nightly / "k.db") == opened  # as it was: open, with no new history

    said = _batch(nightly, "--as-of", "2026-11-22")  # the next night, with the team's playbooks again
    assert f"is not the last run's, {revision}" in said  # one warning naming both revisions
    kept = _team_advice(nightly / "k.db")
    assert kept == opened  # still open, never resolved nor opened again
    assert all(reasons == ["new"] for _, reasons in kept.values())


def test_the_same_playbooks_every_run_say_nothing(nightly: Path) -> None:
    assert "Warning" not in _batch(nightly)
    assert "Warning" not in _batch(nightly, "--as-of", "2026-11-21")
    store = Store(nightly / "k.db")
    try:
        revisions = {row[0] for row in store.db.execute("select revision from runs")}
    finally:
        store.close()
    assert len(revisions) == 1 and None not in revisions
