"""The service on a store only a nightly batch wrote: members see their accounts, and the pages draw them."""

from __future__ import annotations

import shutil
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from kamengine.cli import main
from kamengine.engine.store.kept import KEPT_PER_ACCOUNT
from kamengine.engine.store.snapshots import last_snapshot
from kamengine.engine.store.store import Store
from serving import serving
from support import REPO


@pytest.fixture
def nightly(tmp_path: Path) -> Path:
    """A store one batch over the bundled accounts wrote, and nothing else."""
    folder = tmp_path / "export"
    folder.mkdir()
    for path in [REPO / "examples" / "acme-telecom.yaml", *sorted((REPO / "examples" / "portfolio").glob("*.yaml"))]:
        shutil.copy(path, folder)
    db = tmp_path / "k.db"
    ran = CliRunner().invoke(main, ["--config", "/dev/null", "batch", "--source", f"file:{folder}", "--db", str(db)])
    assert ran.exit_code == 0, ran.output
    return db


def test_a_batch_keeps_each_account_s_snapshot_and_team_once(nightly: Path) -> None:
    store = Store(nightly)
    try:
        kept = last_snapshot(store, "acme-tel")
        assert kept is not None and kept["tier"] == "strategic" and kept["as_of"] == "2026-11-20"
        assert {c["id"] for c in kept["body"]["contacts"]} >= {"c-cto", "c-eng"}
        team = store.db.execute("select member_id, role from account_team where account_id = 'acme-tel'").fetchall()
        assert sorted(team) == [("u-ad", "AD"), ("u-ar", "AR"), ("u-fr", "FR"), ("u-sr", "SR")]
    finally:
        store.close()
    folder = nightly.parent / "export"
    again = CliRunner().invoke(
        main, ["--config", "/dev/null", "batch", "--source", f"file:{folder}", "--db", str(nightly)]
    )
    assert again.exit_code == 0, again.output
    store = Store(nightly)
    try:  # the same export again: nothing new to keep
        assert store.db.execute("select count(*) from snapshots").fetchone() == (len(list(folder.glob("*.yaml"))),)
    finally:
        store.close()
    for day in range(KEPT_PER_ACCOUNT + 2):  # a new snapshot every night: only the newest are kept
        later = CliRunner().invoke(
            main,
            ["--config", "/dev/null", "batch", "--source", f"file:{folder}", "--db", str(nightly),
             "--as-of", f"2026-11-{21 + day}"],
        )  # fmt: skip
        assert later.exit_code == 0, later.output
    store = Store(nightly)
    try:
        rows = store.db.execute("select as_of from snapshots where account_id = 'acme-tel' order by id").fetchall()
        assert [r[0] for r in rows] == [f"2026-11-{21 + d}" for d in range(2, KEPT_PER_ACCOUNT + 2)]
    finally:
        store.close()


def test_a_member_sees_their_accounts_and_their_pages_from_a_batch_store(nightly: Path) -> None:
    with serving(nightly) as running:
        running.token("chen", "u-ad", "read")
        running.token("peter", "u-pg", "act")
        with running.client("chen") as client:
            accounts = client.get("/v1/accounts").json()
            assert [a["account_id"] for a in accounts] == ["acme-tel", "globex-energy", "umbrella-health"]
            assert {a["tier"] for a in accounts} == {"strategic", "key"}
            detail = client.get("/v1/accounts/acme-tel").json()
            assert detail["summary"]["name"] == "ACME Telecom" and detail["power_map"]["contacts"] > 0
        with running.client("peter") as client:
            assert [a["account_id"] for a in client.get("/v1/accounts").json()] == ["initech"]
            mine = client.get("/v1/recommendations", params={"owner": "u-pg"}).json()["items"]
            assert mine and {r["account_id"] for r in mine} == {"initech"}
        with closing(httpx.Client(base_url=running.url, timeout=30)) as browser:
            browser.post("/login", data={"token": running.tokens["chen"]})
            portfolio = browser.get("/")
            assert portfolio.status_code == 200
            assert all(name in portfolio.text for name in ("ACME Telecom", "Globex", "Umbrella"))
            page = browser.get("/accounts/acme-tel")
            assert page.status_code == 200 and "Power map" in page.text and "Marta Vidal" in page.text
            assert "Initech" not in portfolio.text  # not on Chen Jing's teams
